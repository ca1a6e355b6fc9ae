"""The tests' own layout: every test file sits in one layer folder (the folder is its marker), and
no two test files share a name (pytest imports them by name, so a duplicate would shadow one)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
LAYERS = {"unit", "app", "cluster", "e2e"}


def test_every_test_file_is_in_a_layer_and_names_are_unique():
    files = sorted(TESTS.rglob("test_*.py"))
    assert len(files) > 50
    outside = [str(f.relative_to(TESTS)) for f in files if f.relative_to(TESTS).parts[0] not in LAYERS]
    assert outside == []
    twice = [name for name, n in Counter(f.name for f in files).items() if n > 1]
    assert twice == []


def test_page_tests_are_in_the_app_layer():
    """A unit test opens no page: AppTest lives in tests/app (and the browser in tests/e2e)."""
    opens = ("streamlit.testing", "page_test(", "from apptest")
    unit = [
        f.name
        for f in (TESTS / "unit").glob("test_*.py")
        if f.name != Path(__file__).name and any(s in f.read_text(encoding="utf-8") for s in opens)
    ]
    assert unit == []
