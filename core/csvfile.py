"""Reading a user's CSV file: bytes -> DataFrame with a clear error for every way it can fail
(empty, binary, unknown encoding, not a table, no data rows), and its columns found by name.

Used by the uploads of the stock task (one row per day) and the sentiment task (one row per text).
"""

from __future__ import annotations

import io
from typing import Any

from core.messages import keyed, shorten
from core.tasks.base import DataError

_ONE_ROW = {
    "text": "one row per text (the text and its label)",
    "day": "one row per day (its date and closing price)",
}


def read_csv(raw: bytes, row: str = "text") -> Any:
    """Bytes of a user's CSV -> DataFrame; DataError when it is empty, binary or not a table.

    ``row`` is what one row holds, for the message about an empty file: "text" (a text and its
    label, the sentiment upload) or "day" (a day's prices)."""
    import pandas as pd

    if raw is None or len(raw.strip()) == 0:
        one_row = _ONE_ROW.get(row, "one row per example")
        raise keyed(
            DataError(f"the file is empty: upload a CSV with a header row and {one_row}"),
            f"data.csv.empty_{row}",
        )
    if b"\x00" in raw[:65536]:
        raise keyed(DataError("this is not a CSV text file (it contains binary data)"), "data.csv.binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise keyed(
                DataError("this is not a CSV text file (unknown text encoding)"), "data.csv.encoding"
            ) from None
    try:
        df = pd.read_csv(io.StringIO(text))
        header = text.lstrip().splitlines()[0] if text.strip() else ""
        if df.shape[1] == 1:  # maybe another separator (European ';', tab, '|')
            for sep in (";", "\t", "|"):
                if sep in header:
                    df = pd.read_csv(io.StringIO(text), sep=sep)
                    break
    except Exception as e:  # noqa: BLE001 - pandas raises many kinds of parser errors
        why = shorten(str(e))
        raise keyed(
            DataError(f"could not read the file as CSV ({why})"), "data.csv.unreadable", why=why
        ) from None
    if df.shape[1] < 1 or len(df) == 0:
        raise keyed(DataError("the CSV has a header but no data rows"), "data.csv.no_rows")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def find_column(df: Any, name: str, what: str) -> str:
    """The column called ``name`` (exact, else ignoring case); DataError listing the columns otherwise."""
    cols = list(df.columns)
    if name in cols:
        return name
    lower = {str(c).lower(): c for c in cols}
    if name.strip().lower() in lower:
        return lower[name.strip().lower()]
    shown = ", ".join(repr(c) for c in cols[:30]) + (" ..." if len(cols) > 30 else "")
    raise keyed(
        DataError(f"the CSV has no {what} column {name!r}; its columns are: {shown}"),
        f"data.csv.no_column.{what}",
        name=repr(name),
        columns=shown,
    )


def has_column(df: Any, name: str) -> bool:
    """Whether the CSV has a column called ``name`` (exact, else ignoring case)."""
    return name in df.columns or name.strip().lower() in {str(c).lower() for c in df.columns}
