"""Errors on screen: user mistakes as a plain message, bugs as a friendly note with details folded.

Streamlit's own control flow (st.rerun, st.stop, st.switch_page) raises BaseException
subclasses, which pass through untouched.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from playground.i18n import t, tn


def user_errors() -> tuple[type[Exception], ...]:
    """The errors whose message is the user's to read: ConfigError, DataError, CheckpointError.

    Imported on first use, not with this module: they live in core modules that load torch, and the
    home page, which never needs torch, should not wait for it on a cold server.
    """
    from core.execution import USER_ERRORS  # the one list, shared with the executors

    return USER_ERRORS


def __getattr__(name: str) -> object:  # ``from playground.errors import USER_ERRORS`` still works
    if name == "USER_ERRORS":
        return user_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def user_message(e: BaseException | str) -> str:
    """A message from core in the user's language: core's errors and notices may carry a ``key``
    and ``values`` (see core/messages.py) for the string tables; otherwise their English text."""
    key = getattr(e, "key", None)
    if key:
        values = dict(getattr(e, "values", None) or {})
        count = values.pop("count", None)
        if isinstance(count, int):  # a message about ``count`` things: "1 row", "5 rows"
            return tn(key, count, default=str(e), **values)
        return t(key, default=str(e), **values)
    return str(e)


def show_user_error(e: BaseException | str) -> None:
    st.error(user_message(e), icon=":material/error:")


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
    except Exception as e:  # noqa: BLE001 - the page must survive any bug
        if isinstance(e, user_errors()):
            show_user_error(e)
        else:
            show_unexpected(e, traceback.format_exc())
