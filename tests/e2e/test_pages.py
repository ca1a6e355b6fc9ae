"""Every page of the app opens in Chromium with its title and no exception; a screenshot of each.

The task pages are opened (title, no exception, screenshot) by test_training.py, which trains on
each of them; here: the home page and every other page of the app's page list.
"""

from __future__ import annotations

import pytest
from conftest import assert_clean, open_page, shot

from playground.app import ALL_PAGES, HOME, TASK_PAGES
from playground.i18n import t

pytestmark = pytest.mark.e2e


def expected_title(info) -> str:
    if info is HOME:
        return t("home.title")
    # task pages title themselves page.<path>.title, the insight pages ins.<path>.title, the course course.title
    p = info.url_path
    return t(
        f"page.{p}.title", default=t(f"ins.{p}.title", default=t(f"{p}.title", default=t(info.title_key)))
    )


OTHER_PAGES = [p for p in ALL_PAGES if p not in TASK_PAGES]


@pytest.mark.parametrize("info", OTHER_PAGES, ids=[p.url_path or "home" for p in OTHER_PAGES])
def test_page_opens_with_its_title_and_no_exception(page, server, info):
    open_page(page, server, info.url_path)
    assert page.locator("h1").first.inner_text().strip() == expected_title(info)
    # the sidebar's navigation marks this page as the current one
    current = page.locator("[data-testid='stSidebarNavLink'][aria-current='page']")
    assert t(info.title_key) in current.inner_text()
    assert_clean(page)
    shot(page, f"page-{info.url_path or 'home'}")
    assert_clean(page)  # still clean once the charts have drawn


def test_train_something_now_opens_the_translation_page_at_its_own_address(page, server):
    from conftest import by_key, wait_trained

    open_page(page, server, "")
    by_key(page, "home._quick").locator("button").click()
    page.wait_for_function(  # training has started on the translation page
        "() => { const b = document.querySelector('.st-key-translation-_stop button');"
        " return !!b && !b.disabled; }",
        timeout=60_000,
    )
    assert "/translation" in page.url  # while it trains, the address (the share link) is the page's
    wait_trained(page, "translation", watch_chart=False)
    assert "/translation" in page.url
    assert_clean(page)
