"""Training in the browser: the live loss chart grows, metric cards appear, Stop keeps a model,
and the task's own "try it" views answer a person's input."""

from __future__ import annotations

import re

import pytest
from conftest import (
    SMALL,
    alerts,
    assert_clean,
    by_key,
    finished_messages,
    open_page,
    shot,
    start_training,
    train,
    wait_rerun,
    widget_value,
)

from playground.app import TASK_PAGES
from playground.i18n import t

pytestmark = pytest.mark.e2e

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def open_tab(page, key: str) -> None:
    page.get_by_role("tab", name=t(key), exact=True).click()


def metric_values(page) -> list[str]:
    """The metric cards of the Results tab (the first tab panel)."""
    panel = page.locator("[data-testid='stTabPanel']").first
    return [v.strip() for v in panel.locator("[data-testid='stMetricValue']").all_inner_texts()]


@pytest.mark.parametrize("info", TASK_PAGES, ids=[p.url_path for p in TASK_PAGES])
def test_train_with_small_settings_live_chart_then_metric_cards(page, server, info):
    prefix = info.url_path
    open_page(page, server, prefix, SMALL[prefix])
    assert page.locator("h1").first.inner_text() == t(f"page.{prefix}.title")
    # the link's settings were taken (a value a widget cannot show is silently dropped)
    shown = {"true": "on", "false": "off"}  # a toggle shows on/off for the link's true/false
    assert {k: widget_value(page, k) for k in SMALL[prefix]} == {
        k: shown.get(v, v) for k, v in SMALL[prefix].items()
    }
    assert_clean(page)
    assert any(t("page.no_model").split(":")[0] in a for a in alerts(page, "Info"))
    shot(page, f"page-{prefix}")

    seen = train(page, prefix)

    # the live chart was redrawn while training and reached a later step each time it changed
    assert len(seen) >= 2, f"the loss chart was seen only at steps {seen}"
    assert seen == sorted(seen) and seen[-1] > seen[0], seen
    assert finished_messages(page), (alerts(page, "Success"), alerts(page, "Warning"))
    assert page.locator("[data-testid='stProgress']").first.inner_text().startswith("Trained for")
    # metric cards with numbers (not the "–" shown for a missing value)
    values = metric_values(page)
    assert values and all(re.search(r"\d", v) for v in values), values
    assert_clean(page)
    shot(page, f"trained-{prefix}")
    if prefix in TRY:
        TRY[prefix](page)


def test_stop_mid_training_keeps_a_usable_model(page, server):
    query = {**SMALL["stock"], "stock.train.epochs": "200"}  # minutes of training unless stopped
    open_page(page, server, "stock", query)
    start_training(page, "stock")
    # wait for the live chart to show some training first
    page.wait_for_function(
        """() => { const g = document.querySelector('.st-key-stock-_lossfig .js-plotly-plot');
                   return g && g.data && g.data[0] && g.data[0].x.length >= 10; }""",
        timeout=60_000,
    )
    frame = chart_frame(page, "stock._lossfig")
    # the live view redraws without animating: no transition or animation starts on the page over
    # two beats of the progress line (a bar that slides and elements that fade kept Chromium drawing
    # frames for most of a run, on the cores the worker trains on)
    live = by_key(page, "stock._live")
    assert live.locator("[data-testid='stProgress']").count() == 1
    assert live.locator(".st-key-stock-_lossfig").count() == 1
    page.evaluate(MOVES)
    line = page.locator("[data-testid='stProgress']").first
    before = line.inner_text()
    page.wait_for_timeout(2_500)
    assert line.inner_text() != before, "the progress line was not redrawn"
    assert page.evaluate("() => window.__moves") == []
    by_key(page, "stock._stop").locator("button").click()
    page.get_by_text(t("run.reason.stopped")).wait_for(timeout=60_000)
    # the charts keep their frame from the live view to the results, and their labels fit in it
    assert chart_frame(page, "stock._lossfig") == frame
    for key in ("stock._lossfig", "stock._metricfig"):
        outside = labels_outside(page, key)
        assert not outside, (key, outside)
    progress = page.locator("[data-testid='stProgress']").first.inner_text()
    steps = int(re.search(r"\(([\d,]+) steps\)", progress).group(1).replace(",", ""))
    assert 10 <= steps < 200 * 18, progress  # stopped well before the end
    assert_clean(page)
    # the model is kept: its test metrics, and it answers in "Try it"
    values = metric_values(page)
    assert values and all(re.search(r"\d", v) for v in values), values
    open_tab(page, "tab.try")  # tabs switch in the browser, without a rerun
    page.get_by_text(t("stock.day_n", n=1), exact=True).wait_for()
    assert not by_key(page, "stock._train").locator("button").is_disabled()
    shot(page, "stopped-stock")


