"""Checkpoints: ``model.safetensors`` + ``config.json`` (+ the data state needed to predict).

Loading never unpickles anything: weights are read with safetensors, settings with json. A file
that is not what it claims (a pickle, a truncated file, weights of another shape, an oversized
upload) gets a :class:`CheckpointError` with a message for the user.

Nothing is allocated for a model before its file has been checked: the config is resolved, the
model is built on PyTorch's ``meta`` device (shapes only, no memory), its parameter count is held
against the caller's limit, and the names and shapes it expects are compared with the safetensors
header (the first bytes of the weights file, read without loading a tensor). Only a file that
passes all of this is loaded and built for real, so a tiny zip whose config describes a huge model
is refused in milliseconds.
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

from core.budget import check_params
from core.config import ConfigError, resolve
from core.models.base import count_params
from core.registry import build, get_arch, get_task

FORMAT = "sequence-lab/1"
MAX_BYTES = 200 * 1024 * 1024  # refuse larger uploads before reading them
MAX_CONFIG_BYTES = 5 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint that cannot be loaded; the message says why, for the user.

    ``key`` and ``values`` (optional) let the app show the message in the user's language
    (``playground.i18n`` key ``key`` formatted with ``values``); ``str(e)`` is the English text.
    """

    def __init__(self, message: str, key: str | None = None, **values: Any):
        super().__init__(message)
        self.key = key
        self.values = values


@dataclass
class Loaded:
    task: Any  # task class
    arch: str
    task_opts: Any
    model_cfg: Any
    train: dict[str, Any]
    model: nn.Module
    data: Any  # TaskData restored from the saved state (can predict; splits may be empty)
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
        raise CheckpointError(
            "config.json is too large to be a Sequence Lab config", "checkpoint.config_too_large"
        )
    try:
        cfg = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(
            f"config.json is not valid JSON ({e})", "checkpoint.bad_json", why=str(e)
        ) from None
    if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
        raise CheckpointError(
            f"config.json is not a Sequence Lab checkpoint (expected format {FORMAT!r})",
            "checkpoint.not_ours",
            format=FORMAT,
        )
    return cfg


# safetensors dtypes and their sizes in bytes (the format's own table)
_DTYPE_BYTES = {
    "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8,
    "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
}  # fmt: skip
_FLOAT_DTYPES = {"F64", "F32", "F16", "BF16"}
MAX_HEADER_BYTES = 16 * 1024 * 1024  # a header this long would describe a million tensors


def _bad_weights(why: str) -> CheckpointError:
    return CheckpointError(
        f"model.safetensors is not a valid safetensors file ({why})", "checkpoint.bad_weights", why=why
    )


