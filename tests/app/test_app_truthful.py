"""Cards and messages that tell the truth (issue 12), on the pages (stock, word order, sentiment,
translation) driven as a user would; the units behind them are in tests/unit/test_truthful.py."""

from __future__ import annotations

import pytest
from apptest import no_problems, page_test
from streamlit.testing.v1 import AppTest

from playground import i18n


@pytest.fixture(autouse=True)
def inline(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


# ---------------------------------------------------------------------------- noise and references


def _cards() -> None:
    from playground.results import metric_cards

    metric_cards(
        {"rmse": 1.0, "mae": 0.846, "direction_accuracy": 0.529},
        {
            "persistence": {"rmse": 1.2108, "mae": 0.847, "mape": 1.355},
            "momentum": {"rmse": 1.7101, "mae": 1.203, "direction_accuracy": 0.5265},
            "chance": {"direction_accuracy": 0.5},
        },
        ("rmse", "mae", "direction_accuracy"),
        "persistence",
        n=490,
    )


def test_cards_show_noise_grey_and_say_what_they_compare_with():
    at = AppTest.from_function(_cards).run()
    assert not at.exception
    cards = {m.label: m.proto for m in at.metric}
    direction = cards["Direction"]
    assert direction.delta.startswith("+") and direction.delta.endswith(" pt")
    assert "momentum" in direction.delta_description
    assert "persistence" not in direction.delta_description and "within noise" in direction.delta_description
    assert direction.color == direction.GRAY and direction.direction == direction.NONE
    mae = cards["MAE"]  # 0.846 against 0.847: no arrow, grey
    assert mae.color == mae.GRAY and mae.direction == mae.NONE
    rmse = cards["RMSE"]  # 1.0 against 1.211: lower is better, beyond noise
    assert rmse.color == rmse.GREEN and rmse.direction == rmse.DOWN
    assert rmse.delta_description == "vs persistence"
    table = at.dataframe[0].value
    persistence_direction = table.loc[table["metric"] == "Direction", "persistence"].item()
    assert persistence_direction == "–"


# ---------------------------------------------------------------------------- the run's verdict

# the stock LSTM at learning rate 1.0: 0.72 before the first update, 916 at step 2, then 3-30
LR_1 = [0.72, 916.4, 12.1, 29.6, 25.3, 4.8, 50.5, 39.8, 7.5, 7.7, 6.8, 4.2, 10.4, 7.5, 3.3, 3.2, 5.3, 4.2]
LR_1 += [6.2, 5.7, 2.2, 2.1, 3.7, 1.2, 2.8, 4.9, 2.0, 1.9, 3.6, 1.7, 3.4, 4.5, 6.4, 5.5, 6.0, 7.1]
# the default stock run: ~0.75 with the crash-day batch at ~4.5 once in each of 8 epochs


def test_stock_at_learning_rate_one_warns_instead_of_finished():
    at = page_test("pages/stock.py", **{"stock.train.lr": "1", "stock.train.epochs": "2"})
    no_problems(at)
    at.button(key="stock._train").click().run()
    no_problems(at)
    assert not any("Training finished" in s.value for s in at.success)
    warning = " ".join(w.value for w in at.warning)
    assert "Training finished." in warning and "The loss exploded" in warning
    assert "lower it" in warning and "(1)" in warning  # names the learning rate to lower
    assert "worse than the baseline 'persistence'" in warning
    # the Direction card compares with a baseline that calls a direction, never persistence's 0 %
    direction = next(m.proto for m in at.metric if m.label == "Direction")
    assert direction.delta_description and "persistence" not in direction.delta_description
    assert any(b in direction.delta_description for b in ("momentum", "chance", "moving average"))
    # under the loss chart: why the loss jumps once every epoch (AAPL's crash of 2000-09-29)
    note = [c.value for c in at.caption if "once every epoch" in c.value]
    assert note and "2000-09-29" in note[0] and "-52 %" in note[0] and "not a bug" in note[0]


# ---------------------------------------------------------------------------- smoothed loss


# ---------------------------------------------------------------------------- word order


def _word_order(pos: str, **extra: str) -> AppTest:
    """A Transformer trained one epoch at a learning rate too small to learn anything: it gives
    the same answer for a sequence and its swap, with or without positions."""
    settings = {
        "word_order.arch": "transformer-encoder",
        "word_order.model.pos_encoding": pos,
        "word_order.train.epochs": "1",
        "word_order.train.lr": "0.000001",
        "word_order.task.n_train": "256",
        **extra,
    }
    at = page_test("pages/word_order.py", **settings)
    at.button(key="word_order._train").click().run()
    no_problems(at)
    return at


def test_the_try_it_hint_depends_on_the_models_positions():
    at = _word_order("sinusoidal")
    same = [w.value for w in at.warning if "same answer for both orders" in w.value]
    assert same, [w.value for w in at.warning]
    assert "sinusoidal positional encoding" in same[0] and "does not see" not in same[0]
    at = _word_order("none")
    same = [w.value for w in at.warning if "same answer for both orders" in w.value]
    assert same and "no positional encoding" in same[0]


def test_word_order_answers_are_in_korean():
    at = _word_order("none", lang="ko")
    answers = {
        m.value
        for m in at.metric
        if m.label in (i18n.STRINGS["ko"]["memory.model_answer"], i18n.STRINGS["ko"]["order.swapped"])
    }
    assert answers and answers <= {"A가 먼저", "B가 먼저"}
    assert any("A가 먼저" in str(df.value) or "B가 먼저" in str(df.value) for df in at.dataframe)
    assert not any("B first" in str(df.value) or "A first" in str(df.value) for df in at.dataframe)


# ---------------------------------------------------------------------------- wording


def test_one_epoch_is_singular_on_the_page():
    at = page_test("pages/stock.py", **{"stock.train.epochs": "1"})
    no_problems(at)
    summary = next(m.value for m in at.markdown if "parameters" in m.value and "training examples" in m.value)
    assert summary.endswith("· 1 epoch") and "1 epochs" not in summary


def test_an_empty_sentiment_csv_speaks_of_texts_not_days():
    at = page_test("pages/sentiment.py", **{"sentiment.task.source": "upload"})
    next(f for f in at.get("file_uploader") if f.key == "sentiment.upload").set_value(
        ("reviews.csv", b"", "text/csv")
    ).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "empty" in errors and "one row per text" in errors and "per day" not in errors
    # the stock page keeps speaking of days
    at = page_test("pages/stock.py", **{"stock.task.source": "upload"})
    next(f for f in at.get("file_uploader") if f.key == "stock.upload").set_value(
        ("prices.csv", b"", "text/csv")
    ).run()
    assert "one row per day" in " ".join(e.value for e in at.error)


def test_the_ticker_error_is_korean_in_korean_mode():
    at = page_test("pages/stock.py", **{"stock.task.ticker": "NOPE", "lang": "ko"})
    assert not at.exception
    assert any("오프라인 데이터에 없습니다" in e.value for e in at.error), [e.value for e in at.error]
    assert not any("not shipped offline" in e.value for e in at.error)


def test_emoji_left_out_of_a_translation_are_listed():
    at = page_test(
        "pages/translation.py",
        **{
            "translation.arch": "seq2seq",
            "translation.task.n_pairs": "200",
            "translation.model.hidden_size": "16",
            "translation.model.embed_dim": "16",
            "translation.train.epochs": "1",
        },
    )
    no_problems(at)
    at.button(key="translation._train").click().run()
    no_problems(at)
    at.text_input(key="translation._sentence").set_value("the cat 😀 sees the dog 🐶.").run()
    no_problems(at)
    left_out = [c.value for c in at.caption if c.value.startswith("Left out")]
    assert left_out and "😀" in left_out[0] and "🐶" in left_out[0] and "." not in left_out[0].split(":")[1]
    # only emoji: a message that says so, not a traceback
    at.text_input(key="translation._sentence").set_value("😀 🐶").run()
    assert not at.exception
    assert any("symbols (such as emoji)" in e.value for e in at.error)
