"""Limits for a shared (hosted) deployment: what one visitor may spend on one training run.

Hosted mode is on when the environment variable ``SEQUENCE_LAB_HOSTED`` is 1/true, or when the
Streamlit secrets hold ``hosted = true``. The numbers can be tuned with environment variables
(``SEQUENCE_LAB_MAX_EPOCHS``, ``..._MAX_PARAMS``, ``..._MAX_SECONDS``, ``..._MAX_MEMORY_MB``,
``..._MAX_CONCURRENT``). In hosted mode a run whose estimated memory (see :mod:`core.budget`) or
parameter count is over its cap is refused, and an uploaded model over the parameter cap is not
loaded.

On a machine of one's own there are no caps, but a run estimated to need more than
``SEQUENCE_LAB_CONFIRM_MEMORY_MB`` of memory (default: 4 GB, or half the machine's memory when
that is less) or ``SEQUENCE_LAB_CONFIRM_SECONDS`` of training (default 600) starts only after the
user confirms it.
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
    max_memory_mb: float = 0.0  # hosted: estimated memory of one run (0 = no cap)
    confirm_memory_mb: float = 0.0  # not hosted: a run estimated above this needs a confirmation
    confirm_seconds: float = 0.0  # not hosted: likewise for its estimated training time


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


def machine_memory_mb() -> float:
    """Physical memory of this machine in MB (0 when unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        return 0.0


def limits() -> Limits:
    """The limits in force now (read on every call, so tests can switch hosted mode on and off)."""
    if not is_hosted():
        machine = machine_memory_mb()
        confirm_mb = min(4096.0, machine / 2) if machine else 4096.0
        return Limits(
            False,
            0,
            0,
            0.0,
            0,
            confirm_memory_mb=_env_number("SEQUENCE_LAB_CONFIRM_MEMORY_MB", confirm_mb),
            confirm_seconds=_env_number("SEQUENCE_LAB_CONFIRM_SECONDS", 600.0),
        )
    return Limits(
        hosted=True,
        max_epochs=int(_env_number("SEQUENCE_LAB_MAX_EPOCHS", 40)),
        max_params=int(_env_number("SEQUENCE_LAB_MAX_PARAMS", 2_000_000)),
        max_seconds=_env_number("SEQUENCE_LAB_MAX_SECONDS", 120.0),
        max_concurrent=int(_env_number("SEQUENCE_LAB_MAX_CONCURRENT", 2)),
        max_memory_mb=_env_number("SEQUENCE_LAB_MAX_MEMORY_MB", 1024.0),
    )
