"""In Chromium: the text-generation page trains with its defaults, shows what it wrote after each
epoch, and writes on from a start of one's own; the page in Korean too."""

from __future__ import annotations

import time

import pytest
from conftest import assert_clean, by_key, choose, open_page, shot, train, wait_rerun

pytestmark = pytest.mark.e2e


def test_defaults_train_and_write(page, server):
    open_page(page, server, "char_text")
    assert page.locator("h1").first.inner_text().strip() == "Text generation, character by character"
    t0 = time.monotonic()
    train(page, "char_text")
    took = time.monotonic() - t0
    assert_clean(page)
    assert page.get_by_text("What it wrote after each epoch").count() == 1
    assert page.get_by_text("Bits per character").count() >= 1
    assert took < 90, took  # the default run: seconds, not minutes (measured in bench/ui_timing.py)
    shot(page, "char-text-results")
    page.get_by_role("tab", name="Try it", exact=True).click()
    box = by_key(page, "char_text._prompt").locator("input")
    wait_rerun(page, lambda: (box.fill("When I do count the clock"), box.press("Enter")))
    page.get_by_text("When I do count the clock", exact=False).first.wait_for(timeout=30_000)
    assert_clean(page)
    shot(page, "char-text-try")


def test_korean(page, server):
    open_page(page, server, "char_text")
    choose(page, "lang_picker", "한국어")
    assert page.locator("h1").first.inner_text().strip() == "한 글자씩 글 쓰기"
    assert_clean(page)
