"""Where a stock's daily prices come from (the task's ``source`` option), as one :class:`PriceSeries`.

    offline   daily prices from the ``bokeh_sampledata`` package (Quandl WIKI prices, public
              domain), committed unchanged as ``core/data/stocks.csv.gz``: AAPL, IBM, MSFT
              2000-03-01..2013-03-01, GOOG from 2004-08-19, FB from 2012-05-18. Prices are split-
              and dividend-adjusted (:func:`adjusted`).
    yfinance  any ticker from Yahoo Finance, cached on disk (:func:`cache_dir`); when Yahoo cannot
              be reached the offline prices are used instead and a notice says so.
    upload    a CSV with a date column and a value column (:func:`parse_prices`).

Every price is checked to be a finite number below MAX_PRICE (:func:`check_magnitude`). Cutting the
series into windows is ``core.tasks.stock``'s job.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from core.csvfile import find_column
from core.data import DATA_DIR
from core.messages import Note, keyed, shorten
from core.tasks.base import DataError

OFFLINE_TICKERS = ("AAPL", "GOOG", "IBM", "MSFT", "FB")
OHLCV = ("open", "high", "low", "close", "volume")
FALLBACK_TICKER = "AAPL"
MAX_PRICE = 1e12  # no real price (in any currency) is larger; 1e308 is a typo or an attack
_TICKER_RE = re.compile(r"^[A-Z0-9.^=\-]{1,15}$")
_NETWORK_HINTS = (
    "curl",
    "resolve",
    "connect",
    "timed out",
    "timeout",
    "network",
    "dnserror",
    "failed to perform",
    "ssl",
    "proxy",
)


@dataclass(frozen=True)
class PriceSeries:
    """One stock's raw daily values, oldest first, from any source."""

    dates: np.ndarray  # (N,) datetime64[D], increasing
    values: np.ndarray  # (N, F) float64 raw values (prices, volume in shares)
    names: tuple[str, ...]  # feature names, one per column of values; always contains "close"
    label: str  # e.g. "AAPL 2000-2013" or "upload.csv"
    rows_per_day: np.ndarray | None = None  # (N,) rows of an upload that each day collapsed


# ---- offline -------------------------------------------------------------------------------------


def offline_file() -> Path:
    """The shipped prices file; DataError when it is missing."""
    path = DATA_DIR / "stocks.csv.gz"
    if not path.is_file():
        raise DataError(f"the offline prices file is missing ({path}); restore it from the repository")
    return path


def adjusted(df: Any) -> tuple[np.ndarray, np.ndarray]:
    """(dates, OHLCV values) of the shipped file's rows (one ticker, by date), adjusted for splits
    and dividends: each day's factor f = adj_close / close is applied to open, high and low (volume
    is divided by it), so that a 2-for-1 split does not look like a 50% crash."""
    import pandas as pd

    f = (df["Adj Close"] / df["Close"]).to_numpy(dtype=np.float64)
    values = np.stack(
        [
            df["Open"].to_numpy(dtype=np.float64) * f,
            df["High"].to_numpy(dtype=np.float64) * f,
            df["Low"].to_numpy(dtype=np.float64) * f,
            df["Adj Close"].to_numpy(dtype=np.float64),
            df["Volume"].to_numpy(dtype=np.float64) / f,
        ],
        axis=1,
    )
    dates = pd.to_datetime(df["Date"]).to_numpy().astype("datetime64[D]")
    return dates, values


@lru_cache(maxsize=8)
def offline_prices(ticker: str) -> PriceSeries:
    """The shipped prices of one ticker, adjusted for splits and dividends.

    The file has unadjusted open/high/low/close/volume plus an adjusted close. Each day's factor
    f = adj_close / close is applied to open, high and low (and volume is divided by it), so that a
    2-for-1 split does not look like a 50% crash.
    """
    import pandas as pd

    df = pd.read_csv(offline_file())
    df = df[df["Ticker"] == ticker]
    if df.empty:
        raise keyed(
            DataError(f"no offline prices for {ticker}; offline tickers: {', '.join(OFFLINE_TICKERS)}"),
            "data.stock.no_offline",
            ticker=ticker,
            tickers=", ".join(OFFLINE_TICKERS),
        )
    dates, values = adjusted(df.sort_values("Date"))
    return PriceSeries(dates, values, OHLCV, f"{ticker} {_year(dates[0])}-{_year(dates[-1])}")


