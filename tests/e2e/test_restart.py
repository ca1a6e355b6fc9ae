"""A freshly started server: share links restore the page and its settings, the app comes back
clean, and a downloaded checkpoint restores the trained model through the upload box."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import (
    SMALL,
    Server,
    alerts,
    assert_clean,
    by_key,
    choose,
    finished_messages,
    flip,
    nudge,
    open_page,
    shot,
    train,
    type_number,
    upload_file,
    wait_idle,
    wait_trained,
    widget_value,
)

from playground.i18n import STRINGS, t

pytestmark = pytest.mark.e2e

SHARED = (
    "lang_picker",
    "translation.arch",
    "translation.task.reverse_source",
    "translation.model.d_model",
    "translation.train.epochs",
    "translation.train.batch_size",
    "translation.train.seed",
)


@pytest.fixture(scope="module")
def own_server() -> Iterator[Server]:
    """This module restarts its server, so it has its own (the session's server stays up)."""
    s = Server(name="restart").start()
    yield s
    s.stop()


def ko(key: str) -> str:
    return STRINGS["ko"][key]


def share_link(page, header: str) -> str:
    """Open the sidebar's "Share these settings" box and read the link in it."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has_text=header)
    box.locator("summary").click()
    return box.locator("[data-testid='stCode']").inner_text().strip()


def query_of(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


def test_share_link_opens_the_same_page_with_the_same_settings_on_a_fresh_server(own_server, new_context):
    page = new_context().new_page()
    open_page(page, own_server, "translation")
    # a person configures the page with the widgets
    choose(page, "translation.arch", "transformer")  # first: switching resets the model knobs
    flip(page, "translation.task.reverse_source")
    nudge(page, "translation.model.d_model", -1)
    nudge(page, "translation.train.epochs", 3)
    nudge(page, "translation.train.batch_size", -1)
    type_number(page, "translation.train.seed", "7")
    choose(page, "lang_picker", "한국어")
    assert_clean(page)
    before = {k: widget_value(page, k) for k in SHARED}
    assert (
        before["translation.arch"] == "transformer" and before["lang_picker"] == "한국어"
    )  # shown by name, kept as ko in the link
    assert before["translation.task.reverse_source"] == "on" and before["translation.train.seed"] == "7"
    title = page.locator("h1").first.inner_text()
    assert title == ko("page.translation.title")

    # the link the app offers to copy
    link = share_link(page, ko("share.header"))
    path, query = query_of(link)
    assert path == "/translation"
    assert query == {
        "lang": ["ko"],
        "translation.arch": ["transformer"],
        "translation.task.reverse_source": ["true"],
        "translation.model.d_model": [before["translation.model.d_model"]],
        "translation.train.epochs": [before["translation.train.epochs"]],
        "translation.train.batch_size": [before["translation.train.batch_size"]],
        "translation.train.seed": ["7"],
    }
    shot(page, "share-before-restart")

    old = own_server.url
    own_server.restart()  # on the same port when it is free again, as a redeployed server would be
    link = link.replace(old, own_server.url)
    fresh = new_context().new_page()  # a new browser context: nothing carried over but the link
    fresh.goto(link)
    wait_idle(fresh)
    fresh.locator("h1").first.wait_for()
    assert_clean(fresh)
    assert fresh.locator("h1").first.inner_text() == title
    assert {k: widget_value(fresh, k) for k in SHARED} == before
    assert query_of(fresh.url) == query_of(link)
    shot(fresh, "share-after-restart")


def test_restart_comes_back_clean_and_a_downloaded_checkpoint_restores_the_model(own_server, new_context):
    page = new_context().new_page()
    open_page(page, own_server, "long_memory", SMALL["long_memory"])
    train(page, "long_memory", watch_chart=False)
    cards = page.locator("[data-testid='stTabPanel']").first.locator("[data-testid='stMetricValue']")
    trained_metrics = [c.strip() for c in cards.all_inner_texts()]
    assert trained_metrics
    page.get_by_role("tab", name=t("tab.save"), exact=True).click()
    with page.expect_download() as dl:
        by_key(page, "long_memory._download").locator("button").click()
    download = dl.value
    assert re.fullmatch(r"sequence-lab-long_memory-\w+\.zip", download.suggested_filename)
    data = open(download.path(), "rb").read()
    assert data[:2] == b"PK"

    own_server.restart()
    fresh = new_context().new_page()
    open_page(fresh, own_server, "long_memory", SMALL["long_memory"])
    assert_clean(fresh)
    # a fresh server knows nothing of the old session: no model, no run
    assert any(t("page.no_model").split(":")[0] in a for a in alerts(fresh, "Info"))
    assert fresh.locator("[data-testid='stTab']").count() == 0
    fresh.get_by_text(t("model.load_header")).click()
    upload_file(fresh, "long_memory.ckpt", download.suggested_filename, data, "application/zip")
    assert_clean(fresh)
    loaded = [a for a in alerts(fresh, "Success") if "Loaded a" in a]
    assert loaded, (alerts(fresh, "Success"), alerts(fresh, "Error"), alerts(fresh, "Warning"))
    # the restored model shows the test metrics it was saved with, and answers in "Try it"
    cards = fresh.locator("[data-testid='stTabPanel']").first.locator("[data-testid='stMetricValue']")
    cards.first.wait_for()
    assert [c.strip() for c in cards.all_inner_texts()] == trained_metrics
    fresh.get_by_role("tab", name=t("tab.try"), exact=True).click()
    answer = fresh.locator("[data-testid='stMetric']").filter(has_text=t("memory.model_answer"))
    assert answer.locator("[data-testid='stMetricValue']").inner_text().strip()
    shot(fresh, "restored-checkpoint")
    # ... and trains on from its saved weights
    by_key(fresh, "long_memory._continue").locator("button").click()
    fresh.wait_for_function(  # the run is going: Stop is enabled
        "() => { const b = document.querySelector('.st-key-long_memory-_stop button'); return b && !b.disabled; }",
        timeout=60_000,
    )
    wait_trained(fresh, "long_memory", watch_chart=False)
    assert_clean(fresh)
    assert finished_messages(fresh)
    assert fresh.get_by_text(t("model.which")).count() == 1  # trained here, or the file's model
    shot(fresh, "continued-checkpoint")


def test_a_shared_korean_link_stays_korean_after_train_on_a_fresh_server(own_server, new_context):
    """The first visitor after a (re)start opens a Korean link and presses Train: the page and
    its address stay Korean (the picker drawn before the navigation existed once lost its state)."""
    own_server.restart()
    page = new_context().new_page()
    open_page(page, own_server, "long_memory", {**SMALL["long_memory"], "lang": "ko"})
    assert page.locator("h1").first.inner_text() == ko("page.long_memory.title")
    train(page, "long_memory", watch_chart=False)
    assert page.locator("h1").first.inner_text() == ko("page.long_memory.title")
    assert widget_value(page, "lang_picker") == "한국어"
    assert query_of(page.url)[1].get("lang") == ["ko"]
    assert_clean(page)
