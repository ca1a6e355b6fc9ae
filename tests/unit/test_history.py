"""A page's runs kept side by side: records from real training events, differences, the cap, CSV,
and the on-disk store behind the reload-proof history."""

from __future__ import annotations

import csv
import io
import os
import time

import pytest

from core.events import Finished, Step
from core.history import (
    History,
    RunRecord,
    RunStore,
    differences,
    new_token,
    record_from_events,
    thin,
    valid_token,
)
from core.runspec import plan
from core.train import train


def _rec(id: int, **settings) -> RunRecord:
    base = {"train.lr": 0.003, "model.hidden_size": 128, "train.epochs": 4}
    base.update(settings)
    return RunRecord(id=id, task="stock", arch="lstm", settings=base, test={"rmse": 1.0 / id})


def test_record_from_a_real_training_run_keeps_its_curves_and_metrics():
    spec = plan("word-order", "gru", {"epochs": 2, "n_train": 200, "batch_size": 32})
    events = list(train(spec.build(), spec.data, spec.task, spec.train_cfg))
    steps = [e for e in events if isinstance(e, Step)]
    fin = next(e for e in events if isinstance(e, Finished))
    rec = record_from_events(
        1, "word-order", "gru", {"train.epochs": 2}, events, primary=spec.task.primary.name, n_params=123
    )
    assert [y for _, y in rec.loss] == [s.loss for s in steps]
    assert len(rec.val_metric) == 2 and rec.val_metric[-1][0] == 2
    assert rec.test == fin.test and rec.reason == fin.reason and rec.elapsed_s == fin.elapsed_s
    assert RunRecord.from_json(rec.to_json()) == rec


def test_thin_keeps_the_ends_and_bounds_the_points():
    pts = [(i, float(i)) for i in range(1001)]
    out = thin(pts, 100)
    assert len(out) <= 102 and out[0] == (0.0, 0.0) and out[-1] == (1000.0, 1000.0)
    assert thin(pts[:5], 100) == [(float(i), float(i)) for i in range(5)]


def test_differences_name_what_changed_from_the_previous_run():
    a, b = _rec(1), _rec(2, **{"train.lr": 0.01, "model.hidden_size": 64})
    assert differences(a, b) == [("train.lr", 0.003, 0.01), ("model.hidden_size", 128, 64)]
    assert differences(None, b) == []
    assert differences(a, _rec(3)) == []
    c = RunRecord(id=4, task="stock", arch="gru", settings={"train.lr": 0.003})
    assert differences(a, c)[0] == ("arch", "lstm", "gru")
    # the other architecture's knobs are not a "change"
    assert all(k != "model.hidden_size" for k, _, _ in differences(a, c))


def test_the_cap_drops_the_oldest_unpinned_run_and_says_which():
    h = History(cap=3)
    for i in range(1, 4):
        assert h.add(_rec(i)) == []
    h.pin(1)
    dropped = h.add(_rec(4))
    assert [r.id for r in dropped] == [2]
    assert [r.id for r in h.records] == [1, 3, 4]
    h.pin(3)
    h.pin(4)
    assert h.add(_rec(5)) == []  # only pinned runs are left to drop: the cap gives way
    assert len(h.records) == 4


def test_rename_delete_and_the_previous_run():
    h = History()
    for i in (1, 2, 3):
        h.add(_rec(i))
    h.rename(2, "  smaller lr  ")
    assert h.get(2).label == "smaller lr" and h.get(1).label == "Run 1"
    h.delete(2)
    assert h.previous(h.get(3)).id == 1
    assert h.new_id() == 4


def test_table_and_csv_show_only_the_settings_that_vary():
    h = History()
    h.add(_rec(1))
    h.add(_rec(2, **{"train.lr": 0.01}))
    rows = h.table()
    assert "train.lr" in rows[0] and "model.hidden_size" not in rows[0]
    assert rows[1]["train.lr"] == "0.01" and rows[1]["test.rmse"] == 0.5
    parsed = list(csv.DictReader(io.StringIO(h.to_csv())))
    assert [r["name"] for r in parsed] == ["Run 1", "Run 2"]
    assert float(parsed[1]["test.rmse"]) == 0.5
    back = History.from_json(h.to_json())
    assert back.table() == rows and back.next_id == 3


def test_store_round_trip_and_refuses_crafted_tokens(tmp_path):
    store = RunStore(tmp_path)
    token = new_token()
    assert valid_token(token)
    h = History()
    h.add(_rec(1))
    assert store.save(token, "stock", h, b"PK-zip-bytes")
    back, model = store.load(token, "stock")
    assert back.table() == h.table() and model == b"PK-zip-bytes"
    assert store.load(new_token(), "stock") == (None, None)  # another visitor's token finds nothing
    for bad in ("../etc", "a/b", "short", "", None):
        assert not valid_token(bad)
        assert store.load(bad, "stock") == (None, None)
        with pytest.raises(ValueError):
            store.save(bad, "stock", h)
    with pytest.raises(ValueError):
        store.save(token, "../x", h)


def test_store_keeps_no_model_over_its_size_limit(tmp_path):
    store = RunStore(tmp_path, max_bytes=10)
    token = new_token()
    assert not store.save(token, "stock", History(), b"x" * 11)
    assert store.load(token, "stock")[1] is None


def test_store_forgets_after_its_time(tmp_path):
    store = RunStore(tmp_path, keep_s=60)
    old, fresh = new_token(), new_token()
    store.save(old, "stock", History())
    past = time.time() - 120
    for f in (tmp_path / old).iterdir():
        os.utime(f, (past, past))
    assert store.load(old, "stock") == (None, None)
    store.save(fresh, "stock", History())  # any write sweeps the expired folders
    assert not (tmp_path / old).exists() and (tmp_path / fresh).exists()
