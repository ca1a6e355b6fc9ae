"""Config parsing and validation: the one path that the CLI, the app and tests use."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.config import ConfigError, describe, param, parse_assignments, resolve


@dataclass(frozen=True)
class Demo:
    hidden: int = param(16, lo=1, hi=64, help="hidden size")
    rate: float = param(0.1, lo=0.0, hi=1.0)
    cell: str = param("gru", choices=("rnn", "lstm", "gru"))
    bidirectional: bool = param(False)
    vocab_size: int = param(0, lo=0, hi=100, data=True)


def test_describe_lists_fields_with_ranges():
    info = {f.name: f for f in describe(Demo)}
    assert list(info) == ["hidden", "rate", "cell", "bidirectional", "vocab_size"]
    assert info["hidden"].type is int and (info["hidden"].lo, info["hidden"].hi) == (1, 64)
    assert info["cell"].choices == ("rnn", "lstm", "gru")
    assert info["vocab_size"].data and not info["hidden"].data
    assert info["hidden"].help == "hidden size"


def test_resolve_parses_strings():
    cfg = resolve(Demo, {"hidden": "32", "rate": "0.5", "cell": "lstm", "bidirectional": "true"})
    assert cfg == Demo(hidden=32, rate=0.5, cell="lstm", bidirectional=True)
    assert resolve(cfg, {"bidirectional": "off"}).bidirectional is False


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"hidden": "0"}, "below the minimum"),
        ({"hidden": "65"}, "above the maximum"),
        ({"hidden": "3.5"}, "not a valid int"),
        ({"rate": "nan"}, "not a valid float"),
        ({"cell": "transformer"}, "not one of: rnn, lstm, gru"),
        ({"bidirectional": "maybe"}, "not a valid bool"),
        ({"hiden": "3"}, "valid settings: hidden, rate, cell, bidirectional, vocab_size"),
    ],
)
def test_bad_values_name_what_is_valid(overrides, message):
    with pytest.raises(ConfigError, match=message):
        resolve(Demo, overrides)


def test_parse_assignments():
    assert parse_assignments(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ConfigError, match="key=value"):
        parse_assignments(["oops"])
