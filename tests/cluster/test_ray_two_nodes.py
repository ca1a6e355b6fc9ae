"""A Ray cluster of two nodes: a head with 1 CPU and a second node with 1 CPU that joins it, each
with a raylet and an object store of its own, as a second machine would add. Both are started on
127.0.0.1 by the test and stopped by the process ids it started. Jobs go to whichever node has a
free CPU; the events and the weights come back across the object stores."""

from __future__ import annotations

import os
import time

import pytest

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
ray = pytest.importorskip("ray")

from rayhead import Head, Node  # noqa: E402

from core.events import Step  # noqa: E402
from core.execution import InlineExecutor, Job  # noqa: E402
from core.ray_backend import RayExecutor  # noqa: E402
from core.runspec import plan  # noqa: E402


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ray2")
    head = Head(tmp, num_cpus=1, nodes_may_join=True)
    node = Node(tmp, head, num_cpus=1)
    try:
        ray.init(address=head.address)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len([n for n in ray.nodes() if n["Alive"]]) < 2:
            time.sleep(0.5)
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2, (
            f"the second node did not join: {node.log.name}"
        )
        yield head
    finally:
        ray.shutdown()
        node.stop()
        head.stop()


def test_two_jobs_train_at_once_one_on_each_node(cluster):
    ex = RayExecutor(address=cluster.address)
    try:
        assert ex.cluster_cpus() == 2  # 1 + 1: the joined node's CPU counts
        # minutes of work each: both must be training at the same moment, whenever each node's
        # Ray worker process comes up
        long = [
            ex.submit(Job.single(plan("word-order", "rnn", {"epochs": 500, "hidden_size": 8, "seed": s})))
            for s in (0, 1)
        ]
        try:
            # each has taken a step: a Stop during the data's setup, before the first poll, is
            # cancelled after the grace with nothing to keep, which is not what this checks
            def stepping(h) -> bool:
                return h.status == "running" and any(isinstance(e, Step) for e in h.lane_events("model"))

            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and not all(stepping(h) for h in long):
                time.sleep(0.1)
            assert all(stepping(h) for h in long), [h.status for h in long]
            assert len({h.where for h in long}) == 2, [h.where for h in long]  # one node each
            assert all("Ray node" in h.where for h in long)
        finally:
            for h in long:
                h.stop()
            for h in long:
                h.wait(60)
        assert all(h.finished("model").reason == "stopped" and h.model("model") is not None for h in long)
        # what comes back across the object stores is the run itself: the same losses as here
        job = Job.single(
            plan("word-order", "lstm", {"epochs": 2, "n_train": 512, "hidden_size": 16, "seed": 1})
        )
        there = ex.submit(job)
        assert there.wait(240) and there.status == "done", there.error
        here = InlineExecutor().submit(job)
        here.wait()
        assert [e.loss for e in there.lane_events("model") if isinstance(e, Step)] == [
            e.loss for e in here.lane_events("model") if isinstance(e, Step)
        ]
        assert (
            there.model("model") is not None and there.finished("model").test == here.finished("model").test
        )
    finally:
        ex.shutdown()


def test_a_task_page_trains_on_the_cluster_and_says_where(cluster, monkeypatch):
    """The app with one environment variable set: Train on the stock page goes to the cluster,
    and the result names the node it trained on."""
    from apptest import no_problems, page_test

    from core import execution

    monkeypatch.setenv("SEQUENCE_LAB_RAY_ADDRESS", cluster.address)
    monkeypatch.delenv("SEQUENCE_LAB_EXECUTOR", raising=False)
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    tiny = {"stock.task.lookback": "10", "stock.model.hidden_size": "8", "stock.train.epochs": "2"}
    try:
        at = page_test("pages/stock.py", **tiny)
        no_problems(at)
        at.button(key="stock._train").click().run()
        run = at.session_state["stock.run"]
        assert run.handle.executor.name == "ray"
        assert run.handle.wait(240), run.error
        at.run()
        no_problems(at)
        said = [m.value for m in [*at.success, *at.warning, *at.info] if "Training finished" in m.value]
        assert said and "Trained on the Ray cluster:" in said[0] and run.where in said[0]
        assert "Ray node" in run.where
    finally:
        execution.shutdown_all()
