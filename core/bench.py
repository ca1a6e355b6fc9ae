"""The benchmark behind the README's performance table (``python -m core bench``).

For each task's default settings and each compatible architecture it trains in a fresh
subprocess (so peak memory is that run's own) and records: time to reach the task's target
metric on the validation split, the final test metric, training tokens per second, peak RSS and
the parameter count. It also measures the explicit recurrent cells against PyTorch's fused
kernels and our scaled dot-product attention against ``F.scaled_dot_product_attention``.
"""

from __future__ import annotations

import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import torch


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    from core.train import set_threads

    return {
        "cpu": cpu,
        "threads": set_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def run_one(
    task: str, arch: str, max_seconds: float = 0.0, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train one (task, arch) with default settings (changed by ``settings``) in this process;
    returns the measurements."""
    from core.events import Epoch, Finished, Started, Step
    from core.runspec import plan
    from core.train import set_threads, train

    set_threads()
    settings = dict(settings or {})
    if max_seconds:
        settings["train.max_seconds"] = max_seconds
    t_plan = time.perf_counter()
    spec = plan(task, arch, settings)
    prepare_s = time.perf_counter() - t_plan
    torch.manual_seed(spec.train_cfg.seed)
    model = spec.build()
    primary = spec.task.primary
    target = primary.target
    to_target = None
    params = tokens_per_s = 0.0
    finished = None
    for ev in train(model, spec.data, spec.task, spec.train_cfg):
        if isinstance(ev, Started):
            params = ev.params
        elif isinstance(ev, Step):
            tokens_per_s = ev.tokens_per_s
        elif isinstance(ev, Epoch) and target is not None and to_target is None:
            v = ev.val.get(primary.name)
            if v is not None and (v >= target if primary.higher_is_better else v <= target):
                to_target = ev.elapsed_s
        elif isinstance(ev, Finished):
            finished = ev
    assert finished is not None
    base = {k: v.get(primary.name) for k, v in finished.baselines.items()}
    return {
        "task": task,
        "arch": arch,
        "settings": {k: v for k, v in settings.items() if k != "train.max_seconds"},
        "metric": primary.name,
        "target": target,
        "test": finished.test.get(primary.name),
        "baselines": base,
        "seconds_to_target": to_target,
        "train_seconds": finished.elapsed_s,
        "prepare_seconds": prepare_s,
        "tokens_per_s": tokens_per_s,
        "params": params,
        "epochs": finished.epoch,
        "reason": finished.reason,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _subprocess(
    task: str, arch: str, max_seconds: float, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    code = (
        "import json,sys; from core.bench import run_one; "
        f"print('@@'+json.dumps(run_one({task!r},{arch!r},{max_seconds!r},{dict(settings or {})!r})))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("@@"):
            return json.loads(line[2:])
    return {"task": task, "arch": arch, "error": (p.stderr.strip().splitlines() or ["failed"])[-1]}


def _throughput(fn, tokens: int, repeats: int = 3) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return tokens / best


CELL_ORDER = ("rnn", "lstm", "gru")  # the rows of the cells' table


def cells_vs_fused(
    batch: int = 64, steps: int = 100, hidden: int = 128, threads: int | None = None, calls: int = 11
) -> list[dict[str, Any]]:
    """Forward+backward tokens/s of the explicit cells relative to PyTorch's fused kernels.

    Fused and explicit calls alternate (``calls`` of each, after two warm-ups), so a slower stretch
    of a noisy machine falls on both; the ratio is the median of the per-pair ratios.
    """
    from core.models.rnn import Recurrent

    if threads:
        torch.set_num_threads(threads)
    rows = []
    x = torch.randn(batch, steps, hidden)
    for cell in CELL_ORDER:
        torch.manual_seed(0)
        m = Recurrent(cell, hidden, hidden)

        def step(explicit: bool, m=m) -> float:
            t = time.perf_counter()
            m(x, explicit=explicit).outputs.sum().backward()
            return time.perf_counter() - t

        for _ in range(2):
            step(False), step(True)
        pairs = [(step(False), step(True)) for _ in range(calls)]
        fused, explicit = (statistics.median(p[k] for p in pairs) for k in (0, 1))
        rows.append(
            {
                "cell": cell,
                "threads": torch.get_num_threads(),
                "fused_tok_s": batch * steps / fused,
                "explicit_tok_s": batch * steps / explicit,
                "ratio": statistics.median(f / e for f, e in pairs),
            }
        )
    return rows


def cells_in_processes(threads: list[int], processes: int = 5) -> list[dict[str, Any]]:
    """:func:`cells_vs_fused` in ``processes`` fresh processes per thread count: each cell's median
    ratio over them, with the lowest and highest. A process's allocator state (how many fresh
    pages its large tensors touch) moves one process's numbers by up to a fifth."""
    rows = []
    for n in threads:
        runs: list[list[dict[str, Any]]] = []
        for _ in range(processes):
            code = f"import json; from core.bench import cells_vs_fused; print('@@'+json.dumps(cells_vs_fused(threads={n})))"
            p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            runs += [json.loads(line[2:]) for line in p.stdout.splitlines() if line.startswith("@@")]
        for i, cell in enumerate(CELL_ORDER):
            ratios = [r[i]["ratio"] for r in runs]
            rows.append(
                {
                    "cell": cell,
                    "threads": n,
                    "fused_tok_s": statistics.median(r[i]["fused_tok_s"] for r in runs),
                    "explicit_tok_s": statistics.median(r[i]["explicit_tok_s"] for r in runs),
                    "ratio": statistics.median(ratios),
                    "ratio_min": min(ratios),
                    "ratio_max": max(ratios),
                    "processes": len(runs),
                }
            )
    return rows


def cells_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| cell | threads | fused tokens/s | explicit tokens/s | explicit / fused | lowest-highest |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in rows:
        spread = f"{c['ratio_min']:.2f}-{c['ratio_max']:.2f}" if "ratio_min" in c else "-"
        lines.append(
            f"| {c['cell']} | {c['threads']} | {c['fused_tok_s']:,.0f} | {c['explicit_tok_s']:,.0f} "
            f"| {c['ratio']:.2f} | {spread} |"
        )
    return "\n".join(lines)


def main_cells(threads: list[int], processes: int, out: str | None = None) -> int:
    """``python -m core bench --cells``: only the explicit cells against the fused kernels."""
    info = machine()
    print(f"machine: {info['cpu']}, torch {info['torch']}, python {info['python']}", flush=True)
    rows = cells_in_processes(threads, processes)
    print(cells_table(rows))
    if out:
        with open(out, "w") as f:
            json.dump({"machine": info, "cells": rows}, f, indent=2)
    return 0


def attention_vs_torch(batch: int = 32, heads: int = 4, steps: int = 64, d_k: int = 32) -> dict[str, Any]:
    from core.models.attention import scaled_dot_product_attention

    q, k, v = (torch.randn(batch, heads, steps, d_k) for _ in range(3))
    ours = _throughput(lambda: scaled_dot_product_attention(q, k, v), batch * steps, repeats=20)
    ref = _throughput(
        lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v), batch * steps, repeats=20
    )
    return {"ours_tok_s": ours, "torch_tok_s": ref, "ratio": ours / ref}


