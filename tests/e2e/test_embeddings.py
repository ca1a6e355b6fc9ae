"""The Word embeddings page in Chromium: type a word, see its neighbours and the picture of the
chosen words, the address keeps the word; after training a sentiment model in the same session,
the page shows that model's word table before and after training."""

from __future__ import annotations

import re

import pytest
from conftest import SMALL, alerts, assert_clean, by_key, open_page, shot, train, wait_idle, wait_rerun

from core.vectors import glove
from playground.i18n import t

pytestmark = pytest.mark.e2e


def chart_data(page, key: str) -> list[dict]:
    """The traces (name, x, y, text) the plotly chart with ``key`` draws."""
    return page.evaluate(
        """(sel) => {
            const els = document.querySelectorAll(sel + ' .js-plotly-plot');
            if (!els.length) return [];
            return (els[els.length - 1].data || []).map(
                t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []), text: t.text || null}));
        }""",
        f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}",
    )


def wait_chart(page, key: str, timeout: float = 30_000) -> list[dict]:
    sel = f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)} .js-plotly-plot"
    page.wait_for_selector(sel, timeout=timeout)
    return chart_data(page, key)


def type_word(page, word: str) -> None:
    box = by_key(page, "embeddings.word").locator("input")
    box.fill(word)
    wait_rerun(page, lambda: box.press("Enter"))


def test_type_a_word_see_its_neighbours_and_the_picture(page, server):
    open_page(page, server, "embeddings")
    assert page.locator("h1").first.inner_text().strip() == t("ins.embeddings.title")
    assert_clean(page)
    bars = wait_chart(page, "embeddings.fig.neighbours")
    assert "better" in bars[0]["y"]  # the default word is "good"
    type_word(page, "movie")
    assert_clean(page)
    bars = wait_chart(page, "embeddings.fig.neighbours")
    expected = [w for w, _ in glove().nearest("movie", 10)]
    assert bars[0]["name"] == "glove_neighbours" and bars[0]["y"][::-1] == expected
    assert "film" in bars[0]["y"]
    picture = wait_chart(page, "embeddings.fig.glove_pca")
    assert picture[0]["text"][:3] == ["good", "great", "excellent"] and len(picture[0]["x"]) == 13
    assert "embeddings.word=movie" in page.url  # the address carries the word: a link opens it again
    # no model trained in this session: the page says where to train one
    assert any(t("ins.emb.no_model")[:40] in a for a in alerts(page, "Info"))
    # an unknown word: a message, no traceback
    type_word(page, "qqzzxxqq")
    assert_clean(page)
    assert any("qqzzxxqq" in w for w in alerts(page, "Warning"))
    type_word(page, "movie")
    shot(page, "embeddings")
    assert_clean(page)


def test_the_sentiment_model_of_the_session_before_and_after_training(page, server):
    open_page(page, server, "sentiment", SMALL["sentiment"])
    train(page, "sentiment", watch_chart=False)
    assert_clean(page)
    # the same session (not a new page load): follow the navigation link
    link = page.locator("[data-testid='stSidebarNavLink']").filter(has_text=t("nav.embeddings"))
    link.click()
    page.wait_for_url(re.compile(r"/embeddings"))
    wait_idle(page)
    page.locator("h1").filter(has_text=t("ins.embeddings.title")).wait_for()
    assert_clean(page)
    assert any("trained on the Review sentiment page in this session" in a for a in alerts(page, "Info"))
    before = wait_chart(page, "embeddings.fig.model_before")
    after = wait_chart(page, "embeddings.fig.model_after")
    assert before[0]["text"] == after[0]["text"] and len(before[0]["text"]) >= 2
    assert before[0]["x"] != after[0]["x"]  # training moved the words
    assert wait_chart(page, "embeddings.fig.model_after_neighbours")[0]["y"]
    shot(page, "embeddings-model")
    assert_clean(page)
