"""How long a page waits on a run before drawing (playground.training.settle / until_beat_end):
a short run is waited for so its results come with the next rerun; a longer one is left to the
live view at once. Real worker processes train the runs."""

from __future__ import annotations

import time

import pytest

from core.execution import Job
from core.runspec import plan
from core.workers import LocalExecutor
from playground import training
from playground.training import QUICK_S, Tracked


@pytest.fixture(scope="module")
def ex():
    e = LocalExecutor(slots=1, threads=1)
    first = e.submit(Job.single(plan("word-order", "rnn", {"epochs": 1, "n_train": 128, "hidden_size": 4})))
    assert first.wait(120)  # the fork server is up, as the app has it before a first Train
    yield e
    e.shutdown()


def submit(ex: LocalExecutor, settings: dict) -> Tracked:
    run = Tracked("page", ex.submit(Job.single(plan("word-order", "rnn", settings))))
    deadline = time.monotonic() + 60
    while run.queued and time.monotonic() < deadline:
        time.sleep(0.01)
    return run


def test_a_run_estimated_short_is_waited_for_until_it_ends(ex):
    run = submit(ex, {"epochs": 1, "n_train": 256, "hidden_size": 8})
    training.settle(run, estimate_s=0.5)
    assert run.done and run.handle.status == "done"


def test_a_run_estimated_long_is_not_waited_for(ex):
    run = submit(ex, {"epochs": 400, "hidden_size": 8})
    try:
        t0 = time.monotonic()
        training.settle(run, estimate_s=QUICK_S + 10)
        assert time.monotonic() - t0 < 0.1 and not run.done
    finally:
        run.stop()
        run.handle.wait(30)


def test_a_short_estimate_that_proves_wrong_gives_way_to_the_live_view(ex):
    """Estimated short, but its own pace after the first steps says it runs for many seconds:
    the wait ends early, well before QUICK_S."""
    run = submit(ex, {"epochs": 400, "hidden_size": 8})
    try:
        t0 = time.monotonic()
        training.settle(run, estimate_s=0.5)
        took = time.monotonic() - t0
        assert not run.done and took < QUICK_S - 0.5, took
    finally:
        run.stop()
        run.handle.wait(30)


def test_the_live_view_waits_for_an_end_due_before_its_next_beat_and_only_then(ex):
    long = submit(ex, {"epochs": 400, "hidden_size": 8})
    try:
        while long.handle.eta() is None:
            time.sleep(0.02)
        t0 = time.monotonic()
        training.until_beat_end(long)  # many seconds left: no wait
        assert time.monotonic() - t0 < 0.1 and not long.done
    finally:
        long.stop()
        long.handle.wait(30)
    short = submit(ex, {"epochs": 2, "n_train": 512, "hidden_size": 8})
    while not short.done and (short.handle.eta() is None or short.handle.eta() >= training.LIVE_BEAT_S):
        time.sleep(0.01)
    training.until_beat_end(short)
    assert short.done


def test_the_live_view_waits_for_a_first_loss_and_not_longer(ex):
    run = training.Run(
        "page", ex.submit(Job.single(plan("word-order", "rnn", {"epochs": 400, "hidden_size": 8})))
    )
    try:
        training.until_first_step(run, timeout=30)
        assert run.last_step is not None and run.last_step.step >= 1
        # a run waiting in line has no loss to wait for: the view draws its place after the timeout
        queued = training.Run("page", ex.submit(Job.single(plan("word-order", "rnn", {"epochs": 1}))))
        assert queued.queued  # the only slot trains the first run
        t0 = time.monotonic()
        training.until_first_step(queued, timeout=0.3)
        assert queued.last_step is None and 0.25 < time.monotonic() - t0 < 1.0
        queued.stop()
    finally:
        run.stop()
        run.handle.wait(30)
