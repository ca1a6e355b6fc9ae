"""Faults: the network down, a diverging run, a tab closed mid-training.

(A server restart is in test_restart.py.) The session's server runs with its proxy pointed at a
closed local port, so every download fails at once, as it would with the network down.
"""

from __future__ import annotations

import time

import pytest
from conftest import (
    SMALL,
    alerts,
    assert_clean,
    by_key,
    open_page,
    shot,
    start_training,
    train,
    widget_value,
)

from playground.i18n import t
from playground.training import GRACE_S

pytestmark = pytest.mark.e2e


def test_network_down_falls_back_to_offline_prices_with_a_notice(page, server):
    open_page(page, server, "stock", {"stock.task.source": "yfinance", "stock.task.ticker": "MSFT"})
    assert_clean(page)
    notes = alerts(page, "Warning")
    assert any("could not reach yahoo finance" in n.lower() and "offline prices" in n for n in notes), notes
    assert not alerts(page, "Error")
    # the page still works: it trains on the offline prices
    assert not by_key(page, "stock._train").locator("button").is_disabled()
    shot(page, "fault-offline-fallback")


def test_a_diverging_run_says_so_without_a_traceback(page, server):
    query = {**SMALL["stock"], "stock.train.lr": "1", "stock.train.optimizer": "sgd", "stock.train.clip": "0"}
    open_page(page, server, "stock", query)
    assert widget_value(page, "stock.train.lr") == "1"  # the huge learning rate was taken
    assert widget_value(page, "stock.train.optimizer") == "sgd"
    train(page, "stock", watch_chart=False)
    assert_clean(page)
    errs = alerts(page, "Error")
    assert any(t("run.reason.diverged") in e and "lower the learning rate" in e for e in errs), errs
    assert not any(t("error.unexpected").split(".")[0] in e for e in errs)
    # the last good weights are kept and shown
    assert page.locator("[data-testid='stTab']").count() == 5  # results, try it, inside, code, save
    shot(page, "fault-diverged")


def test_closing_the_tab_mid_training_ends_its_worker(server, new_context):
    ctx = new_context()
    page = ctx.new_page()
    open_page(page, server, "stock", {**SMALL["stock"], "stock.train.epochs": "200"})  # minutes of work
    start_training(page, "stock")
    page.wait_for_function(
        """() => { const g = document.querySelector('.st-key-stock-_lossfig .js-plotly-plot');
                   return g && g.data && g.data[0] && g.data[0].x.length >= 5; }""",
        timeout=60_000,
    )
    (worker,) = server.workers()  # the training runs in a worker process, not in the server
    c0 = server.workers_cpu_s()
    page.wait_for_timeout(2_000)  # a measuring window
    assert server.workers_cpu_s() - c0 > 0.5  # the worker trains
    ctx.close()  # the person closes the tab; the server keeps the run for GRACE_S in case they return

    deadline = time.monotonic() + GRACE_S + 60
    while time.monotonic() < deadline:
        if not server.workers():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"worker {worker} still running {GRACE_S + 60:.0f} s after the tab closed")
