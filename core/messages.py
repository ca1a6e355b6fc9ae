"""Messages from core that the app can show in the user's language.

Core speaks English: an error's ``str()`` and a notice are English sentences, which the command
line prints as they are. A message may also carry a ``key`` and ``values``: the app then looks the
key up in its string tables (``playground/i18n.py``) and formats it with the values, falling back
to the English text when the key has no translation.
"""

from __future__ import annotations

from typing import Any, TypeVar

E = TypeVar("E", bound=BaseException)


class Note(str):
    """An English notice (it is a ``str``) with the key and values of its translation."""

    key: str
    values: dict[str, Any]

    def __new__(cls, text: str, key: str = "", **values: Any) -> Note:
        note = super().__new__(cls, text)
        note.key = key
        note.values = values
        return note


def keyed(error: E, key: str, **values: Any) -> E:
    """``error`` with the key and values of its translation attached (returned, to be raised)."""
    error.key = key  # type: ignore[attr-defined]
    error.values = values  # type: ignore[attr-defined]
    return error


def shorten(text: str, n: int = 120) -> str:
    """``text`` on one line (each run of whitespace one space), cut to ``n`` characters with "..."."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."
