"""The Course page in Chromium: open a step from its address, predict, run the experiment in the
app's workers, see the check beside the prediction; then the next two steps, computed in the page,
with the address following along."""

from __future__ import annotations

import re

import pytest
from conftest import alerts, assert_clean, by_key, open_page, shot, wait_rerun

from playground.course.steps import number_of
from playground.i18n import t

pytestmark = pytest.mark.e2e


def choose(page, key: str, label: str) -> None:
    option = by_key(page, key).locator("label").filter(has_text=label).first
    wait_rerun(page, option.click)


def type_number(page, key: str, value: str) -> None:
    box = by_key(page, key).locator("input")
    box.fill(value)
    wait_rerun(page, lambda: box.press("Enter"))


def run(page, step: str) -> None:
    button = by_key(page, f"course.{step}._run").locator("button")
    button.click()
    page.get_by_text(t("course.check"), exact=True).first.wait_for(timeout=90_000)
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=60_000)


def metrics(page) -> list[str]:
    return page.locator("[data-testid='stMetricValue']").all_inner_texts()


def test_three_steps_of_the_course(page, server):
    n = number_of("positional")
    open_page(page, server, "course", {"step": str(n)})
    assert page.locator("h1").first.inner_text().strip() == t("course.title")
    assert_clean(page)
    heading = page.locator("h2").first
    assert heading.inner_text().strip() == f"{n}. {t('course.step.positional.title')}"
    # the Run button waits for a prediction
    assert by_key(page, "course.positional._run").locator("button").is_disabled()
    choose(page, "course.positional.guess", t("course.step.positional.option.no"))
    run(page, "positional")  # trains two Transformer encoders in a worker
    assert_clean(page)
    values = metrics(page)
    assert values[0] == t("course.step.positional.option.no")
    assert values[1] in (t("course.step.positional.option.no"), t("course.step.positional.option.yes"))
    assert alerts(page, "Success") or alerts(page, "Warning")
    shot(page, "course-positional")

    # the next step: computed in the page
    wait_rerun(page, by_key(page, "course._next").locator("button").click)
    page.wait_for_url(re.compile(rf"step={n + 1}"))
    assert page.locator("h2").first.inner_text().strip() == f"{n + 1}. {t('course.step.qkv.title')}"
    type_number(page, "course.qkv.guess", "64")
    run(page, "qkv")
    assert_clean(page)
    assert metrics(page)[1].startswith("64")
    assert any(t("course.right") in a for a in alerts(page, "Success"))

    # and one more, then the progress says two were checked
    wait_rerun(page, by_key(page, "course._next").locator("button").click)
    page.wait_for_url(re.compile(rf"step={n + 2}"))
    type_number(page, "course.dot.guess", "12")
    run(page, "dot")
    assert_clean(page)
    assert metrics(page)[1].startswith("36")
    assert any(t("course.not_right") in a for a in alerts(page, "Warning"))
    progress = page.locator("[data-testid='stProgress']").first.inner_text()
    assert t("course.progress", n=n + 2, total=24, done=3).split("·")[1].strip() in progress
    shot(page, "course-dot")
    assert_clean(page)
