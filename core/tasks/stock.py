"""Stock forecasting: read the last ``lookback`` days of prices, predict the next ``horizon`` closes.

The prices come from ``core.tasks.stock_sources`` (the shipped file, Yahoo Finance or an upload);
this module cuts them into windows, scales them, scores forecasts and is the Task.

How the data becomes examples (see :func:`window_ends`):
    1. the rows are split in time order into train / val / test parts FIRST;
    2. a window's inputs are the ``lookback`` rows up to day t, its targets the ``horizon`` rows
       after t; a window belongs to the part that holds ALL of its targets, and windows whose
       targets straddle two parts are dropped. Inputs may reach back into an earlier part (that
       is the past, known at forecast time), never into a later one;
    3. the scaler (mean and standard deviation per feature) is fitted on the training rows only.

Targets
    price       the standardised closing price of each future day;
    log_return  the standardised log return log(p_t / p_{t-1}) of each future day; the inputs are
                returns too, and the forecast prices are rebuilt as last * exp(cumsum(returns)).

Every metric is computed on prices, so the two targets (and the baselines) are comparable.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
import torch

from core import metrics
from core.config import ConfigError, param
from core.csvfile import has_column, read_csv
from core.messages import keyed
from core.models.base import task_loss
from core.tasks.base import Batch, DataError, Metric, Task, TaskData, iterate, run_batches
from core.tasks.stock_sources import (
    MAX_PRICE,
    OFFLINE_TICKERS,
    PriceSeries,
    check_magnitude,
    clip_dates,
    offline_prices,
    parse_prices,
    select_features,
    yahoo_prices,
)

OBJECTIVE = "regress"
EVAL_BATCH = 512
MAX_Z = 1e4  # standard deviations from the training mean: beyond this, nothing can be learnt
MIN_TRAIN_WINDOWS = 100  # after intraday rows were collapsed to days, fewer is refused


@dataclass(frozen=True)
class StockOptions:
    """Where the prices come from and how they are cut into (inputs, targets) windows."""

    source: str = param(
        "offline",
        choices=("offline", "yfinance", "upload"),
        help="Where the prices come from: prices shipped with the app (offline, 2000-2013), "
        "Yahoo Finance (needs the internet) or a CSV file you upload.",
    )
    ticker: str = param(
        "AAPL",
        help="Stock symbol. Offline: one of AAPL, GOOG, IBM, MSFT, FB. Yahoo Finance: any symbol.",
    )
    start: str = param("", help="First date to use (YYYY-MM-DD); empty = from the first available day.")
    end: str = param("", help="Last date to use (YYYY-MM-DD); empty = up to the last available day.")
    lookback: int = param(
        30, lo=2, hi=365, help="Days of history the model reads to make one forecast (the window length)."
    )
    horizon: int = param(1, lo=1, hi=30, help="How many future days the model forecasts at once.")
    features: str = param(
        "close",
        choices=("close", "ohlcv"),
        help="What the model reads each day: the closing price only, or open, high, low, close and "
        "volume. Uploads always use their one value column.",
    )
    target: str = param(
        "log_return",
        choices=("price", "log_return"),
        help="What the model predicts: the (standardised) price itself, or the daily log return "
        "log(p_t / p_{t-1}), from which prices are rebuilt. Prices drift far outside the range seen "
        "in training; returns do not.",
    )
    date_column: str = param("Date", help="Upload: name of the column with the dates.")
    value_column: str = param("Close", help="Upload: name of the column with the prices.")
    ma_window: int = param(
        5, lo=1, hi=100, help="Days averaged by the moving-average baseline (forecast = mean of the last k)."
    )
    val_frac: float = param(
        0.15,
        lo=0.05,
        hi=0.4,
        step=0.05,
        help="Share of the days (after the training days) used for validation.",
    )
    test_frac: float = param(
        0.15,
        lo=0.05,
        hi=0.4,
        step=0.05,
        help="Share of the days (the most recent ones) kept for the final test.",
    )

    def check(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise ConfigError(f"{name}: {value!r} is not a date like 2010-01-31") from None
        if self.start and self.end and self.start > self.end:
            raise ConfigError(f"start {self.start} is after end {self.end}")
        if self.val_frac + self.test_frac > 0.6:
            raise ConfigError("val_frac + test_frac must leave at least 40% of the days for training")
        if self.source == "offline" and self.ticker.strip().upper() not in OFFLINE_TICKERS:
            raise keyed(
                ConfigError(
                    f"ticker {self.ticker!r} is not shipped offline; offline tickers: "
                    f"{', '.join(OFFLINE_TICKERS)} (choose source yfinance for other symbols)"
                ),
                "data.stock.not_offline",
                ticker=repr(self.ticker),
                tickers=", ".join(OFFLINE_TICKERS),
            )


# --------------------------------------------------------------------------------------------
# Features, windows and scaling
# --------------------------------------------------------------------------------------------


def transform(values: np.ndarray, names: tuple[str, ...], target: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Raw values (N, F) -> model features (N, F), target series (N,) and the first valid row.

    target "price": features are the prices themselves (volume as log(1 + v)); the target is
    the close. target "log_return": each price column becomes log(p_t / close_{t-1}) (for the
    close, the daily log return r_t), volume its change log(1 + v_t) - log(1 + v_{t-1}); the
    target is r_t. Row 0 has no return, so the first valid row is 1.
    """
    c = names.index("close")
    close = values[:, c]
    feat = values.astype(np.float64).copy()
    vol = names.index("volume") if "volume" in names else None
    if vol is not None:
        feat[:, vol] = np.log1p(np.maximum(values[:, vol], 0.0))
    if target == "price":
        return feat, close.copy(), 0
    if np.any(values[:, [i for i, n in enumerate(names) if n != "volume"]] <= 0):
        raise DataError("log returns need prices above 0; choose target 'price' for this series")
    out = np.full_like(feat, np.nan)
    for j, n in enumerate(names):
        if n == "volume":
            out[1:, j] = np.diff(feat[:, j])
        else:
            out[1:, j] = np.log(values[1:, j] / close[:-1])
    return out, out[:, c].copy(), 1


