"""AppTest of the Course page: every step in both languages (explanation shown, a prediction made,
its experiment run with tiny settings, the check shown beside the prediction; a step that compares
models draws one trace or bar per model, and a step that reports times says which machine measured
them), the step in the address, skipping, previous/next, and the home page's links into the course.

``SEQUENCE_LAB_EXECUTOR=inline`` trains inside the script run and ``SEQUENCE_LAB_COURSE_TINY``
makes every experiment a second or two.
"""

from __future__ import annotations

import json
import math
import re
from types import SimpleNamespace

import pytest
import torch
from apptest import no_problems, page_test, scan_components_once

from core.events import Started
from core.execution import cores
from playground import i18n
from playground.course import machine
from playground.course.model import TINY_ENV, Choice, Machine, Number, Trained
from playground.course.page import machine_caption
from playground.course.steps import STEPS, number_of, step_for_concept

pytestmark = pytest.mark.usefixtures("scan_components_once")
_ = scan_components_once

HANGUL = re.compile(r"[\uac00-\ud7a3]")
FILE = "pages/course.py"
# the steps whose question is a speed or a time (every trained step's table has its training seconds)
TIMING = ("gru", "attention", "transformer", "parallel")


@pytest.fixture(autouse=True)
def tiny_inline(monkeypatch):
    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "inline")
    monkeypatch.setenv(TINY_ENV, "1")
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)


def s(lang: str, key: str, **values: str) -> str:
    text = i18n.STRINGS[lang][key]
    return text.format(**values) if values else text


def plural(lang: str, key: str, n: int) -> str:
    one = i18n.STRINGS[lang].get(f"{key}.one")
    return one if n == 1 and one else s(lang, key, n=str(n))


def models(step) -> list[str]:
    """The models a step compares: its lanes' names, without a lane's setting ("lstm · T=12")."""
    return list(dict.fromkeys(lane.name.split(" · ")[0] for lane in step.experiment.lanes))


def label(lang: str, name: str) -> str:
    return i18n.STRINGS[lang].get(f"course.lane.{name.replace(' ', '_')}", name)


def check_chart(at, step, lang: str) -> None:
    """One trace per model (a bar each for a single number), with measured numbers; axis titles and
    reference lines in the page's language."""
    figs = [
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if c.proto.id.endswith(f"-course.{step.key}.chart")
    ]
    assert len(figs) == 1, f"{step.key}: the check draws a chart"
    fig = figs[0]
    assert [tr["name"] for tr in fig["data"]] == [label(lang, m) for m in models(step)], step.key
    for tr in fig["data"]:
        ys = [y for y in tr["y"] if isinstance(y, int | float) and math.isfinite(y)]
        assert ys, (step.key, tr["name"], "a measured number")
        if tr["type"] == "bar":
            assert tr["x"] == [tr["name"]] and len(tr["y"]) == 1, (step.key, "one bar per model")
    colors = [tr["marker"]["color"] if tr["type"] == "bar" else tr["line"]["color"] for tr in fig["data"]]
    assert len(set(colors)) == len(colors), (step.key, "every model in a colour of its own", colors)
    axis = {v for k, v in i18n.STRINGS[lang].items() if k.startswith("course.axis.")}
    layout = fig["layout"]
    assert layout["yaxis"]["title"]["text"] in axis, step.key
    assert layout["xaxis"].get("title", {}).get("text", "") in axis | {""}, step.key
    refs = [v.split("{")[0] for k, v in i18n.STRINGS[lang].items() if k.startswith("course.ref.")]
    for note in layout.get("annotations", []):
        assert any(note["text"].startswith(r) for r in refs), (step.key, note["text"])
    if lang == "ko":
        assert HANGUL.search(layout["yaxis"]["title"]["text"])


def expected_machine(lang: str) -> str:
    """Inline, the runs train in this process: its cores, its torch threads, on the CPU."""
    return s(
        lang,
        "course.machine",
        cores=plural(lang, "course.machine_cores", cores()),
        threads=plural(lang, "course.machine_threads", torch.get_num_threads()),
        device=s(lang, "course.machine_cpu"),
    )


def machine_captions(at, lang: str) -> list[str]:
    prefix = s(lang, "course.machine").split("{")[0]
    return [c.value for c in at.caption if c.value.startswith(prefix)]


def make_prediction(at, step) -> None:
    """Through the session state: AppTest formats a radio's options in the test's own language."""
    pred = step.prediction
    guess = pred.options[0] if isinstance(pred, Choice) else float(pred.default)
    at.session_state[f"course.{step.key}.guess"] = guess
    at.run()
    no_problems(at)


def run_button(at, step):
    return at.button(key=f"course.{step.key}._run")


