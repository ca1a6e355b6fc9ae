"""AppTest: a run's estimated memory and time beside its parameter count; Train on a run over the
budget is refused on a hosted server and needs a confirmation elsewhere (issue 12).

The largest model the sliders allow (paper-big with 12+12 layers: 353M parameters) is only
estimated here, never built: nothing in these tests allocates it.
"""

from __future__ import annotations

import pytest
from apptest import no_problems, page_test

from core.config import ConfigError
from core.runspec import plan
from playground import planning

BIGGEST = {
    "translation.arch": "transformer",
    "translation.preset": "paper-big",
    "translation.model.n_enc_layers": "12",
    "translation.model.n_dec_layers": "12",
}
TINY_WORD_ORDER = {"word_order.task.n_train": "256", "word_order.train.epochs": "1"}


@pytest.fixture(autouse=True)
def foreground(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    for name in ("SEQUENCE_LAB_HOSTED", "SEQUENCE_LAB_CONFIRM_SECONDS", "SEQUENCE_LAB_CONFIRM_MEMORY_MB"):
        monkeypatch.delenv(name, raising=False)


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_the_estimate_is_shown_beside_the_parameter_count():
    at = page_test("pages/word_order.py")
    no_problems(at)
    est = [c for c in at.caption if c.value.startswith("About ") and "(estimates)" in c.value]
    assert len(est) == 1 and " MB of memory and " in est[0].value
    assert "tokens/s" in est[0].proto.help  # how it was made, in the tooltip
    assert not any("big run" in c or "limit" in c for c in captions(at))
    at = page_test("pages/word_order.py", lang="ko")
    assert any("(추정치)" in c and "메모리" in c for c in captions(at))


def test_the_biggest_model_needs_a_confirmation_and_cancel_starts_nothing():
    at = page_test("pages/translation.py", **BIGGEST)
    no_problems(at)
    assert at.metric[0].value == "352,902,243"
    assert any("A big run" in c for c in captions(at))
    at.button(key="translation._train").click().run()
    no_problems(at)
    (warning,) = [w.value for w in at.warning if "big run" in w.value]
    assert "GB of memory (more than" in warning and "of training (more than 10 min" in warning
    assert "**d_model**" in warning  # the setting to lower
    assert "translation.run" not in at.session_state  # nothing started, nothing built
    at.button(key="translation._confirm_no").click().run()
    no_problems(at)
    assert not [w for w in at.warning if "big run" in w.value]
    assert "translation.run" not in at.session_state
    # pressing Train again asks again; changing a setting withdraws the question
    at.button(key="translation._train").click().run()
    assert at.button(key="translation._confirm_yes")
    at.slider(key="translation.model.n_dec_layers").set_value(11).run()
    no_problems(at)
    assert not [w for w in at.warning if "big run" in w.value]
    assert "translation.run" not in at.session_state


def test_train_anyway_starts_the_confirmed_run(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_CONFIRM_SECONDS", "0.01")  # every run is "big"
    at = page_test("pages/word_order.py", **TINY_WORD_ORDER)
    at.button(key="word_order._train").click().run()
    assert any("of training (more than" in w.value for w in at.warning)
    assert "word_order.run" not in at.session_state
    at.button(key="word_order._confirm_yes").click().run()
    no_problems(at)
    assert at.session_state["word_order.run"].finished.reason in ("done", "target")
    assert not [w for w in at.warning if "big run" in w.value]


def test_hosted_server_refuses_the_biggest_model_naming_what_to_lower(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    at = page_test("pages/translation.py", **BIGGEST)
    no_problems(at)
    assert any("Over this server's limit" in c for c in captions(at))
    at.button(key="translation._train").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "352,902,243 parameters, more than this server's limit of 2,000,000" in error
    assert "**d_model**" in error and "**Encoder layers**" in error
    assert "translation.run" not in at.session_state
    assert at.button(key="translation._stop").disabled is not False  # nothing to stop


def test_hosted_memory_cap_refuses_a_small_model_with_a_huge_batch(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_MEMORY_MB", "200")
    at = page_test("pages/word_order.py", **{**TINY_WORD_ORDER, "word_order.train.batch_size": "4096"})
    at.button(key="word_order._train").click().run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "of memory (an estimate from its settings), more than this server's limit of 200 MB" in error
    assert "**Batch size**" in error
    assert "word_order.run" not in at.session_state
    at = page_test(
        "pages/word_order.py", lang="ko", **{**TINY_WORD_ORDER, "word_order.train.batch_size": "4096"}
    )
    at.button(key="word_order._train").click().run()
    assert any("메모리" in e.value and "**배치 크기**" in e.value for e in at.error)


def test_hosted_budget_is_checked_for_every_submitted_job(monkeypatch):
    """Pages that submit jobs of their own (races, sweeps) go through training.submit: the same cap."""
    spec = plan("word-order", "gru", {"task.n_train": 256, "train.batch_size": 4096})
    planning.check_budget([("A", spec)])  # not hosted: no cap
    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_MEMORY_MB", "100")
    with pytest.raises(ConfigError, match="^A: This run would need about"):
        planning.check_budget([("A", spec), ("B", spec)])


TINY_STOCK = {
    "stock.task.start": "2012-01-01",
    "stock.task.lookback": "10",
    "stock.model.hidden_size": "8",
    "stock.model.embed_dim": "8",
    "stock.train.epochs": "1",
}


@pytest.mark.parametrize(
    "lang, words", [("en", "no price is that large"), ("ko", "그렇게 큰 가격은 없습니다")]
)
def test_absurd_prices_in_try_it_get_a_clear_message_in_the_users_language(monkeypatch, lang, words):
    # the language for the whole process: AppTest formats the page's radio options here too
    monkeypatch.setattr("playground.i18n.current_lang", lambda: lang)
    at = page_test("pages/stock.py", **TINY_STOCK)
    at.button(key="stock._train").click().run()
    no_problems(at)
    at.text_area(key="stock._prices").set_value(", ".join(["1e308"] * 40)).run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert words in error and "1e+308" in error
    assert not [m for m in at.metric if "e+3" in m.value]  # no 300-digit forecast
