"""My runs, side by side: every task page keeps the session's runs, not one slot.

When a run ends the page turns it into a :class:`~core.history.RunRecord` (settings, curves,
metrics, time, size) and adds it to the page's :class:`~core.history.History` in
``st.session_state`` (never a shared cache). The live charts draw the earlier runs faded behind
the current one; a table lists them (pin, rename, delete, load their settings, a share link each,
CSV). The history and the latest model are also written to a :class:`~core.history.RunStore`
folder named by an unguessable token kept in the address bar (``?runs=...``), so a reload brings
them back for a stated time. A session that reads a token writes its own runs under a new one:
nobody writes into a history another address opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from core.checkpoint import CheckpointError
from core.history import (
    DEFAULT_CAP,
    DEFAULT_KEEP_S,
    History,
    RunRecord,
    RunStore,
    differences,
    fmt_value,
    new_token,
    record_from_events,
    valid_token,
)
from playground.i18n import field_label, t, tn

if TYPE_CHECKING:
    from playground.settings import Chosen, PageConfig
    from playground.training import Run

PARAM = "runs"  # the query parameter that holds the token
GHOSTS = 5  # earlier runs drawn behind the current one (pinned ones first)


def store() -> RunStore:
    root = os.environ.get("SEQUENCE_LAB_RUNS_DIR")
    if not root:
        cache = os.environ.get("SEQUENCE_LAB_CACHE")
        root = str(Path(cache) / "runs") if cache else str(Path.home() / ".cache" / "sequence-lab" / "runs")
    try:
        keep_h = float(os.environ.get("SEQUENCE_LAB_RUNS_KEEP_HOURS", DEFAULT_KEEP_S / 3600))
    except ValueError:
        keep_h = DEFAULT_KEEP_S / 3600
    return RunStore(root, keep_s=keep_h * 3600)


def keep_hours() -> float:
    return store().keep_s / 3600


def _url_token() -> str | None:
    try:
        tok = st.query_params.get(PARAM)
    except Exception:  # noqa: BLE001 - outside a script run
        return None
    return tok if valid_token(tok) else None


def _own_token() -> str:
    tok = st.session_state.get("_runs.token")
    if not valid_token(tok):
        tok = new_token()
        st.session_state["_runs.token"] = tok
    return tok


def _show_token() -> None:
    tok = st.session_state.get("_runs.token")
    if valid_token(tok) and st.query_params.get(PARAM) != tok:
        st.query_params[PARAM] = tok


def history(page: str) -> History:
    """The page's runs in this session; on a page's first draw, the stored ones the address names."""
    key = f"{page}._history"
    h = st.session_state.get(key)
    if isinstance(h, History):
        _show_token()
        return h
    h = History(cap=DEFAULT_CAP)
    tok = _url_token() or st.session_state.get("_runs.token")
    if valid_token(tok):
        stored, model_zip = store().load(tok, page)
        if stored is not None:
            h = stored
            st.session_state[f"{page}._history.restored"] = True
            if model_zip is not None and h.records:
                st.session_state[f"{page}._restored_zip"] = (h.records[-1].id, model_zip)
    st.session_state[key] = h
    return h


def restored_model(page: str, task_name: str) -> Any:
    """The latest run's model brought back by a reload (a checkpoint, loaded once), or None."""
    slot = st.session_state.get(f"{page}._restored_zip")
    if slot is None:
        return None
    loaded = st.session_state.get(f"{page}._restored")
    if loaded is not None and loaded[0] == slot[0]:
        return loaded[1]
    from playground.results import load_uploaded

    try:
        model = load_uploaded(slot[1], task_name)
    except CheckpointError:
        st.session_state.pop(f"{page}._restored_zip", None)
        return None
    st.session_state[f"{page}._restored"] = (slot[0], model)
    return model


def forget_restored(page: str) -> None:
    for k in (f"{page}._restored_zip", f"{page}._restored"):
        st.session_state.pop(k, None)


def begin(page: str, run: Run, chosen: Chosen) -> None:
    """Label a run that was just submitted with its id and the settings it came from."""
    h = history(page)
    run.history_id = h.new_id()
    run.settings = dict(chosen.settings)
    run.query = dict(chosen.query)
    run.preset = chosen.preset
    forget_restored(page)  # a new run on the page replaces a model a reload brought back


