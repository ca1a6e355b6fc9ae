"""Reading a finished experiment: each step's numbers from the training events and measurements.

Every function here turns what was measured into an :class:`~playground.course.model.Outcome`:
the option that the measurement supports (or the measured number), the values that the "why"
sentence quotes, and a small table. Nothing is asserted that was not measured.
"""

from __future__ import annotations

import math
from typing import Any

from core.events import Step
from playground.course.model import Chart, Outcome, Reference

NAN = float("nan")
RECALL = 0.9  # "over 90 % right": the threshold of the yes/no questions on recall and order


def pct(x: float) -> str:
    return f"{100 * x:.1f} %" if isinstance(x, int | float) and math.isfinite(x) else "–"


def num(x: float, digits: int = 3) -> str:
    if not isinstance(x, int | float) or not math.isfinite(x):
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def seconds(x: float) -> str:
    return f"{x:.1f} s" if math.isfinite(x) else "–"


def test_metric(job: Any, name: str, metric: str) -> float:
    f = job.finished(name)
    return float(f.test.get(metric, NAN)) if f is not None else NAN


def baseline(job: Any, name: str, which: str, metric: str) -> float:
    f = job.finished(name)
    if f is None:
        return NAN
    return float((f.baselines.get(which) or {}).get(metric, NAN))


def train_seconds(job: Any, name: str) -> float:
    """Seconds of optimiser steps (the last step's clock; evaluations after it not counted)."""
    steps = job.steps(name)
    return float(steps[-1].elapsed_s) if steps else NAN


def to_target(job: Any, name: str) -> float:
    """Seconds until the validation metric reached the task's target (inf when it never did)."""
    f = job.finished(name)
    return float(f.elapsed_s) if f is not None and f.reason == "target" else math.inf


