"""Uploaded checkpoints are checked before any model is built: the config's model is built on the
meta device, held against the parameter limit and compared with the safetensors header.

The hostile file of issue 12: a zip of a few kB whose config describes a 100k-word vocabulary and
a 12+12-layer Transformer (455M parameters). Building that model first took a server from 787 MB
to 3.3 GB and a core for about 15 s before "weights do not match"; now it is refused from the
header, in milliseconds, with nothing allocated.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch
from hostile import hostile_zip
from safetensors.torch import save as st_save

import core.checkpoint as ckpt
from core.checkpoint import (
    CheckpointError,
    bundle,
    config_json,
    load_bundle,
    load_dir,
    read_header,
    save_dir,
)
from core.runspec import plan

ROOT = Path(__file__).resolve().parents[2]


def _tiny():
    spec = plan("long-memory", "gru", {"task.lag": 5, "model.hidden_size": 16, "model.embed_dim": 8})
    torch.manual_seed(0)
    model = spec.build()
    return spec, model, config_json(spec.to_json(), spec.data.state())


@pytest.fixture
def nothing_loaded(monkeypatch):
    """Fail the test if weights are read or a model is built for real."""

    def boom(*a, **k):
        raise AssertionError("the weights were loaded before the file was checked")

    monkeypatch.setattr(ckpt, "_read_weights", boom)
    monkeypatch.setattr(ckpt, "_load", boom)


def test_hostile_upload_is_refused_from_the_header(nothing_loaded):
    raw = hostile_zip()
    assert len(raw) < 4096
    with pytest.raises(
        CheckpointError, match=r"describes a model of 455,214,752 parameters.*holds 100,000"
    ) as e:
        load_bundle(raw)
    assert e.value.key == "checkpoint.mismatch" and e.value.values["described"] == "455,214,752"


def test_hostile_upload_costs_no_memory_and_no_time():
    """In a fresh process (so that its peak memory is this load's own): refused in well under a
    second after the imports, and the process's peak RSS grows by less than 100 MB."""
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / "tests")!r})
from hostile import hostile_zip
from core.checkpoint import CheckpointError, load_bundle, plan_restore
import torch
with torch.device("meta"):  # first use of the meta device and the model modules: not the check's
    plan_restore({{"task": "translation", "arch": "transformer", "model": {{}}}})
raw = hostile_zip()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    load_bundle(raw)
except CheckpointError:
    pass
print(time.perf_counter() - t0, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    seconds, grew_mb = map(float, out.stdout.split())
    assert seconds < 1.0, seconds
    assert grew_mb < 100, grew_mb


def test_a_model_over_the_parameter_limit_is_refused_before_it_is_built(nothing_loaded):
    _, model, cfg = _tiny()
    with pytest.raises(CheckpointError, match=r"parameters, more than this server's limit of 100;") as e:
        load_bundle(bundle(model, cfg), max_params=100)
    assert e.value.key == "checkpoint.too_big"


def test_within_the_limit_it_loads(tmp_path):
    _, model, cfg = _tiny()
    n = sum(p.numel() for p in model.parameters())
    loaded = load_bundle(bundle(model, cfg), max_params=n)
    assert sum(p.numel() for p in loaded.model.parameters()) == n
    with pytest.raises(CheckpointError, match="limit"):
        load_dir(save_dir(tmp_path / "run", model, cfg), max_params=n - 1)


def test_a_wrong_shape_is_refused_from_the_header(nothing_loaded):
    _, model, cfg = _tiny()
    cfg["model"]["hidden_size"] = 32  # the weights were made for 16
    with pytest.raises(CheckpointError, match=r"head.weight has shape \[8, 16\] \(F32\), expected \[8, 32\]"):
        load_bundle(bundle(model, cfg))


def test_integer_weights_in_place_of_floats_are_refused(nothing_loaded):
    _, model, cfg = _tiny()
    weights = {k: v.to(torch.int32) if k == "head.bias" else v for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("model.safetensors", st_save({k: v.contiguous() for k, v in weights.items()}))
        z.writestr("config.json", json.dumps(cfg))
    with pytest.raises(CheckpointError, match=r"head.bias has shape .*\(I32\)"):
        load_bundle(buf.getvalue())


def _header_file(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return len(raw).to_bytes(8, "little") + raw + data


def test_read_header_lists_names_and_shapes_without_loading():
    raw = st_save({"a": torch.zeros(2, 3), "b": torch.zeros(4, dtype=torch.float16)})
    assert read_header(raw, len(raw)) == {"a": ("F32", (2, 3)), "b": ("F16", (4,))}
    assert read_header(raw[:200], len(raw)) == read_header(raw, len(raw))  # only the start is needed


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty or truncated"),
        ((10**9).to_bytes(8, "little") + b"{}", "does not fit a file"),
        (_header_file({})[:8] + b"not json", "not JSON"),
        (_header_file(["a"]), "not a table"),
        (
            _header_file({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
            "does not fit",
        ),
        (
            _header_file({"a": {"dtype": "F32", "shape": [10**6, 10**6], "data_offsets": [0, 8]}}, b"\0" * 8),
            "fit",
        ),
        (_header_file({"a": {"dtype": "PICKLE", "shape": [1], "data_offsets": [0, 1]}}, b"\0"), "dtype"),
        (_header_file({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}), "shape"),
        (_header_file({"a": {"shape": [1]}}), "no valid dtype"),
    ],
    ids=[
        "empty",
        "huge-length",
        "not-json",
        "list",
        "short-data",
        "promises-too-much",
        "dtype",
        "negative",
        "fields",
    ],
)
def test_read_header_refuses_what_a_file_cannot_hold(raw, message):
    with pytest.raises(CheckpointError, match=message):
        read_header(raw, len(raw))


def test_an_encrypted_zip_is_a_clear_error_not_a_crash():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("config.json", b"{}")
        z.writestr("model.safetensors", b"x" * 64)
    raw = bytearray(buf.getvalue())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set "encrypted" in every header
        i = raw.find(sig)
        while i >= 0:
            raw[i + flag_at] |= 1
            i = raw.find(sig, i + 4)
    with pytest.raises(CheckpointError, match="damaged.*encrypted"):
        load_bundle(bytes(raw))
