"""The Code view of a task page: the page's current settings as one Python file to take away.

:func:`show_code` shows the file :func:`core.export_code.export_code` writes for the planned run
(highlighted, with a copy button), a download button and how to run it. The text is kept in
``st.session_state`` per settings fingerprint, so a rerun with the same settings does not write
it again, and each user's files stay their own.
"""

from __future__ import annotations

import streamlit as st

from core.config import ConfigError
from core.export_code import export_code, file_name
from core.runspec import RunSpec
from playground.i18n import t
from playground.planning import fingerprint

CACHE_KEY = "code_view.cache"  # {page: (fingerprint, code)}: the latest file of each page


def code_for(page: str, spec: RunSpec) -> str:
    """The exported file for ``spec``, written once per page and settings."""
    cache: dict[str, tuple[str, str]] = st.session_state.setdefault(CACHE_KEY, {})
    fp = fingerprint(spec)
    hit = cache.get(page)
    if hit is not None and hit[0] == fp:
        return hit[1]
    code = export_code(spec)
    cache[page] = (fp, code)
    return code


def show_code(page: str, spec: RunSpec) -> None:
    """The run ``spec`` (planned from the page's settings) as a self-contained Python file."""
    st.subheader(t("code.header"))
    st.caption(t("code.intro"))
    try:
        code = code_for(page, spec)
    except ConfigError as e:
        st.info(t("code.unavailable", why=str(e)))
        return
    name = file_name(spec)
    cols = st.columns([1, 3], vertical_alignment="center")
    cols[0].download_button(
        t("code.download"),
        data=code,
        file_name=name,
        mime="text/x-python",
        key=f"{page}.code.download",
        icon=":material/download:",
    )
    cols[1].caption(t("code.how", file=name, lines=f"{len(code.splitlines()):,}"))
    st.code(code, language="python", line_numbers=True)