def walk(at, step, lang: str) -> None:
    """Explanation -> prediction -> run -> check, on the step the page shows now."""
    no_problems(at)
    n = number_of(step.key)
    assert at.query_params["step"] == [str(n)] or at.query_params["step"] == str(n)
    assert at.header[0].value == f"{n}. {s(lang, f'course.step.{step.key}.title')}"
    assert s(lang, f"course.step.{step.key}.body") in [m.value for m in at.markdown]
    if step.equation:
        assert step.equation in at.latex[0].value
    assert run_button(at, step).disabled  # predict first
    make_prediction(at, step)
    assert not run_button(at, step).disabled
    run_button(at, step).click().run()
    no_problems(at)
    assert s(lang, "course.check") in [h.value for h in at.subheader]
    measured = at.metric[1].value
    assert measured and measured != "–"
    assert at.metric[0].value != "–"  # the prediction, kept beside the measurement
    boxes = [b.value for b in at.success] + [b.value for b in at.warning]
    assert s(lang, "course.right") in boxes or s(lang, "course.not_right") in boxes
    assert at.dataframe, "the check shows its numbers"
    texts = " ".join(m.value for m in at.markdown)
    why_keys = [k for k in i18n.EN if k.startswith(f"course.step.{step.key}.why")]
    assert any(i18n.STRINGS[lang][k].split("{")[0][:25] in texts for k in why_keys)
    if lang == "ko":
        assert HANGUL.search(at.header[0].value)
    trained = isinstance(step.experiment, Trained)
    if trained and len(step.experiment.lanes) > 1:
        check_chart(at, step, lang)
    if trained:  # its times (tokens/s, seconds) beside the machine that measured them
        captions = machine_captions(at, lang)
        if torch.cuda.is_available() or torch.backends.mps.is_available():
            assert len(captions) == 1, step.key
        else:
            assert captions == [expected_machine(lang)], step.key
    else:
        assert not machine_captions(at, lang), step.key
    assert step.key not in TIMING or trained


@pytest.mark.parametrize("lang", list(i18n.LANGS))
def test_every_step_explains_predicts_runs_and_checks(lang, monkeypatch):
    if lang != "en":  # AppTest formats widget options in the test's own thread: speak the same language there
        monkeypatch.setattr(i18n, "current_lang", lambda: lang)
    at = page_test(FILE, step="1", **({"lang": lang} if lang != "en" else {}))
    assert at.title[0].value == s(lang, "course.title")
    for i, step in enumerate(STEPS):
        walk(at, step, lang)
        if isinstance(step.experiment, Trained):
            job = at.session_state[f"course.{step.key}.job"]
            assert job.done and not job.error
        # the progress counts the steps checked so far
        assert (
            s(lang, "course.progress", n=str(i + 1), total=str(len(STEPS)), done=str(i + 1))
            in at.get("progress")[0].proto.text
        )
        if i + 1 < len(STEPS):
            at.button(key="course._next").click().run()
    assert at.button(key="course._next").disabled  # the last step


def test_every_timing_step_and_multi_model_step_is_covered():
    """The walk above checks these; a step renamed or turned into a single model fails here."""
    keys = {step.key: step for step in STEPS}
    for key in TIMING:
        assert isinstance(keys[key].experiment, Trained)
    multi = [s.key for s in STEPS if isinstance(s.experiment, Trained) and len(s.experiment.lanes) > 1]
    assert set(TIMING) <= set(multi)
    assert {"birnn", "lstm", "context", "positional"} <= set(multi)


