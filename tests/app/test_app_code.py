"""The Code view (playground/code_view.py): the exported file shown highlighted and written once per settings."""

from __future__ import annotations


def test_code_view_shows_and_caches_the_file():
    from streamlit.testing.v1 import AppTest

    def app() -> None:
        import streamlit as st

        from core.runspec import plan
        from playground.code_view import CACHE_KEY, code_for, show_code

        spec = plan("word-order", "rnn", {"task.n_train": 200})
        show_code("word_order", spec)
        st.session_state["same"] = code_for("word_order", spec) is code_for("word_order", spec)
        st.session_state["cached"] = len(st.session_state[CACHE_KEY])

    at = AppTest.from_function(app, default_timeout=60).run()
    assert not at.exception
    assert at.code[0].language == "python" and "class RNNCell(_Cell):" in at.code[0].value
    assert at.session_state["cached"] == 1 and at.session_state["same"]  # written once per settings