def read_header(head: bytes, size: int) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensor names -> (dtype, shape) from the start of a safetensors file, without loading it.

    ``head`` is at least the first 8 + header-length bytes of the file (more is fine) and ``size``
    the file's whole length. A safetensors file is an 8-byte little-endian header length, a JSON
    header ``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": ...}`` and
    the tensors' bytes; the offsets must fit the file and each tensor's byte count must match its
    shape, so a header that promises more than the file holds is refused here.
    """
    if size < 8 or len(head) < 8:
        raise CheckpointError("model.safetensors is empty or truncated", "checkpoint.truncated")
    n = int.from_bytes(head[:8], "little")
    if n <= 0 or n > MAX_HEADER_BYTES or 8 + n > size:
        raise _bad_weights(f"header length {n} does not fit a file of {size} bytes")
    if len(head) < 8 + n:
        raise _bad_weights("truncated header")
    try:
        header = json.loads(head[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad_weights("the header is not JSON") from None
    if not isinstance(header, dict):
        raise _bad_weights("the header is not a table of tensors")
    data_size = size - 8 - n
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = str(info["dtype"])
            shape = tuple(int(d) for d in info["shape"])
            begin, end = (int(x) for x in info["data_offsets"])
        except (TypeError, KeyError, ValueError):
            raise _bad_weights(f"tensor {name!r} has no valid dtype, shape and offsets") from None
        if dtype not in _DTYPE_BYTES or any(d < 0 for d in shape):
            raise _bad_weights(f"tensor {name!r} has dtype {dtype} and shape {shape}")
        if not 0 <= begin <= end <= data_size or end - begin != _numel(shape) * _DTYPE_BYTES[dtype]:
            raise _bad_weights(f"tensor {name!r} does not fit the file")
        out[str(name)] = (dtype, shape)
    return out


def _read_weights(raw: bytes) -> dict[str, torch.Tensor]:
    if len(raw) < 8:
        raise CheckpointError("model.safetensors is empty or truncated", "checkpoint.truncated")
    try:
        return st_load(raw)
    except (SafetensorError, ValueError, RuntimeError, OSError) as e:
        raise _bad_weights(str(e)) from None


@dataclass(frozen=True)
class _Plan:
    """What a config describes, resolved and checked, before anything real is built."""

    task: Any
    arch: str
    model_cfg: Any
    task_opts: Any
    params: int
    shapes: dict[str, tuple[tuple[int, ...], bool]]  # state_dict name -> (shape, floating point)


def plan_restore(config: dict[str, Any], max_params: int = 0) -> _Plan:
    """Resolve a checkpoint's config and find the model's parameter count and state_dict shapes by
    building it on the meta device (no memory for weights). Refuses a model over ``max_params``
    (0 = no limit) before anything is allocated."""
    try:
        task = get_task(str(config.get("task")))
        arch = str(config.get("arch"))
        get_arch(arch)
        model_cfg = resolve(get_arch(arch).config, config.get("model") or {})
        task_opts = resolve(task.options, config.get("task_options") or {})
    except ConfigError as e:
        raise CheckpointError(
            f"config.json does not describe a model this version can build: {e}",
            "checkpoint.bad_config",
            why=str(e),
        ) from None
    try:
        with torch.device("meta"):  # shapes only: nothing is allocated, whatever the config says
            shell = build(arch, model_cfg)
    except (RuntimeError, NotImplementedError, TypeError, ValueError) as e:
        raise CheckpointError(
            f"config.json does not describe a model this version can build: {e}",
            "checkpoint.bad_config",
            why=str(e),
        ) from None
    params = count_params(shell)
    try:
        check_params(params, max_params)
    except ConfigError:
        raise CheckpointError(
            f"this model has {params:,} parameters, more than this server's limit of {max_params:,}; "
            "it was not loaded",
            "checkpoint.too_big",
            params=f"{params:,}",
            limit=f"{max_params:,}",
        ) from None
    shapes = {k: (tuple(v.shape), v.is_floating_point()) for k, v in shell.state_dict().items()}
    return _Plan(task, arch, model_cfg, task_opts, params, shapes)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def check_header(plan: _Plan, header: dict[str, tuple[str, tuple[int, ...]]]) -> None:
    """The weights file holds exactly the tensors the config's model has, each of its shape."""
    expected = plan.shapes
    missing = sorted(set(expected) - set(header))
    unexpected = sorted(set(header) - set(expected))
    held = sum(_numel(shape) for _, shape in header.values())
    sizes = dict(described=f"{plan.params:,}", held=f"{held:,}")
    lead = (
        f"the weights do not match the configuration: config.json describes a model of "
        f"{plan.params:,} parameters, the weights file holds {held:,} numbers"
    )
    if missing or unexpected:
        detail = ", ".join(
            ([f"missing: {', '.join(missing[:3])}" + (" ..." if len(missing) > 3 else "")] if missing else [])
            + (
                [f"unexpected: {', '.join(unexpected[:3])}" + (" ..." if len(unexpected) > 3 else "")]
                if unexpected
                else []
            )
        )
        raise CheckpointError(
            f"{lead} ({detail}); it was not loaded", "checkpoint.mismatch", detail=detail, **sizes
        )
    for k, (dtype, shape) in header.items():
        want, floating = expected[k]
        if shape != want or floating != (dtype in _FLOAT_DTYPES):
            detail = f"{k} has shape {list(shape)} ({dtype}), expected {list(want)}"
            raise CheckpointError(
                f"{lead} ({detail}); it was not loaded", "checkpoint.mismatch", detail=detail, **sizes
            )


