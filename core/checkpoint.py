"""Checkpoints: ``model.safetensors`` + ``config.json`` (+ the data state needed to predict).

Loading never unpickles anything: weights are read with safetensors, settings with json. A file
that is not what it claims (a pickle, a truncated file, weights of another shape, an oversized
upload) gets a :class:`CheckpointError` with a message for the user.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import nn

from core.config import ConfigError, resolve
from core.registry import build, get_arch, get_task

FORMAT = "sequence-lab/1"
MAX_BYTES = 200 * 1024 * 1024  # refuse larger uploads before reading them
MAX_CONFIG_BYTES = 5 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded; the message says why, for the user."""


@dataclass
class Loaded:
    task: Any  # task class
    arch: str
    task_opts: Any
    model_cfg: Any
    train: dict[str, Any]
    model: nn.Module
    data: Any  # Prepared restored from the saved state (can predict; splits may be empty)
    meta: dict[str, Any]


def config_json(
    spec_json: dict[str, Any], data_state: dict[str, Any], metrics: dict[str, Any] | None = None
) -> dict:
    return {"format": FORMAT, **spec_json, "data_state": data_state, "metrics": metrics or {}}


def weights_bytes(model: nn.Module) -> bytes:
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return st_save(_untie(tensors))


def _untie(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """safetensors refuses tensors that share memory (tied embeddings): store copies."""
    seen: dict[int, str] = {}
    out = {}
    for k, v in tensors.items():
        ptr = v.data_ptr()
        out[k] = v.clone() if ptr in seen else v
        seen.setdefault(ptr, k)
    return out


def save_dir(path: str | Path, model: nn.Module, config: dict[str, Any]) -> Path:
    """Write ``model.safetensors`` and ``config.json`` into ``path`` (created if needed)."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    (p / "model.safetensors").write_bytes(weights_bytes(model))
    (p / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False, default=float))
    return p


def bundle(model: nn.Module, config: dict[str, Any], extra: dict[str, bytes] | None = None) -> bytes:
    """A zip with model.safetensors, config.json (and extra files such as metrics.json)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.safetensors", weights_bytes(model))
        z.writestr("config.json", json.dumps(config, indent=2, ensure_ascii=False, default=float))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def _read_config(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_CONFIG_BYTES:
        raise CheckpointError("config.json is too large to be a Sequence Lab config")
    try:
        cfg = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"config.json is not valid JSON ({e})") from None
    if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
        raise CheckpointError(f"config.json is not a Sequence Lab checkpoint (expected format {FORMAT!r})")
    return cfg


def _read_weights(raw: bytes) -> dict[str, torch.Tensor]:
    if len(raw) < 8:
        raise CheckpointError("model.safetensors is empty or truncated")
    try:
        return st_load(raw)
    except (SafetensorError, ValueError, RuntimeError, OSError) as e:
        raise CheckpointError(f"model.safetensors is not a valid safetensors file ({e})") from None


def restore(config: dict[str, Any], weights: dict[str, torch.Tensor]) -> Loaded:
    """Rebuild the model and the task's predictor from a config dict and safetensors weights."""
    try:
        task = get_task(str(config.get("task")))
        arch = str(config.get("arch"))
        get_arch(arch)
        model_cfg = resolve(get_arch(arch).config, config.get("model") or {})
        task_opts = resolve(task.options, config.get("task_options") or {})
    except ConfigError as e:
        raise CheckpointError(f"config.json does not describe a model this version can build: {e}") from None
    model = build(arch, model_cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            "the weights do not match the configuration"
            + (f"; missing: {', '.join(missing[:5])}" if missing else "")
            + (f"; unexpected: {', '.join(unexpected[:5])}" if unexpected else "")
        )
    for k, v in weights.items():
        if tuple(v.shape) != tuple(expected[k].shape):
            raise CheckpointError(
                f"the weights do not match the configuration: {k} has shape {tuple(v.shape)}, "
                f"expected {tuple(expected[k].shape)}"
            )
    model.load_state_dict(weights, strict=True)
    model.eval()
    try:
        data = task.restore(config.get("data_state") or {}, task_opts)
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"the saved data state cannot be restored ({e})") from None
    return Loaded(task, arch, task_opts, model_cfg, config.get("train") or {}, model, data, config)


def load_dir(path: str | Path) -> Loaded:
    p = Path(path)
    if not p.is_dir():
        raise CheckpointError(f"{p} is not a run directory")
    for name in ("config.json", "model.safetensors"):
        if not (p / name).is_file():
            raise CheckpointError(f"{p} has no {name}")
    if (p / "model.safetensors").stat().st_size > MAX_BYTES:
        raise CheckpointError("model.safetensors is larger than the limit of 200 MB")
    config = _read_config((p / "config.json").read_bytes())
    return restore(config, _read_weights((p / "model.safetensors").read_bytes()))


def load_bundle(raw: bytes) -> Loaded:
    """Load a zip made by :func:`bundle` (what the app's download button gives)."""
    if len(raw) > MAX_BYTES:
        raise CheckpointError("the file is larger than the limit of 200 MB")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise CheckpointError(
            "this is not a Sequence Lab model file: expected a .zip with model.safetensors and config.json"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = set(z.namelist())
            for name in ("config.json", "model.safetensors"):
                if name not in names:
                    raise CheckpointError(f"the zip has no {name}")
            for info in z.infolist():
                if info.file_size > MAX_BYTES:
                    raise CheckpointError(f"{info.filename} is larger than the limit of 200 MB")
            config = _read_config(z.read("config.json"))
            weights = _read_weights(z.read("model.safetensors"))
    except zipfile.BadZipFile as e:
        raise CheckpointError(f"the zip file is damaged ({e})") from None
    return restore(config, weights)
