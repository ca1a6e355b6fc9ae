"""Helpers shared by the AppTest files: open a page of the real app, check it is clean, read its charts."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


def page_test(file: str | None = None, **query: str) -> AppTest:
    """The app with ``query`` in its address, switched to ``file`` (home when None), after one run."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    if file:
        at.switch_page(file)
    return at.run()


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    """Every plotly chart on the page, as the figure dict."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart_texts(at: AppTest) -> list[str]:
    """Every plotly chart as JSON text with non-ASCII kept as is (whichever serialiser plotly used)."""
    return [json.dumps(fig, ensure_ascii=False) for fig in figures(at)]
