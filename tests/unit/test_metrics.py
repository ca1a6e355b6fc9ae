"""core.metrics against hand-computed values and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from core import metrics

# ---------------------------------------------------------------- regression


def test_rmse_mae_mape_by_hand():
    actual = [100.0, 102.0, 101.0, 105.0]
    predicted = [101.0, 100.0, 101.0, 108.0]
    # errors 1, -2, 0, 3
    assert metrics.rmse(actual, predicted) == pytest.approx(math.sqrt((1 + 4 + 0 + 9) / 4))
    assert metrics.mae(actual, predicted) == pytest.approx((1 + 2 + 0 + 3) / 4)
    assert metrics.mape(actual, predicted) == pytest.approx(100 * (1 / 100 + 2 / 102 + 0 + 3 / 105) / 4)


def test_regression_metrics_match_sklearn_on_2d_arrays():
    rng = np.random.default_rng(0)
    a = rng.uniform(10, 20, size=(50, 3))
    p = a + rng.normal(0, 1, size=(50, 3))
    assert metrics.rmse(a, p) == pytest.approx(math.sqrt(skm.mean_squared_error(a.ravel(), p.ravel())))
    assert metrics.mae(a, p) == pytest.approx(skm.mean_absolute_error(a.ravel(), p.ravel()))
    assert metrics.mape(a, p) == pytest.approx(100 * skm.mean_absolute_percentage_error(a.ravel(), p.ravel()))


def test_mape_skips_zero_actuals_and_returns_python_float():
    value = metrics.mape([0.0, 2.0], [5.0, 1.0])
    assert type(value) is float
    assert value == pytest.approx(50.0)
    assert math.isnan(metrics.mape([0.0], [1.0]))


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        metrics.rmse([1.0, 2.0], [1.0])


def test_direction_accuracy_by_hand():
    last = [10.0, 10.0, 10.0, 10.0]
    actual = [11.0, 9.0, 12.0, 10.0]  # up, down, up, no move (left out)
    predicted = [10.5, 10.5, 9.0, 11.0]  # up (right), up (wrong), down (wrong), ignored
    assert metrics.direction_accuracy(actual, predicted, last) == pytest.approx(1 / 3)


def test_direction_accuracy_multi_step_shares_last_and_no_change_is_never_right():
    last = np.array([10.0, 20.0])
    actual = np.array([[11.0, 12.0], [19.0, 21.0]])
    predicted = np.array([[10.1, 10.2], [19.5, 19.0]])  # right, right, right, wrong
    assert metrics.direction_accuracy(actual, predicted, last) == pytest.approx(3 / 4)
    persistence = np.repeat(last[:, None], 2, axis=1)
    assert metrics.direction_accuracy(actual, persistence, last) == 0.0


# ------------------------------------------------------------ classification


def test_accuracy_confusion_f1_by_hand():
    y_true = [0, 0, 0, 1, 1, 2]
    y_pred = [0, 0, 1, 1, 2, 2]
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    assert metrics.confusion_matrix(y_true, y_pred, 3) == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    # class 0: P=2/2 R=2/3 -> 0.8; class 1: P=1/2 R=1/2 -> 0.5; class 2: P=1/2 R=1 -> 2/3
    assert metrics.f1_per_class(y_true, y_pred, 3) == pytest.approx([0.8, 0.5, 2 / 3])
    assert metrics.f1_macro(y_true, y_pred, 3) == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_classification_metrics_match_sklearn():
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 4, size=200)
    y_pred = np.where(rng.random(200) < 0.6, y_true, rng.integers(0, 4, size=200))
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert metrics.f1_macro(y_true, y_pred, 4) == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert metrics.confusion_matrix(y_true, y_pred, 4) == skm.confusion_matrix(y_true, y_pred).tolist()


def test_f1_macro_ignores_classes_never_seen_like_sklearn():
    y_true, y_pred = [0, 0, 1, 1], [0, 1, 1, 1]
    # class 2 exists in the task but in neither array
    expected = skm.f1_score(y_true, y_pred, average="macro")
    assert metrics.f1_macro(y_true, y_pred, 3) == pytest.approx(expected)
    # a class that is predicted but never true scores 0 and counts in the mean
    assert metrics.f1_macro([0, 0], [0, 1], 2) == pytest.approx(skm.f1_score([0, 0], [0, 1], average="macro"))


def test_empty_inputs_give_nan():
    assert math.isnan(metrics.accuracy([], []))
    assert math.isnan(metrics.rmse([], []))
