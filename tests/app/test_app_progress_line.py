"""The live progress line: a run that may end at its target or early says its ETA is the longest
it can take ("or sooner"); a run that trains every epoch gives the ETA as it is."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from playground.i18n import STRINGS


def _line(lang: str, stop_at_target: bool, early_stopping: int) -> str:
    def app(lang, stop_at_target, early_stopping):
        from types import SimpleNamespace

        import streamlit as st

        from core.config import resolve
        from core.events import Started, Step
        from core.train import TrainConfig
        from playground import taskpage

        st.session_state["lang"] = lang
        cfg = resolve(
            TrainConfig, {"epochs": 20, "stop_at_target": stop_at_target, "early_stopping": early_stopping}
        )
        run = SimpleNamespace(
            started=Started(params=1000, device="cpu", total_steps=1000),
            last_step=Step(step=28, epoch=1, loss=0.894, lr=1e-3, items_per_s=0.0, tokens_per_s=9800.0,
                           elapsed_s=1.2, eta_s=41.0, progress=0.028),
            finished=None,
            spec=SimpleNamespace(train_cfg=cfg),
            handle=SimpleNamespace(stop_requested=False),
        )  # fmt: skip
        taskpage._progress_line(run)

    at = AppTest.from_function(app, args=(lang, stop_at_target, early_stopping)).run()
    assert not at.exception, at.exception
    (bar,) = at.get("progress")
    return bar.proto.text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_an_eta_that_may_come_sooner_says_so(lang):
    strings = STRINGS[lang]
    args = dict(epoch=1, epochs=20, step="28", total="1,000", loss="0.8940", eta="41 s", rate="9.8k")
    plain = _line(lang, stop_at_target=False, early_stopping=0)
    assert plain == strings["run.progress"].format(**args, unit=strings["run.tokens_s"])
    for target, early in ((True, 0), (False, 3)):
        sooner = _line(lang, stop_at_target=target, early_stopping=early)
        assert sooner == strings["run.progress_sooner"].format(**args, unit=strings["run.tokens_s"])
        assert sooner != plain
