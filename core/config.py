"""Frozen dataclass configs with ranges, and the one parser that the CLI, the app and tests use.

Every config field is declared with :func:`param`, which records its allowed range or choices and a
one-line help text in the field's metadata. :func:`describe` lists them for widgets; :func:`resolve`
builds a validated instance from ``key=value`` overrides (strings from the CLI or URL, or values).
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A bad configuration value or key; the message is meant for the user."""


def param(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple | None = None,
    help: str = "",
    log: bool = False,
    step: float | None = None,
    data: bool = False,
    objectives: frozenset[str] | None = None,
) -> Any:
    """Declare a config field with its allowed range (lo..hi) or choices and a help text.

    ``data=True`` marks a field that the task fills in (vocabulary size, number of classes, ...):
    the CLI still accepts it, the app does not show it as a knob. ``objectives``: the task objectives the
    field means something for (None: every objective); elsewhere the app does not offer it.
    """
    meta = {
        "lo": lo,
        "hi": hi,
        "choices": choices,
        "help": help,
        "log": log,
        "step": step,
        "data": data,
        "objectives": objectives,
    }
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: type
    default: Any
    lo: float | None
    hi: float | None
    choices: tuple | None
    help: str
    log: bool
    step: float | None
    data: bool
    objectives: frozenset[str] | None = None  # task objectives the field means something for (None: all)

    def serves(self, objective: str) -> bool:
        return self.objectives is None or objective in self.objectives


def _field_type(cls: type, f: dataclasses.Field) -> type:
    hints = typing.get_type_hints(cls)
    t = hints.get(f.name, type(f.default))
    if typing.get_origin(t) is typing.Union or str(t).startswith("typing.Optional"):
        args = [a for a in typing.get_args(t) if a is not type(None)]
        t = args[0] if args else str
    return t


def describe(cls_or_obj: Any) -> list[FieldInfo]:
    """Field descriptions of a config dataclass (class or instance), in declaration order."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    out = []
    for f in dataclasses.fields(cls):
        m = f.metadata
        out.append(
            FieldInfo(
                name=f.name,
                type=_field_type(cls, f),
                default=f.default,
                lo=m.get("lo"),
                hi=m.get("hi"),
                choices=m.get("choices"),
                help=m.get("help", ""),
                log=m.get("log", False),
                step=m.get("step"),
                data=m.get("data", False),
                objectives=m.get("objectives"),
            )
        )
    return out


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def parse_value(info: FieldInfo, raw: Any) -> Any:
    """Convert ``raw`` (a string or a value) to the field's type and check range/choices."""
    t = info.type
    try:
        if t is bool:
            if isinstance(raw, bool):
                v = raw
            elif str(raw).strip().lower() in _TRUE:
                v = True
            elif str(raw).strip().lower() in _FALSE:
                v = False
            else:
                raise ValueError
        elif t is int:
            if isinstance(raw, bool):
                raise ValueError
            fv = float(raw)
            if not fv.is_integer():
                raise ValueError
            v = int(fv)
        elif t is float:
            v = float(raw)
            if not math.isfinite(v):
                raise ValueError
        else:
            v = str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{info.name}: {raw!r} is not a valid {t.__name__}") from None
    if info.choices is not None and v not in info.choices:
        valid = ", ".join(map(str, info.choices))
        raise ConfigError(f"{info.name}: {v!r} is not one of: {valid}")
    if info.lo is not None and v < info.lo:
        raise ConfigError(f"{info.name}: {v} is below the minimum {info.lo}")
    if info.hi is not None and v > info.hi:
        raise ConfigError(f"{info.name}: {v} is above the maximum {info.hi}")
    return v


def resolve(cls_or_obj: Any, overrides: dict[str, Any] | None = None, *, strict: bool = True) -> Any:
    """Return a config instance with ``overrides`` applied and every value validated.

    ``cls_or_obj`` is a config class (start from its defaults) or an instance (start from it).
    Unknown keys raise :class:`ConfigError` naming the valid ones, unless ``strict`` is False,
    in which case they are ignored.
    """
    overrides = dict(overrides or {})
    base = cls_or_obj() if isinstance(cls_or_obj, type) else cls_or_obj
    infos = {i.name: i for i in describe(base)}
    unknown = [k for k in overrides if k not in infos]
    if unknown and strict:
        raise ConfigError(f"unknown setting {', '.join(sorted(unknown))}; valid settings: {', '.join(infos)}")
    values = {}
    for k, raw in overrides.items():
        if k in infos:
            values[k] = parse_value(infos[k], raw)
    obj = dataclasses.replace(base, **values)
    check = getattr(obj, "check", None)
    if callable(check):
        check()
    return obj


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """Parse CLI ``key=value`` strings into a dict; a missing '=' is a ConfigError."""
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def to_dict(obj: Any) -> dict[str, Any]:
    return dataclasses.asdict(obj)