def record(page: str, run: Run | None) -> RunRecord | None:
    """Add a run that ended to the page's history, once; store it (and its model) for reloads."""
    if run is None or not run.done or run.recorded or not run.history_id:
        return None
    run.recorded = True
    if run.finished is None:  # failed before training: nothing to compare
        return None
    spec = run.spec
    rec = record_from_events(
        run.history_id,
        spec.task.name,
        spec.arch,
        run.settings,
        run.events,
        primary=spec.task.primary.name,
        n_params=run.n_params,
        query=run.query,
        preset=run.preset,
    )
    h = history(page)
    dropped = h.add(rec)
    if dropped:
        st.session_state[f"{page}._history.dropped"] = [label(r) for r in dropped]
    _persist(page, h, run)
    return rec


def _persist(page: str, h: History, run: Run | None = None) -> None:
    model_zip = None
    if run is not None and run.usable:
        try:
            model_zip = run.bundle()
        except Exception:  # noqa: BLE001 - the history is kept even if the model cannot be
            model_zip = None
    try:
        kept = store().save(_own_token(), page, h, model_zip)
        st.session_state[f"{page}._history.model_kept"] = kept or (
            model_zip is None and st.session_state.get(f"{page}._history.model_kept", False)
        )
    except (OSError, ValueError):
        st.session_state[f"{page}._history.unsaved"] = True
        return
    _show_token()


def label(rec: RunRecord) -> str:
    """The run's name: the learner's own, else "Run 3" in the page's language."""
    return rec.name or t("runs.default_name", id=rec.id)


def change_text(changes: list[tuple[str, Any, Any]]) -> str:
    """'Learning rate 0.003 → 0.01, Hidden size 128 → 64'."""
    parts = []
    for key, old, new in changes:
        name = key.rpartition(".")[2]
        label = (
            t("settings.arch")
            if key == "arch"
            else t("settings.preset")
            if key == "preset"
            else field_label(name)
        )
        parts.append(f"{label} {fmt_value(old)} → {fmt_value(new)}")
    return ", ".join(parts)


def changed_from_previous(page: str, run: Run) -> str | None:
    """What the current run changed from the page's previous run, as a sentence (None: nothing)."""
    h = history(page)
    rid = run.history_id
    if not rid or not h.records:
        return None
    before = [r for r in h.records if r.id < rid]
    if not before:
        return None
    prev = before[-1]
    now = RunRecord(
        id=rid,
        task=run.spec.task.name,
        arch=run.spec.arch,
        settings=run.settings,
        preset=run.preset,
    )
    changes = differences(prev, now)
    if not changes:
        return t("runs.same_as", prev=label(prev))
    return t("runs.changed_from", prev=label(prev), changes=change_text(changes))


def ghosts(page: str, current_id: int) -> list[RunRecord]:
    """Earlier runs to draw faded behind the current one: pinned ones, then the latest."""
    others = [r for r in history(page).records if r.id != current_id]
    pinned = [r for r in others if r.pinned]
    rest = [r for r in others if not r.pinned]
    keep = pinned[-GHOSTS:]
    room = GHOSTS - len(keep)
    if room > 0:
        keep += rest[-room:]
    return sorted(keep, key=lambda r: r.id)


def ghost_hover(page: str, ghost: RunRecord, current: Run) -> str:
    """How the earlier run differs from the current one, for the hover text."""
    now = RunRecord(
        id=current.history_id,
        task=current.spec.task.name,
        arch=current.spec.arch,
        settings=current.settings,
        preset=current.preset,
    )
    changes = differences(ghost, now)
    return label(ghost) + (f" ({change_text(changes)})" if changes else "")


def load_settings(pc: PageConfig, run_id: int) -> None:
    """Callback: put a run's settings back into the sidebar (before the widgets are drawn)."""
    from playground.settings import reset_page

    rec = history(pc.page).get(run_id)
    if rec is None:
        return
    reset_page(pc)  # fields the run did not show go back to their defaults
    ss = st.session_state
    ss[f"{pc.page}.arch"] = rec.arch
    if f"{pc.page}.preset" in ss or rec.preset:
        ss[f"{pc.page}.preset"] = rec.preset or ""
    for key, value in rec.settings.items():
        ss[f"{pc.page}.{key}"] = value
    st.session_state[f"{pc.page}._history.loaded"] = label(rec)


def _apply_edits(page: str, h: History, edited: Any, shown: list[RunRecord]) -> bool:
    """Pins, names and deletions made in the table; True when something changed."""
    changed = False
    for i, rec in enumerate(shown):
        if i >= len(edited):
            break
        row = edited.iloc[i]
        if bool(row.get("delete", False)):
            h.delete(rec.id)
            changed = True
            continue
        pinned = bool(row.get("pinned", rec.pinned))
        if pinned != rec.pinned:
            h.pin(rec.id, pinned)
            changed = True
        name = str(row.get("name", label(rec)) or "")
        if name != label(rec) and name.strip():
            h.rename(rec.id, name)
            changed = True
    return changed