def steady_rate(steps: list[Step]) -> float:
    """Training tokens per second over the second half of the steps (the first steps pay for
    warming up). The events carry the running average, so tokens so far = rate x elapsed."""
    if len(steps) < 4:
        return float(steps[-1].tokens_per_s) if steps else NAN
    a, b = steps[len(steps) // 2], steps[-1]
    dt = b.elapsed_s - a.elapsed_s
    if dt <= 0:
        return float(b.tokens_per_s)
    return (b.tokens_per_s * b.elapsed_s - a.tokens_per_s * a.elapsed_s) / dt


def bucket(x: float, edges: tuple[float, ...], names: tuple[str, ...]) -> str:
    """The name of the interval that x falls in: names[i] for x < edges[i], the last one above."""
    for edge, name in zip(edges, names):
        if not x >= edge:  # NaN falls in the first bucket
            return name
    return names[len(edges)]


def lane_rows(job: Any, metric: str, *, rate: bool = False) -> list[dict[str, str]]:
    rows = []
    for name in job.names:
        row = {
            "course.col.model": name,
            "course.col.metric": pct(test_metric(job, name, metric)),
            "course.col.seconds": seconds(train_seconds(job, name)),
        }
        if rate:
            row["course.col.tokens_s"] = num(steady_rate(job.steps(name)))
        rows.append(row)
    return rows


def chance(job: Any) -> float:
    """The long-memory task's chance level (1 / number of keys), from the job's own baselines."""
    return baseline(job, job.names[0], "chance", "accuracy") if job.names else NAN


def references(*lines: tuple[float, str]) -> list[Reference]:
    """Reference lines at y (in %) with their label keys; a value that was not measured is left out."""
    return [Reference(y, key) for y, key in lines if math.isfinite(y)]


def by_lag_chart(job: Any) -> Chart | None:
    """Accuracy at every lag after training (the memory measurement), one line per model."""
    from core.measures import MEMORY_LAGS

    series: dict[str, list[float]] = {}
    for name in job.names:
        by_lag = (job.extras.get(name, {}).get("after") or {}).get("by_lag")
        if by_lag:
            series[name] = [100 * by_lag.get(lag, by_lag.get(str(lag), NAN)) for lag in MEMORY_LAGS]
    if not series:
        return None
    return Chart(
        "lines",
        series,
        "course.axis.accuracy",
        "course.axis.lag",
        x=[str(lag) for lag in MEMORY_LAGS],
        references=references((100 * chance(job), "course.ref.chance")),
        category=True,
        y_range=(0, 105),
    )


def metric_bars(job: Any, metric: str, y_title: str, refs: list[Reference] | None = None) -> Chart:
    """Each model's test metric (a share, shown in %) as one bar."""
    return Chart(
        "bars",
        {name: 100 * test_metric(job, name, metric) for name in job.names},
        y_title,
        references=refs or [],
        y_range=(0, 105),
        text="%{y:.1f} %",
    )


def rate_bars(rates: dict[str, float]) -> Chart:
    """Each model's training tokens per second as one bar."""
    return Chart("bars", dict(rates), "course.axis.tokens_s", text="%{y:,.0f}")


def by_length_chart(job: Any, metric: str = "exact_match") -> Chart | None:
    """Exact match on the job's test sentences by source length, one line per trained model (each
    lane's own model and data, decoded here; translation's ``by_length``)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in job.names:
        lane = job.lane(name)
        by_length = getattr(job.spec(name).data, "by_length", None)
        if lane is None or by_length is None:
            continue
        rows[name] = by_length(lane.model, "test")
    buckets = sorted({(r["lo"], r["bucket"]) for rs in rows.values() for r in rs})
    if not buckets:
        return None
    series = {
        name: [
            next((100 * float(r[metric]) for r in rs if r["bucket"] == bucket), NAN) for _, bucket in buckets
        ]
        for name, rs in rows.items()
    }
    return Chart(
        "lines",
        series,
        "course.axis.exact_match",
        "course.axis.src_words",
        x=[bucket for _, bucket in buckets],
        category=True,
        y_range=(0, 105),
    )


def val_by_seconds_chart(job: Any) -> Chart | None:
    """Each model's validation metric (in %) after every epoch against its seconds of training,
    with the task's target: which model crosses it first."""
    series: dict[str, tuple[list[float], list[float]]] = {}
    target = NAN
    for name in job.names:
        primary = job.spec(name).task.primary
        if primary.target is not None:
            target = 100 * primary.target
        epochs = job.epochs(name)
        if epochs:
            series[name] = (
                [e.elapsed_s for e in epochs],
                [100 * float(e.val.get(primary.name, NAN)) for e in epochs],
            )
    if not series:
        return None
    return Chart(
        "curves",
        series,
        "course.axis.val_exact_match",
        "course.axis.seconds",
        references=references((target, "course.ref.target")),
        y_range=(0, 105),
    )


# ---------------------------------------------------------------------------------------------
# One reader per trained step
# ---------------------------------------------------------------------------------------------


def read_rnn(job: Any) -> Outcome:
    acc = test_metric(job, "rnn", "accuracy")
    return Outcome(
        bucket(acc, (0.6, 0.9), ("chance", "partly", "learns")),
        {"acc": pct(acc)},
        lane_rows(job, "accuracy"),
    )


def read_captions(job: Any) -> Outcome:
    em = test_metric(job, "captioner", "exact_match")
    bleu = test_metric(job, "captioner", "bleu")
    return Outcome(
        bucket(em, (0.1, 0.5), ("under10", "10to50", "over50")),
        {"em": pct(em), "bleu": num(bleu)},
        lane_rows(job, "exact_match"),
    )


def read_sentiment(job: Any) -> Outcome:
    acc = test_metric(job, "rnn", "accuracy")
    majority = baseline(job, "rnn", "majority", "accuracy")
    tfidf = baseline(job, "rnn", "tfidf_logreg", "accuracy")
    if acc >= tfidf:
        answer = "above_tfidf"
    elif acc > majority + 0.02:
        answer = "between"
    else:
        answer = "majority"
    rows = lane_rows(job, "accuracy")
    rows += [
        {"course.col.model": "majority", "course.col.metric": pct(majority)},
        {"course.col.model": "tfidf", "course.col.metric": pct(tfidf)},
    ]
    return Outcome(answer, {"acc": pct(acc), "majority": pct(majority), "tfidf": pct(tfidf)}, rows)


def read_translation(job: Any) -> Outcome:
    em = test_metric(job, "seq2seq", "exact_match")
    return Outcome(
        bucket(em, (0.5, 0.9), ("under50", "50to90", "over90")),
        {"em": pct(em), "bleu": num(test_metric(job, "seq2seq", "bleu"))},
        lane_rows(job, "exact_match"),
    )


def read_birnn(job: Any) -> Outcome:
    one = test_metric(job, "rnn", "accuracy")
    two = test_metric(job, "bidirectional", "accuracy")
    refs = references((100 * chance(job), "course.ref.chance"), (100 * RECALL, "course.ref.threshold"))
    return Outcome(
        "yes" if two >= RECALL else "no",
        {"one": pct(one), "two": pct(two)},
        lane_rows(job, "accuracy"),
        metric_bars(job, "accuracy", "course.axis.test_accuracy", refs),
    )


def read_rnn_memory(job: Any) -> Outcome:
    acc = test_metric(job, "rnn", "accuracy")
    return Outcome(
        "yes" if acc >= RECALL else "no",
        {"acc": pct(acc), "chance": pct(chance(job))},
        lane_rows(job, "accuracy"),
        by_lag_chart(job),
    )


def read_lstm(job: Any) -> Outcome:
    acc = test_metric(job, "lstm", "accuracy")
    rnn = test_metric(job, "rnn", "accuracy")
    return Outcome(
        bucket(acc, (0.3, 0.9), ("chance", "partly", "recalls")),
        {"acc": pct(acc), "rnn": pct(rnn)},
        lane_rows(job, "accuracy"),
        by_lag_chart(job)
        or metric_bars(
            job, "accuracy", "course.axis.test_accuracy", references((100 * chance(job), "course.ref.chance"))
        ),
    )


def read_gru(job: Any) -> Outcome:
    rates = {name: steady_rate(job.steps(name)) for name in job.names}
    fused = rates.get("gru", NAN) / rates.get("lstm", NAN)
    explicit = rates.get("gru explicit", NAN) / rates.get("lstm explicit", NAN)
    answer = bucket(fused, (0.9, 1.1), ("lstm", "same", "gru"))
    rows = []
    for name in job.names:
        started = job.started(name)
        rows.append(
            {
                "course.col.model": name,
                "course.col.tokens_s": num(rates[name]),
                "course.col.params": f"{started.params:,}" if started else "–",
            }
        )
    return Outcome(answer, {"fused": f"{fused:.2f}", "explicit": f"{explicit:.2f}"}, rows, rate_bars(rates))


def read_context(job: Any) -> Outcome:
    plain = test_metric(job, "seq2seq", "exact_match")
    attn = test_metric(job, "seq2seq-attn", "exact_match")
    diff = attn - plain
    answer = "with" if diff > 0.05 else ("without" if diff < -0.05 else "same")
    rows = lane_rows(job, "exact_match")
    for row, name in zip(rows, job.names):
        row["course.col.token_acc"] = pct(test_metric(job, name, "token_accuracy"))
    chart = by_length_chart(job) or metric_bars(job, "exact_match", "course.axis.exact_match")
    return Outcome(answer, {"plain": pct(plain), "attn": pct(attn)}, rows, chart)


def read_attention(job: Any) -> Outcome:
    plain, attn = to_target(job, "seq2seq"), to_target(job, "seq2seq-attn")
    if math.isinf(plain) and math.isinf(attn):
        answer = "neither"
    else:
        answer = "attn" if attn < plain else "seq2seq"
    rows = lane_rows(job, "exact_match")
    for row, name in zip(rows, job.names):
        row["course.col.to_target"] = seconds(to_target(job, name))
    return Outcome(answer, {"plain": seconds(plain), "attn": seconds(attn)}, rows, val_by_seconds_chart(job))


def read_transformer(job: Any) -> Outcome:
    rates = {name: steady_rate(job.steps(name)) for name in job.names}
    ratio = rates.get("transformer", NAN) / rates.get("seq2seq-attn", NAN)
    # within 20 % counts as the same: measured three times on 2 cores, the ratio moved by ±0.02
    # around 0.9, so a tighter band would judge the learner by the machine's noise
    answer = bucket(ratio, (0.8, 1.25), ("seq2seq", "same", "transformer"))
    rows = lane_rows(job, "exact_match", rate=True)
    return Outcome(answer, {"ratio": f"{ratio:.2f}"}, rows, rate_bars(rates))


def read_parallel(job: Any) -> Outcome:
    """Seconds of training per epoch of each lane; lanes are named '<arch> · T=<length>'."""
    times = {name: train_seconds(job, name) for name in job.names}
    lengths = sorted({name.rsplit("=", 1)[1] for name in job.names}, key=int)
    speedup = {T: times.get(f"lstm · T={T}", NAN) / times.get(f"transformer · T={T}", NAN) for T in lengths}
    rows = [
        {
            "course.col.model": name,
            "course.col.epoch_s": seconds(times[name]),
            "course.col.tokens_s": num(steady_rate(job.steps(name))),
        }
        for name in job.names
    ]
    short, long = lengths[0], lengths[-1]
    archs = list(dict.fromkeys(name.rsplit(" · ", 1)[0] for name in job.names))
    chart = Chart(
        "lines",
        {arch: [times.get(f"{arch} · T={T}", NAN) for T in lengths] for arch in archs},
        "course.axis.epoch_s",
        "course.axis.seq_len",
        x=[int(T) for T in lengths],
        log_y=True,
    )
    return Outcome(
        round(speedup[long], 2),
        {
            "short": short,
            "long": long,
            "fast_short": f"{speedup[short]:.2f}",
            "fast_long": f"{speedup[long]:.2f}",
        },
        rows,
        chart,
    )


def read_positional(job: Any) -> Outcome:
    none = test_metric(job, "none", "accuracy")
    sin = test_metric(job, "sinusoidal", "accuracy")
    bag = baseline(job, "none", "bag of words", "accuracy")  # sees which words, not their order
    refs = references((100 * bag, "course.ref.bag_of_words"), (100 * RECALL, "course.ref.threshold"))
    return Outcome(
        "yes" if none >= RECALL else "no",
        {"none": pct(none), "sin": pct(sin)},
        lane_rows(job, "accuracy"),
        metric_bars(job, "accuracy", "course.axis.test_accuracy", refs),
    )
