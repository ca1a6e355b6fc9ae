"""One training path for the app, the CLI and the tests: ``train(...)`` yields events.

It never prints or plots. Stop is cooperative (checked every step); a NaN/inf loss ends the run
with a "diverged" event and the last good weights restored; a time budget and a parameter budget
are honoured so that a hosted deployment can cap what one user may spend.
"""

from __future__ import annotations

import copy
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from core.budget import check_params
from core.config import ConfigError, param
from core.events import Epoch, Finished, Snapshot, Started, Step
from core.models.base import PAD, count_params, evaluating, task_loss
from core.models.words import word_table
from core.tasks.base import Task, TaskData, iterate, model_device, split_size, to_device


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = param(10, lo=1, hi=500, help="passes over the training data")
    batch_size: int = param(64, lo=1, hi=4096, help="examples per optimiser step")
    lr: float = param(3e-3, lo=1e-6, hi=10.0, log=True, help="learning rate (peak rate with warm-up)")
    optimizer: str = param("adam", choices=("adam", "adamw", "sgd"), help="optimiser")
    weight_decay: float = param(0.0, lo=0.0, hi=1.0, help="L2 penalty (decoupled for AdamW)")
    clip: float = param(1.0, lo=0.0, hi=100.0, help="clip the gradient norm to this value (0 = off)")
    label_smoothing: float = param(
        0.0,
        lo=0.0,
        hi=0.5,
        help="label smoothing for cross-entropy (paper: 0.1)",
        objectives=frozenset({"classify", "seq2seq", "caption"}),  # the losses that are cross-entropy
    )
    warmup_steps: int = param(
        0,
        lo=0,
        hi=100000,
        help="Transformer schedule of the paper (5.3): linear warm-up then 1/sqrt(step); 0 = constant lr",
    )
    teacher_forcing: float = param(
        1.0,
        lo=0.0,
        hi=1.0,
        help="Seq2Seq: share of decoder inputs taken from the target",
        objectives=frozenset({"seq2seq", "caption"}),  # the models with a decoder
    )
    embedding_lr: float = param(
        1.0,
        lo=0.0,
        hi=10.0,
        help="learning rate of the word embedding, as a multiple of lr: 1 = like the rest of the model, "
        "below 1 keeps pretrained vectors near where they started, 0 freezes them",
        objectives=frozenset({"classify"}),  # only the classifiers hand their word table over (param_groups)
    )
    early_stopping: int = param(
        0, lo=0, hi=100, help="stop after this many epochs without a better validation metric (0 = off)"
    )
    stop_at_target: bool = param(
        False,
        help="stop as soon as the validation metric reaches the task's target (checked after each "
        "epoch); the app turns this on, so that a run ends when it has shown what it can do",
    )
    bucket_by_length: bool = param(
        True,
        help="texts of different lengths: put examples of similar length in the same batch and "
        "cut each batch's padding; the same model, computed on far fewer padded steps",
    )
    seed: int = param(0, lo=0, hi=2**31 - 1, help="random seed: same seed and settings give the same run")
    device: str = param(
        "auto", choices=("auto", "cpu", "cuda", "mps"), help="where to train; auto picks a GPU when present"
    )
    amp: bool = param(False, help="mixed precision (CUDA only)")
    max_seconds: float = param(0.0, lo=0.0, hi=86400.0, help="stop after this many seconds (0 = no limit)")
    max_params: int = param(
        0, lo=0, hi=10**10, help="refuse models with more parameters than this (0 = no limit)"
    )
    snapshots: bool = param(False, help="record attention maps / gates on a probe example after each epoch")


def _eta(steps_left: int, rate: float, budget_left: float | None) -> float:
    """Seconds until the last step at the pace so far (``rate`` steps a second), or until the time
    budget ends if that comes first; NaN before there is a pace."""
    if rate <= 0:
        return float("nan")
    left = steps_left / rate
    return left if budget_left is None else max(0.0, min(left, budget_left))


def pick_device(name: str = "auto") -> torch.device:
    """ "auto" -> CUDA if present, then Apple MPS, else CPU. An unavailable explicit choice is an error."""
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name == "cuda" and not cuda:
        raise ConfigError("device cuda: no CUDA GPU is available here; use cpu or auto")
    if name == "mps" and not mps:
        raise ConfigError("device mps: Apple MPS is not available here; use cpu or auto")
    return torch.device(name)


def available_devices() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append("mps")
    return out


