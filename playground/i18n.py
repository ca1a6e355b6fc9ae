"""UI strings in English (complete) and Korean, looked up with :func:`t`; the strings themselves are
in ``locales/<lang>/*.toml``.

``t(key, **values)`` returns the string of the current language (``st.session_state["lang"]``,
set by the sidebar switch and bound to the ``lang`` query parameter), falling back to English,
then to ``default`` (when given), then to the key itself. Placeholders use ``str.format`` names.
Config field labels and help texts go through :func:`field_label` / :func:`field_help`: the help
text of a field comes from its ``param(help=...)`` in core unless a translation exists here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

LANGS = {"en": "English", "ko": "한국어"}

# The strings live in plain data files, one set per language: locales/<lang>/*.toml (a translator
# edits them without Python; tests/app/test_app_units.py checks every language has every English key
# with the same placeholders). EN is English, the fallback of every other language.
EN: dict[str, str] = {}
KO: dict[str, str] = {}
STRINGS: dict[str, dict[str, str]] = {"en": EN, "ko": KO}


def register(lang: str, strings: dict[str, str]) -> None:
    """Add strings (used by view modules that keep their own texts next to their code)."""
    STRINGS.setdefault(lang, {}).update(strings)


LOCALES = Path(__file__).parent / "locales"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            out.update(_flatten(value, key + "."))
        else:
            out[key] = str(value)
    return out


def load_locales(root: Path = LOCALES) -> None:
    """Register every ``locales/<lang>/*.toml``: plain data files a translator edits without Python.

    A TOML table is a key prefix: ``[course.rnn]`` then ``title = "..."`` is the key
    ``course.rnn.title``."""
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(folder.glob("*.toml")):
            with f.open("rb") as fh:
                register(folder.name, _flatten(tomllib.load(fh)))


load_locales()


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", "en")
    except Exception:  # noqa: BLE001 - outside a script run
        return "en"
    return lang if lang in STRINGS else "en"


def t(key: str, default: str | None = None, **values: Any) -> str:
    lang = current_lang()
    text = STRINGS.get(lang, {}).get(key)
    if text is None:
        text = EN.get(key)
    if text is None:
        text = default if default is not None else key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def tn(key: str, count: int, default: str | None = None, **values: Any) -> str:
    """:func:`t` for a string about ``count`` things: the form ``key.one`` when count is 1 and the
    language has one (English: "1 epoch"), else ``key`` ("{n} epochs"; Korean has no plural form).
    ``n`` is ``count`` unless given (e.g. formatted as "1,234")."""
    values.setdefault("n", count)
    if count == 1 and f"{key}.one" in STRINGS.get(current_lang(), {}):
        return t(f"{key}.one", default, **values)
    return t(key, default, **values)


def humanize(name: str) -> str:
    s = name.replace("_", " ").strip()
    return s[:1].upper() + s[1:]


def field_label(name: str) -> str:
    return t(f"field.{name}", default=humanize(name))


def field_help(section: str, name: str, fallback: str, page: str = "") -> str:
    """Help of a config field in the current language: the page's own text where a task means the
    field its own way (help.<page>.<section>.<field>), else the shared one, else core's English."""
    if page and current_lang() != "en":
        own = STRINGS.get(current_lang(), {}).get(f"help.{page}.{section}.{name}")
        if own is not None:
            return own
    return t(f"help.{section}.{name}", default=fallback)


def choice_label(name: str, value: Any) -> str:
    return t(f"choice.{name}.{value}", default=str(value))
