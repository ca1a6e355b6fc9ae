"""AppTest: every page renders; widgets change the configuration; the URL carries it both ways."""

from __future__ import annotations

import re

import pytest
from apptest import no_problems, page_test
from streamlit.testing.v1 import AppTest

from core.registry import compatible
from playground.app import ALL_PAGES, TASK_PAGES


def test_home_renders_with_links_to_every_task():
    at = page_test()
    no_problems(at)
    assert at.title[0].value == "Sequence Lab"
    links = {el.proto.page for el in at.get("page_link")}
    assert {p.url_path for p in TASK_PAGES} <= links
    assert at.button(key="home._quick") is not None


# small data, so that rendering a page does not wait for a big dataset to be generated
SMALL = {
    "captioning": {"captioning.task.n_images": "256"},
    "long_memory": {"long_memory.task.n_train": "128"},
    "word_order": {"word_order.task.n_train": "128"},
    "translation": {"translation.task.n_pairs": "256"},
}


@pytest.mark.parametrize("info", TASK_PAGES, ids=[p.url_path for p in TASK_PAGES])
def test_task_page_renders_with_compatible_architectures(info):
    at = page_test(info.file, **SMALL.get(info.url_path, {}))
    no_problems(at)
    page = info.url_path
    arch = at.selectbox(key=f"{page}.arch")
    assert list(arch.options) == compatible(info.task)
    assert not at.button(key=f"{page}._train").disabled
    assert at.button(key=f"{page}._stop").disabled
    params = [m for m in at.metric if m.label == "Parameters of this model"]
    assert params and int(params[0].value.replace(",", "")) > 0


def _params(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Parameters of this model").replace(",", ""))


def _share(at: AppTest) -> str:
    return next(c.value for c in at.code if c.value.startswith("http"))


def test_widgets_change_the_config_and_the_share_link():
    at = page_test("pages/long_memory.py")
    before = _params(at)
    assert _share(at).endswith("/long_memory")  # all defaults: a bare link
    at.select_slider(key="long_memory.model.hidden_size").set_value(128).run()
    no_problems(at)
    assert _params(at) > before
    assert "long_memory.model.hidden_size=128" in _share(at)
    # a new architecture resets the model knobs to that architecture's defaults
    at.selectbox(key="long_memory.arch").set_value("gru").run()
    no_problems(at)
    assert at.select_slider(key="long_memory.model.hidden_size").value == 64
    assert "long_memory.arch=gru" in _share(at)
    assert "hidden_size" not in _share(at)


def test_a_shared_link_restores_the_settings():
    at = page_test(
        "pages/translation.py",
        **{
            "translation.arch": "transformer",
            "translation.model.n_heads": "2",
            "translation.train.epochs": "3",
            "translation.task.reverse_source": "true",
        },
    )
    no_problems(at)
    assert at.selectbox(key="translation.arch").value == "transformer"
    assert at.slider(key="translation.model.n_heads").value == 2
    assert at.slider(key="translation.train.epochs").value == 3
    assert at.toggle(key="translation.task.reverse_source").value is True
    share = _share(at)
    for part in ("translation.arch=transformer", "translation.model.n_heads=2", "translation.train.epochs=3"):
        assert part in share


def test_invalid_query_values_fall_back_to_defaults():
    at = page_test("pages/stock.py", **{"stock.arch": "no-such-arch", "stock.model.hidden_size": "banana"})
    no_problems(at)
    assert at.selectbox(key="stock.arch").value == "lstm"


def test_korean_interface():
    at = page_test("pages/stock.py", lang="ko")
    no_problems(at)
    assert at.title[0].value == "주가 예측"
    assert at.button(key="stock._train").label == "학습"
    assert "lang=ko" in _share(at)


def test_upload_source_asks_for_a_file():
    at = page_test("pages/stock.py", **{"stock.task.source": "upload"})
    no_problems(at)
    assert any("Upload a file" in i.value for i in at.info)
    assert at.button(key="stock._train").disabled


def test_reset_to_defaults():
    at = page_test("pages/long_memory.py", **{"long_memory.train.epochs": "3"})
    assert at.slider(key="long_memory.train.epochs").value == 3
    at.button(key="long_memory._reset").click().run()
    no_problems(at)
    assert at.slider(key="long_memory.train.epochs").value != 3


def test_train_something_now_opens_a_page_and_starts_training(monkeypatch):
    from playground import training

    monkeypatch.setenv("SEQUENCE_LAB_EXECUTOR", "local")  # a real worker process
    tiny = {"translation.task.n_pairs": "200", "translation.model.hidden_size": "16"}
    at = page_test(**tiny)
    at.button(key="home._quick").click().run()
    run = at.session_state["translation.run"]
    try:
        assert at.title[0].value == "Toy translation"
        assert run.running
        assert not at.button(key="translation._stop").disabled
    finally:
        run.stop()
        training.wait(run, timeout=60)
    assert run.done


HANGUL = re.compile("[\uac00-\ud7a3]")


def _visible_texts(at: AppTest) -> list[str]:
    texts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info")
        for e in at.get(kind)
    ]
    texts += [b.label for b in at.button]
    return [x for x in texts if isinstance(x, str) and re.search(r"[A-Za-z\uac00-\ud7a3]{3}", x)]


@pytest.mark.parametrize("info", ALL_PAGES, ids=[p.url_path or "home" for p in ALL_PAGES])
def test_language_switch_changes_the_visible_text_on_every_page(info):
    query = SMALL.get(info.url_path, {})
    en = page_test(info.file, **query)
    ko = page_test(info.file, lang="ko", **query)
    no_problems(en)
    no_problems(ko)
    assert not HANGUL.search(en.title[0].value)
    if info.url_path:  # the home page's title is the product's name in both languages
        assert HANGUL.search(ko.title[0].value), ko.title[0].value
    en_texts, ko_texts = _visible_texts(en), _visible_texts(ko)
    assert en_texts and ko_texts
    # most of what a Korean reader sees is Korean (formulas, code and names aside) ...
    korean = [x for x in ko_texts if HANGUL.search(x)]
    assert len(korean) >= 0.6 * len(ko_texts), [x for x in ko_texts if not HANGUL.search(x)]
    # ... and no English sentence is left as it was
    sentences = {x for x in en_texts if len(re.findall(r"[A-Za-z]{3,}", x)) >= 4}
    assert not sentences & set(ko_texts), sorted(sentences & set(ko_texts))
