"""Sweep grids (core.sweep): parsing, points, the summary and its best trial."""

from __future__ import annotations

import math

import pytest

from core.config import ConfigError
from core.sweep import MAX_TRIALS, parse_grid, points, summary, trial_name


def test_a_grid_is_parsed_with_the_fields_types_and_sections():
    grid = parse_grid("word-order", "gru", ["lr=0.001,0.01", "model.hidden_size=8,16", "task.length=6"])
    assert grid == {"train.lr": [0.001, 0.01], "model.hidden_size": [8, 16], "task.length": [6]}
    assert isinstance(grid["model.hidden_size"][0], int)
    pts = points(grid)
    assert len(pts) == 4 and pts[0] == {"train.lr": 0.001, "model.hidden_size": 8, "task.length": 6}
    assert pts[1]["model.hidden_size"] == 16  # the first key changes slowest
    assert trial_name(pts[3]) == "lr=0.01 hidden_size=16 length=6"


@pytest.mark.parametrize(
    "items, message",
    [
        (["nope=1,2"], "unknown setting"),
        (["lr=0.001,banana"], "lr"),
        (["lr=0.001,100"], "lr"),  # outside the field's range
        (["lr"], "name=value1,value2"),
        (["lr=0.001,0.001"], "listed twice"),
        (["lr=0.1", "train.lr=0.2"], "twice"),
        (["vocab_size=10,20"], "data"),
        ([], "at least one"),
    ],
)
def test_a_bad_grid_is_refused_before_anything_runs(items, message):
    with pytest.raises(ConfigError, match=message):
        parse_grid("word-order", "gru", items)


def test_a_grid_too_large_is_refused():
    n = int(math.isqrt(MAX_TRIALS)) + 1
    sizes = ",".join(str(4 + i) for i in range(n))
    rates = ",".join(f"{0.0001 * (i + 1):g}" for i in range(n))
    with pytest.raises(ConfigError, match="points"):
        parse_grid("word-order", "gru", [f"hidden_size={sizes}", f"lr={rates}"])


def test_the_summary_picks_the_best_finished_trial_by_the_tasks_direction():
    trials = [
        {"name": "a", "settings": {}, "metrics": {"accuracy": 0.7}, "status": "done"},
        {"name": "b", "settings": {}, "metrics": {"accuracy": 0.9}, "status": "done"},
        {"name": "c", "settings": {}, "metrics": {"accuracy": 0.95}, "status": "stopped early"},
        {"name": "d", "settings": {}, "metrics": {"accuracy": float("nan")}, "status": "done"},
    ]
    s = summary("word-order", "gru", {"train.lr": [1, 2]}, trials)
    assert s["best"]["name"] == "b" and s["metric"] == {"name": "accuracy", "higher_is_better": True}
    rmse = [
        {"name": "a", "settings": {}, "metrics": {"rmse": 2.0}, "status": "done"},
        {"name": "b", "settings": {}, "metrics": {"rmse": 1.0}, "status": "done"},
    ]
    assert summary("stock", "gru", {}, rmse)["best"]["name"] == "b"  # lower is better
    assert summary("stock", "gru", {}, [])["best"] is None
