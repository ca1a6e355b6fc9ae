"""Limits for a shared (hosted) deployment: what one visitor may spend on one training run.

Hosted mode is on when the environment variable ``SEQUENCE_LAB_HOSTED`` is 1/true, or when the
Streamlit secrets hold ``hosted = true``. The numbers can be tuned with environment variables
(``SEQUENCE_LAB_MAX_EPOCHS``, ``..._MAX_PARAMS``, ``..._MAX_SECONDS``, ``..._MAX_CONCURRENT``).
On a local machine there are no caps except the concurrency of one run per page per session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Limits:
    hosted: bool
    max_epochs: int  # 0 = no cap
    max_params: int  # 0 = no cap
    max_seconds: float  # 0 = no cap
    max_concurrent: int  # trainings at once across all sessions (0 = no cap)


def _secret_hosted() -> bool:
    try:
        import streamlit as st

        return str(st.secrets.get("hosted", "")).strip().lower() in _TRUE
    except Exception:  # noqa: BLE001 - no secrets file, or not running under streamlit
        return False


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def is_hosted() -> bool:
    return os.environ.get("SEQUENCE_LAB_HOSTED", "").strip().lower() in _TRUE or _secret_hosted()


def limits() -> Limits:
    """The limits in force now (read on every call, so tests can switch hosted mode on and off)."""
    if not is_hosted():
        return Limits(False, 0, 0, 0.0, 0)
    return Limits(
        hosted=True,
        max_epochs=int(_env_number("SEQUENCE_LAB_MAX_EPOCHS", 40)),
        max_params=int(_env_number("SEQUENCE_LAB_MAX_PARAMS", 2_000_000)),
        max_seconds=_env_number("SEQUENCE_LAB_MAX_SECONDS", 120.0),
        max_concurrent=int(_env_number("SEQUENCE_LAB_MAX_CONCURRENT", 2)),
    )