def split_rows(n: int, val_frac: float, test_frac: float) -> tuple[int, int, int]:
    """Rows of the train, val and test parts, in time order (test = the most recent rows)."""
    n_test = int(round(n * test_frac))
    n_val = int(round(n * val_frac))
    return n - n_val - n_test, n_val, n_test


def window_ends(
    n: int, lookback: int, horizon: int, val_frac: float, test_frac: float, skip: int = 0
) -> dict[str, np.ndarray]:
    """Index t of the last input row of every window, per part (the no-leakage rule).

    A window reads rows t-lookback+1 .. t and predicts rows t+1 .. t+horizon. It belongs to the
    part (train / val / test, in time order) that holds ALL its target rows; windows whose
    targets straddle two parts are dropped. Its inputs may reach back into an earlier part, never
    into a later one. ``skip`` rows at the start have no features (1 for log returns).
    """
    n_tr, n_va, _ = split_rows(n, val_frac, test_frac)
    bounds = {"train": (0, n_tr), "val": (n_tr, n_tr + n_va), "test": (n_tr + n_va, n)}
    first_t = skip + lookback - 1
    out = {}
    for part, (lo, hi) in bounds.items():
        # targets t+1..t+horizon inside [lo, hi)  <=>  lo-1 <= t <= hi-1-horizon
        t0, t1 = max(lo - 1, first_t), hi - 1 - horizon
        out[part] = np.arange(t0, t1 + 1) if t1 >= t0 else np.zeros(0, dtype=np.int64)
    return out


