"""The machine a trained experiment's timings were measured on: CPU cores, the torch threads each
run trained with, and the device.

The device is in each lane's own ``Started`` event. The torch threads are not in the events: the
executor sizes them, so they are read from it.

- ``local`` (the app): each job trains in a worker process whose torch threads the dispatcher
  keeps at ``LocalExecutor.threads_for(running)``, the cores but one shared among the workers
  training at that moment (a fixed ``SEQUENCE_LAB_WORKER_THREADS`` is kept), and changes between
  steps when other jobs start or end. The page samples that share every time it draws the live
  chart (:func:`threads_now`); before any sample, the rule's bounds are reported (every slot busy
  .. alone).
- ``inline`` (tests, the CLI): the run trains in this process with its ``torch.get_num_threads()``.
- ``ray``: each job is a task with ``cpus_per_job`` torch threads, on the cluster's machines (their
  cores are not this server's, so none are reported).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from playground.course.model import Machine


def threads_now(executor: Any) -> int | None:
    """Torch threads a run of ``executor`` trains with right now (None for an unknown backend)."""
    name = getattr(executor, "name", "")
    if name == "inline":
        import torch

        return torch.get_num_threads()
    if name == "local":
        return int(executor.threads_for(max(1, executor.counts()["running"])))
    if name == "ray":
        return int(executor.cpus_per_job)
    return None


def threads_bounds(executor: Any) -> tuple[int, int] | None:
    """The fewest and most torch threads the executor's rule gives a run (every slot busy .. alone)."""
    if getattr(executor, "name", "") == "local":
        fewest, most = int(executor.threads_for(executor.slots)), int(executor.threads_for(1))
        return (min(fewest, most), max(fewest, most))
    n = threads_now(executor)
    return (n, n) if n is not None else None


def device_name(device: str, here: bool) -> str:
    """The device as shown: cpu, or a GPU's name when the GPU is in this machine ("cuda:1" -> 1)."""
    kind, _, index = device.partition(":")
    if kind == "cpu":
        return "cpu"
    if kind == "cuda" and here:
        import torch

        if torch.cuda.is_available():
            return torch.cuda.get_device_name(int(index) if index.isdigit() else torch.cuda.current_device())
    if kind == "mps":
        return "Apple GPU (MPS)"
    return device


def machine_of(job: Any, seen: Iterable[int] = ()) -> Machine:
    """Where ``job`` (a finished playground.insights.experiments.Job) trained; ``seen``: the torch threads
    per run sampled with :func:`threads_now` while it trained (local backend)."""
    from core.execution import cores

    ex = job.handle.executor
    here = getattr(ex, "name", "") != "ray"
    seen = sorted({int(n) for n in seen if n})
    if getattr(ex, "name", "") == "local" and seen:
        threads: tuple[int, int] | None = (seen[0], seen[-1])
    else:
        threads = threads_bounds(ex)
    devices: list[str] = []
    for name in job.names:
        started = job.started(name)
        if started is not None:
            d = device_name(started.device, here)
            if d not in devices:
                devices.append(d)
    return Machine(cores() if here else None, threads, tuple(devices))
