"""The session janitor: a session disconnected for longer than the grace is closed (once), one
that is connected or came back in time is kept, and closing one gives memory back."""

from __future__ import annotations

import pytest

from playground import heap, sessions


class FakeRuntime:
    """The two thread-safe calls of Streamlit's Runtime the janitor uses, with sessions by hand."""

    def __init__(self):
        self.connected: set[str] = set()
        self.closed: list[str] = []

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.connected

    def clear_user_info_for_session(self, session_id: str) -> None:
        assert session_id not in self.connected  # only sessions that are gone are closed
        self.closed.append(session_id)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(sessions, "_last_seen", {})
    trims = []
    monkeypatch.setattr(heap, "trim", lambda: trims.append(1) or True)
    return trims


def test_only_sessions_gone_longer_than_the_grace_are_closed(fresh):
    rt = FakeRuntime()
    for sid in ("here", "left", "back"):
        sessions.note(sid, now=0.0)
    rt.connected = {"here"}
    assert sessions.sweep(rt, now=20.0, grace_s=30.0) == []  # "left" and "back" gone 20 s: kept
    rt.connected = {"here", "back"}  # "back" reconnects (a network hiccup)
    assert sessions.sweep(rt, now=25.0, grace_s=30.0) == []
    rt.connected = {"here"}
    assert sessions.sweep(rt, now=31.0, grace_s=30.0) == ["left"]  # gone since 0
    assert rt.closed == ["left"] and fresh == [1]  # closed once, then the memory given back
    assert sessions.sweep(rt, now=50.0, grace_s=30.0) == []  # "back" was seen at 25: 25 s ago
    assert sessions.sweep(rt, now=56.0, grace_s=30.0) == ["back"]
    assert sessions.sweep(rt, now=500.0, grace_s=30.0) == []  # "here" stays while connected
    assert rt.closed == ["left", "back"] and len(fresh) == 2


def test_a_running_script_notes_its_session_again(fresh):
    rt = FakeRuntime()
    sessions.note("s", now=0.0)
    sessions.note("s", now=40.0)  # a rerun: the session is here
    assert sessions.sweep(rt, now=60.0, grace_s=30.0) == []
    assert sessions.sweep(rt, now=71.0, grace_s=30.0) == ["s"]


def test_outside_a_server_there_is_no_janitor():
    assert sessions.start_janitor() is False  # no script-run context here


def test_the_janitor_collects_after_a_page_was_drawn_and_not_otherwise(fresh, monkeypatch):
    """Streamlit's collection after every script run is off (it cost about 0.3 s of the server's
    CPU on each live-chart redraw); the janitor collects once after a full run instead."""
    import gc
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(a) or 0)
    monkeypatch.setattr(sessions, "_drawn", False)
    assert sessions.collect_if_drawn() is False  # nothing drawn: nothing to collect
    sessions.note("s1", now=0.0)
    sessions.note("s2", now=0.0)
    assert sessions.collect_if_drawn() is True
    assert len(collected) == 1 and fresh == [1]  # one collection and one heap trim for both pages
    assert sessions.collect_if_drawn() is False  # until the next page is drawn
    assert len(collected) == 1
