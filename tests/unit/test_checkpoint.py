"""Checkpoints: safetensors + JSON round trip, and refusal of everything else (never unpickled)."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile

import pytest
import torch

from core.checkpoint import FORMAT, CheckpointError, bundle, config_json, load_bundle, load_dir, save_dir
from core.runspec import plan


class _WritesFile:
    """Unpickling this would create a file: proof that nothing is unpickled."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


def _config(**kw):
    return json.dumps({"format": FORMAT, "task": "long-memory", "arch": "gru", **kw}).encode()


def test_pickle_upload_is_refused_and_never_run(tmp_path):
    target = tmp_path / "pwned.txt"
    payload = pickle.dumps(_WritesFile(str(target)))
    with pytest.raises(CheckpointError, match="not a Sequence Lab model file"):
        load_bundle(payload)
    with pytest.raises(CheckpointError, match="not a valid safetensors"):
        load_bundle(_zip({"config.json": _config(), "model.safetensors": payload}))
    assert not target.exists()


def test_torch_save_file_is_refused(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)  # a zip with data.pkl inside
    with pytest.raises(CheckpointError, match="no config.json"):
        load_bundle(buf.getvalue())


@pytest.mark.parametrize(
    "files, message",
    [
        ({"config.json": b"{not json", "model.safetensors": b"x" * 16}, "not valid JSON"),
        (
            {"config.json": b'{"format": "other"}', "model.safetensors": b"x" * 16},
            "not a Sequence Lab checkpoint",
        ),
        ({"config.json": _config(), "model.safetensors": b""}, "empty or truncated"),
        (
            {"config.json": _config(), "model.safetensors": b"\x08" + b"\x00" * 7 + b"garbage!"},
            "not a valid safetensors",
        ),
        ({"model.safetensors": b"x" * 16}, "no config.json"),
    ],
)
def test_corrupt_bundles_get_clear_errors(files, message):
    with pytest.raises(CheckpointError, match=message):
        load_bundle(_zip(files))


def test_garbage_bytes_and_missing_dir(tmp_path):
    with pytest.raises(CheckpointError):
        load_bundle(os.urandom(256))
    with pytest.raises(CheckpointError, match="not a run directory"):
        load_dir(tmp_path / "nope")


def _tiny_spec():
    return plan(
        "long-memory",
        "gru",
        {"task.lag": 5, "model.hidden_size": 16, "model.embed_dim": 8, "train.epochs": 1},
    )


def test_round_trip_gives_identical_predictions(tmp_path):
    spec = _tiny_spec()
    torch.manual_seed(0)
    model = spec.build().eval()
    cfg = config_json(spec.to_json(), spec.data.state(), {"x": 1.0})
    batch = {k: v[:8] for k, v in spec.data.splits["test"].items()}
    with torch.no_grad():
        expected = model(batch).logits
    for loaded in (load_bundle(bundle(model, cfg)), load_dir(save_dir(tmp_path / "run", model, cfg))):
        assert loaded.arch == "gru" and loaded.task.name == "long-memory"
        assert loaded.model_cfg == spec.model_cfg
        with torch.no_grad():
            assert torch.equal(loaded.model(batch).logits, expected)


def test_mismatched_weights_are_refused():
    spec = _tiny_spec()
    model = spec.build()
    cfg = config_json(spec.to_json(), spec.data.state())
    cfg["model"]["hidden_size"] = 32  # the weights were made for 16
    with pytest.raises(CheckpointError, match="do not match"):
        load_bundle(bundle(model, cfg))
    cfg["arch"] = "no-such-arch"
    with pytest.raises(CheckpointError, match="unknown architecture"):
        load_bundle(bundle(model, cfg))