def _year(d: np.datetime64) -> str:
    return str(d)[:4]


def select_features(series: PriceSeries, features: str) -> PriceSeries:
    """All of OHLCV (``features`` "ohlcv", when the series has them), else the close only."""
    if features == "ohlcv" and series.names == OHLCV:
        return series
    i = series.names.index("close")
    return dataclasses.replace(series, values=series.values[:, i : i + 1], names=("close",))


def clip_dates(series: PriceSeries, start: str, end: str) -> PriceSeries:
    """The days from ``start`` to ``end`` (ISO dates, inclusive; empty: no limit); DataError when none."""
    keep = np.ones(len(series.dates), dtype=bool)
    if start:
        keep &= series.dates >= np.datetime64(start, "D")
    if end:
        keep &= series.dates <= np.datetime64(end, "D")
    if keep.all():
        return series
    if not keep.any():
        raise DataError(
            f"no prices between {start or 'the start'} and {end or 'the end'}; {series.label} covers "
            f"{series.dates[0]} to {series.dates[-1]}"
        )
    per_day = series.rows_per_day[keep] if series.rows_per_day is not None else None
    return dataclasses.replace(
        series, dates=series.dates[keep], values=series.values[keep], rows_per_day=per_day
    )


# ---- yfinance ---------------------------------------------------------------------------------


class _Unreachable(Exception):
    """Yahoo Finance could not be reached (as opposed to: reached, but no data)."""


