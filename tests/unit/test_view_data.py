"""What the task views read from a task's data exists on that task's data, prepared and restored.

The views read the data through the task's own data class (``data.lookback``, never a guessed
default), so a field renamed in core must break a test rather than quietly degrade a page. The
attribute chains the view modules read from their task data (``data.x``, ``view.data.x``,
``choice.data.x.y``) are collected from their source with ``ast``, and each one is looked up on
the data of the task the function reads: the class its ``data`` parameter is annotated with, the
class it asks :func:`playground.views.common.task_data` for, or else the module's own task
(``CONFIG.task`` or ``TASK``). Each task's data is prepared with tiny settings (core.runspec.plan)
and restored the way a loaded model's is (a saved bundle read back by core.checkpoint), since the
views draw both.
"""

from __future__ import annotations

import ast
import collections.abc
import importlib
import inspect
import json
import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from core.checkpoint import bundle, config_json, load_bundle
from core.registry import tasks
from core.runspec import plan
from core.tasks.base import TaskData

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = (
    *(f"playground.views.{p.stem}" for p in sorted((ROOT / "playground" / "views").glob("*.py"))),
    "playground.insights.attention_steps",
    "playground.insights.decoding",
    "playground.insights.memory",
)

# task -> (architecture, settings): the smallest data each task makes
TINY: dict[str, tuple[str, dict[str, Any]]] = {
    "stock": ("lstm", {"task.start": "2012-01-01", "task.lookback": 10}),
    "sentiment": ("gru", {"task.max_len": 12, "task.max_vocab": 1024}),
    "translation": ("seq2seq-attn", {"task.n_pairs": 200}),
    "captioning": ("captioner", {"task.n_images": 256}),
    "long-memory": ("lstm", {"task.n_train": 128, "task.lag": 6}),
    "word-order": ("lstm", {"task.n_train": 256}),
    "char-text": ("lstm", {"task.max_chars": 6000, "task.seq_len": 32}),
}


@cache
def task_data(name: str) -> tuple[TaskData, TaskData]:
    """(prepared, restored) data of a task: restored from a saved bundle, as a loaded model's is."""
    arch, settings = TINY[name]
    spec = plan(name, arch, settings)
    config = json.loads(json.dumps(config_json(spec.to_json(), spec.data.state())))
    loaded = load_bundle(bundle(spec.build(), config))
    return spec.data, loaded.data


def data_class(name: str) -> type[TaskData]:
    return type(task_data(name)[0])


# ---------------------------------------------------------------------------------------------
# What the views read
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """``chain`` read from the data of class ``cls`` (None: any task's data) at ``where``."""

    cls: type[TaskData] | None
    chain: tuple[str, ...]
    where: str


def _module_class(module: types.ModuleType) -> type[TaskData] | None:
    """The data class of the module's own task (its page's ``CONFIG.task`` or its ``TASK``)."""
    config = vars(module).get("CONFIG")
    name = config.task if config is not None else vars(module).get("TASK")
    return data_class(name) if name else None


def _as_data_class(node: ast.expr | None, module: types.ModuleType) -> type[TaskData] | None | bool:
    """The TaskData class an annotation or argument names (None for TaskData itself: any task's
    data); False when it names no data class."""
    if node is None:
        return False
    try:
        value = eval(ast.unparse(node), vars(module))  # the annotation, in the module's own names
    except Exception:
        return False
    if isinstance(value, str):
        value = vars(module).get(value, value)
    if not (isinstance(value, type) and issubclass(value, TaskData)):
        return False
    return None if value is TaskData else value


def _data_binding(fn: ast.FunctionDef, module: types.ModuleType) -> type[TaskData] | None | bool:
    """The class of ``data`` inside ``fn``: its parameter's annotation or the class it asks
    ``task_data`` for; False when ``fn`` does not say."""
    for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
        if arg.arg == "data":
            return _as_data_class(arg.annotation, module)
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "data" for t in node.targets)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "task_data"
        ):
            return _as_data_class(node.value.args[-1], module)
    return False


def _chain(node: ast.Attribute) -> tuple[str, ...] | None:
    """The attributes read from task data by ``node``: ``data.a.b`` and ``<x>.data.a.b`` give
    ("a", "b"); None when ``node`` reads nothing from task data."""
    names: list[str] = []
    cur: ast.expr = node
    while isinstance(cur, ast.Attribute):
        names.append(cur.attr)
        cur = cur.value
    names.reverse()
    if isinstance(cur, ast.Name) and cur.id == "data":
        return tuple(names)
    if "data" in names[:-1]:
        i = len(names) - 1 - names[::-1].index("data")
        return tuple(names[i + 1 :])
    return None


def view_reads(module_name: str) -> list[Read]:
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    default = _module_class(module)
    reads: set[Read] = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        bound = _data_binding(fn, module)
        for node in ast.walk(fn):
            if isinstance(node, ast.Attribute):
                chain = _chain(node)
                if chain:
                    cls = default if bound is False else bound
                    reads.add(Read(cls, chain, f"{module_name}:{node.lineno} {fn.name}"))
    return sorted(reads, key=lambda r: (r.where, r.chain))


