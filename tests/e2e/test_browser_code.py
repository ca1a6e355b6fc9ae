"""In Chromium: a trained page's Code tab writes the page's settings as one Python file, shows it
highlighted and offers it as a download whose text is the file shown."""

from __future__ import annotations

import ast

import pytest
from conftest import SMALL, assert_clean, by_key, open_page, shot, train, wait_idle

pytestmark = pytest.mark.e2e


def test_code_tab_writes_a_runnable_looking_file(page, server):
    open_page(page, server, "word_order", SMALL["word_order"] | {"word_order.train.epochs": "2"})
    train(page, "word_order", watch_chart=False)
    page.get_by_role("tab", name="Code").click()
    by_key(page, "word_order._code_show").get_by_role("button").click()
    wait_idle(page)
    code_block = page.locator("[data-testid='stCode']").last
    code_block.wait_for(timeout=60_000)
    shown = code_block.inner_text()
    assert "import torch" in shown
    assert "class " in shown
    download = by_key(page, "word_order.code.download").get_by_role("button")
    assert download.count() == 1
    with page.expect_download(timeout=60_000) as info:
        download.click()
    path = info.value.path()
    text = open(path, encoding="utf-8").read()
    assert info.value.suggested_filename.endswith(".py")
    ast.parse(text)  # the downloaded file is Python
    for line in ("import torch", "def main("):
        assert line in text, line
    # the file shown is the file downloaded (line numbers aside)
    assert text.splitlines()[0].strip() in shown
    assert_clean(page)
    shot(page, "code-tab")