def set_threads() -> int:
    """Size torch's intra-op thread pool to the machine (the cores this process may use)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    torch.set_num_threads(max(1, n))
    return n


def noam_lr(step: int, peak_lr: float, warmup: int) -> float:
    """Paper 5.3 shape, scaled so that the rate peaks at ``peak_lr`` after ``warmup`` steps."""
    step = max(step, 1)
    return peak_lr * min(step / warmup, math.sqrt(warmup / step))


def param_groups(model: nn.Module, cfg: TrainConfig) -> list[dict[str, Any]]:
    """The model's parameters, with the word table in a group of its own at ``embedding_lr`` x lr
    (``lr_scale``); with embedding_lr 0 the table is frozen (no gradient, not in the optimiser)."""
    table = word_table(model)
    if table is None or cfg.embedding_lr == 1.0:
        if table is not None:
            table.requires_grad_(True)
        return [{"params": [p for p in model.parameters() if p.requires_grad], "lr_scale": 1.0}]
    rest = [p for p in model.parameters() if p is not table and p.requires_grad]
    groups: list[dict[str, Any]] = [{"params": rest, "lr_scale": 1.0}]
    table.requires_grad_(cfg.embedding_lr > 0)
    if cfg.embedding_lr > 0:
        groups.append({"params": [table], "lr_scale": cfg.embedding_lr})
    return groups


def _optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    groups = param_groups(model, cfg)
    for g in groups:
        g["lr"] = cfg.lr * g["lr_scale"]
    if cfg.optimizer == "adam":
        return torch.optim.Adam(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(groups, lr=cfg.lr, momentum=0.9, weight_decay=cfg.weight_decay)


def _tokens(objective: str, batch: dict[str, torch.Tensor]) -> int:
    """Tokens in a batch (time steps of real input and target), for throughput figures."""
    if objective == "classify":
        return int(batch["mask"].sum())
    if objective in ("regress", "lm"):
        return int(batch["x"].shape[0] * batch["x"].shape[1])
    n = int((batch["tgt_out"] != PAD).sum())
    if "src_mask" in batch:
        n += int(batch["src_mask"].sum())
    return n


def _to_lists(t: torch.Tensor | None) -> Any:
    return None if t is None else t.detach().float().cpu().tolist()


def snapshot(model: nn.Module, data: TaskData, epoch: int) -> Snapshot | None:
    """Attention maps (every layer and head) and layer-0 states/gates on the probe example (both
    directions of a bidirectional layer)."""
    probe = data.probe()
    if probe is None:
        return None
    batch, tokens = probe
    with evaluating(model):
        out = model(to_device(batch, model_device(model)), record=True)
    attention = {k: _to_lists(v[:, 0]) for k, v in out.attention.items()}  # (L, h, Tq, Tk)
    gates = {k: _to_lists(v[0, 0, 0]) for k, v in out.gates.items()}  # (T, H)
    states = _to_lists(out.states[0, 0, 0]) if out.states is not None else None
    backward: dict[str, Any] = {}
    if out.states is not None and out.states.dim() == 5 and out.states.shape[1] == 2:  # (L, D, B, T, H)
        backward = {"h": _to_lists(out.states[0, 1, 0])}
        backward.update({k: _to_lists(v[0, 1, 0]) for k, v in out.gates.items()})
    return Snapshot(
        epoch=epoch, attention=attention, gates=gates, states=states, tokens=tokens, backward=backward
    )


def _is_better(value: float, best: float | None, higher: bool) -> bool:
    if best is None or math.isnan(best):
        return not math.isnan(value)
    return value > best if higher else value < best


StopSignal = threading.Event | Callable[[], bool] | None


def _stopped(stop: StopSignal) -> bool:
    if stop is None:
        return False
    if isinstance(stop, threading.Event):
        return stop.is_set()
    return bool(stop())


def reached(metric: float, target: float | None, higher_is_better: bool) -> bool:
    """Whether a validation metric has reached the task's target (never for a NaN or no target)."""
    if target is None or not math.isfinite(metric):
        return False
    return metric >= target if higher_is_better else metric <= target