# ---------------------------------------------------------------------------------------------
# Checking a read against real data
# ---------------------------------------------------------------------------------------------


def _hint(owner: type, name: str) -> Any:
    """The declared type of attribute ``name`` of class ``owner`` (a field, or a property's
    return type); Any when it declares none."""
    prop = inspect.getattr_static(owner, name, None)
    if isinstance(prop, property) and prop.fget is not None:
        return typing.get_type_hints(prop.fget).get("return", Any)
    if any(name in vars(k).get("__annotations__", {}) for k in owner.__mro__):
        return typing.get_type_hints(owner).get(name, Any)
    return Any


def conforms(value: Any, hint: Any) -> bool:
    """``value`` is of type ``hint`` (containers: checked on their first item)."""
    if hint is Any or isinstance(hint, typing.TypeVar):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.ClassVar:
        return not args or conforms(value, args[0])
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    cls = origin or hint
    if not isinstance(cls, type):
        return True
    if cls is float:
        cls = (int, float)
    if not isinstance(value, cls):
        return False
    if not args or not value or origin is collections.abc.Callable:
        return True
    if isinstance(value, dict):
        k, v = next(iter(value.items()))
        return conforms(k, args[0]) and conforms(v, args[1])
    if isinstance(value, tuple) and not (len(args) == 2 and args[1] is Ellipsis):
        return len(value) == len(args) and all(conforms(v, a) for v, a in zip(value, args))
    if isinstance(value, list | tuple | set | frozenset):
        return conforms(next(iter(value)), args[0])
    return True


def problems(data: Any, chain: tuple[str, ...]) -> str | None:
    """Why ``data.<chain>`` cannot be read as declared (None when it can)."""
    obj = data
    for i, name in enumerate(chain):
        path = ".".join(("data", *chain[: i + 1]))
        if not hasattr(obj, name):
            return f"{type(data).__name__} has no {path}"
        value = getattr(obj, name)
        hint = _hint(type(obj), name)
        if not conforms(value, hint):
            return f"{type(data).__name__}: {path} is {type(value).__name__}, declared {hint}"
        obj = value
    return None


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


def test_every_task_has_tiny_settings():
    assert set(TINY) == set(tasks())


@pytest.mark.parametrize("name", sorted(TINY))
def test_a_restored_task_has_its_prepared_data_class(name: str):
    prepared, restored = task_data(name)
    assert type(restored) is type(prepared)
    assert not restored.splits  # what the views must cope with: a loaded model's data has no splits


@pytest.mark.parametrize("module_name", VIEW_MODULES)
def test_what_the_views_read_is_on_the_task_data(module_name: str):
    reads = view_reads(module_name)
    classes = {data_class(name): name for name in TINY}
    bad = []
    for read in reads:
        names = [classes[c] for c in classes if read.cls is None or issubclass(c, read.cls)]
        assert names, f"{read.where}: {read.cls} is no task's data class"
        for name in names:
            for which, data in zip(("prepared", "restored"), task_data(name)):
                why = problems(data, read.chain)
                if why:
                    bad.append(f"{read.where}: {name} ({which}): {why}")
    assert not bad, "\n".join(bad)


def test_the_reads_are_found():
    """The collector sees reads through each kind of access (so the test above is not empty)."""
    found = {m: {(r.cls, r.chain) for r in view_reads(m)} for m in VIEW_MODULES}
    stock, translation = data_class("stock"), data_class("translation")
    assert (stock, ("lookback",)) in found["playground.views.stock"]  # task_data(view, ...)
    assert (stock, ("windows",)) in found["playground.views.stock"]  # a typed parameter
    assert (data_class("long-memory"), ("opts", "lag")) in found["playground.views.long_memory"]
    assert (translation, ("reverse_source",)) in found["playground.insights.decoding"]  # Choice.data
    assert (translation, ("state",)) in found["playground.insights.decoding"]  # choice.data.state()
    assert (translation, ("src_vocab",)) in found["playground.insights.attention_steps"]
    assert (None, ("examples",)) in found["playground.views.common"]  # any task's data


def test_a_renamed_field_is_caught():
    prepared, restored = task_data("stock")
    assert problems(prepared, ("lookback",)) is None and problems(restored, ("lookback",)) is None
    assert "has no data.look_back" in (problems(prepared, ("look_back",)) or "")
    assert "has no data.opts.lagg" in (problems(task_data("long-memory")[1], ("opts", "lagg")) or "")
    assert conforms(("close",), tuple[str, ...]) and not conforms(["close"], tuple[str, ...])
    assert conforms(3, float) and not conforms("3", int) and conforms(None, int | None)
    assert not conforms({"train": [1]}, dict[str, list[str]])


@pytest.mark.parametrize("module_name", VIEW_MODULES)
def test_the_views_guess_no_defaults(module_name: str):
    """No ``getattr(obj, "name", default)``: a missing field must fail, not fall back."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    guesses = [
        f"{module_name}:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 3
    ]
    assert not guesses, "\n".join(guesses)
