"""Core says how to read every metric the tasks report: which way is better, how it is written."""

from __future__ import annotations

import math

import pytest

from core.metrics import METRICS, format_delta, format_metric, metric_info
from core.registry import tasks


@pytest.mark.parametrize("name", sorted(tasks()))
def test_every_tasks_primary_metric_is_known_and_agrees_on_direction(name):
    primary = tasks()[name].primary
    assert primary.name in METRICS, primary.name
    assert metric_info(primary.name).higher_is_better == primary.higher_is_better


def test_formats_follow_the_kind_of_metric():
    assert format_metric("accuracy", 0.8123) == "81.2 %"
    assert format_metric("direction_accuracy", 0.5) == "50.0 %"  # the name the stock task reports
    assert format_metric("mape", 1.234) == "1.23 %"
    assert format_metric("bleu", 27.44) == "27.4"
    assert format_metric("rmse", 0.01234) == "0.01234"
    assert format_metric("rmse", 1234.5) == "1,234.5"
    assert format_metric("loss", math.nan) == "–" and format_metric("loss", None) == "–"
    assert format_delta("exact_match", 0.031) == "+3.1 pt"
    assert format_delta("rmse", -0.5) == "-0.5"
    assert not metric_info("rmse").higher_is_better and metric_info("bleu").higher_is_better
    assert metric_info("something_new").higher_is_better  # unknown: a plain number


def test_the_app_reads_the_same_table():
    from playground import results

    assert results.fmt_metric is format_metric
    assert "exact_match" in results.FRACTIONS and "bleu" not in results.FRACTIONS
    assert results.higher_is_better("accuracy") and not results.higher_is_better("mape")


def test_evaluating_turns_dropout_and_gradients_off_and_gives_the_mode_back():
    import torch

    from core.models.base import evaluating

    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.9))
    x = torch.ones(2, 4)
    model.train()
    with evaluating(model):
        assert not model.training and not torch.is_grad_enabled()
        assert torch.equal(model(x), model(x))  # dropout off: the same output twice
    assert model.training and torch.is_grad_enabled()
    with evaluating(model, grad=True):
        assert model(x).requires_grad
    model.eval()
    try:
        with evaluating(model):
            raise ValueError
    except ValueError:
        pass
    assert not model.training  # an eval-mode model stays in eval mode, even after an error
