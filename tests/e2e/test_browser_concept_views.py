"""The concept views in Chromium: the unrolled bidirectional RNN and the joined directions in
"Inside the model", the context vector and GNMT's three streams on the translation page, and the
rest of a Transformer layer on the self-attention page. Element screenshots go to
artifacts/screenshots/ (concept-*.png)."""

from __future__ import annotations

import pytest
from conftest import SHOTS, assert_clean, by_key, open_page, train, wait_idle

from playground.i18n import t

pytestmark = pytest.mark.e2e


def open_tab(page, key: str) -> None:
    page.get_by_role("tab", name=t(key), exact=True).click()


def traces(page, key: str) -> list[str]:
    """Names of the traces of the plotly chart with ``key``, as drawn."""
    return page.evaluate(
        """(sel) => { const g = document.querySelector(sel + ' .js-plotly-plot');
                      return g ? g.data.map(d => d.name || '') : []; }""",
        f".st-key-{key.replace('.', '-')}",
    )


def snap(page, key: str, name: str) -> None:
    el = by_key(page, key)
    el.scroll_into_view_if_needed()
    el.locator(".main-svg").first.wait_for(timeout=20_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    el.screenshot(path=str(SHOTS / f"concept-{name}.png"))


def test_unrolled_bidirectional_rnn(page, server):
    query = {
        "long_memory.arch": "rnn",
        "long_memory.model.bidirectional": "true",
        "long_memory.task.lag": "6",
        "long_memory.task.n_train": "256",
        "long_memory.model.hidden_size": "16",
        "long_memory.train.epochs": "2",
    }
    open_page(page, server, "long_memory", query)
    train(page, "long_memory", watch_chart=False)
    assert_clean(page)
    open_tab(page, "tab.inside")
    key = "long_memory._inside.unrolled"
    by_key(page, key).wait_for()
    assert {"h_fwd", "h_bwd"} <= set(traces(page, key))
    assert traces(page, "long_memory._inside.joined") == ["joined"]
    snap(page, key, "unrolled-birnn")
    snap(page, "long_memory._inside.joined", "joined-birnn")


def test_context_vector_and_three_streams(page, server):
    query = {
        "translation.arch": "seq2seq",
        "translation.task.n_pairs": "300",
        "translation.model.hidden_size": "32",
        "translation.model.embed_dim": "16",
        "translation.train.epochs": "2",
    }
    open_page(page, server, "translation", query)
    train(page, "translation", watch_chart=False)
    assert_clean(page)
    open_tab(page, "tab.try")
    page.get_by_text(t("translation.streams.title"), exact=True).wait_for()
    table = page.locator("[data-testid='stTable']").filter(has_text=t("translation.streams.tgt_in")).first
    text = table.inner_text()
    assert "<sos>" in text and "<eos>" in text
    table.scroll_into_view_if_needed()
    table.screenshot(path=str(SHOTS / "concept-streams.png"))
    open_tab(page, "tab.inside")
    key = "translation._inside.context"
    by_key(page, key).wait_for()
    assert traces(page, key) == ["context"]
    snap(page, key, "context-vector")
    snap(page, "translation._inside.unrolled", "unrolled-encoder")
    assert_clean(page)


def test_the_rest_of_the_transformer_layer(page, server):
    open_page(
        page, server, "attention_steps", {"attention_steps.d_model": "32", "attention_steps.n_heads": "4"}
    )
    wait_idle(page)
    assert_clean(page)
    page.get_by_text(t("ins.block.title"), exact=True).wait_for()
    for name in ("sum1", "ln1", "ffn_hidden", "block_output"):
        snap(page, f"attention_steps.fig.{name}", f"block-{name}")
    check = t("ins.block.matches").split(":")[0]  # "the layer's own forward pass", with its difference
    assert page.locator("[data-testid='stAlertContentSuccess']").filter(has_text=check).count() == 1
