"""The sentiment page's "does starting from GloVe help?" race in the browser: one click trains the
page's settings with a random and with a GloVe start, live, then shows both lanes' results."""

from __future__ import annotations

import time

import pytest
from conftest import SMALL, alerts, assert_clean, by_key, open_page, shot, wait_idle

import playground.insights  # noqa: F401 - registers the race's strings (ins.common.*)
from playground.i18n import t

pytestmark = pytest.mark.e2e

ENABLED = "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }"
TRACES = """(sel) => { const g = document.querySelector(sel + ' .js-plotly-plot');
                       return g && g.data ? g.data.map(d => d.name) : []; }"""


def test_race_random_vs_glove_from_the_sentiment_page(page, server):
    open_page(page, server, "sentiment", SMALL["sentiment"])
    assert_clean(page)
    page.get_by_text(t("sentiment.race.title"), exact=True).wait_for()
    by_key(page, "sentiment.race._run").locator("button").click()
    page.wait_for_function(ENABLED, arg=".st-key-sentiment-race-_stop button", timeout=60_000)
    assert by_key(page, "sentiment._train").locator("button").is_disabled()  # one training at a time

    verdict = t("sentiment.race.verdict").split(":")[0]  # "Test accuracy starting from GloVe"
    progress: set[str] = set()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        for text in page.locator("[data-testid='stProgress']").all_inner_texts():
            progress.add(text.split("·")[0].strip())
        if page.get_by_text(verdict).count():
            break
        page.wait_for_timeout(150)
    else:
        raise AssertionError(f"the race did not end in 240 s; progress seen: {progress}")
    # the progress named each lane in turn while it trained
    assert {"random (1/2)", "glove (2/2)"} & progress, progress
    # the live view shows the last results, then the whole page is drawn again with how it ended
    page.get_by_text(t("ins.common.done")).wait_for(timeout=30_000)
    wait_idle(page)
    assert any(t("ins.common.done") in a for a in alerts(page, "Success")), alerts(page, "Success")
    # both lanes' loss curves on one chart, their validation accuracy, the results table
    for key in (".st-key-sentiment-race-lossfig", ".st-key-sentiment-race-valfig"):
        page.wait_for_function(f"(sel) => ({TRACES})(sel).includes('glove')", arg=key, timeout=15_000)
        assert {"random", "glove"} <= set(page.evaluate(TRACES, key))
    # the results table: the grid draws its cells (and their accessible copy) once in view
    page.locator("[data-testid='stDataFrame']").last.scroll_into_view_if_needed()
    table = page.locator("[data-testid='stDataFrame']").filter(
        has=page.locator("th", has_text=t("sentiment.race.col_glove"))
    )
    table.wait_for(timeout=15_000)
    cells = table.locator("td").all_inner_texts()
    assert "random" in cells and "glove" in cells, cells
    text = page.get_by_text(verdict).inner_text()
    assert text.count("%") == 2, text  # GloVe's and random's test accuracy
    page.wait_for_function(ENABLED, arg=".st-key-sentiment-_train button", timeout=15_000)
    assert_clean(page)
    shot(page, "race-sentiment-glove")
