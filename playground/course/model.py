"""The shapes of a course step: what the learner predicts, what runs, what comes back.

A step's texts live in the locale files under ``course.step.<key>`` (title, body, question,
``option.<name>`` for a choice, ``why`` and optionally ``why_<answer>`` for the check); everything
else (which experiment answers the question and how its measurement decides) is data here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Set to any value, every experiment runs with its tiny settings (a second or two; the tests).
TINY_ENV = "SEQUENCE_LAB_COURSE_TINY"


def tiny() -> bool:
    return bool(os.environ.get(TINY_ENV))


@dataclass(frozen=True)
class Choice:
    """A multiple-choice prediction; the measurement decides which option holds."""

    options: tuple[str, ...]  # course.step.<key>.option.<name>


@dataclass(frozen=True)
class Number:
    """A numeric prediction, right when within ``tolerance`` (relative) of the measurement."""

    lo: float
    hi: float
    default: float
    step: float = 1.0
    tolerance: float = 0.25
    unit: str = ""  # course.unit.<unit>, shown after the number

    def close(self, guess: float, measured: float) -> bool:
        return abs(guess - measured) <= self.tolerance * max(abs(measured), 1e-12)


@dataclass(frozen=True)
class Reference:
    """A dotted line across a chart at ``y`` (chance, a target, the question's threshold)."""

    y: float
    label: str  # string key; its {value} is y


@dataclass
class Chart:
    """A chart of what was measured, one trace per model. The series are named by lane (the page
    shows a lane's label, course.lane.<name>, in the lane's colour); titles are string keys."""

    kind: str  # "bars": one number per model | "lines": values over one shared x | "curves": own x each
    series: dict[str, Any]  # bars: name -> value; lines: name -> values; curves: name -> (xs, ys)
    y_title: str
    x_title: str = ""
    x: list[Any] = field(default_factory=list)  # "lines": the shared x
    references: list[Reference] = field(default_factory=list)
    log_y: bool = False
    category: bool = False  # "lines": x as categories (e.g. lags 1, 2, 5, ... evenly spaced)
    y_range: tuple[float, float] | None = None
    text: str | None = None  # "bars": the number printed on each bar (a plotly texttemplate)


@dataclass(frozen=True)
class Machine:
    """Where a trained experiment's timings were measured (see playground.course.machine)."""

    cores: int | None  # CPU cores the runs could use; None on a Ray cluster (not this machine)
    threads: tuple[int, int] | None  # fewest and most torch threads per run while it trained
    devices: tuple[str, ...]  # the lanes' devices: "cpu", or an accelerator's name


@dataclass
class Outcome:
    """What an experiment measured, ready to be shown beside the prediction."""

    answer: str | float  # the option that holds, or the measured number
    values: dict[str, str] = field(default_factory=dict)  # placeholders of the "why" text
    rows: list[dict[str, str]] = field(default_factory=list)  # a table; keys are course.col.<name>
    chart: Chart | None = None
    machine: Machine | None = None  # trained experiments: where their times were measured


@dataclass(frozen=True)
class Lane:
    """One model an experiment trains: its name on the page, architecture and settings."""

    name: str
    arch: str
    settings: dict[str, Any] = field(default_factory=dict)
    tiny: dict[str, Any] = field(default_factory=dict)  # this lane's own settings in a tiny run


@dataclass(frozen=True)
class Trained:
    """An experiment that trains models in the app's workers (one job, lanes one after the other)."""

    task: str
    lanes: tuple[Lane, ...]
    read: Callable[[Any], Outcome]  # the finished job (playground.insights.experiments.Job) -> Outcome
    tiny: dict[str, Any] = field(default_factory=dict)  # settings for every lane in a tiny run
    measure: str | None = None  # a measurement of core.measures, before and after training
    budget: float = 60.0  # seconds per lane at most

    def lane_settings(self, lane: Lane, small: bool) -> dict[str, Any]:
        out = dict(lane.settings)
        if small:
            out.update(self.tiny)
            out.update(lane.tiny)
        return out


@dataclass(frozen=True)
class Computed:
    """An experiment that is pure computation, run right in the page."""

    run: Callable[[bool], Outcome]  # tiny -> Outcome


@dataclass(frozen=True)
class Step:
    key: str  # course.step.<key>.*
    prediction: Choice | Number
    experiment: Trained | Computed
    equation: str = ""  # LaTeX, shown under the explanation
    concept: str | None = None  # the home page's concept card that links here
    link: tuple[str, dict[str, str]] | None = None  # (url path, query) of the page that goes deeper
    look: str | None = None  # string key: where on the linked page this step's concept is drawn