def runs_section(pc: PageConfig, share: Callable[[dict[str, str]], str]) -> None:
    """The page's runs table: what differed, how each ended, and what to do with them."""
    import pandas as pd

    from playground import results

    page = pc.page
    h = history(page)
    dropped = st.session_state.pop(f"{page}._history.dropped", None)
    if dropped:
        st.info(t("runs.dropped", runs=", ".join(dropped), cap=h.cap), icon=":material/history:")
    loaded = st.session_state.pop(f"{page}._history.loaded", None)
    if loaded:
        st.success(t("runs.loaded", run=loaded), icon=":material/settings_backup_restore:")
    if st.session_state.pop(f"{page}._history.restored", False) and h.records:
        st.info(tn("runs.restored", len(h.records), hours=f"{keep_hours():g}"), icon=":material/history:")
    if not h.records:
        return
    with st.expander(
        tn("runs.header", len(h.records)), expanded=len(h.records) > 1, icon=":material/history:"
    ):
        rows = h.table()
        shown = list(h.records)
        df = pd.DataFrame(rows).drop(columns=["id"])
        df["name"] = [label(r) for r in shown]
        df.insert(len(df.columns), "link", [share(r.query) for r in shown])
        df.insert(len(df.columns), "delete", False)
        cfg: dict[str, Any] = {
            "name": st.column_config.TextColumn(t("runs.col.name"), max_chars=60),
            "pinned": st.column_config.CheckboxColumn(t("runs.col.pinned"), help=t("runs.col.pinned_help")),
            "arch": st.column_config.TextColumn(t("settings.arch"), disabled=True),
            "epochs": st.column_config.NumberColumn(t("runs.col.epochs"), disabled=True),
            "time_s": st.column_config.NumberColumn(t("runs.col.time"), format="%.1f s", disabled=True),
            "params": st.column_config.NumberColumn(t("runs.col.params"), format="localized", disabled=True),
            "ended": st.column_config.TextColumn(t("runs.col.ended"), disabled=True),
            "link": st.column_config.LinkColumn(t("runs.col.link"), display_text=t("runs.col.link_text")),
            "delete": st.column_config.CheckboxColumn(t("runs.col.delete")),
        }
        for col in df.columns:
            if col.startswith("test."):
                name = col.removeprefix("test.")
                fmt = "percent" if name in results.FRACTIONS else "%.4g"
                cfg[col] = st.column_config.NumberColumn(
                    results.metric_label(name), format=fmt, disabled=True
                )
            elif "." in col and col not in cfg:
                cfg[col] = st.column_config.TextColumn(field_label(col.rpartition(".")[2]), disabled=True)
        df["ended"] = [t(f"runs.reason.{r.reason}", default=r.reason) for r in shown]
        version = st.session_state.get(f"{page}._history.v", 0)
        edited = st.data_editor(
            df,
            column_config=cfg,
            hide_index=True,
            key=f"{page}._runs_table.{version}",
            disabled=["link"],
            width="stretch",
        )
        if _apply_edits(page, h, edited, shown):
            st.session_state[f"{page}._history.v"] = version + 1
            _persist(page, h)
            st.rerun()
        c1, c2, c3 = st.columns([3, 2, 2], vertical_alignment="bottom")
        ids = [r.id for r in shown]
        pick = c1.selectbox(
            t("runs.pick"),
            ids,
            index=len(ids) - 1,
            format_func=lambda i: label(h.get(i)) if h.get(i) else str(i),
            key=f"{page}._runs_pick",
        )
        c2.button(
            t("runs.load"),
            key=f"{page}._runs_load",
            on_click=load_settings,
            args=(pc, pick),
            icon=":material/settings_backup_restore:",
            width="stretch",
        )
        c3.download_button(
            t("runs.csv"),
            data=h.to_csv().encode("utf-8"),
            file_name=f"sequence-lab-{page}-runs.csv",
            mime="text/csv",
            key=f"{page}._runs_csv",
            icon=":material/download:",
            width="stretch",
        )
        if st.session_state.get(f"{page}._history.unsaved"):
            st.caption(t("runs.unsaved"))
        else:
            st.caption(t("runs.kept", cap=h.cap, hours=f"{keep_hours():g}"))
