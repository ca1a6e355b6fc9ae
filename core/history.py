"""A learner's runs of one task, side by side: records, what changed between them, a bounded list,
and a small on-disk store that lets the runs outlive a page reload.

A :class:`RunRecord` is what is left of a finished run once its model is gone: its settings, its
curves (thinned), its final metrics, its time and size. A :class:`History` keeps at most ``cap``
of them, dropping the oldest unpinned one first and saying which. A :class:`RunStore` keeps a
history (and the latest model as a checkpoint zip: safetensors + JSON, never a pickle) in a folder
named by an unguessable token, for ``keep_s`` seconds after its last write.

Nothing here knows about a user interface; the app draws these.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

CURVE_POINTS = 300  # a record's loss curve is thinned to about this many points
DEFAULT_CAP = 12  # runs kept per task page
DEFAULT_KEEP_S = 24 * 3600.0  # a stored history lives this long after its last change
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_STORE_BYTES = 64 * 1024 * 1024  # per token: history + one model; a larger model is not kept


def thin(points: Sequence[tuple[float, float]], limit: int = CURVE_POINTS) -> list[tuple[float, float]]:
    """Every k-th point so that at most about ``limit`` remain; the last point is always kept."""
    pts = [(float(x), float(y)) for x, y in points]
    if len(pts) <= limit:
        return pts
    k = math.ceil(len(pts) / limit)
    out = pts[::k]
    if out[-1] != pts[-1]:
        out.append(pts[-1])
    return out


@dataclass
class RunRecord:
    """One finished run of a task page: enough to redraw its curves and reproduce it."""

    id: int  # 1, 2, 3... in the order the runs were started on the page
    task: str
    arch: str
    settings: dict[str, Any]  # "section.field" -> value, what the page trained with
    query: dict[str, str] = field(default_factory=dict)  # the share link's parameters
    preset: str | None = None
    name: str = ""  # the learner's own name for it ("" -> "Run <id>")
    pinned: bool = False
    reason: str = ""  # how it ended: done, stopped, target, diverged...
    n_params: int = 0
    elapsed_s: float = 0.0
    epochs: int = 0
    primary: str = ""  # the task's primary metric
    test: dict[str, float] = field(default_factory=dict)
    loss: list[tuple[float, float]] = field(default_factory=list)  # (step, training loss), thinned
    val_loss: list[tuple[float, float]] = field(default_factory=list)  # (step, validation loss)
    val_metric: list[tuple[float, float]] = field(default_factory=list)  # (epoch, primary metric)
    created: float = field(default_factory=time.time)

    @property
    def label(self) -> str:
        return self.name or f"Run {self.id}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RunRecord:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        for k in ("loss", "val_loss", "val_metric"):
            kw[k] = [(float(a), float(b)) for a, b in kw.get(k) or []]
        return cls(**kw)


def record_from_events(
    id: int,
    task: str,
    arch: str,
    settings: dict[str, Any],
    events: Iterable[Any],
    *,
    primary: str,
    n_params: int = 0,
    query: dict[str, str] | None = None,
    preset: str | None = None,
) -> RunRecord:
    """A record from a run's events (Step, Epoch, Finished as in :mod:`core.events`)."""
    loss: list[tuple[float, float]] = []
    val_loss: list[tuple[float, float]] = []
    val_metric: list[tuple[float, float]] = []
    fin = None
    for e in events:
        kind = getattr(e, "type", None)
        if kind == "step":
            loss.append((e.step, e.loss))
        elif kind == "epoch":
            val_loss.append((e.step, e.val.get("loss", float("nan"))))
            val_metric.append((e.epoch, e.val.get(primary, float("nan"))))
        elif kind == "finished":
            fin = e
    return RunRecord(
        id=id,
        task=task,
        arch=arch,
        settings=dict(settings),
        query=dict(query or {}),
        preset=preset,
        reason=fin.reason if fin else "",
        n_params=int(n_params),
        elapsed_s=float(fin.elapsed_s) if fin else 0.0,
        epochs=int(fin.epoch) if fin else (int(val_metric[-1][0]) if val_metric else 0),
        primary=primary,
        test={k: float(v) for k, v in (fin.test if fin else {}).items()},
        loss=thin(loss),
        val_loss=val_loss,
        val_metric=val_metric,
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    return a == b


def differences(before: RunRecord | None, after: RunRecord) -> list[tuple[str, Any, Any]]:
    """The settings that differ from ``before`` to ``after``: (key, old, new), architecture first.

    A key one of them lacks (another architecture's knobs) counts only when the other has it."""
    if before is None:
        return []
    out: list[tuple[str, Any, Any]] = []
    if before.arch != after.arch:
        out.append(("arch", before.arch, after.arch))
    if (before.preset or None) != (after.preset or None):
        out.append(("preset", before.preset, after.preset))
    keys = list(before.settings) + [k for k in after.settings if k not in before.settings]
    for k in keys:
        if k in before.settings and k in after.settings:
            if not _same(before.settings[k], after.settings[k]):
                out.append((k, before.settings[k], after.settings[k]))
        elif before.arch == after.arch:  # a field shown only for some values of another one
            out.append((k, before.settings.get(k), after.settings.get(k)))
    return out


def fmt_value(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


@dataclass
class History:
    """A page's runs, oldest first, at most ``cap`` of them (pinned ones are never dropped)."""

    cap: int = DEFAULT_CAP
    records: list[RunRecord] = field(default_factory=list)
    next_id: int = 1

    def new_id(self) -> int:
        i = self.next_id
        self.next_id += 1
        return i

    def add(self, record: RunRecord) -> list[RunRecord]:
        """Append; returns the records dropped to stay within the cap (oldest unpinned first)."""
        self.records = [r for r in self.records if r.id != record.id] + [record]
        self.next_id = max(self.next_id, record.id + 1)
        dropped: list[RunRecord] = []
        while len(self.records) > self.cap:
            victim = next((r for r in self.records if not r.pinned and r is not record), None)
            if victim is None:  # everything pinned: the cap gives way rather than lose a pin
                break
            self.records.remove(victim)
            dropped.append(victim)
        return dropped

    def get(self, id: int) -> RunRecord | None:
        return next((r for r in self.records if r.id == id), None)

    def previous(self, record: RunRecord) -> RunRecord | None:
        """The run before ``record`` (what its changes are measured against)."""
        before = [r for r in self.records if r.id < record.id]
        return before[-1] if before else None

    def delete(self, id: int) -> None:
        self.records = [r for r in self.records if r.id != id]

    def pin(self, id: int, pinned: bool = True) -> None:
        r = self.get(id)
        if r is not None:
            r.pinned = pinned

    def rename(self, id: int, name: str) -> None:
        r = self.get(id)
        if r is not None:
            r.name = name.strip()[:60]

    def table(self) -> list[dict[str, Any]]:
        """One row per run: name, the settings that differ between the runs, metrics, time, size."""
        varying = self.varying_keys()
        metric_names: list[str] = []
        for r in self.records:
            for k in r.test:
                if k not in metric_names:
                    metric_names.append(k)
        rows = []
        for r in self.records:
            row: dict[str, Any] = {"id": r.id, "name": r.label, "pinned": r.pinned, "arch": r.arch}
            for k in varying:
                row[k] = fmt_value(r.settings.get(k)) if k in r.settings else ""
            for m in metric_names:
                row[f"test.{m}"] = r.test.get(m)
            row.update(
                {"epochs": r.epochs, "time_s": round(r.elapsed_s, 2), "params": r.n_params, "ended": r.reason}
            )
            rows.append(row)
        return rows

    def varying_keys(self) -> list[str]:
        """Settings whose value is not the same in every run (the columns worth showing)."""
        keys: list[str] = []
        for r in self.records:
            for k in r.settings:
                if k not in keys:
                    keys.append(k)
        out = []
        for k in keys:
            vals = [r.settings.get(k, None) for r in self.records]
            if any(not _same(vals[0], v) for v in vals[1:]):
                out.append(k)
        return out

    def to_csv(self) -> str:
        rows = self.table()
        if not rows:
            return ""
        cols: list[str] = []
        for row in rows:
            cols += [c for c in row if c not in cols]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols)
        w.writeheader()
        for row in rows:
            w.writerow(row)
        return buf.getvalue()

    def to_json(self) -> dict[str, Any]:
        return {"cap": self.cap, "next_id": self.next_id, "records": [r.to_json() for r in self.records]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> History:
        h = cls(cap=int(d.get("cap", DEFAULT_CAP)), next_id=int(d.get("next_id", 1)))
        h.records = [RunRecord.from_json(r) for r in d.get("records") or []]
        if h.records:
            h.next_id = max(h.next_id, max(r.id for r in h.records) + 1)
        return h


def new_token() -> str:
    """An unguessable name for one learner's stored runs (128 bits)."""
    return secrets.token_urlsafe(16)


def valid_token(token: Any) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


class RunStore:
    """Histories on disk, one folder per token: ``<token>/<page>.json`` and ``<token>/<page>.zip``.

    A folder untouched for ``keep_s`` seconds is deleted on the next write to the store. A token
    that is not of the expected form is refused, so a crafted one cannot name another path.
    """

    def __init__(self, root: str | Path, keep_s: float = DEFAULT_KEEP_S, max_bytes: int = MAX_STORE_BYTES):
        self.root = Path(root)
        self.keep_s = keep_s
        self.max_bytes = max_bytes

    def _dir(self, token: str) -> Path:
        if not valid_token(token):
            raise ValueError("not a run-history token")
        return self.root / token

    @staticmethod
    def _page(page: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{1,40}", page):
            raise ValueError(f"not a page name: {page!r}")
        return page

    def save(self, token: str, page: str, history: History, model_zip: bytes | None = None) -> bool:
        """Write the page's history (and its latest model, when given and small enough); returns
        whether the model was kept."""
        d = self._dir(token)
        d.mkdir(parents=True, exist_ok=True)
        p = self._page(page)
        tmp = d / f".{p}.json.tmp"
        tmp.write_text(json.dumps(history.to_json(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(d / f"{p}.json")
        kept = False
        if model_zip is not None:
            if len(model_zip) <= self.max_bytes:
                tmpz = d / f".{p}.zip.tmp"
                tmpz.write_bytes(model_zip)
                tmpz.replace(d / f"{p}.zip")
                kept = True
            else:
                (d / f"{p}.zip").unlink(missing_ok=True)
        self.expire()
        return kept

    def load(self, token: str, page: str) -> tuple[History | None, bytes | None]:
        """The page's stored history and latest model zip (None, None when there is none or it
        expired)."""
        try:
            d = self._dir(token)
            p = self._page(page)
        except ValueError:
            return None, None
        f = d / f"{p}.json"
        if not f.is_file() or self._expired(d):
            return None, None
        try:
            history = History.from_json(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            return None, None
        z = d / f"{p}.zip"
        return history, (z.read_bytes() if z.is_file() else None)

    def forget(self, token: str, page: str | None = None) -> None:
        d = self._dir(token)
        if page is None:
            shutil.rmtree(d, ignore_errors=True)
            return
        p = self._page(page)
        for name in (f"{p}.json", f"{p}.zip"):
            (d / name).unlink(missing_ok=True)

    def _expired(self, d: Path, now: float | None = None) -> bool:
        try:
            newest = max(f.stat().st_mtime for f in d.iterdir()) if any(d.iterdir()) else d.stat().st_mtime
        except (OSError, ValueError):
            return True
        return (now or time.time()) - newest > self.keep_s

    def expire(self, now: float | None = None) -> list[str]:
        """Delete every folder older than ``keep_s``; returns the tokens removed."""
        gone = []
        if not self.root.is_dir():
            return gone
        for d in self.root.iterdir():
            if d.is_dir() and valid_token(d.name) and self._expired(d, now):
                shutil.rmtree(d, ignore_errors=True)
                gone.append(d.name)
        return gone
