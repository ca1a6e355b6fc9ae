"""Errors on screen: user mistakes as a plain message, bugs as a friendly note with details folded.

Streamlit's own control flow (st.rerun, st.stop, st.switch_page) raises BaseException
subclasses, which pass through untouched.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from core.checkpoint import CheckpointError
from core.config import ConfigError
from core.tasks.base import DataError
from playground.i18n import t

USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, DataError, CheckpointError)


def show_user_error(e: BaseException | str) -> None:
    st.error(str(e), icon=":material/error:")


def show_unexpected(e: BaseException | str, detail: str | None = None) -> None:
    st.error(t("error.unexpected"), icon=":material/bug_report:")
    with st.expander(t("error.details")):
        st.code(
            detail or (f"{type(e).__name__}: {e}" if isinstance(e, BaseException) else str(e)), language=None
        )


@contextmanager
def guarded() -> Iterator[None]:
    """Show ConfigError / DataError / CheckpointError as st.error; anything else as a friendly
    error with the traceback in an expander. Never lets a raw traceback reach the page."""
    try:
        yield
    except USER_ERRORS as e:
        show_user_error(e)
    except Exception as e:  # noqa: BLE001 - the page must survive any bug
        show_unexpected(e, traceback.format_exc())
