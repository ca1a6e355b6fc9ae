"""Image captioning views (one-to-many): test images with their generated captions, and a scene
you compose yourself."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from core.tasks.captioning import CaptioningData
from playground.i18n import t, tn
from playground.settings import Chosen, PageConfig
from playground.taskpage import ModelView, TaskViews
from playground.views.common import task_data

CONFIG = PageConfig(
    page="captioning", task="captioning", icon=":material/image:", order=40, default_arch="captioner"
)
SCALE = 6  # the images are tiny (24 px): show them with big square pixels


def _big(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> nearest-neighbour upscaled copy (keeps the pixels visible)."""
    return np.repeat(np.repeat(img, SCALE, axis=0), SCALE, axis=1)


def _grid(items: list[tuple[np.ndarray, str]], cols: int = 6) -> None:
    for start in range(0, len(items), cols):
        row = st.columns(cols)
        for col, (img, caption) in zip(row, items[start : start + cols]):
            col.image(_big(img), caption=caption, width="stretch", output_format="PNG")


def preview(data: CaptioningData, chosen: Chosen) -> None:
    from core.tasks.captioning import to_uint8

    caps = data.captions.get("train", [])[:6]
    imgs = data.splits["train"]["src"][: len(caps)].numpy() if "train" in data.splits else []
    st.caption(
        t(
            "captioning.preview_caption",
            n=f"{sum(len(v) for v in data.captions.values()):,}",
            vocab=data.model_fields.get("tgt_vocab_size", 0),
        )
    )
    _grid([(to_uint8(im), " ".join(c)) for im, c in zip(imgs, caps)])


def results(view: ModelView) -> None:
    rows = view.memo("examples", lambda: view.data.examples(view.model, 12))
    if not rows:
        return
    st.markdown(f"#### {t('captioning.samples')}")
    st.caption(t("captioning.samples_caption"))
    _grid([(r["image"], ("✓ " if r["correct"] else "✗ ") + r["caption"]) for r in rows])
    wrong = [r for r in rows if not r["correct"]]
    if wrong:
        with st.expander(tn("captioning.mistakes", len(wrong))):
            for r in wrong:
                st.markdown(
                    f"- {t('captioning.said')} *{r['caption']}* — {t('captioning.truth')} *{r['reference']}*"
                )


def try_it(view: ModelView) -> None:
    from core.tasks.captioning import COLOUR_NAMES, GRID, SHAPES, Scene, render, to_uint8

    data = task_data(view, CaptioningData)
    size = data.image_size
    st.caption(t("captioning.try_caption"))
    c = st.columns(4)
    colour1 = c[0].selectbox(t("captioning.colour1"), COLOUR_NAMES, index=0, key=f"{view.page}._c1")
    shape1 = c[1].selectbox(t("captioning.shape1"), SHAPES, index=0, key=f"{view.page}._s1")
    colour2 = c[2].selectbox(t("captioning.colour2"), COLOUR_NAMES, index=2, key=f"{view.page}._c2")
    shape2 = c[3].selectbox(t("captioning.shape2"), SHAPES, index=1, key=f"{view.page}._s2")
    c = st.columns(3)
    cells = [(r, q) for r in range(GRID) for q in range(GRID)]
    cell1 = c[0].selectbox(
        t("captioning.cell1"),
        cells,
        index=0,
        format_func=lambda rc: f"{rc[0] + 1}, {rc[1] + 1}",
        key=f"{view.page}._p1",
    )
    cell2 = c[1].selectbox(
        t("captioning.cell2"),
        cells,
        index=2,
        format_func=lambda rc: f"{rc[0] + 1}, {rc[1] + 1}",
        key=f"{view.page}._p2",
    )
    noise = c[2].slider(t("captioning.noise"), 0.0, 0.5, 0.05, step=0.05, key=f"{view.page}._noise")
    if cell1 == cell2:
        st.warning(t("captioning.same_cell"))
        return
    if (colour1, shape1) == (colour2, shape2):
        st.warning(t("captioning.same_object"))
        return
    scene = Scene((colour1, shape1), (colour2, shape2), cell1, cell2)
    img = render(scene, size, noise=noise, rng=np.random.default_rng(0))
    out = data.predict(view.model, [to_uint8(img)])[0]
    same_line = cell1[0] == cell2[0] or cell1[1] == cell2[1]
    left, right = st.columns([1, 2])
    left.image(_big(to_uint8(img)), width=size * SCALE, output_format="PNG")
    with right:
        st.markdown(f"**{t('captioning.model_says')}**")
        st.markdown(f"### {out['caption'] or '∅'}")
        if same_line:
            st.caption(t("captioning.expected", caption=" ".join(_reference(scene))))
        else:
            st.caption(t("captioning.off_grid"))


def _reference(scene: Any) -> list[str]:
    """The task's caption for a scene: the shapes are named in a fixed order (circle, square,
    triangle; then red, green, blue, yellow), the relation is the first one's place."""
    from core.tasks.captioning import COLOUR_NAMES, SHAPES, Scene

    def order(item: tuple[str, str]) -> tuple[int, int]:
        return SHAPES.index(item[1]), COLOUR_NAMES.index(item[0])

    if order(scene.first) <= order(scene.second):
        return scene.caption()
    return Scene(scene.second, scene.first, scene.cell2, scene.cell1).caption()


VIEWS = TaskViews(
    metrics=("exact_match", "bleu"),
    vs="most common caption",
    results=results,
    try_it=try_it,
    preview=preview,
    concepts=("one_to_many", "gru", "lstm"),
)