def _fmt(v: Any, nd: int = 3) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{nd}f}" if abs(v) < 1000 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def table(results: list[dict[str, Any]]) -> str:
    head = "| task | arch | metric | test | target | s to target | train s | tokens/s | peak RSS MB | params | best baseline |"
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['task']} | {r['arch']} | error: {r['error']} |" + " |" * 8)
            continue
        base = r.get("baselines") or {}
        best = ", ".join(f"{k} {_fmt(v)}" for k, v in base.items() if v is not None) or "-"
        lines.append(
            f"| {r['task']} | {r['arch']} | {r['metric']} | {_fmt(r['test'])} | {_fmt(r['target'])} | "
            f"{_fmt(r['seconds_to_target'], 1)} | {_fmt(r['train_seconds'], 1)} | {_fmt(r['tokens_per_s'], 0)} | "
            f"{_fmt(r['peak_rss_mb'], 0)} | {_fmt(r['params'])} | {best} |"
        )
    return "\n".join(lines)


def seeds_table(results: list[dict[str, Any]]) -> str:
    """Mean and standard deviation over seeds of the test metric, per architecture and variant."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in results:
        variant = ", ".join(f"{k}={v}" for k, v in r.get("settings", {}).items() if k != "train.seed")
        groups.setdefault((r["task"], r["arch"], variant or "defaults"), []).append(r)
    head = (
        "| task | arch | variant | runs | test mean | test sd | min | max | median train s | best baseline |"
    )
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for (task, arch, variant), rs in groups.items():
        ok = [r for r in rs if "error" not in r and r.get("test") is not None]
        if not ok:
            err = next((r.get("error") for r in rs if "error" in r), "no result")
            lines.append(f"| {task} | {arch} | {variant} | 0 | error: {err} |" + " |" * 5)
            continue
        vals = [float(r["test"]) for r in ok]
        mean = sum(vals) / len(vals)
        sd = (sum((v - mean) ** 2 for v in vals) / max(1, len(vals) - 1)) ** 0.5
        secs = sorted(float(r["train_seconds"]) for r in ok)
        base = {}
        for r in ok:
            for k, v in (r.get("baselines") or {}).items():
                if v is not None:
                    base.setdefault(k, []).append(float(v))
        best = ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in base.items()) or "-"
        lines.append(
            f"| {task} | {arch} | {variant} | {len(ok)} | {mean:.3f} | {sd:.3f} | {min(vals):.3f} | "
            f"{max(vals):.3f} | {secs[len(secs) // 2]:.1f} | {best} |"
        )
    return "\n".join(lines)


def main_seeds(
    seeds: int,
    vary: dict[str, list[str]],
    out: str | None = None,
    tasks: list[str] | None = None,
    archs: list[str] | None = None,
) -> int:
    """Every (task, arch, variant) with seeds 0..seeds-1, one fresh subprocess each (train.seed
    also changes the split, so the spread includes the luck of the test set)."""
    from itertools import product

    from core.registry import compatible
    from core.registry import tasks as all_tasks

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['threads']} threads, torch {info['torch']}, python {info['python']}"
    )
    keys = list(vary)
    variants = [dict(zip(keys, vals, strict=True)) for vals in product(*(vary[k] for k in keys))] or [{}]
    results = []
    for t in tasks or list(all_tasks()):
        for a in [a for a in compatible(t) if archs is None or a in archs]:
            for v in variants:
                for seed in range(seeds):
                    r = _subprocess(t, a, 0.0, {**v, "train.seed": seed})
                    results.append(r)
                    print(
                        f"  {t}/{a} {v} seed {seed}: {r.get('metric')} {_fmt(r.get('test'))} in "
                        f"{_fmt(r.get('train_seconds'), 1)} s" + (f" ({r['error']})" if "error" in r else ""),
                        flush=True,
                    )
    print()
    print(seeds_table(results))
    if out:
        with open(out, "w") as f:
            json.dump({"machine": info, "seeds": seeds, "vary": vary, "runs": results}, f, indent=2)
    return 0


def main(quick: bool = False, out: str | None = None, tasks: list[str] | None = None) -> int:
    from core.registry import compatible
    from core.registry import tasks as all_tasks

    info = machine()
    print(
        f"machine: {info['cpu']}, {info['threads']} threads, torch {info['torch']}, python {info['python']}"
    )
    names = tasks or list(all_tasks())
    results = []
    for t in names:
        for a in compatible(t):
            r = _subprocess(t, a, 20.0 if quick else 0.0)
            results.append(r)
            print(
                f"  {t}/{a}: {r.get('metric')} {_fmt(r.get('test'))} in {_fmt(r.get('train_seconds'), 1)} s"
                + (f" ({r['error']})" if "error" in r else ""),
                flush=True,
            )
    cells = cells_vs_fused()
    attn = attention_vs_torch()
    print()
    print(table(results))
    print()
    print(cells_table(cells))
    print()
    print(
        f"scaled dot-product attention (B32 h4 T64 d_k32): ours {attn['ours_tok_s']:,.0f} tokens/s, "
        f"F.scaled_dot_product_attention {attn['torch_tok_s']:,.0f} tokens/s, ratio {attn['ratio']:.2f}"
    )
    if out:
        with open(out, "w") as f:
            json.dump(
                {"machine": info, "quick": quick, "runs": results, "cells": cells, "attention": attn},
                f,
                indent=2,
            )
    return 0
