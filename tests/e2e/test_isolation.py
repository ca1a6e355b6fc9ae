"""Two people at once: a model trained in one browser session is not visible in another."""

from __future__ import annotations

import pytest
from conftest import (
    SMALL,
    alerts,
    assert_clean,
    by_key,
    finished_messages,
    open_page,
    start_training,
    wait_idle,
    wait_rerun,
    wait_trained,
)

from playground.i18n import t

pytestmark = pytest.mark.e2e

NO_MODEL = t("page.no_model").split(":")[0]


def shows_no_run(page, prefix: str) -> None:
    assert any(NO_MODEL in a for a in alerts(page, "Info"))
    assert page.locator("[data-testid='stProgress']").count() == 0  # no progress bar, no loss chart
    assert page.locator(f".st-key-{prefix}-_lossfig").count() == 0
    assert page.locator("[data-testid='stTab']").count() == 0  # no results
    assert not by_key(page, f"{prefix}._train").locator("button").is_disabled()
    assert by_key(page, f"{prefix}._stop").locator("button").is_disabled()


def test_a_model_trained_in_one_session_is_not_visible_in_another(server, new_context):
    prefix = "long_memory"
    alice = new_context().new_page()
    bob = new_context().new_page()
    open_page(alice, server, prefix, SMALL[prefix])
    open_page(bob, server, prefix, SMALL[prefix])  # same page, same settings, same server

    start_training(alice, prefix)
    bob.reload()  # Bob's page runs again while Alice trains
    wait_idle(bob)
    shows_no_run(bob, prefix)

    wait_trained(alice, prefix, watch_chart=False)
    assert alice.locator("[data-testid='stTab']").count() == 5  # results, try it, inside, code, save
    assert_clean(alice)

    bob.reload()
    wait_idle(bob)
    bob.locator("h1").first.wait_for()
    shows_no_run(bob, prefix)
    assert_clean(bob)
    # Alice still has her model after Bob's page ran again: she asks it about her own sequence
    # (a reload would start a new session, so she types instead)
    alice.get_by_role("tab", name=t("tab.try"), exact=True).click()
    box = by_key(alice, f"{prefix}._seq").locator("textarea")
    box.fill("C a b a c b a ?")
    wait_rerun(alice, lambda: box.press("Control+Enter"))
    assert finished_messages(alice)
    answer = alice.locator("[data-testid='stMetric']").filter(has_text=t("memory.model_answer"))
    assert answer.locator("[data-testid='stMetricValue']").inner_text().strip()
    assert_clean(alice)
