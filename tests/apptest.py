"""Helpers shared by the AppTest files: open a page of the real app, check it is clean, read its charts."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
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


@pytest.fixture(scope="module")
def scan_components_once():
    """Streamlit scans the installed packages for components on every AppTest run; once per
    module is enough (a file that wants it imports this fixture and marks it autouse)."""
    from streamlit.components.v2 import manifest_scanner

    original = manifest_scanner.scan_component_manifests
    manifest_scanner.scan_component_manifests = functools.cache(original)
    yield
    manifest_scanner.scan_component_manifests = original


def trace(at: AppTest, name: str) -> dict:
    """The first plotly trace called ``name`` on the page."""
    for fig in figures(at):
        for tr in fig["data"]:
            if tr.get("name") == name:
                return tr
    raise AssertionError(f"no trace named {name!r}")


def no_problems(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    """Every plotly chart on the page, as the figure dict."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart_texts(at: AppTest) -> list[str]:
    """Every plotly chart as JSON text with non-ASCII kept as is (whichever serialiser plotly used)."""
    return [json.dumps(fig, ensure_ascii=False) for fig in figures(at)]
