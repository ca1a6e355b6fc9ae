"""A race's defaults let every lane reach its result, and a share link's values are read back as
the page reads them (equivalent spellings taken, replacements named)."""

from __future__ import annotations

import pytest

from core.config import describe
from core.race import race, summary
from core.registry import compatible, get_task
from core.train import TrainConfig
from playground.insights import compare
from playground.settings import url_value


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


# ---- 1. races ------------------------------------------------------------------------------


def test_race_defaults_cover_every_task_and_the_slowest_architecture():
    for task in compare.race_tasks():
        assert compare.race_budget(task) in compare.BUDGETS
        epochs = [get_task(task).defaults(a)[1].get("epochs", 5) for a in compatible(task)]
        assert compare.race_epochs(task) == max(epochs)  # no lane gets fewer epochs than its own default


def test_translation_race_with_the_page_defaults_reaches_the_target_in_every_lane():
    """Before: 5 epochs and 20 s cut every translation model off (exact match 0-1 %)."""
    settings = {"train.epochs": compare.race_epochs("translation"), "train.stop_at_target": True}
    history = list(race("translation", ["seq2seq-attn"], settings, compare.race_budget("translation")))
    (row,) = summary("translation", history)
    assert row["reason"] == "target", row
    assert row["metric"] >= get_task("translation").primary.target


# ---- 2. share links ------------------------------------------------------------------------


def _field(name: str):
    return next(f for f in describe(TrainConfig) if f.name == name)


def test_url_value_takes_equivalent_spellings_and_names_replacements():
    lr = _field("lr")
    options = [0.001, 0.3, 0.5, 1.0]
    assert url_value("1.0", options, lr, 1e-6, 1.0, 0.003) == (1.0, False)
    assert url_value("1", options, lr, 1e-6, 1.0, 0.003) == (1.0, False)
    assert url_value("0.7", options, lr, 1e-6, 1.0, 0.003) == (0.5, True)  # nearest choice
    assert url_value("abc", options, lr, 1e-6, 1.0, 0.003) == (0.003, True)
    assert url_value("nan", options, lr, 1e-6, 1.0, 0.003) == (0.003, True)
    epochs = _field("epochs")
    assert url_value("5.0", list(range(1, 501)), epochs, 1, 500, 8) == (5, False)
    assert url_value("9999", None, epochs, 1, 500, 8) == (500, True)
    opt = _field("optimizer")
    assert url_value("Adam", list(opt.choices), opt, None, None, "adam") == ("adam", False)
    assert url_value("bogus", list(opt.choices), opt, None, None, "adam") == ("adam", True)
    amp = _field("amp")
    assert url_value("TRUE", None, amp, None, None, False) == (True, False)
    assert url_value("maybe", None, amp, None, None, False) == (False, True)


# ---- 3. Stop -------------------------------------------------------------------------------
