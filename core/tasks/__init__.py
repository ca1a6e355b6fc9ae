"""Tasks: the data a user trains a model on. One module per task in this package; a module that
defines a :class:`Task` subclass is a task, found here without being listed."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from core.tasks.base import DataError, Metric, Task, TaskData  # noqa: F401


@cache
def task_classes() -> dict[str, type[Task]]:
    """name -> task class, in the order the app lists them (``Task.order``; imported on first use)."""
    found: list[type[Task]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Task)
            and obj is not Task
            and obj.__module__ == module.__name__
        ]
    names = [t.name for t in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise RuntimeError(f"two task classes are named {', '.join(twice)}")
    return {t.name: t for t in sorted(found, key=lambda t: (t.order, t.name))}
