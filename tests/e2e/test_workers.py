"""Training in worker processes, seen from the browser: two sessions train at once while a third
waits in line and starts by itself; a worker killed mid-run is a clear failure and Train works again.

These use a server of their own with two training slots (SEQUENCE_LAB_WORKERS=2), whatever the
machine's cores, so that the third session must queue.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from conftest import OFFLINE, SMALL, Server, alerts, assert_clean, by_key, open_page, shot, start_training

pytestmark = pytest.mark.e2e

LONG = {**SMALL["stock"], "stock.train.epochs": "300"}  # minutes of work: ended by Stop


@pytest.fixture(scope="module")
def two_slots(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    s = Server(
        {**OFFLINE, "SEQUENCE_LAB_CACHE": str(cache), "SEQUENCE_LAB_WORKERS": "2"}, name="workers"
    ).start()
    yield s
    s.stop()


def progress_text(page) -> str:
    bars = page.locator("[data-testid='stProgress']")
    return bars.first.inner_text() if bars.count() else ""


def wait_for(page, cond, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return True
        page.wait_for_timeout(200)
    return cond()


def test_two_sessions_train_at_once_and_a_third_waits_in_line(two_slots, new_context):
    pages = []
    for _ in range(3):
        p = new_context().new_page()
        open_page(p, two_slots, "stock", LONG)
        pages.append(p)
    for p in pages[:2]:
        start_training(p, "stock")
    assert wait_for(pages[0], lambda: len(two_slots.workers()) == 2)
    start_training(pages[2], "stock")  # Stop is enabled while it waits: it can leave the line
    third = pages[2]
    assert wait_for(third, lambda: "in line" in progress_text(third), 30), progress_text(third)
    assert re.search(r"number 1 in line, about .+ to go", progress_text(third))
    assert len(two_slots.workers()) == 2  # nobody was refused, nobody trains beyond the slots
    shot(third, "queue-third-session-waits")
    # the first session stops: the waiting one starts by itself, its loss chart fills
    by_key(pages[0], "stock._stop").locator("button").click()
    assert wait_for(
        third, lambda: "in line" not in progress_text(third) and "loss" in progress_text(third), 60
    ), progress_text(third)
    for p in pages[1:]:
        by_key(p, "stock._stop").locator("button").click()
    for p in pages:
        assert wait_for(p, lambda p=p: p.locator("[data-testid='stTab']").count() > 0, 60)
        assert_clean(p)
    assert wait_for(pages[0], lambda: not two_slots.workers(), 30)


def test_a_killed_worker_is_a_clear_failure_and_train_works_again(two_slots, new_context):
    page = new_context().new_page()
    open_page(page, two_slots, "stock", LONG)
    start_training(page, "stock")
    assert wait_for(page, lambda: "loss" in progress_text(page), 60)
    (pid,) = two_slots.workers()
    os.kill(pid, signal.SIGKILL)
    assert wait_for(page, lambda: any("ended unexpectedly" in e for e in alerts(page, "Error")), 30)
    assert "Traceback (most recent call last)" not in page.locator("[data-testid='stApp']").inner_text()
    assert not by_key(page, "stock._train").locator("button").is_disabled()
    shot(page, "worker-killed")
    # the server is fine: a short run trains to its results
    open_page(page, two_slots, "stock", SMALL["stock"])
    start_training(page, "stock")
    assert wait_for(page, lambda: page.locator("[data-testid='stTab']").count() > 0, 120)
    assert_clean(page)