class _Local:
    """The local backend's sizing rule (core.workers.LocalExecutor.threads_for) on 8 cores, 3 slots."""

    name = "local"
    slots = 3

    def __init__(self, running: int) -> None:
        self.running = running

    def threads_for(self, running: int) -> int:
        return max(1, (8 - 1) // max(1, min(running, self.slots)))

    def counts(self) -> dict[str, int]:
        return {"running": self.running, "queued": 0, "slots": self.slots}


def _job(executor, devices=("cpu", "cpu")):
    names = [f"m{i}" for i in range(len(devices))]
    started = {n: Started(total_steps=1, params=1, device=d) for n, d in zip(names, devices)}
    return SimpleNamespace(handle=SimpleNamespace(executor=executor), names=names, started=started.get)


@pytest.mark.parametrize("lang", list(i18n.LANGS))
def test_the_machine_caption_reports_what_the_runs_trained_with(lang, monkeypatch):
    monkeypatch.setattr(i18n, "current_lang", lambda: lang)
    # the worker's share of the cores right now: 7 // 2 with two jobs training
    assert machine.threads_now(_Local(running=2)) == 3
    # the shares seen while the job trained, else what the rule allows (every slot busy .. alone)
    assert machine.machine_of(_job(_Local(2)), {3, 7}).threads == (3, 7)
    assert machine.machine_of(_job(_Local(2))).threads == (2, 7)
    m = machine.machine_of(_job(_Local(1)), {7})
    assert m == Machine(cores(), (7, 7), ("cpu",))
    assert machine_caption(m) == s(
        lang,
        "course.machine",
        cores=plural(lang, "course.machine_cores", cores()),
        threads=plural(lang, "course.machine_threads", 7),
        device=s(lang, "course.machine_cpu"),
    )
    shared = machine_caption(Machine(2, (1, 3), ("cpu",)))
    assert s(lang, "course.machine_threads_range", lo="1", hi="3") in shared
    assert plural(lang, "course.machine_cores", 2) in shared
    # on a Ray cluster: its cpus_per_job threads, and not this server's cores
    ray = machine.machine_of(_job(SimpleNamespace(name="ray", cpus_per_job=2)))
    assert ray.cores is None and ray.threads == (2, 2)
    assert machine_caption(ray).startswith(s(lang, "course.machine_cluster").split("{")[0])
    if lang == "en":
        assert machine_caption(Machine(2, (1, 1), ("cpu",))) == (
            "Measured here: 2 CPU cores, 1 torch thread per run, CPU."
        )
    else:
        assert HANGUL.search(machine_caption(m))


def test_the_address_opens_a_step_and_skipping_and_going_back_work():
    at = page_test(FILE, step="7")
    no_problems(at)
    assert at.header[0].value.startswith("7. ")
    # nothing checked yet: the forward button says Skip
    assert at.button(key="course._next").label == s("en", "course.skip")
    at.button(key="course._next").click().run()
    assert at.header[0].value.startswith("8. ")
    assert at.query_params["step"] in ("8", ["8"])
    at.button(key="course._prev").click().run()
    at.button(key="course._prev").click().run()
    assert at.header[0].value.startswith("6. ")
    assert at.session_state["course.step"] == 6
    # the sidebar jumps anywhere
    at.selectbox(key="course.pick").set_value(20).run()
    assert at.header[0].value.startswith("20. ")
    # a step outside the course, or not a number, opens the first
    for bad in ("0", "99", "seven"):
        at = page_test(FILE, step=bad)
        no_problems(at)
        assert at.header[0].value.startswith("1. ")


def test_a_prediction_is_locked_when_the_experiment_runs():
    step = STEPS[number_of("multihead") - 1]
    at = page_test(FILE, step=str(number_of("multihead")))
    at.radio(key="course.multihead.guess").set_value("more").run()
    run_button(at, step).click().run()
    no_problems(at)
    assert at.metric[0].value == s("en", "course.step.multihead.option.more")
    assert at.metric[1].value == s("en", "course.step.multihead.option.same")  # measured: same count
    assert s("en", "course.not_right") in [w.value for w in at.warning]
    at.radio(key="course.multihead.guess").set_value("same").run()  # changing it afterwards ...
    assert at.metric[0].value == s("en", "course.step.multihead.option.more")  # ... does not rewrite it


def test_numbers_are_judged_with_their_tolerance():
    step = STEPS[number_of("qkv") - 1]
    assert isinstance(step.prediction, Number)
    assert step.prediction.close(64, 64) and not step.prediction.close(512, 64)
    at = page_test(FILE, step=str(number_of("qkv")))
    at.number_input(key="course.qkv.guess").set_value(64.0).run()
    run_button(at, step).click().run()
    no_problems(at)
    assert s("en", "course.right") in [b.value for b in at.success]


def test_the_home_page_links_into_the_course():
    at = page_test()
    no_problems(at)
    links = [el.proto for el in at.get("page_link") if el.proto.page == "course"]
    assert links, "the concept map links into the course"
    assert step_for_concept("lstm") == number_of("lstm")
    labels = {p.label for p in links}
    assert s("en", "course.home_link", n=str(number_of("lstm"))) in labels


def test_every_step_has_its_texts_in_every_language():
    for step in STEPS:
        for lang in i18n.LANGS:
            for part in ("title", "body", "question"):
                assert i18n.STRINGS[lang].get(f"course.step.{step.key}.{part}"), (lang, step.key, part)
            if isinstance(step.prediction, Choice):
                for option in step.prediction.options:
                    assert i18n.STRINGS[lang].get(f"course.step.{step.key}.option.{option}"), (
                        step.key,
                        option,
                    )
            assert any(k.startswith(f"course.step.{step.key}.why") for k in i18n.STRINGS[lang])
    assert 20 <= len(STEPS) <= 30