def min_rows(lookback: int, horizon: int, val_frac: float, test_frac: float, skip: int = 0) -> int:
    """The fewest rows that give every part at least one window."""
    n = lookback + horizon + skip
    while n < 1_000_000:
        ends = window_ends(n, lookback, horizon, val_frac, test_frac, skip)
        if all(len(v) > 0 for v in ends.values()):
            return n
        n += 1
    return n  # pragma: no cover


@dataclass(frozen=True)
class Scaler:
    """Standardisation z = (v - mean) / std per feature and for the target, fitted on train rows."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    y_mean: float
    y_std: float

    @classmethod
    def fit(cls, feat: np.ndarray, target: np.ndarray) -> Scaler:
        def safe(s: float) -> float:
            return float(s) if s > 1e-12 and math.isfinite(s) else 1.0

        mean = feat.mean(axis=0)
        std = feat.std(axis=0)
        return cls(
            tuple(float(m) for m in mean),
            tuple(safe(s) for s in std),
            float(target.mean()),
            safe(float(target.std())),
        )

    def x(self, feat: np.ndarray) -> np.ndarray:
        return (feat - np.asarray(self.mean)) / np.asarray(self.std)

    def y(self, target: np.ndarray) -> np.ndarray:
        return (target - self.y_mean) / self.y_std

    def y_inverse(self, z: np.ndarray) -> np.ndarray:
        return z * self.y_std + self.y_mean


def to_prices(z: np.ndarray, last: np.ndarray, scaler: Scaler, target: str) -> np.ndarray:
    """Model outputs z (N, horizon), standardised, -> forecast prices (N, horizon).

    price: p = z * std + mean. log_return: r = z * std + mean, p_k = last * exp(r_1 + ... + r_k).
    """
    y = scaler.y_inverse(z)
    if target == "price":
        return y
    return last[:, None] * np.exp(np.cumsum(y, axis=1))


@dataclass(frozen=True)
class _Windows:
    """Per-window facts of one part needed for metrics and charts (all on the price scale)."""

    last: np.ndarray  # (N,) close on day t (the last observed price)
    future: np.ndarray  # (N, horizon) actual closes on days t+1..t+horizon
    dates: np.ndarray  # (N, horizon) datetime64[D] dates of the targets
    moving_avg: np.ndarray  # (N,) mean close over days t-k+1..t
    prev: np.ndarray  # (N,) close on day t-1 (the first window of a series: day t itself)


def _price_metrics(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray) -> dict[str, float]:
    return {
        "rmse": metrics.rmse(actual, predicted),
        "mae": metrics.mae(actual, predicted),
        "mape": metrics.mape(actual, predicted),
        "direction_accuracy": metrics.direction_accuracy(actual, predicted, last),
    }


@dataclass(frozen=True)
class LargestMove:
    """The training day farthest from an ordinary day, and what it does to the training loss."""

    date: str  # the day of the move
    change: float  # the close's relative change that day (-0.52: a 52 % fall)
    z: float  # the day's standardised log return: standard deviations from the training mean
    batch_loss: float  # about the loss of a training batch that holds it (ordinary batches: ~1)


# --------------------------------------------------------------------------------------------
# Checks: values far off the training scale, uploads that collapse to too few days
# --------------------------------------------------------------------------------------------


def _check_scaled(z: np.ndarray, what: str) -> None:
    """Standardised values are finite and within MAX_Z standard deviations of the training mean."""
    bad = ~np.isfinite(z)
    worst = float(np.max(np.abs(z[~bad]))) if (~bad).any() else 0.0
    if bad.any() or worst > MAX_Z:
        shown = "not a finite number" if bad.any() else f"{worst:,.3g} standard deviations"
        raise keyed(
            DataError(
                f"{what} are far outside the range of the training days (after standardising with "
                f"their mean and spread, one is {shown} away); nothing can be learnt or forecast from "
                "that: check the prices (their size, a missing decimal point) or choose other dates"
            ),
            "data.stock.off_scale",
            what=what,
            shown=shown,
        )


def rows_for_train(lookback: int, horizon: int, val_frac: float, test_frac: float, skip: int, n: int) -> int:
    """The fewest rows that give at least ``n`` training windows."""
    rows = min_rows(lookback, horizon, val_frac, test_frac, skip)
    while len(window_ends(rows, lookback, horizon, val_frac, test_frac, skip)["train"]) < n:
        rows += max(1, n // 4)
    return rows


def _check_collapsed(series: PriceSeries, opts: StockOptions, skip: int) -> None:
    """A file whose rows collapsed to far fewer days (prices within the day, or several series in
    one file) that leaves too few training examples is refused with what happened and what to do."""
    days = len(series.dates)
    rows = int(series.rows_per_day.sum()) if series.rows_per_day is not None else days
    if rows < 2 * days:
        return
    L, H = opts.lookback, opts.horizon
    n_train = len(window_ends(days, L, H, opts.val_frac, opts.test_frac, skip)["train"])
    if n_train >= MIN_TRAIN_WINDOWS:
        return
    need = rows_for_train(L, H, opts.val_frac, opts.test_frac, skip, MIN_TRAIN_WINDOWS)
    raise keyed(
        DataError(
            f"the file has {rows:,} rows but only {days:,} different days (several rows per "
            f"day: prices within the day, for example one a minute, or several series in one file). "
            f"This task forecasts one closing price per day, so only {days:,} rows remain and "
            f"{n_train} training examples, too few to learn from. Upload one row per day (each "
            f"day's closing price) covering at least {need:,} days, or shorten the lookback"
        ),
        "data.stock.collapsed",
        rows=f"{rows:,}",
        days=f"{days:,}",
        n_train=f"{n_train:,}",
        need=f"{need:,}",
    )


# --------------------------------------------------------------------------------------------
# The prepared data
# --------------------------------------------------------------------------------------------


@dataclass
class StockData(TaskData):
    """Windows of one price series, the scaler fitted on the training rows, and the test facts."""

    opts: StockOptions = field(default_factory=StockOptions)
    names: tuple[str, ...] = ("close",)
    scaler: Scaler = field(default_factory=lambda: Scaler((0.0,), (1.0,), 0.0, 1.0))
    target: str = "log_return"
    lookback: int = 30
    horizon: int = 1
    skip: int = 1
    windows: dict[str, _Windows] = field(default_factory=dict)
    input_dates: dict[str, np.ndarray] = field(default_factory=dict)  # part -> (N, lookback) dates
    last_dates: list[str] = field(default_factory=list)
    last_window: list[list[float]] = field(default_factory=list)  # raw values of the last rows
    _baselines: dict[str, dict[str, float]] | None = None

    # ---- model outputs as prices

    def _forecast(self, model: torch.nn.Module, split: str) -> tuple[np.ndarray, float]:
        """Forecast prices (N, horizon) for a part, and the mean loss on standardised targets."""
        if split not in self.splits:
            raise DataError(f"no {split!r} data here (a restored model can only predict)")
        data = self.splits[split]
        n = data["x"].size(0)
        zs, loss_sum = [], 0.0
        for b, out in run_batches(model, iterate(data, EVAL_BATCH)):
            loss_sum += float(task_loss(OBJECTIVE, out.logits.detach(), b)) * b["x"].size(0)
            zs.append(out.logits.detach().float().cpu().numpy().reshape(b["x"].size(0), -1))
        z = np.concatenate(zs) if zs else np.zeros((0, self.horizon))
        prices = to_prices(z.astype(np.float64), self.windows[split].last, self.scaler, self.target)
        return prices, loss_sum / max(n, 1)

    def evaluate(self, model: torch.nn.Module, split: str = "val") -> dict[str, float]:
        """loss (MSE on standardised targets) and rmse, mae, mape, direction_accuracy on prices."""
        prices, loss = self._forecast(model, split)
        w = self.windows[split]
        return {"loss": float(loss), **_price_metrics(w.future, prices, w.last)}

    def baselines(self) -> dict[str, dict[str, float]]:
        """Test metrics of "persistence" (every future day = the last close), "moving_average"
        (every future day = the mean of the last ``ma_window`` closes), "momentum" (the last day's
        move goes on: day k = last + k * (last - the close before it)) and "chance" (a coin flip
        for the direction, 50 %; it forecasts no price).

        Persistence never moves, so it makes no call on the direction and has no direction
        accuracy: against its 0 % by construction any model would look good. Momentum, the moving
        average and chance are the baselines that do call a direction.
        """
        if self._baselines is None:
            w = self.windows.get("test")
            if w is None:
                return {}
            H = self.horizon
            persist = np.repeat(w.last[:, None], H, axis=1)
            moving = np.repeat(w.moving_avg[:, None], H, axis=1)
            momentum = w.last[:, None] + np.arange(1, H + 1)[None, :] * (w.last - w.prev)[:, None]
            persistence = _price_metrics(w.future, persist, w.last)
            del persistence["direction_accuracy"]  # no direction: not 0 %, but none
            self._baselines = {
                "persistence": persistence,
                "moving_average": _price_metrics(w.future, moving, w.last),
                "momentum": _price_metrics(w.future, momentum, w.last),
                "chance": {"direction_accuracy": 0.5},
            }
        return {k: dict(v) for k, v in self._baselines.items()}

    def largest_move(self, batch_size: int) -> LargestMove | None:
        """The training day with the largest standardised return (log-return targets only).

        The loss is the mean squared error on standardised returns: about 1 for a batch of ordinary
        days and a model that has learnt little. A day z standard deviations away adds about
        (z^2 - 1) / (B H) to the loss of the batch of B windows (H days each) that holds it, so a
        crash day in the training data lifts one batch's loss far above the rest once every epoch,
        at a different step each time because the batches are shuffled.
        """
        train = self.splits.get("train")
        if self.target != "log_return" or train is None or train["y"].numel() == 0:
            return None
        y = train["y"].numpy()  # (N, H)
        i, h = (int(v) for v in np.unravel_index(int(np.argmax(np.abs(y))), y.shape))
        w = self.windows["train"]
        before = w.last[i] if h == 0 else w.future[i, h - 1]
        z = float(y[i, h])
        batch = min(max(1, batch_size), y.shape[0]) * y.shape[1]
        return LargestMove(str(w.dates[i, h]), float(w.future[i, h] / before - 1), z, 1 + (z * z - 1) / batch)

    def examples(self, model: torch.nn.Module, n: int = 0) -> list[dict[str, Any]]:
        """The test range as a series for a chart: one dict per test day with the actual close,
        the model's forecast made the day before (first horizon step) and the persistence
        forecast. ``n`` > 0 keeps only the last n days; 0 keeps them all."""
        if "test" not in self.splits:
            return []
        prices, _ = self._forecast(model, "test")
        w = self.windows["test"]
        rows = [
            {
                "date": str(w.dates[i, 0]),
                "actual": float(w.future[i, 0]),
                "predicted": float(prices[i, 0]),
                "persistence": float(w.last[i]),
            }
            for i in range(len(w.last))
        ]
        return rows[-n:] if n > 0 else rows

    def probe(self) -> tuple[Batch, dict[str, list[str]]] | None:
        """The first test window, labelled with the dates of its input days."""
        test = self.splits.get("test")
        if test is None or test["x"].size(0) == 0:
            return None
        batch = {k: v[:1] for k, v in test.items()}
        return batch, {"x": [str(d) for d in self.input_dates["test"][0]]}

    def probe_for(self, model: torch.nn.Module) -> tuple[Batch, dict[str, list[str]]] | None:
        """A loaded model has no test windows: its probe is the last window it was saved with (the
        days just before its forecast), the same numbers a forecast from the checkpoint reads."""
        found = self.probe()
        if found is not None or len(self.last_window) < self.lookback + self.skip:
            return found
        x = self._encode(np.asarray(self.last_window, dtype=np.float64))
        batch = {
            "x": torch.tensor(x, dtype=torch.float32).unsqueeze(0),
            "y": torch.zeros(1, self.horizon, dtype=torch.float32),
        }
        return batch, {"x": list(self.last_dates[-self.lookback :])}

    # ---- raw inputs

    def _encode(self, values: np.ndarray) -> np.ndarray:
        """Raw rows (n, F) with n >= lookback + skip -> standardised model input (lookback, F)."""
        feat, _, _ = transform(values, self.names, self.target)
        return self.scaler.x(feat[-self.lookback :])

    def _input_values(self, item: Any) -> np.ndarray:
        need = self.lookback + self.skip
        if isinstance(item, bytes | bytearray):
            df = read_csv(bytes(item), row="day")
            if self.names == ("close",):
                col = self.opts.value_column if has_column(df, self.opts.value_column) else "close"
                columns = {"close": col}
            else:
                columns = {n: n for n in self.names}
            series, _ = parse_prices(
                df,
                self.opts.date_column if has_column(df, self.opts.date_column) else "date",
                columns,
                "input",
            )
            values = series.values
        else:
            if self.names != ("close",):
                raise DataError(
                    "this model reads open, high, low, close and volume; give a CSV with those columns "
                    "instead of a list of prices"
                )
            try:
                values = np.asarray([float(v) for v in item], dtype=np.float64).reshape(-1, 1)
            except (TypeError, ValueError):
                raise DataError("a price series must be a list of numbers") from None
        if len(values) < need:
            raise DataError(
                f"the model needs at least {need} prices (lookback {self.lookback}"
                + (" + 1 for the first return" if self.skip else "")
                + f"); got {len(values)}"
            )
        values = values[-need:]
        if not np.all(np.isfinite(values)):
            raise keyed(
                DataError("the price series contains empty or non-finite values"), "data.stock.not_finite"
            )
        for j, name in enumerate(self.names):
            if name != "volume":
                check_magnitude(values[:, j], None)
        return values

    def predict(self, model: torch.nn.Module, inputs: list[Any], **kw: Any) -> list[dict[str, Any]]:
        """Forecast the next ``horizon`` closes after each input.

        inputs: price series (lists of floats, oldest first, at least ``lookback`` long, one more
        for log returns) or CSV bytes (date column + value column, or OHLCV columns).
        Returns one {"forecast": [prices], "last": last close} per input.
        """
        if not inputs:
            return []
        raws = [self._input_values(item) for item in inputs]
        encoded = np.stack([self._encode(v) for v in raws])
        with np.errstate(all="ignore"):
            _check_scaled(encoded, "these prices")
        x = torch.tensor(encoded, dtype=torch.float32)
        z = np.concatenate(
            [
                o.logits.float().cpu().numpy().reshape(b["x"].size(0), -1)
                for b, o in run_batches(model, [{"x": x}])
            ]
        )
        c = self.names.index("close")
        last = np.array([v[-1, c] for v in raws])
        with np.errstate(all="ignore"):
            prices = to_prices(z.astype(np.float64), last, self.scaler, self.target)
        if not np.all(np.isfinite(prices)) or np.any(np.abs(prices) > MAX_PRICE):
            raise keyed(
                DataError(
                    "the forecast for these prices is not a sensible number (it overflows); the prices "
                    "are too far from those the model was trained on"
                ),
                "data.stock.forecast_overflow",
            )
        return [{"forecast": [float(p) for p in prices[i]], "last": float(last[i])} for i in range(len(raws))]

    def state(self) -> dict[str, Any]:
        """Scaler, options, feature names and the last input window (dates and raw values)."""
        return {
            "options": dataclasses.asdict(self.opts),
            "features": list(self.names),
            "target": self.target,
            "lookback": self.lookback,
            "horizon": self.horizon,
            "scaler": dataclasses.asdict(self.scaler),
            "last_dates": list(self.last_dates),
            "last_window": [list(r) for r in self.last_window],
        }


def _build(series: PriceSeries, opts: StockOptions, notices: list[str]) -> StockData:
    """Split in time order, fit the scaler on train rows, cut windows, compute test facts."""
    L, H = opts.lookback, opts.horizon
    for j, name in enumerate(series.names):
        if name != "volume":
            check_magnitude(series.values[:, j], name)
        elif not np.all(np.isfinite(series.values[:, j])):
            raise DataError(f"{series.label}: the volume column has values that are not finite numbers")
    feat, tgt, skip = transform(series.values, series.names, opts.target)
    n = len(series.dates)
    need = min_rows(L, H, opts.val_frac, opts.test_frac, skip)
    if n < need:
        split = f"{1 - opts.val_frac - opts.test_frac:.0%}/{opts.val_frac:.0%}/{opts.test_frac:.0%}"
        raise keyed(
            DataError(
                f"{series.label} has {n} row{'' if n == 1 else 's'}; lookback {L}, horizon {H} and a {split} "
                f"split need at least {need} rows (use more days or a shorter lookback)"
            ),
            "data.stock.too_few_rows",
            count=n,
            label=series.label,
            lookback=L,
            horizon=H,
            split=split,
            need=need,
        )
    n_tr, _, _ = split_rows(n, opts.val_frac, opts.test_frac)
    scaler = Scaler.fit(feat[skip:n_tr], tgt[skip:n_tr])  # training rows only
    fx, fy = scaler.x(feat), scaler.y(tgt)
    with np.errstate(all="ignore"):
        _check_scaled(np.concatenate([fx[skip:].ravel(), fy[skip:]]), f"the values of {series.label}")
    close = series.values[:, series.names.index("close")]
    cum = np.concatenate([[0.0], np.cumsum(close)])
    k = opts.ma_window
    ends = window_ends(n, L, H, opts.val_frac, opts.test_frac, skip)
    splits: dict[str, Batch] = {}
    windows: dict[str, _Windows] = {}
    input_dates: dict[str, np.ndarray] = {}
    for part, t in ends.items():
        xi = t[:, None] + np.arange(-L + 1, 1)  # (N, L) input rows
        yi = t[:, None] + np.arange(1, H + 1)  # (N, H) target rows
        splits[part] = {
            "x": torch.tensor(fx[xi], dtype=torch.float32),  # (N, L, F)
            "y": torch.tensor(fy[yi], dtype=torch.float32),  # (N, H)
        }
        lo = np.maximum(t - k + 1, 0)
        windows[part] = _Windows(
            last=close[t],
            future=close[yi],
            dates=series.dates[yi],
            moving_avg=(cum[t + 1] - cum[lo]) / (t + 1 - lo),
            prev=close[np.maximum(t - 1, 0)],
        )
        input_dates[part] = series.dates[xi]
    tail = series.values[-(L + skip) :]
    return StockData(
        splits=splits,
        model_fields={"vocab_size": 0, "in_features": len(series.names), "n_out": H, "max_len": L},
        notices=notices,
        opts=opts,
        names=series.names,
        scaler=scaler,
        target=opts.target,
        lookback=L,
        horizon=H,
        skip=skip,
        windows=windows,
        input_dates=input_dates,
        last_dates=[str(d) for d in series.dates[-L:]],
        last_window=[[float(v) for v in row] for row in tail],
    )


@lru_cache(maxsize=16)
def _prepare_offline(opts: StockOptions, seed: int) -> StockData:
    ticker = opts.ticker.strip().upper()
    series = clip_dates(select_features(offline_prices(ticker), opts.features), opts.start, opts.end)
    return _build(series, opts, [])


def _prepare_yfinance(opts: StockOptions) -> StockData:
    series, notices = yahoo_prices(opts.ticker, opts.start, opts.end)
    return _build(select_features(series, opts.features), opts, notices)


def _prepare_upload(opts: StockOptions, upload: bytes | None) -> StockData:
    if upload is None:
        raise DataError(
            "source is 'upload' but no file was given: upload a CSV with a date and a price column"
        )
    notices: list[str] = []
    if opts.features == "ohlcv":
        notices.append(
            "an upload gives one value column, so the model reads that column only (features: close)"
        )
    df = read_csv(upload, row="day")
    series, more = parse_prices(df, opts.date_column, {"close": opts.value_column}, "the uploaded file")
    notices += more
    series = clip_dates(series, opts.start, opts.end)
    _check_collapsed(series, opts, skip=1 if opts.target == "log_return" else 0)
    return _build(series, dataclasses.replace(opts, features="close"), notices)


class StockTask(Task):
    name = "stock"
    order = 10  # where the app lists it (its page's PageConfig.order agrees)
    title = "Stock price forecasting"
    objective = OBJECTIVE
    options = StockOptions
    primary = Metric("rmse", higher_is_better=False, label="Test RMSE (price)")
    description = (
        "Read the last days of a stock's prices and forecast the next closing prices. The days are "
        "split in time order (train, then validation, then test) so the model is always tested on a "
        "future it has not seen. Baselines: 'persistence' (tomorrow = today) and a moving average; "
        "beating persistence is harder than it looks."
    )

    # Small models and few epochs: ~2,200 training windows of 30 days train in seconds. Daily
    # returns are mostly noise, so bigger models and longer training only overfit.
    tuned: ClassVar[dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {
        "recurrent": (
            {"embed_dim": 32, "hidden_size": 64, "num_layers": 1, "dropout": 0.0},
            {"epochs": 8, "batch_size": 128, "lr": 1e-3},
        ),
        "transformer-encoder": (
            {"d_model": 32, "n_heads": 4, "d_ff": 64, "n_layers": 1, "dropout": 0.1},
            {"epochs": 8, "batch_size": 128, "lr": 1e-3},
        ),
    }

    @classmethod
    def prepare(cls, opts: StockOptions, seed: int = 0, upload: bytes | None = None) -> StockData:
        """Load prices (offline / Yahoo Finance / upload), split by time, scale, cut windows.

        Offline data is cached in-process per (options, seed); Yahoo Finance downloads are cached
        on disk (see :func:`core.tasks.stock_sources.cache_dir`); uploads are not cached.
        """
        if opts.source == "upload":
            return _prepare_upload(opts, upload)
        if opts.source == "yfinance":
            return _prepare_yfinance(opts)
        return _prepare_offline(opts, seed)

    @classmethod
    def restore(cls, state: dict[str, Any], opts: StockOptions) -> StockData:
        """A predictor from :meth:`StockData.state` (no splits: it can predict, not evaluate)."""
        s = state["scaler"]
        scaler = Scaler(tuple(s["mean"]), tuple(s["std"]), float(s["y_mean"]), float(s["y_std"]))
        names = tuple(state["features"])
        target = str(state.get("target", opts.target))
        lookback = int(state.get("lookback", opts.lookback))
        horizon = int(state.get("horizon", opts.horizon))
        if "close" not in names or len(scaler.mean) != len(names):
            raise ValueError("the saved stock state does not match its feature names")
        return StockData(
            splits={},
            model_fields={"vocab_size": 0, "in_features": len(names), "n_out": horizon, "max_len": lookback},
            notices=[],
            opts=opts,
            names=names,
            scaler=scaler,
            target=target,
            lookback=lookback,
            horizon=horizon,
            skip=1 if target == "log_return" else 0,
            last_dates=list(state.get("last_dates", [])),
            last_window=[list(r) for r in state.get("last_window", [])],
        )