def restore(config: dict[str, Any], raw_weights: bytes, max_params: int = 0) -> Loaded:
    """Rebuild the model and the task's predictor from a config dict and safetensors bytes.

    The config and the weights' header are checked first (:func:`plan_restore`,
    :func:`check_header`); only then are the weights read and the model built.
    """
    plan = plan_restore(config, max_params)
    check_header(plan, read_header(raw_weights, len(raw_weights)))
    return _load(plan, config, raw_weights)


def _load(plan: _Plan, config: dict[str, Any], raw_weights: bytes) -> Loaded:
    """Read checked weights and build the model for real."""
    weights = _read_weights(raw_weights)
    model = build(plan.arch, plan.model_cfg)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as e:  # the header said otherwise; a file that lies about itself
        raise CheckpointError(
            f"the weights do not match the configuration ({e})", "checkpoint.mismatch_other"
        ) from None
    model.eval()
    try:
        data = plan.task.restore(config.get("data_state") or {}, plan.task_opts)
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(
            f"the saved data state cannot be restored ({e})", "checkpoint.bad_state", why=str(e)
        ) from None
    return Loaded(
        plan.task, plan.arch, plan.task_opts, plan.model_cfg, config.get("train") or {}, model, data, config
    )


def load_dir(path: str | Path, max_params: int = 0) -> Loaded:
    p = Path(path)
    if not p.is_dir():
        raise CheckpointError(f"{p} is not a run directory")
    for name in ("config.json", "model.safetensors"):
        if not (p / name).is_file():
            raise CheckpointError(f"{p} has no {name}")
    if (p / "model.safetensors").stat().st_size > MAX_BYTES:
        raise CheckpointError("model.safetensors is larger than the limit of 200 MB")
    config = _read_config((p / "config.json").read_bytes())
    return restore(config, (p / "model.safetensors").read_bytes(), max_params)


def load_bundle(raw: bytes, max_params: int = 0) -> Loaded:
    """Load a zip made by :func:`bundle` (what the app's download button gives).

    ``max_params`` (0 = no limit) refuses a model with more parameters, judged from its config
    before anything is built. The weights are decompressed only after the config and the
    safetensors header (read from the first bytes of the entry) have been checked.
    """
    if len(raw) > MAX_BYTES:
        raise CheckpointError("the file is larger than the limit of 200 MB", "checkpoint.too_large")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise CheckpointError(
            "this is not a Sequence Lab model file: expected a .zip with model.safetensors and config.json",
            "checkpoint.not_zip",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = set(z.namelist())
            for name in ("config.json", "model.safetensors"):
                if name not in names:
                    raise CheckpointError(f"the zip has no {name}", "checkpoint.missing_file", name=name)
            for info in z.infolist():
                if info.file_size > MAX_BYTES:
                    raise CheckpointError(
                        f"{info.filename} is larger than the limit of 200 MB", "checkpoint.too_large"
                    )
            config = _read_config(z.read("config.json"))
            plan = plan_restore(config, max_params)
            size = z.getinfo("model.safetensors").file_size
            with z.open("model.safetensors") as f:  # only the header is decompressed here
                head = f.read(8)
                n = int.from_bytes(head, "little") if len(head) == 8 else 0
                if 0 < n <= MAX_HEADER_BYTES:
                    head += f.read(n)
            check_header(plan, read_header(head, size))
            raw_weights = z.read("model.safetensors")
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as e:  # damaged, encrypted
        raise CheckpointError(f"the zip file is damaged ({e})", "checkpoint.damaged", why=str(e)) from None
    check_header(plan, read_header(raw_weights, len(raw_weights)))  # the whole file, this time
    return _load(plan, config, raw_weights)
