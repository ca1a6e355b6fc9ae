"""Stock task: offline loading, chronological split without leakage, uploads, yfinance fallback,
metrics and baselines on prices, predict / state / restore. Never touches the network."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from core.config import ConfigError, resolve
from core.models.base import ModelOutput
from core.tasks import stock, stock_sources
from core.tasks.base import DataError, iterate
from core.tasks.stock import StockOptions, StockTask


class ConstantReturn(nn.Module):
    """Outputs a fixed standardised value z for every horizon step (contract: model(batch) -> ModelOutput)."""

    def __init__(self, z: float, horizon: int):
        super().__init__()
        self.z = nn.Parameter(torch.tensor(float(z)))
        self.horizon = horizon

    def forward(self, batch, **kw):
        x = batch["x"]
        return ModelOutput(logits=self.z.expand(x.size(0), self.horizon) + 0 * x[:, -1, :1])


class LastInput(nn.Module):
    """Repeats the last input value of feature ``i`` over the horizon (plus a learnable offset)."""

    def __init__(self, horizon: int, i: int = 0):
        super().__init__()
        self.b = nn.Parameter(torch.zeros(1))
        self.horizon, self.i = horizon, i

    def forward(self, batch, **kw):
        last = batch["x"][:, -1, self.i : self.i + 1]  # (B, 1)
        return ModelOutput(logits=last.expand(-1, self.horizon) + self.b)


class Linear(nn.Module):
    """A linear autoregressive model over the whole window: a tiny trainable forecaster."""

    def __init__(self, lookback: int, features: int, horizon: int):
        super().__init__()
        self.fc = nn.Linear(lookback * features, horizon)

    def forward(self, batch, **kw):
        return ModelOutput(logits=self.fc(batch["x"].flatten(1)))


def opts(**kw) -> StockOptions:
    return resolve(StockOptions, kw)


def csv_bytes(prices, start="2020-01-01", date_col="Date", value_col="Close") -> bytes:
    dates = pd.bdate_range(start, periods=len(prices))
    df = pd.DataFrame({date_col: dates.strftime("%Y-%m-%d"), value_col: prices})
    return df.to_csv(index=False).encode()


@pytest.fixture(scope="module")
def aapl():
    return StockTask.prepare(opts())


# ------------------------------------------------------------------------------ offline


def test_offline_default_loads_aapl_windows(aapl):
    L, H = 30, 1
    for part in ("train", "val", "test"):
        x, y = aapl.splits[part]["x"], aapl.splits[part]["y"]
        assert x.dtype == torch.float32 and y.dtype == torch.float32
        assert x.shape[1:] == (L, 1) and y.shape[1:] == (H,)
        assert x.shape[0] == y.shape[0] > 100
    assert aapl.model_fields == {"vocab_size": 0, "in_features": 1, "n_out": 1, "max_len": 30}
    assert aapl.notices == []
    w = aapl.windows["test"]
    assert str(w.dates[-1, 0]) == "2013-03-01"
    assert str(aapl.windows["train"].dates[0, 0]).startswith("2000-")


def test_offline_prices_are_split_adjusted():
    s = stock_sources.offline_prices("AAPL")
    close = s.values[:, s.names.index("close")]
    i = int(np.searchsorted(s.dates, np.datetime64("2005-02-28")))  # AAPL split 2-for-1 that day
    assert 0.9 < close[i] / close[i - 1] < 1.1
    raw = pd.read_csv(stock_sources.offline_file())
    raw = raw[raw["Ticker"] == "AAPL"]
    assert np.allclose(close, raw["Adj Close"].to_numpy())


def test_ohlcv_features_and_option_checks():
    data = StockTask.prepare(opts(features="ohlcv", ticker="IBM", lookback=10, horizon=3))
    assert data.splits["train"]["x"].shape[1:] == (10, 5)
    assert data.splits["train"]["y"].shape[1:] == (3,)
    assert data.model_fields["in_features"] == 5
    assert data.names == ("open", "high", "low", "close", "volume")
    with pytest.raises(ConfigError, match="offline"):
        opts(ticker="NVDA")
    with pytest.raises(ConfigError, match="date"):
        opts(start="yesterday")
    with pytest.raises(ConfigError):
        opts(lookback=1)


def test_prepare_is_cached_in_process():
    assert StockTask.prepare(opts(), seed=0) is StockTask.prepare(opts(), seed=0)


def test_date_range_filter():
    data = StockTask.prepare(opts(start="2010-01-01", end="2012-12-31", lookback=10))
    assert str(data.windows["train"].dates.min()) >= "2010-01-01"
    assert str(data.windows["test"].dates.max()) <= "2012-12-31"
    with pytest.raises(DataError, match="no prices"):
        StockTask.prepare(opts(start="2020-01-01"))


# ------------------------------------------------------------------ split and scaling


def test_window_rule_by_hand():
    # 20 rows: train rows 0..11, val 12..15, test 16..19; lookback 3, horizon 2
    ends = stock.window_ends(20, 3, 2, 0.2, 0.2)
    assert ends["train"].tolist() == list(range(2, 10))  # targets t+1, t+2 <= 11
    assert ends["val"].tolist() == [11, 12, 13]  # targets in 12..15
    assert ends["test"].tolist() == [15, 16, 17]  # targets in 16..19
    # with log returns row 0 has no feature, so the first window ends one row later
    assert stock.window_ends(20, 3, 2, 0.2, 0.2, skip=1)["train"][0] == 3


def test_no_leakage_targets_in_time_order(aapl):
    w = aapl.windows
    assert w["train"].dates.max() < w["val"].dates.min()
    assert w["val"].dates.max() < w["test"].dates.min()
    # test inputs may look back into val, never forward
    assert (aapl.input_dates["test"][:, -1] < w["test"].dates[:, 0]).all()


def test_scaler_is_fitted_on_training_rows_only(aapl):
    s = stock_sources.offline_prices("AAPL")
    close = s.values[:, 3]
    r = np.log(close[1:] / close[:-1])  # r[i] is the return of row i+1
    n_tr, _, _ = stock.split_rows(len(close), 0.15, 0.15)
    train_r = r[: n_tr - 1]  # rows 1 .. n_tr-1
    assert aapl.scaler.mean[0] == pytest.approx(train_r.mean())
    assert aapl.scaler.std[0] == pytest.approx(train_r.std())
    assert aapl.scaler.y_mean == pytest.approx(train_r.mean())
    assert aapl.scaler.mean[0] != pytest.approx(r.mean())  # the full series would differ
    # targets are the standardised future returns
    y = aapl.splits["test"]["y"][:, 0].numpy().astype(np.float64)
    w = aapl.windows["test"]
    assert np.allclose(y * aapl.scaler.y_std + aapl.scaler.y_mean, np.log(w.future[:, 0] / w.last), atol=1e-5)


def test_price_target_scales_the_close(aapl):
    data = StockTask.prepare(opts(target="price"))
    close = stock_sources.offline_prices("AAPL").values[:, 3]
    n_tr, _, _ = stock.split_rows(len(close), 0.15, 0.15)
    assert data.scaler.y_mean == pytest.approx(close[:n_tr].mean())
    assert data.scaler.y_std == pytest.approx(close[:n_tr].std())
    y = data.splits["val"]["y"][:, 0].numpy() * data.scaler.y_std + data.scaler.y_mean
    assert np.allclose(y, data.windows["val"].future[:, 0], rtol=1e-5)


# ------------------------------------------------------------------ metrics and baselines


def test_persistence_and_moving_average_by_hand():
    prices = [100 + 3 * math.sin(i / 2) + i * 0.5 for i in range(40)]
    data = StockTask.prepare(
        opts(source="upload", lookback=3, val_frac=0.2, test_frac=0.2, ma_window=2), upload=csv_bytes(prices)
    )
    p = np.array(prices)
    # 40 rows -> train 0..23, val 24..31, test 32..39; horizon 1
    future, last = p[32:40], p[31:39]
    base = data.baselines()
    assert base["persistence"]["rmse"] == pytest.approx(math.sqrt(np.mean((future - last) ** 2)))
    assert base["persistence"]["mae"] == pytest.approx(np.mean(np.abs(future - last)))
    ma = (p[30:38] + p[31:39]) / 2
    assert base["moving_average"]["rmse"] == pytest.approx(math.sqrt(np.mean((future - ma) ** 2)))


def test_direction_is_compared_with_baselines_that_call_a_direction():
    """Persistence never moves, so it has no direction accuracy (it used to report 0 %, which any
    model beats); momentum (the last move goes on) and chance (50 %) do call a direction."""
    prices = [100 + 3 * math.sin(i / 2) + i * 0.5 for i in range(40)]
    data = StockTask.prepare(
        opts(source="upload", lookback=3, val_frac=0.2, test_frac=0.2, ma_window=2), upload=csv_bytes(prices)
    )
    p = np.array(prices)
    future, last, prev = p[32:40], p[31:39], p[30:38]
    base = data.baselines()
    assert "direction_accuracy" not in base["persistence"]
    momentum = last + (last - prev)
    assert base["momentum"]["rmse"] == pytest.approx(math.sqrt(np.mean((future - momentum) ** 2)))
    right = np.mean(np.sign(future - last) == np.sign(last - prev))
    assert base["momentum"]["direction_accuracy"] == pytest.approx(right)
    assert base["chance"] == {"direction_accuracy": 0.5}
    # two days ahead, the move goes on twice
    two = StockTask.prepare(
        opts(source="upload", lookback=3, horizon=2, val_frac=0.2, test_frac=0.2), upload=csv_bytes(prices)
    )
    w = two.windows["test"]
    expect = w.last[:, None] + np.array([[1, 2]]) * (w.last - w.prev)[:, None]
    assert two.baselines()["momentum"]["rmse"] == pytest.approx(math.sqrt(np.mean((w.future - expect) ** 2)))


def test_model_that_predicts_no_change_scores_like_persistence(aapl):
    zero_return = -aapl.scaler.y_mean / aapl.scaler.y_std
    model = ConstantReturn(zero_return, 1)
    m = aapl.evaluate(model, "test")
    assert set(m) == {"loss", "rmse", "mae", "mape", "direction_accuracy"}
    assert all(type(v) is float for v in m.values())
    base = aapl.baselines()["persistence"]
    assert m["rmse"] == pytest.approx(base["rmse"], rel=1e-5)
    assert m["mape"] == pytest.approx(base["mape"], rel=1e-5)
    # loss is the MSE on standardised targets
    y = aapl.splits["test"]["y"]
    assert m["loss"] == pytest.approx(float(((y - zero_return) ** 2).mean()), rel=1e-5)


def test_price_target_last_input_model_equals_persistence():
    data = StockTask.prepare(opts(target="price", horizon=3))
    m = data.evaluate(LastInput(3), "test")
    assert m["rmse"] == pytest.approx(data.baselines()["persistence"]["rmse"], rel=1e-4)


def test_evaluate_restores_mode_and_trains_a_linear_model(aapl):
    torch.manual_seed(0)
    model = Linear(30, 1, 1)
    model.train()
    before = aapl.evaluate(model, "val")
    assert model.training  # mode restored
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        for b in iterate(aapl.splits["train"], 256, shuffle=True, generator=torch.Generator().manual_seed(0)):
            loss = ((model(b).logits - b["y"]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    after = aapl.evaluate(model, "val")
    assert not model.training
    assert after["loss"] < before["loss"]


def test_examples_series_and_probe(aapl):
    model = ConstantReturn(0.0, 1)
    rows = aapl.examples(model)
    assert len(rows) == aapl.splits["test"]["x"].shape[0]
    assert set(rows[0]) == {"date", "actual", "predicted", "persistence"}
    assert rows[-1]["date"] == "2013-03-01"
    assert rows[1]["persistence"] == pytest.approx(rows[0]["actual"])  # yesterday's close
    assert len(aapl.examples(model, n=5)) == 5
    batch, labels = aapl.probe()
    assert batch["x"].shape == (1, 30, 1)
    assert len(labels["x"]) == 30 and labels["x"][-1] < rows[0]["date"]


# ------------------------------------------------------------------ uploads


def test_upload_ok_sorts_and_reports():
    prices = list(np.linspace(50, 80, 120))
    raw = csv_bytes(prices, date_col="day", value_col="price")
    lines = raw.decode().splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])]).encode()
    data = StockTask.prepare(
        opts(source="upload", date_column="day", value_column="price", lookback=10), upload=shuffled
    )
    assert any("sorted" in n for n in data.notices)
    assert (np.diff(data.windows["train"].dates[:, 0].astype("int64")) > 0).all()


def test_upload_features_ohlcv_falls_back_to_the_value_column():
    data = StockTask.prepare(
        opts(source="upload", features="ohlcv", lookback=5), upload=csv_bytes(list(range(10, 90)))
    )
    assert data.model_fields["in_features"] == 1
    assert any("one value column" in n for n in data.notices)


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "not a CSV"),
        (b"when,price\n2020-01-01,1\n2020-01-02,2\n", "no date column 'Date'.*'when', 'price'"),
        (b"Date,Open\n2020-01-01,1\n2020-01-02,2\n", "no value column 'Close'.*'Date', 'Open'"),
        (b"Date,Close\n", "no data rows"),
    ],
)
def test_upload_malformed_files(raw, message):
    with pytest.raises(DataError, match=message):
        StockTask.prepare(opts(source="upload"), upload=raw)


def test_upload_text_in_value_column_counts_rows():
    prices = [str(100 + i) for i in range(100)]
    prices[5], prices[17], prices[40] = "twelve", "error", "12abc"
    with pytest.raises(DataError, match="3 non-numeric.*'twelve'"):
        StockTask.prepare(opts(source="upload"), upload=csv_bytes(prices))


def test_upload_blank_values_are_dropped_with_a_notice():
    prices = [str(100 + i) for i in range(100)]
    prices[5], prices[17] = "", "n/a"
    data = StockTask.prepare(opts(source="upload", lookback=5), upload=csv_bytes(prices))
    assert "dropped 2 row(s) with an empty value" in data.notices


def test_upload_bad_dates_and_too_few_rows():
    raw = b"Date,Close\n2020-01-01,1\nnot a date,2\n2020-01-03,3\n"
    with pytest.raises(DataError, match="date that could not be read"):
        StockTask.prepare(opts(source="upload"), upload=raw)
    need = stock.min_rows(30, 1, 0.15, 0.15, skip=1)
    with pytest.raises(DataError, match=f"has 40 rows.*at least {need} rows"):
        StockTask.prepare(opts(source="upload"), upload=csv_bytes(list(range(1, 41))))
    with pytest.raises(DataError, match="no file"):
        StockTask.prepare(opts(source="upload"), upload=None)


def test_upload_non_positive_prices_need_price_target():
    prices = [float(i) for i in range(-10, 90)]
    with pytest.raises(DataError, match="above 0"):
        StockTask.prepare(opts(source="upload", lookback=5), upload=csv_bytes(prices))
    data = StockTask.prepare(opts(source="upload", lookback=5, target="price"), upload=csv_bytes(prices))
    assert data.splits["test"]["x"].shape[0] > 0


# ------------------------------------------------------------------ yfinance (network mocked)


def _frame(n=300, multi=False):
    idx = pd.DatetimeIndex(pd.bdate_range("2021-01-01", periods=n), name="Date")
    close = 100 + np.cumsum(np.random.default_rng(0).normal(0, 1, n))
    df = pd.DataFrame(
        {"Close": close, "High": close + 1, "Low": close - 1, "Open": close, "Volume": 1e6}, index=idx
    )
    if multi:
        df.columns = pd.MultiIndex.from_product([df.columns, ["XYZ"]], names=["Price", "Ticker"])
    return df


def test_yfinance_unreachable_falls_back_to_offline(monkeypatch, tmp_path):
    import yfinance

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))

    def offline(*a, **k):
        raise ConnectionError("Could not resolve host: query2.finance.yahoo.com")

    monkeypatch.setattr(yfinance, "download", offline)
    data = StockTask.prepare(opts(source="yfinance", ticker="MSFT"))
    assert len(data.notices) == 1
    assert "could not reach Yahoo Finance" in data.notices[0]
    assert "offline prices for MSFT 2000-2013" in data.notices[0]
    assert str(data.windows["test"].dates[-1, 0]) == "2013-03-01"
    data = StockTask.prepare(opts(source="yfinance", ticker="NVDA"))
    assert "offline prices for AAPL 2000-2013" in data.notices[0]
    assert not list(tmp_path.rglob("*.csv"))


def test_yfinance_logged_network_error_also_falls_back(monkeypatch, tmp_path):
    import logging

    import yfinance

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))

    def logs_and_returns_empty(*a, **k):
        logging.getLogger("yfinance").error("Failed to perform, curl: (6) Could not resolve host")
        return pd.DataFrame()

    monkeypatch.setattr(yfinance, "download", logs_and_returns_empty)
    data = StockTask.prepare(opts(source="yfinance", ticker="IBM"))
    assert "offline prices for IBM" in data.notices[0]


def test_yfinance_empty_download_is_an_unknown_ticker(monkeypatch, tmp_path):
    import yfinance

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))
    monkeypatch.setattr(yfinance, "download", lambda *a, **k: pd.DataFrame())
    with pytest.raises(DataError, match="'ZZZZQ'"):
        StockTask.prepare(opts(source="yfinance", ticker="zzzzq"))
    assert not list(tmp_path.rglob("*.csv"))  # the empty result is never cached
    with pytest.raises(DataError, match="not a ticker"):
        StockTask.prepare(opts(source="yfinance", ticker="AA PL; rm"))


def test_yfinance_download_is_cached_on_disk(monkeypatch, tmp_path):
    import yfinance

    monkeypatch.setenv("SEQUENCE_LAB_CACHE", str(tmp_path))
    calls = []

    def download(ticker, **k):
        calls.append(ticker)
        return _frame(multi=True)

    monkeypatch.setattr(yfinance, "download", download)
    o = opts(source="yfinance", ticker="XYZ", start="2021-01-01", end="2022-03-01", features="ohlcv")
    first = StockTask.prepare(o)
    assert first.notices == [] and calls == ["XYZ"]
    assert len(list((tmp_path / "prices").glob("XYZ_*.csv"))) == 1

    def fail(*a, **k):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(yfinance, "download", fail)
    second = StockTask.prepare(o)
    assert torch.allclose(first.splits["test"]["x"], second.splits["test"]["x"])
    assert second.model_fields["in_features"] == 5


# ------------------------------------------------------------------ predict, state, restore


def test_predict_lists_and_csv(aapl):
    model = ConstantReturn(-aapl.scaler.y_mean / aapl.scaler.y_std, 1)  # no change
    series = list(np.linspace(20, 30, 40))
    out = aapl.predict(model, [series, csv_bytes(series)])
    assert len(out) == 2
    for o in out:
        assert o["last"] == pytest.approx(30.0)
        assert o["forecast"] == pytest.approx([30.0], rel=1e-5)
    with pytest.raises(DataError, match="at least 31 prices"):
        aapl.predict(model, [[1.0] * 30])
    with pytest.raises(DataError, match="list of numbers"):
        aapl.predict(model, [["a"] * 40])


def test_predict_multi_step_compounds_returns():
    data = StockTask.prepare(opts(horizon=3, lookback=10))
    r = 0.01
    z = (r - data.scaler.y_mean) / data.scaler.y_std
    out = data.predict(ConstantReturn(z, 3), [[10.0] * 11])
    assert out[0]["forecast"] == pytest.approx(
        [10 * math.exp(r), 10 * math.exp(2 * r), 10 * math.exp(3 * r)], rel=1e-5
    )


def test_state_restore_round_trip_predicts_the_same(aapl):
    torch.manual_seed(0)
    model = Linear(10, 5, 2)
    data = StockTask.prepare(opts(features="ohlcv", lookback=10, horizon=2, ticker="GOOG"))
    state = json.loads(json.dumps(data.state()))  # JSON-able
    assert state["features"] == ["open", "high", "low", "close", "volume"]
    assert len(state["last_dates"]) == 10 and state["last_dates"][-1] == "2013-03-01"
    restored = StockTask.restore(state, data.opts)
    assert restored.splits == {}
    assert restored.model_fields == data.model_fields
    # a CSV of the last rows, OHLCV columns
    rows = np.array(state["last_window"])
    df = pd.DataFrame(rows, columns=["Open", "High", "Low", "Close", "Volume"])
    df.insert(0, "Date", pd.bdate_range("2013-01-01", periods=len(df)).strftime("%Y-%m-%d"))
    raw = df.to_csv(index=False).encode()
    a, b = data.predict(model, [raw]), restored.predict(model, [raw])
    assert a == b
    assert len(a[0]["forecast"]) == 2
    with pytest.raises(DataError, match="open, high, low, close and volume"):
        restored.predict(model, [[1.0] * 20])
    with pytest.raises(DataError, match="restored"):
        restored.evaluate(model, "test")


def test_real_recurrent_and_transformer_models_run():
    from core.registry import build, make_config

    data = StockTask.prepare(opts(lookback=12, horizon=2, start="2011-01-01"))
    for arch in ("gru", "lstm", "transformer-encoder"):
        model_kw, _ = StockTask.defaults(arch)
        cfg = make_config(arch, model_kw, data_fields=data.model_fields)
        model = build(arch, cfg)
        m = data.evaluate(model, "val")
        assert math.isfinite(m["rmse"]) and math.isfinite(m["loss"])
        out = data.predict(model, [list(np.linspace(10, 12, 13))])
        assert len(out[0]["forecast"]) == 2


# ------------------------------------------------------------------ the loss spike of every epoch


def test_the_loss_spike_of_every_epoch_is_the_batch_holding_the_crash_day(aapl):
    """Why the stock training loss jumps to about 4 once per epoch (issue 12): not shuffling, not
    state carried across epochs, not unscaled data, not the last partial batch, but one real day.
    On 2000-09-29 AAPL fell 52 % in a day, 21 standard deviations of its daily returns; squared,
    that one window's error (~455) lifts the mean loss of the batch of 128 that holds it from ~1 to
    ~4.5. The batches are shuffled, so the spike comes once every epoch at a different step."""
    move = aapl.largest_move(128)
    assert move.date == "2000-09-29" and move.change == pytest.approx(-0.519, abs=1e-3)
    assert move.z == pytest.approx(-21.3, abs=0.1) and move.batch_loss == pytest.approx(4.5, abs=0.1)
    y = aapl.splits["train"]["y"]
    crash = int(y[:, 0].abs().argmax())
    model = ConstantReturn(float(y.mean()), 1)  # a model that has learnt only the mean
    gen = torch.Generator().manual_seed(0)
    where = []
    for _ in range(3):  # three epochs, shuffled as in training
        losses, holds = [], []
        for b in iterate(
            {**aapl.splits["train"], "i": torch.arange(len(y))}, 128, shuffle=True, generator=gen
        ):
            with torch.no_grad():
                losses.append(float(((model(b).logits - b["y"]) ** 2).mean()))
            holds.append(bool((b["i"] == crash).any()))
        top = int(np.argmax(losses))
        assert holds[top] and losses[top] == pytest.approx(move.batch_loss, rel=0.1)
        assert max(v for v, h in zip(losses, holds) if not h) < 2  # every other batch stays near 1
        where.append(top)
    assert len(set(where)) > 1  # a different step of each epoch
    # prices as targets have no such day; a price series without a crash keeps every batch near 1
    assert StockTask.prepare(opts(target="price")).largest_move(128) is None
    assert StockTask.prepare(opts(ticker="FB")).largest_move(128).batch_loss < 2