MOVES = """() => { window.__moves = [];
    for (const kind of ['transitionrun', 'animationstart'])
        document.addEventListener(kind, (e) => window.__moves.push(kind + ' ' + (e.propertyName
            || e.animationName) + ' on ' + (e.target.getAttribute('data-testid') || e.target.tagName)),
            true); }"""


def chart_frame(page, key: str) -> dict[str, float]:
    """The plot area of the chart with ``key`` as plotly laid it out: left, right, top, bottom margins."""
    return page.evaluate(
        """(sel) => { const s = document.querySelector(sel + ' .js-plotly-plot')._fullLayout._size;
                      return {l: s.l, r: s.r, t: s.t, b: s.b}; }""",
        f".st-key-{key.replace('.', '-')}",
    )


def labels_outside(page, key: str) -> list[str]:
    """The axis titles, tick labels and legend of a chart that reach past its edges (drawn clipped)."""
    return page.evaluate(
        """(sel) => { const g = document.querySelector(sel + ' .js-plotly-plot');
            const box = g.querySelector('.main-svg').getBoundingClientRect();
            const parts = g.querySelectorAll('.xtitle, .ytitle, .xtick text, .ytick text, .legend');
            return [...parts].filter(e => { const r = e.getBoundingClientRect();
                return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1
                                       || r.top < box.top - 1 || r.bottom > box.bottom + 1); })
              .map(e => (e.getAttribute('class') || '') + ': ' + e.textContent); }""",
        f".st-key-{key.replace('.', '-')}",
    )


def try_translation(page) -> None:
    """Type a sentence: a Korean translation and the attention heatmap over my words."""
    open_tab(page, "tab.try")
    box = by_key(page, "translation._sentence").locator("input")
    box.wait_for()
    sentence = "the cat sees the dog"
    box.fill(sentence)
    wait_rerun(page, lambda: box.press("Enter"))
    assert_clean(page)
    greedy = page.locator("h3").filter(has_text=HANGUL).first
    assert HANGUL.search(greedy.inner_text()), "no Korean output"
    page.get_by_text(t("translation.alignment"), exact=True).wait_for()
    # the heatmap as drawn: its column and row labels are the axis tick texts
    heat = page.evaluate(
        """() => { const g = document.querySelector('.st-key-translation-_align .js-plotly-plot');
                   const h = g && g.data.find(d => d.type === 'heatmap');
                   const ticks = (ax) => [...g.querySelectorAll(`.${ax}tick text`)].map(e => e.textContent);
                   return h ? {x: ticks('x'), y: ticks('y'), rows: h.z.length, cols: h.z[0].length} : null; }"""
    )
    assert heat is not None, "no attention heatmap"
    assert heat["x"] == sentence.split()  # one column per source word I typed
    assert heat["cols"] == len(sentence.split())
    assert heat["rows"] == len(heat["y"]) >= 1  # one row per output word
    assert any(HANGUL.search(w) for w in heat["y"]), heat["y"]
    shot(page, "try-translation")


def try_sentiment(page) -> None:
    """Type a review: a verdict that is one of the classes, with the class probabilities."""
    open_tab(page, "tab.try")
    box = by_key(page, "sentiment._review").locator("textarea")
    box.wait_for()
    box.fill("a dull, lifeless and boring mess of a movie")
    wait_rerun(page, lambda: box.press("Control+Enter"))
    assert_clean(page)
    verdict = page.locator("[data-testid='stMetric']").filter(has_text=t("sentiment.verdict"))
    label = verdict.locator("[data-testid='stMetricValue']").inner_text().strip()
    bars = page.locator("[data-testid='stProgress']").all_inner_texts()
    named = [b.split(":")[0].strip() for b in bars if "%" in b]
    assert label and label in named, (label, bars)  # the verdict is one of the classes shown
    shot(page, "try-sentiment")


TRY = {"translation": try_translation, "sentiment": try_sentiment}
