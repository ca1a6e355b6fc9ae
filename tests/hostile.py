"""Hostile files shared by the unit and browser tests: a checkpoint whose config describes a model
far over the parameter limit (issue 12's 455M-parameter Transformer), in about 1 kB."""

from __future__ import annotations

import io
import json
import zipfile

import torch
from safetensors.torch import save as st_save

from core.checkpoint import FORMAT

HUGE_MODEL = {
    "src_vocab_size": 100000,
    "tgt_vocab_size": 100000,
    "max_len": 64,
    "d_model": 1024,
    "n_heads": 16,
    "d_ff": 4096,
    "n_enc_layers": 12,
    "n_dec_layers": 12,
}


def hostile_zip() -> bytes:
    """About 1 kB: a config for a 455M-parameter Transformer and one small tensor of weights."""
    cfg = {"format": FORMAT, "task": "translation", "arch": "transformer", "model": HUGE_MODEL}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.safetensors", st_save({"generator.bias": torch.zeros(100000)}))
        z.writestr("config.json", json.dumps(cfg))
    return buf.getvalue()
