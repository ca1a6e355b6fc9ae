"""Tasks: the data a user trains a model on. One module per task, registered here."""

from __future__ import annotations

from functools import cache

from core.tasks.base import DataError, Metric, Task, TaskData  # noqa: F401


@cache
def task_classes() -> dict[str, type[Task]]:
    """name -> task class, in the order the app lists them (imported on first use)."""
    from core.tasks.captioning import CaptioningTask
    from core.tasks.char_text import CharTextTask
    from core.tasks.long_memory import LongMemoryTask
    from core.tasks.sentiment import SentimentTask
    from core.tasks.stock import StockTask
    from core.tasks.translation import TranslationTask
    from core.tasks.word_order import WordOrderTask

    return {
        t.name: t
        for t in (
            StockTask,
            SentimentTask,
            TranslationTask,
            CaptioningTask,
            LongMemoryTask,
            WordOrderTask,
            CharTextTask,
        )
    }
