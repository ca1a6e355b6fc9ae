"""In Chromium: two runs on a page are drawn together and listed; a reload brings them back."""

from __future__ import annotations

import re

import pytest
from conftest import assert_clean, by_key, nudge, open_page, shot, train, wait_idle

pytestmark = pytest.mark.e2e

SMALL = {
    "word_order.task.n_train": "512",
    "word_order.train.epochs": "2",
    "word_order.train.stop_at_target": "false",
}


def _trace_names(page, key: str) -> list[str]:
    return page.evaluate(
        """(sel) => { const els = document.querySelectorAll(sel + ' .js-plotly-plot');
                      const gd = els[els.length - 1]; return gd ? (gd.data || []).map(t => t.name) : []; }""",
        f".st-key-{key.replace('.', '-')}",
    )


def test_two_runs_side_by_side_and_back_after_a_reload(page, server):
    open_page(page, server, "word_order", SMALL)
    train(page, "word_order", watch_chart=False)
    nudge(page, "word_order.train.lr", 1)  # a larger learning rate
    train(page, "word_order", watch_chart=False)
    assert_clean(page)
    assert "Run 1" in _trace_names(page, "word_order._lossfig")
    assert page.get_by_text(re.compile(r"^Changed from Run 1: Learning rate")).count() >= 1
    header = page.get_by_text("Your runs on this page (2)")
    assert header.count() == 1
    table = by_key(page, "word_order._runs_table.0")
    assert table.count() == 1
    shot(page, "runs-history")
    # the address now holds the private key of this browser's runs; reload the page
    url = page.url
    assert re.search(r"[?&]runs=[A-Za-z0-9_-]{20,}", url), url
    page.reload()
    wait_idle(page)
    page.get_by_text("Your runs on this page (2)").wait_for(timeout=60_000)
    assert page.get_by_text(re.compile("came back from before the reload")).count() >= 1
    assert page.locator("[data-testid='stTab']").count() >= 4  # the latest model's tabs are back
    assert_clean(page)
