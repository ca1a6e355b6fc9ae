"""AppTest: bad inputs show an error element (never an exception); Stop; hosted-mode limits."""

from __future__ import annotations

import time

import pytest
from apptest import no_problems, page_test
from streamlit.testing.v1 import AppTest

from core.execution import Job
from core.runspec import plan
from core.workers import LocalExecutor
from playground import training


def upload(at: AppTest, key: str, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    next(f for f in at.get("file_uploader") if f.key == key).set_value((name, data, mime)).run()
    return at


@pytest.fixture(autouse=True)
def local(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x01\x02 binary junk", "not a CSV text file"),
        (b"when,price\n2020-01-01,1\n2020-01-02,2\n", "no date column"),
        (b"", "empty"),
    ],
)
def test_malformed_csv_upload_shows_an_error(data, message):
    at = page_test("pages/stock.py", **{"stock.task.source": "upload"})
    upload(at, "stock.upload", "prices.csv", data)
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert at.button(key="stock._train").disabled


def test_unknown_offline_ticker_shows_an_error():
    at = page_test("pages/stock.py", **{"stock.task.ticker": "NOPE"})
    assert not at.exception
    assert any("not shipped offline" in e.value for e in at.error)
    assert at.button(key="stock._train").disabled


def test_live_ticker_without_network_falls_back_with_a_notice(monkeypatch, tmp_path):
    import yfinance

    def network_gone(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection: [Errno 101] Network is unreachable")

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))
    monkeypatch.setattr(yfinance, "download", network_gone)
    at = page_test("pages/stock.py", **{"stock.task.source": "yfinance", "stock.task.ticker": "ZZZQ"})
    assert not at.exception
    assert any("could not reach yahoo finance" in w.value.lower() for w in at.warning)
    assert not at.button(key="stock._train").disabled  # trains on the offline prices instead


def test_live_ticker_that_does_not_exist_is_an_error(monkeypatch, tmp_path):
    import pandas as pd
    import yfinance

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))
    monkeypatch.setattr(
        yfinance, "download", lambda *a, **k: pd.DataFrame()
    )  # Yahoo's answer to a bad symbol
    at = page_test("pages/stock.py", **{"stock.task.source": "yfinance", "stock.task.ticker": "NOSUCHX"})
    assert not at.exception
    assert any("returned no prices for ticker 'NOSUCHX'" in e.value for e in at.error)
    assert at.button(key="stock._train").disabled
    assert not list(tmp_path.rglob("*.csv"))  # nothing cached for a bad symbol


def test_an_unexpected_bug_is_a_friendly_error(monkeypatch):
    from core.tasks.stock import StockData

    def boom(self, model, n=0):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(StockData, "examples", boom)
    at = page_test(
        "pages/stock.py",
        **{"stock.task.start": "2012-06-01", "stock.task.lookback": "5", "stock.model.hidden_size": "4"},
    )
    at.number_input  # noqa: B018 - the page has rendered
    at.slider(key="stock.train.epochs").set_value(1).run()
    at.button(key="stock._train").click().run()
    assert not at.exception
    assert any("Something went wrong" in e.value for e in at.error)
    assert any("simulated bug" in c.value for c in at.code)  # the details, folded in an expander


def test_stop_keeps_the_model_trained_so_far(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "local")  # the real thing: a worker process
    at = page_test(
        "pages/long_memory.py",
        **{
            "long_memory.train.epochs": "300",
            "long_memory.task.n_train": "128",
            "long_memory.task.lag": "5",
            "long_memory.model.hidden_size": "8",
        },
    )
    at.button(key="long_memory._train").click().run()
    run = at.session_state["long_memory.run"]
    try:
        assert run.running
        deadline = time.monotonic() + 60
        while run.last_step is None and time.monotonic() < deadline:  # the live chart has a point
            time.sleep(0.05)
        assert run.last_step is not None
        assert at.button(key="long_memory._train").disabled
        assert not at.button(key="long_memory._stop").disabled
        at.button(key="long_memory._stop").click().run()
        assert training.wait(run, timeout=60)
    finally:
        run.stop()
        training.wait(run, timeout=60)
    at.run()
    assert not at.exception and not at.error
    assert run.finished.reason == "stopped" and run.model is not None
    assert any("Stopped" in i.value for i in at.info)
    assert "Save / load" in [t.label for t in at.tabs]
    assert not at.button(key="long_memory._train").disabled


def test_hosted_mode_caps_and_a_full_waiting_line(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_EPOCHS", "5")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_PARAMS", "500")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_CONCURRENT", "1")
    at = page_test("pages/long_memory.py")
    assert at.slider(key="long_memory.train.epochs").max == 5
    at.button(key="long_memory._train").click().run()
    assert not at.exception
    assert any("more than this server's limit" in e.value for e in at.error)
    assert "long_memory.run" not in at.session_state
    # a small enough model, but the waiting line is full (a line of length 0, every slot taken)
    monkeypatch.setenv("SEQUENCE_LAB_MAX_PARAMS", "10000000")
    ex = LocalExecutor(slots=1, max_queue=0)
    blocker = ex.submit(Job.single(plan("long-memory", "rnn", {"epochs": 500, "hidden_size": 8})))
    try:
        monkeypatch.setattr(training, "executor", lambda: ex)
        deadline = time.monotonic() + 30
        while blocker.queued and time.monotonic() < deadline:
            time.sleep(0.02)
        at.button(key="long_memory._train").click().run()
        assert not at.exception
        assert any("waiting line" in w.value for w in at.warning)
        assert "long_memory.run" not in at.session_state
    finally:
        ex.shutdown()
    no_problems(at)
    assert at.slider(key="long_memory.train.epochs").value != 3