def cache_dir() -> Path:
    """Where downloaded prices are kept: $SEQUENCE_LAB_CACHE/prices, else ~/.cache/sequence-lab/prices."""
    root = os.environ.get("SEQUENCE_LAB_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "sequence-lab"
    return base / "prices"


def _cache_file(ticker: str, start: str, end: str) -> Path:
    # Without an end date the download runs up to today, so the file is only reused today.
    return cache_dir() / f"{ticker}_{start or 'first'}_{end or 'to-' + date.today().isoformat()}.csv"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _download(ticker: str, start: str, end: str) -> Any:
    """Daily prices from Yahoo Finance as a DataFrame with columns date, open..volume (adjusted).

    yfinance reports most failures in its log instead of raising, so the log is read to tell
    "network unreachable" (raises _Unreachable) from "no such ticker" (returns an empty frame).
    """
    import pandas as pd
    import yfinance as yf

    collect = _Collect()
    logger = logging.getLogger("yfinance")
    logger.addHandler(collect)
    try:
        with warnings.catch_warnings():  # yfinance's own pandas deprecation noise
            warnings.simplefilter("ignore")
            raw = yf.download(
                ticker,
                start=start or None,
                end=end or None,
                period=None if start else "max",
                auto_adjust=True,
                progress=False,
                threads=False,
                multi_level_index=False,
                timeout=10,
            )
    except Exception as e:  # noqa: BLE001 - any failure to download means "unreachable" here
        raise _Unreachable(f"{type(e).__name__}: {e}") from None
    finally:
        logger.removeHandler(collect)
    if raw is None or len(raw) == 0:
        log = " ".join(collect.messages)
        if any(h in log.lower() for h in _NETWORK_HINTS):
            raise _Unreachable(shorten(log))
        return pd.DataFrame()
    df = raw.copy()
    if isinstance(df.columns, pd.MultiIndex):
        level = [i for i in range(df.columns.nlevels) if "Close" in df.columns.get_level_values(i)]
        df.columns = df.columns.get_level_values(level[0] if level else 0)
    df.columns = [str(c).strip().lower() for c in df.columns]
    if "close" not in df.columns:
        return pd.DataFrame()
    df = df.reset_index()
    df = df.rename(columns={df.columns[0]: "date"})
    for c in OHLCV:
        if c not in df.columns:
            df[c] = df["close"] if c != "volume" else 0.0
    df = df[["date", *OHLCV]].dropna(subset=["close"])
    return df


def _cached_or_downloaded(ticker: str, start: str, end: str) -> PriceSeries:
    """Prices of ``ticker`` from the disk cache, else from Yahoo Finance (then cached)."""
    import pandas as pd

    path = _cache_file(ticker, start, end)
    if path.is_file():
        df = pd.read_csv(path)
    else:
        df = _download(ticker, start, end)
        if len(df) == 0:
            span = f" between {start or 'the start'} and {end or 'today'}" if (start or end) else ""
            raise keyed(
                DataError(
                    f"Yahoo Finance returned no prices for ticker {ticker!r}{span}: check the symbol "
                    "(e.g. AAPL, MSFT, ^GSPC) and the dates"
                ),
                "data.stock.yahoo_empty_dates" if span else "data.stock.yahoo_empty",
                ticker=repr(ticker),
                start=start or "…",
                end=end or "…",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        df.to_csv(tmp, index=False)
        tmp.replace(path)
    dates = pd.to_datetime(df["date"]).to_numpy().astype("datetime64[D]")
    values = df[list(OHLCV)].to_numpy(dtype=np.float64)
    order = np.argsort(dates, kind="stable")
    dates, values = dates[order], values[order]
    return PriceSeries(dates, values, OHLCV, f"{ticker} {_year(dates[0])}-{_year(dates[-1])}")


def yahoo_prices(ticker: str, start: str, end: str) -> tuple[PriceSeries, list[str]]:
    """Daily prices of ``ticker`` (as typed) from Yahoo Finance, through the disk cache, and notices.

    When Yahoo cannot be reached: the offline prices of that ticker (of FALLBACK_TICKER when it is
    not shipped), all of them, and a notice saying so. DataError for a malformed symbol or an
    empty answer (an unknown symbol, or no prices between the dates).
    """
    symbol = ticker.strip().upper()
    if not _TICKER_RE.match(symbol):
        raise keyed(
            DataError(f"{ticker!r} is not a ticker symbol (letters, digits and . ^ = - only)"),
            "data.stock.bad_ticker",
            ticker=repr(ticker),
        )
    try:
        return _cached_or_downloaded(symbol, start, end), []
    except _Unreachable as e:
        series = offline_prices(symbol if symbol in OFFLINE_TICKERS else FALLBACK_TICKER)
        why = shorten(str(e), 100)
        notice = Note(
            f"could not reach Yahoo Finance ({why}); using offline prices for {series.label}",
            "data.stock.unreachable",
            why=why,
            label=series.label,
        )
        return series, [notice]


# ---- upload -------------------------------------------------------------------------------------


def _numbers(df: Any, col: str) -> tuple[np.ndarray, np.ndarray, int, list[str]]:
    """A column as floats ('1,234.5' and '$12' are accepted).

    Returns the values (NaN where blank or unreadable), the mask of blank cells, the number of
    cells holding text that is not a number, and up to three such texts.
    """
    import pandas as pd

    s = df[col]
    text = s.astype(str).str.strip()
    blank = (s.isna() | (text == "") | (text.str.lower() == "nan")).to_numpy()
    if s.dtype.kind in "if":
        return s.to_numpy(dtype=np.float64), blank, 0, []
    cleaned = text.str.replace(r"[,$€£\s]", "", regex=True)
    num = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(num) & ~blank
    return num, blank, int(bad.sum()), [str(v) for v in s[bad].head(3)]


def parse_prices(
    df: Any, date_col: str, columns: dict[str, str], label: str
) -> tuple[PriceSeries, list[str]]:
    """Validate a price table: dates readable, values numeric, sorted by date; blank rows dropped."""
    import pandas as pd

    notices: list[str] = []
    dc = find_column(df, date_col, "date")
    cols = {name: find_column(df, c, "value" if name == "close" else name) for name, c in columns.items()}
    dates = pd.to_datetime(df[dc].astype(str).str.strip(), errors="coerce", format="mixed", utc=True)
    dates = dates.dt.tz_localize(None)  # calendar days; time zones do not matter for daily prices
    stamps = dates.to_numpy()
    intraday = bool(len(stamps)) and bool(
        np.any(stamps != stamps.astype("datetime64[D]").astype(stamps.dtype))
    )
    bad_dates = int(dates.isna().sum())
    if bad_dates:
        example = str(df[dc][dates.isna()].iloc[0])
        raise keyed(
            DataError(
                f"{bad_dates} of {len(df)} row{'' if len(df) == 1 else 's'} "
                f"{'has' if bad_dates == 1 else 'have'} a date that could not be read in column {dc!r} "
                f"(for example {example!r}); write dates like 2020-01-31"
            ),
            "data.csv.bad_dates",
            count=bad_dates,
            total=f"{len(df):,}",
            column=repr(dc),
            example=repr(example),
        )
    values, blanks = [], np.zeros(len(df), dtype=bool)
    for c in cols.values():
        v, blank, n_bad, examples = _numbers(df, c)
        if n_bad:
            raise keyed(
                DataError(
                    f"column {c!r} has {n_bad} non-numeric value{'' if n_bad == 1 else 's'} out of "
                    f"{len(df)} row{'' if len(df) == 1 else 's'} (for example {examples[0]!r}); it must "
                    "hold numbers only"
                ),
                "data.csv.not_numbers",
                count=n_bad,
                total=f"{len(df):,}",
                column=repr(c),
                example=repr(examples[0]),
            )
        blanks |= blank
        values.append(v)
        check_magnitude(v[~blank], c)
    arr = np.stack(values, axis=1)
    d = dates.to_numpy().astype("datetime64[D]")
    if blanks.any():
        notices.append(f"dropped {int(blanks.sum())} row(s) with an empty value")
        arr, d = arr[~blanks], d[~blanks]
    if np.any(d[1:] < d[:-1]):
        order = np.argsort(d, kind="stable")
        d, arr = d[order], arr[order]
        notices.append("the rows were sorted by date")
    rows = len(d)
    dup = np.concatenate([d[1:] == d[:-1], [False]])  # True where the next row has the same date
    _, per_day = np.unique(d, return_counts=True)  # rows per date, in date order
    if dup.any():
        d, arr = d[~dup], arr[~dup]
        if intraday:
            notices.append(
                Note(
                    f"the file has prices within the day ({rows:,} rows on {len(d):,} days, for example one "
                    "a minute); this task forecasts one closing price per day, so the last price of each "
                    f"day was kept: {len(d):,} rows",
                    "data.stock.intraday",
                    rows=f"{rows:,}",
                    days=f"{len(d):,}",
                )
            )
        else:
            notices.append(
                Note(
                    f"dropped {int(dup.sum())} row(s) with a repeated date (kept the last)",
                    "data.stock.repeated_dates",
                    n=f"{int(dup.sum()):,}",
                )
            )
    names = tuple(cols)
    return PriceSeries(d, arr, names, label, rows_per_day=per_day), notices


def check_magnitude(values: np.ndarray, column: str | None) -> None:
    """Prices are finite and below MAX_PRICE; DataError naming the column (None: typed prices)."""
    big = ~np.isfinite(values) | (np.abs(values) > MAX_PRICE)
    if not big.any():
        return
    n, example, limit = f"{int(big.sum()):,}", f"{values[big][0]:g}", f"{MAX_PRICE:g}"
    where = f"column {column!r} has" if column else "the prices have"
    raise keyed(
        DataError(
            f"{where} {n} value(s) beyond {limit} (for example {example}); no price is that large: "
            "check the numbers and their units"
        ),
        "data.stock.too_large" if column else "data.stock.too_large_typed",
        column=column or "",
        n=n,
        example=example,
        limit=limit,
    )