def train(
    model: nn.Module,
    data: TaskData,
    task: type[Task],
    cfg: TrainConfig,
    stop: StopSignal = None,
    *,
    eval_test: bool = True,
    baselines: bool = True,
) -> Iterator[Started | Step | Epoch | Snapshot | Finished]:
    """Train ``model`` on ``data`` and yield events; the model is trained in place.

    Ends with exactly one :class:`Finished` event whose ``reason`` says why: "done", "stopped"
    (the stop signal was set), "diverged" (NaN/inf loss; last good weights restored),
    "time_budget" (max_seconds reached), "early_stopping" or "target" (``stop_at_target``: the
    validation metric reached the task's target). Test metrics are computed at the end
    unless the run diverged before finishing a single epoch.
    """
    n_params = count_params(model)
    check_params(n_params, cfg.max_params)
    device = pick_device(cfg.device)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    model.to(device)
    opt = _optimizer(model, cfg)
    use_amp = bool(cfg.amp and device.type == "cuda")
    scaler = torch.amp.GradScaler("cuda") if use_amp else None
    train_split = data.splits["train"]
    n_train = split_size(train_split)
    if n_train == 0:
        raise ConfigError("the training split is empty")
    lengths = data.lengths("train") if cfg.bucket_by_length else None
    per_epoch = math.ceil(n_train / cfg.batch_size)
    total = per_epoch * cfg.epochs
    yield Started(total_steps=total, params=n_params, device=str(device))

    higher = task.primary.higher_is_better
    best_metric: float | None = None
    best_state: dict[str, torch.Tensor] | None = None
    bad_epochs = 0
    last_good = copy.deepcopy(model.state_dict())
    t0 = time.perf_counter()
    step = 0
    reason, message = "done", "training finished"
    epoch = 0
    finished_epochs = 0
    items_seen = tokens_seen = 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        losses: list[float] = []
        for batch in iterate(train_split, cfg.batch_size, shuffle=True, generator=gen, lengths=lengths):
            if _stopped(stop):
                reason, message = "stopped", "stopped by the user; the model trained so far is kept"
                break
            if cfg.max_seconds and time.perf_counter() - t0 > cfg.max_seconds:
                reason, message = (
                    "time_budget",
                    f"time budget of {cfg.max_seconds:g} s reached; the model trained so far is kept",
                )
                break
            step += 1
            lr = noam_lr(step, cfg.lr, cfg.warmup_steps) if cfg.warmup_steps else cfg.lr
            for g in opt.param_groups:
                g["lr"] = lr * g.get("lr_scale", 1.0)
            batch = to_device(batch, device)
            with torch.autocast(device.type, enabled=use_amp):
                out = model(batch, teacher_forcing=cfg.teacher_forcing)
                loss = task_loss(task.objective, out.logits, batch, cfg.label_smoothing)
            lv = float(loss.detach())
            if not math.isfinite(lv):
                model.load_state_dict(last_good)
                reason = "diverged"
                message = (
                    f"diverged at step {step} (loss is {lv}): lower the learning rate "
                    f"(now {cfg.lr:g}) or turn on gradient clipping; the last good weights are kept"
                )
                break
            if step % 20 == 1:
                last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
            opt.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(opt)
            else:
                loss.backward()
            gn = float(
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip if cfg.clip > 0 else float("inf"))
            )
            if not math.isfinite(gn) and scaler is None:
                model.load_state_dict(last_good)
                reason = "diverged"
                message = f"diverged at step {step} (gradient is {gn}): lower the learning rate (now {cfg.lr:g}); the last good weights are kept"
                break
            if scaler is not None:
                scaler.step(opt)
                scaler.update()
            else:
                opt.step()
            losses.append(lv)
            bsz = next(iter(batch.values())).size(0)
            items_seen += bsz
            tokens_seen += _tokens(task.objective, batch)
            elapsed = time.perf_counter() - t0
            rate = step / elapsed if elapsed > 0 else 0.0
            yield Step(
                step=step,
                epoch=epoch,
                loss=lv,
                lr=lr,
                items_per_s=items_seen / elapsed if elapsed > 0 else 0.0,
                tokens_per_s=tokens_seen / elapsed if elapsed > 0 else 0.0,
                elapsed_s=elapsed,
                eta_s=_eta(total - step, rate, cfg.max_seconds - elapsed if cfg.max_seconds else None),
                progress=step / total,
                grad_norm=gn,
            )
        if reason != "done" and not losses:
            break
        val = data.evaluate(model, "val")
        finished_epochs = epoch
        yield Epoch(
            epoch=epoch,
            step=step,
            train_loss=sum(losses) / max(1, len(losses)),
            val=val,
            elapsed_s=time.perf_counter() - t0,
            sample=data.epoch_sample(model),  # e.g. a text model's writing after this epoch
        )
        if cfg.snapshots:
            snap = snapshot(model, data, epoch)
            if snap is not None:
                yield snap
        if reason != "done":
            break
        metric = val.get(task.primary.name, float("nan"))
        if cfg.stop_at_target and reached(metric, task.primary.target, higher):
            reason = "target"
            message = (
                f"validation {task.primary.name} {metric:.3f} reached the target "
                f"{task.primary.target:g} after epoch {epoch}; stopped there"
            )
            break
        if _is_better(metric, best_metric, higher):
            best_metric, bad_epochs = metric, 0
            if cfg.early_stopping:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad_epochs += 1
            if cfg.early_stopping and bad_epochs >= cfg.early_stopping:
                reason = "early_stopping"
                message = (
                    f"no better validation {task.primary.name} for {bad_epochs} "
                    f"epoch{'' if bad_epochs == 1 else 's'}; kept the best epoch"
                )
                break
    if best_state is not None and reason == "early_stopping":
        model.load_state_dict(best_state)
    test: dict[str, float] = {}
    if eval_test and (finished_epochs > 0 or step > 0):
        test = data.evaluate(model, "test")
    yield Finished(
        reason=reason,
        message=message,
        epoch=epoch,
        step=step,
        elapsed_s=time.perf_counter() - t0,
        test=test,
        baselines=data.baselines() if baselines else {},
    )
