"""Absurd stock inputs stay bounded (issue 12): prices of 1e308 and minute-level files get clear
messages instead of an empty chart, a 300-digit forecast or a silent collapse to 19 examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import resolve
from core.models.base import ModelOutput
from core.tasks import stock
from core.tasks.base import DataError
from core.tasks.stock import StockOptions, StockTask
from core.tasks.stock_sources import MAX_PRICE


def opts(**kw) -> StockOptions:
    return resolve(StockOptions, kw)


def csv_bytes(prices, dates=None) -> bytes:
    dates = pd.bdate_range("2020-01-01", periods=len(prices)) if dates is None else dates
    return pd.DataFrame({"Date": [str(d) for d in dates], "Close": prices}).to_csv(index=False).encode()


class Echo:
    """A stand-in model that forecasts "no change" (a standardised output of 0)."""

    training = False

    def __call__(self, batch, **kw):
        import torch

        return ModelOutput(logits=torch.zeros(batch["x"].shape[0], 1))

    def parameters(self):
        return iter(())

    def eval(self):
        return self

    def train(self, mode=True):
        return self


@pytest.fixture(scope="module")
def aapl():
    return StockTask.prepare(opts())


def test_forty_prices_of_1e308_are_refused_with_a_clear_message(aapl):
    with pytest.raises(
        DataError, match=r"the prices have 31 value\(s\) beyond 1e\+12 \(for example 1e\+308\)"
    ) as e:
        aapl.predict(Echo(), [[1e308] * 40])
    assert e.value.key == "data.stock.too_large_typed"
    with pytest.raises(DataError, match="non-finite"):
        aapl.predict(Echo(), [[float("inf")] * 40])


def test_sane_prices_still_forecast_finite_numbers(aapl):
    out = aapl.predict(Echo(), [list(np.linspace(20, 30, 40)), [1e9] * 40])
    assert all(np.isfinite(o["forecast"]).all() and abs(o["forecast"][0]) < MAX_PRICE for o in out)
    assert out[1]["forecast"][0] == pytest.approx(1e9, rel=0.1)


def test_prices_far_off_the_training_scale_are_refused():
    prices_model = StockTask.prepare(opts(target="price"))  # standardised prices, AAPL ~1-100 $
    with pytest.raises(DataError, match="far outside the range of the training days") as e:
        prices_model.predict(Echo(), [[5e11] * 40])
    assert e.value.key == "data.stock.off_scale"


def test_uploaded_prices_of_1e308_are_refused():
    with pytest.raises(DataError, match=r"column 'Close' has 40 value\(s\) beyond 1e\+12") as e:
        StockTask.prepare(opts(source="upload"), upload=csv_bytes([1e308] * 40))
    assert e.value.key == "data.stock.too_large" and e.value.values["column"] == "Close"
    inf = csv_bytes(["1e400"] * 100)  # pandas reads it as infinity
    with pytest.raises(DataError, match="beyond 1e"):
        StockTask.prepare(opts(source="upload"), upload=inf)


def test_a_series_whose_training_days_do_not_vary_is_refused():
    prices = [100.0] * 200 + [1e9] * 60  # flat while training, then nine orders of magnitude
    with pytest.raises(DataError, match="standard deviations away"):
        StockTask.prepare(opts(source="upload", target="price", lookback=5), upload=csv_bytes(prices))


def minute_csv(n: int, per_day: int | None = None) -> bytes:
    if per_day is None:
        stamps = pd.date_range("2024-01-02 09:30", periods=n, freq="min")
    else:
        days = pd.bdate_range("2020-01-01", periods=n // per_day)
        stamps = days.repeat(per_day) + pd.to_timedelta(np.tile(np.arange(per_day), len(days)), unit="min")
    rng = np.random.default_rng(0)
    return csv_bytes(100 + np.cumsum(rng.normal(0, 0.05, len(stamps))), stamps.astype(str))


def test_a_minute_level_file_that_collapses_to_a_few_days_is_refused_with_what_to_do():
    with pytest.raises(DataError) as e:
        StockTask.prepare(opts(source="upload"), upload=minute_csv(100_000))
    msg = str(e.value)
    assert "100,000 rows but only 70 different days" in msg
    assert "19 training examples" in msg and "one row per day" in msg
    need = stock.rows_for_train(30, 1, 0.15, 0.15, 1, stock.MIN_TRAIN_WINDOWS)
    assert f"at least {need:,} days" in msg
    assert e.value.key == "data.stock.collapsed" and e.value.values["n_train"] == "19"


def test_a_minute_level_file_over_many_days_trains_on_daily_closes_with_a_clear_notice():
    data = StockTask.prepare(opts(source="upload"), upload=minute_csv(4000, per_day=10))
    (note,) = data.notices
    assert note.key == "data.stock.intraday"
    assert "4,000 rows on 400 days" in note and "last price of each day" in note
    assert data.splits["train"]["x"].shape[0] >= stock.MIN_TRAIN_WINDOWS


def test_a_date_range_on_a_daily_file_is_not_taken_for_collapsed_rows():
    raw = csv_bytes(list(np.linspace(50, 80, 1000)))
    data = StockTask.prepare(
        opts(source="upload", lookback=5, start="2020-01-01", end="2020-04-30"), upload=raw
    )
    assert data.notices == [] and data.splits["train"]["x"].shape[0] < stock.MIN_TRAIN_WINDOWS


def test_repeated_dates_keep_their_short_notice():
    dates = list(pd.bdate_range("2020-01-01", periods=150).astype(str))
    dates[10] = dates[9]
    data = StockTask.prepare(
        opts(source="upload", lookback=5), upload=csv_bytes(list(range(100, 250)), dates)
    )
    assert data.notices == ["dropped 1 row(s) with a repeated date (kept the last)"]
    assert data.notices[0].key == "data.stock.repeated_dates"
