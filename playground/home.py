"""The home page: what Sequence Lab is, the tasks, and a map of the course's concepts, each linked
to the page (and the settings) where it is at work."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from playground.app import ALL_PAGES, COURSE, TASK_PAGES, ensure_shell
from playground.course.steps import step_for_concept
from playground.errors import guarded
from playground.i18n import t

QUICK_PAGE = "translation"  # the "train something now" button opens this page and starts training


@dataclass(frozen=True)
class Concept:
    key: str  # i18n: concept.<key>.title / .body / .link
    page: str  # url path of the page where it is at work
    query: dict[str, str] = field(default_factory=dict)  # settings that show it best


SECTIONS: tuple[tuple[str, tuple[Concept, ...]], ...] = (
    (
        "home.section.rnn",
        (
            Concept("embedding", "embeddings"),
            Concept("rnn", "long_memory", {"long_memory.arch": "rnn"}),
            Concept("one_to_many", "captioning"),
            Concept("many_to_one", "sentiment"),
            Concept("many_to_many", "translation", {"translation.arch": "seq2seq"}),
            Concept("birnn", "sentiment", {"sentiment.arch": "lstm"}),
            Concept("lstm", "long_memory", {"long_memory.arch": "lstm"}),
            Concept("gru", "long_memory", {"long_memory.arch": "gru"}),
        ),
    ),
    (
        "home.section.seq2seq",
        (
            Concept("seq2seq", "translation", {"translation.arch": "seq2seq"}),
            Concept("attention", "translation", {"translation.arch": "seq2seq-attn"}),
            Concept("beam", "translation"),
        ),
    ),
    (
        "home.section.transformer",
        (
            Concept("transformer", "translation", {"translation.arch": "transformer"}),
            Concept("positional", "word_order", {"word_order.arch": "transformer-encoder"}),
            Concept("multihead", "translation", {"translation.arch": "transformer"}),
            Concept("ffn", "translation", {"translation.arch": "transformer"}),
            Concept("residual", "translation", {"translation.arch": "transformer"}),
        ),
    ),
)


def _file(url_path: str) -> str:
    return next(p.file for p in ALL_PAGES if p.url_path == url_path)


def _title(url_path: str) -> str:
    return t(next(p.title_key for p in ALL_PAGES if p.url_path == url_path))


def _quick_start() -> None:
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    if c1.button(
        t("home.quick"), type="primary", icon=":material/rocket_launch:", key="home._quick", width="stretch"
    ):
        st.session_state[f"{QUICK_PAGE}.autostart"] = True
        st.switch_page(_file(QUICK_PAGE))
    c2.caption(t("home.quick_caption"))


def _tasks() -> None:
    st.subheader(t("home.tasks"))
    per_row = 3
    for start in range(0, len(TASK_PAGES), per_row):
        cols = st.columns(per_row)
        for col, p in zip(cols, TASK_PAGES[start : start + per_row]):
            with col.container(border=True, height="stretch"):
                st.page_link(p.file, label=t(p.title_key), icon=p.icon)
                st.caption(t(f"home.task.{p.url_path}"))


# how the ideas lead into each other (drawn as a graph above the concept cards)
EDGES = (
    ("embedding", "rnn"),
    ("embedding", "transformer"),
    ("rnn", "one_to_many"),
    ("rnn", "many_to_one"),
    ("rnn", "many_to_many"),
    ("rnn", "birnn"),
    ("rnn", "lstm"),
    ("rnn", "gru"),
    ("many_to_many", "seq2seq"),
    ("lstm", "seq2seq"),
    ("gru", "seq2seq"),
    ("seq2seq", "attention"),
    ("seq2seq", "beam"),
    ("attention", "multihead"),
    ("multihead", "transformer"),
    ("positional", "transformer"),
    ("ffn", "transformer"),
    ("residual", "transformer"),
)


def concept_map_dot() -> str:
    """The concept map in Graphviz DOT (labels in the current language)."""
    nodes = sorted({n for edge in EDGES for n in edge})
    lines = [
        "digraph concepts {",
        '  rankdir=LR; bgcolor="transparent"; nodesep=0.12; ranksep=0.35;',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#1f4e9c", '
        'fontname="Helvetica", fontsize=11];',
        '  edge [color="#8aa0c8"];',
    ]
    for n in nodes:
        label = t(f"concept.{n}.short").replace('"', "'")
        lines.append(f'  {n} [label="{label}"];')
    lines += [f"  {a} -> {b};" for a, b in EDGES]
    lines.append("}")
    return "\n".join(lines)


def _concepts() -> None:
    st.subheader(t("home.concepts"))
    st.caption(t("home.concepts_caption"))
    st.graphviz_chart(concept_map_dot(), width="stretch")
    for section_key, concepts in SECTIONS:
        st.markdown(f"#### {t(section_key)}")
        for start in range(0, len(concepts), 2):
            cols = st.columns(2)
            for col, c in zip(cols, concepts[start : start + 2]):
                with col.container(border=True, height="stretch"):
                    st.markdown(f"**{t(f'concept.{c.key}.title')}**")
                    st.markdown(t(f"concept.{c.key}.body"))
                    st.page_link(
                        _file(c.page),
                        label=t(f"concept.{c.key}.link", default=t("home.see_it", page=_title(c.page))),
                        icon=":material/arrow_forward:",
                        query_params=c.query or None,
                    )
                    step = step_for_concept(c.key)
                    if step is not None:  # the course's step that teaches it, with an experiment
                        st.page_link(
                            COURSE.file,
                            label=t("course.home_link", n=step),
                            icon=":material/school:",
                            query_params={"step": str(step)},
                        )


def home_page() -> None:
    ensure_shell()
    with guarded():
        _home()


def _home() -> None:
    st.title(t("home.title"))
    st.markdown(t("home.tagline"))
    _quick_start()
    _tasks()
    _concepts()
    st.divider()
    st.caption(t("home.footer"))
