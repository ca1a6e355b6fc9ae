"""UI strings in English (complete) and every other language with a folder ``locales/<lang>/``,
looked up with :func:`t`; the strings themselves are in ``locales/<lang>/*.toml``.

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

# The strings live in plain data files, one set per language: locales/<lang>/*.toml (a translator
# edits them without Python; tests/app/test_app_units.py checks every language has every English key
# with the same placeholders). EN is English, the fallback of every other language.
EN: dict[str, str] = {}
STRINGS: dict[str, dict[str, str]] = {"en": EN}


def register(lang: str, strings: dict[str, str]) -> None:
    """Add strings (used by view modules that keep their own texts next to their code)."""
    STRINGS.setdefault(lang, {}).update(strings)


LOCALES = Path(__file__).parent / "locales"


class LocaleError(ValueError):
    """A locale folder the app cannot offer (e.g. its language has no name to show in the picker)."""


def _folders(root: Path) -> list[Path]:
    """The language folders under ``root``, one per language code (``en``, ``ko``, ...)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def languages(root: Path = LOCALES) -> dict[str, str]:
    """code -> the language's own name, one per folder ``locales/<code>/``, English first, then by
    code. The name is ``[lang] name = "..."`` in the folder's own ``ui.toml`` (the picker shows it)."""
    out: dict[str, str] = {}
    for folder in sorted(_folders(root), key=lambda f: (f.name != "en", f.name)):
        ui = folder / "ui.toml"
        table = None
        if ui.is_file():
            with ui.open("rb") as fh:
                table = tomllib.load(fh).get("lang")
        name = table.get("name") if isinstance(table, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise LocaleError(
                f"{ui}: the language {folder.name!r} needs its own name for the language picker, "
                'a table [lang] with name = "..." (e.g. name = "English")'
            )
        out[folder.name] = name.strip()
    return out


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
    for folder in _folders(root):
        for f in sorted(folder.glob("*.toml")):
            with f.open("rb") as fh:
                register(folder.name, _flatten(tomllib.load(fh)))


load_locales()
LANGS = languages()  # the picker's choices: code -> the language's own name


def picker_label() -> str:
    """The language picker's label in every language ("Language · 언어"), so that a reader finds it
    whatever language the page is in (``[lang] label`` of each language, once each)."""
    labels = (STRINGS.get(code, {}).get("lang.label") for code in LANGS)
    return " · ".join(dict.fromkeys(x for x in labels if x)) or "Language"


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", "en")
    except Exception:  # noqa: BLE001 - outside a script run
        return "en"
    return lang if lang in LANGS else "en"


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


def arch_title(arch: Any) -> str:
    """An architecture's name as the page shows it (``arch.<name>.title``), else the registry's."""
    return t(f"arch.{arch.name}.title", default=arch.title)


def arch_summary(arch: Any) -> str:
    """Its one-line summary (``arch.<name>``), else the registry's English one."""
    return t(f"arch.{arch.name}", default=arch.summary)


def choice_label(name: str, value: Any) -> str:
    return t(f"choice.{name}.{value}", default=str(value))
