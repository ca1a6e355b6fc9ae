"""The app shell: page list, navigation, language switch.

Deep links on a fresh server: Streamlit treats a ``pages/`` folder next to the entry script as
an old-style multipage app until ``st.navigation`` has run once in the process, so the very first
request for ``/stock`` would run ``pages/stock.py`` on its own (no shell, wrong page list). Every
page therefore starts with :func:`ensure_shell`: when it runs outside :func:`run` it runs the
shell right there, which registers the real page list (switching Streamlit to ``st.navigation``
for good) and runs the same page inside it (the page hash is its URL path), in the same script
run, so query parameters and widget events are kept. AppTest resets Streamlit to the old mode
before every run, so there this path is taken on every run.
"""

from __future__ import annotations

import ast
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from playground import sessions
from playground.i18n import LANGS, picker_label, t

_local = threading.local()
_threads_set = False


@dataclass(frozen=True)
class PageInfo:
    file: str  # relative to the entry script
    url_path: str  # "" for the home page
    title_key: str
    icon: str
    task: str | None = None


VIEWS = Path(__file__).parent / "views"
PAGE_FIELDS = ("page", "task", "icon", "order")  # what the navigation needs of a view's CONFIG


def declared_page(path: Path) -> dict[str, Any] | None:
    """``page``, ``task``, ``icon`` and ``order`` of the view module's ``CONFIG = PageConfig(...)``
    (None when it declares no page), read from its source: importing the views would import torch,
    which the home page does without on a cold server. Each is a literal or the name of a
    module-level constant (``page=PAGE``)."""
    consts: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)):
            continue
        name, value = node.targets[0].id, node.value
        if isinstance(value, ast.Constant):
            consts[name] = value.value
        elif (
            name == "CONFIG" and isinstance(value, ast.Call) and getattr(value.func, "id", "") == "PageConfig"
        ):
            args = dict(zip(PAGE_FIELDS[:2], value.args)) | {k.arg: k.value for k in value.keywords if k.arg}
            out = {}
            for field in PAGE_FIELDS:
                arg = args.get(field)
                if isinstance(arg, ast.Name) and arg.id in consts:
                    out[field] = consts[arg.id]
                elif isinstance(arg, ast.Constant):
                    out[field] = arg.value
                else:
                    raise ValueError(f"{path}: CONFIG's {field} must be a literal or a module-level constant")
            return out
    return None


def discover_task_pages(views: Path = VIEWS) -> tuple[PageInfo, ...]:
    """One page per view module that declares a ``PageConfig``, in their ``order``: the page file is
    ``pages/<page>.py``, its URL path ``<page>``, its title the string ``nav.<page>``."""
    found = [d for f in sorted(views.glob("*.py")) if (d := declared_page(f)) is not None]
    return tuple(
        PageInfo(f"pages/{d['page']}.py", d["page"], f"nav.{d['page']}", d["icon"], d["task"])
        for d in sorted(found, key=lambda d: d["order"])
    )


HOME = PageInfo("pages/home.py", "", "nav.home", ":material/home:")
TASK_PAGES = discover_task_pages()
INSIGHT_PAGES = (
    PageInfo("pages/embeddings.py", "embeddings", "nav.embeddings", ":material/scatter_plot:"),
    PageInfo("pages/attention_steps.py", "attention_steps", "nav.attention_steps", ":material/grid_on:"),
    PageInfo("pages/positional.py", "positional", "nav.positional", ":material/waves:"),
    PageInfo("pages/memory.py", "memory", "nav.memory", ":material/trending_down:"),
    PageInfo("pages/decoding.py", "decoding", "nav.decoding", ":material/account_tree:"),
    PageInfo("pages/compare.py", "compare", "nav.compare", ":material/leaderboard:"),
)
COURSE = PageInfo("pages/course.py", "course", "nav.course", ":material/school:")
ALL_PAGES = (HOME, COURSE, *TASK_PAGES, *INSIGHT_PAGES)


def page_by_path(url_path: str) -> PageInfo:
    return next(p for p in ALL_PAGES if p.url_path == url_path)


def page_for_task(task: str) -> PageInfo | None:
    return next((p for p in TASK_PAGES if p.task == task), None)


def pages() -> list:
    out = [st.Page(HOME.file, title=t(HOME.title_key), icon=HOME.icon, default=True)]
    for p in (COURSE, *TASK_PAGES, *INSIGHT_PAGES):
        out.append(st.Page(p.file, title=t(p.title_key), icon=p.icon, url_path=p.url_path))
    return out


LANG_PICKER = "lang_picker"  # the picker widget's key; the chosen code is session_state["lang"]


def language_switch() -> str:
    """The language picker, by name ("English", "한국어"); the address keeps its code (``lang=ko``).

    Not bound to the query parameter by Streamlit, which would write the shown name into the
    address: the code is read from the address once per session and written back on every run.
    The code lives in a plain session key, not in the widget's own state: a session's first page
    on a fresh server runs through the pages folder before the navigation exists, and the picker
    drawn there is another widget to Streamlit than the one drawn after Train, whose state it
    then dropped (the page turned English and lost ``lang=ko``)."""
    ss = st.session_state
    if "lang" not in ss:
        code = st.query_params.get("lang")
        ss["lang"] = code if code in LANGS else "en"
    codes = list(LANGS)
    st.sidebar.selectbox(
        picker_label(),
        codes,
        index=codes.index(ss["lang"]) if ss["lang"] in codes else 0,
        key=LANG_PICKER,
        format_func=lambda code: LANGS.get(code, code),
        on_change=_language_picked,
    )
    lang = ss["lang"]
    if lang == "en":
        st.query_params.pop("lang", None)
    elif st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang
    return lang


def _language_picked() -> None:
    st.session_state["lang"] = st.session_state[LANG_PICKER]


def _set_threads_once() -> None:
    """One intra-op thread per training by default (``SEQUENCE_LAB_THREADS`` to change it).

    The server shares its cores between the page scripts, every session's training thread and
    whatever else runs on the machine. PyTorch's thread pool spins on every small operation, and
    when its threads do not each get a free core, a small model slows down by one or two orders
    of magnitude (measured on the 2-core box under load: 0.02 s per LSTM step with one thread,
    2 s with two); one thread per training keeps every session responsive.
    """
    global _threads_set
    if not _threads_set:
        import torch

        try:
            n = int(os.environ.get("SEQUENCE_LAB_THREADS", "1"))
        except ValueError:
            n = 1
        torch.set_num_threads(max(1, n))
        _threads_set = True


def _warm_up() -> None:
    """Size torch's threads and start the training workers' fork server (once per server; it
    imports torch in a process of its own). Called for the pages that can train or compute, not
    for the home page, which needs no torch and so does not wait for it on a cold server."""
    _set_threads_once()
    from playground import training

    training.warm()


def run() -> None:
    """Build the navigation over the pages and run the selected one."""
    st.set_page_config(page_title="Sequence Lab", page_icon=":material/neurology:", layout="wide")
    sessions.start_janitor()  # once per server; notes this session, closes the long-gone ones
    language_switch()
    nav = st.navigation(pages(), expanded=True)  # every page listed: no "View more" fold
    if nav.url_path != HOME.url_path:
        _warm_up()
    _local.inside = True
    try:
        nav.run()
    finally:
        _local.inside = False


def ensure_shell() -> None:
    """First call of every page file: make sure the page runs inside :func:`run` (see above)."""
    if not getattr(_local, "inside", False):
        run()  # registers the real pages (for good) and runs this page again, inside the shell
        st.stop()  # the outer, shell-less execution ends here
