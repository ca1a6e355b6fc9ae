"""On the pages: a race the clock decided says so plainly and one where every lane finished is
green; a share link's value the page cannot take is named with its replacement (equivalent
spellings such as lr=1.0 are taken as they are); Stop says "Stopping…" at once."""

from __future__ import annotations

import pytest
from apptest import no_problems, page_test, scan_components_once
from streamlit.testing.v1 import AppTest

from playground.i18n import EN, LANGS, STRINGS

pytestmark = pytest.mark.usefixtures("scan_components_once")
_ = scan_components_once


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


# ---- 1. races ------------------------------------------------------------------------------


def _status_app(reasons: dict[str, str]) -> AppTest:
    def app(reasons):
        from types import SimpleNamespace

        import streamlit as st

        from playground.insights import experiment_view

        st.session_state.setdefault("lang", "en")
        spec = SimpleNamespace(train_cfg=SimpleNamespace(max_seconds=20.0))
        job = SimpleNamespace(
            names=list(reasons), error=None, handle=SimpleNamespace(stop_requested=False),
            finished=lambda n: SimpleNamespace(reason=reasons[n]), spec=lambda n: spec,
        )  # fmt: skip
        experiment_view.status(job)

    return AppTest.from_function(app, kwargs={"reasons": reasons}).run()


def test_a_race_cut_by_the_budget_says_so_plainly_and_not_in_green():
    at = _status_app({"lstm": "target", "transformer": "time_budget"})
    assert not at.exception
    assert not at.success  # not "All models trained" in green
    (w,) = at.warning
    assert "transformer" in w.value and "20 s" in w.value and "not final" in w.value


def test_a_race_every_lane_finished_is_green():
    at = _status_app({"lstm": "target", "gru": "done"})
    assert not at.exception and not at.warning
    assert at.success[0].value == EN["ins.common.done"]


# ---- 2. share links ------------------------------------------------------------------------


def test_share_link_lr_1_0_is_taken_as_1_without_a_notice():
    at = page_test("pages/stock.py", **{"stock.train.lr": "1.0"})
    no_problems(at)
    assert at.session_state["stock.train.lr"] == 1.0
    assert not [w for w in at.warning if "stock.train.lr" in w.value]


def test_share_link_value_the_page_cannot_take_is_named_with_its_replacement():
    at = page_test("pages/stock.py", **{"stock.train.batch_size": "100", "stock.train.optimizer": "bogus"})
    no_problems(at)
    assert at.session_state["stock.train.batch_size"] == 96
    texts = [w.value for w in at.warning]
    assert any("stock.train.batch_size" in x and "100" in x and "96" in x for x in texts), texts
    assert any("stock.train.optimizer" in x and "bogus" in x and "adam" in x for x in texts), texts
    at.run()  # still said on the next run, until the setting is changed
    assert any("stock.train.batch_size" in w.value for w in at.warning)
    assert all("settings.url_replaced" in STRINGS[lang] for lang in LANGS)


# ---- 3. Stop -------------------------------------------------------------------------------


def test_stop_says_stopping_at_once():
    def app():
        from types import SimpleNamespace

        import streamlit as st

        from playground import taskpage
        from playground.insights import experiment_view

        st.session_state.setdefault("lang", "en")
        run = SimpleNamespace(
            started=None, last_step=None, finished=None, steps=[], epochs=[],
            handle=SimpleNamespace(stop_requested=True),
        )  # fmt: skip
        try:
            taskpage.draw_progress(run, "stock")
        except AttributeError:
            pass  # the charts below the progress bar need a real run
        job = SimpleNamespace(names=["lstm"], handle=SimpleNamespace(stop_requested=True))
        real = experiment_view.experiments.progress
        experiment_view.experiments.progress = lambda job: (
            0.3,
            "lstm",
            {"epoch": 1, "loss": 0.5, "elapsed": 2.0},
        )
        try:
            experiment_view.progress_bar(job)
        finally:
            experiment_view.experiments.progress = real

    at = AppTest.from_function(app).run()
    texts = [p.proto.text for p in at.get("progress")]
    assert texts == [EN["run.stopping"], EN["run.stopping"]], texts
