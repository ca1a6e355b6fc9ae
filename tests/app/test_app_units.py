"""Unit tests of the playground's pure pieces: widget ranges, share links, planning, strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.config import describe
from core.registry import archs, compatible, tasks
from core.runs import plan
from core.train import TrainConfig
from playground import i18n
from playground.hosted import limits
from playground.planning import fingerprint, parameter_count, plan_run
from playground.results import fmt_delta, fmt_metric, higher_is_better
from playground.settings import log_options, model_defaults, share_url, train_defaults

ROOT = Path(__file__).resolve().parents[2]


def test_log_options_cover_range_and_default():
    opts = log_options(1e-6, 1.0, 3e-3, integer=False)
    assert opts[0] == 1e-6 and opts[-1] == 1.0
    assert 3e-3 in opts and 1e-3 in opts and 0.1 in opts
    assert opts == sorted(opts) and len(set(opts)) == len(opts)
    ints = log_options(4, 1024, 100, integer=True)
    assert ints[0] == 4 and ints[-1] == 1024 and 100 in ints and 64 in ints and 96 in ints
    assert all(isinstance(v, int) for v in ints)


def test_share_url_keeps_server_and_base_path():
    q = {"stock.model.hidden_size": "128", "stock.arch": "gru"}
    url = share_url("stock", q, "http://example.org:8501/stock?x=1")
    assert url == "http://example.org:8501/stock?stock.arch=gru&stock.model.hidden_size=128"
    # behind a proxy path, and from the home page
    assert share_url("stock", {}, "https://host/lab/stock") == "https://host/lab/stock"
    assert share_url("", {"lang": "ko"}, "http://h:1/") == "http://h:1/?lang=ko"


@pytest.mark.parametrize("task_name", ["stock", "translation", "long-memory"])
def test_plan_run_matches_core_plan(task_name):
    arch = compatible(task_name)[0]
    settings = {"train.epochs": 2, "train.seed": 3}
    a, b = plan_run(task_name, arch, settings), plan(task_name, arch, settings)
    assert a.to_json() == b.to_json()
    assert a.data.model_fields == b.data.model_fields
    assert fingerprint(a) == fingerprint(b)


def test_parameter_count_equals_built_model():
    spec = plan_run("long-memory", "gru", {"model.hidden_size": 24, "task.n_train": 128})
    built = sum(p.numel() for p in spec.build().parameters())
    assert parameter_count(spec) == built


def test_fingerprint_ignores_device_but_not_model():
    small = {"task.n_train": 128}
    a = plan_run("long-memory", "gru", {**small, "train.device": "cpu"})
    b = plan_run("long-memory", "gru", {**small, "train.device": "auto"})
    c = plan_run("long-memory", "gru", {**small, "model.hidden_size": 24})
    assert fingerprint(a) == fingerprint(b) != fingerprint(c)


def test_widget_defaults_follow_task_defaults_and_presets():
    task = tasks()["translation"]
    md = model_defaults(task, "transformer")
    model_over, train_over = task.defaults("transformer")
    assert md["d_model"] == model_over["d_model"]
    assert train_defaults(task, "transformer")["lr"] == train_over["lr"]
    paper = model_defaults(task, "transformer", "paper-base")
    assert paper["d_model"] == 512 and paper["n_enc_layers"] == 6


def test_hosted_limits_from_environment(monkeypatch):
    monkeypatch.delenv("SEQUENCE_LAB_HOSTED", raising=False)
    assert not limits().hosted
    monkeypatch.setenv("SEQUENCE_LAB_HOSTED", "1")
    monkeypatch.setenv("SEQUENCE_LAB_MAX_EPOCHS", "7")
    lim = limits()
    assert lim.hosted and lim.max_epochs == 7 and lim.max_params > 0 and lim.max_seconds > 0
    assert train_defaults(tasks()["translation"], "seq2seq")["epochs"] <= 7


def test_metric_formatting():
    assert fmt_metric("accuracy", 0.8123) == "81.2 %"
    assert fmt_metric("mape", 1.234) == "1.23 %"
    assert fmt_metric("rmse", float("nan")) == "–"
    assert fmt_delta("accuracy", 0.05) == "+5.0 pt"
    assert not higher_is_better("rmse") and higher_is_better("bleu")


def _literal_keys() -> set[str]:
    """Every string literal passed as the first argument of t(...) in the app's code."""
    keys: set[str] = set()
    files = [*ROOT.joinpath("playground").rglob("*.py"), *ROOT.joinpath("pages").glob("*.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("t", "tn")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.add(node.args[0].value)
    return keys


def _import_all_playground_modules() -> None:
    """Some modules register their strings with playground.i18n when imported."""
    import importlib
    import pkgutil

    import playground

    for mod in pkgutil.walk_packages(playground.__path__, "playground."):
        importlib.import_module(mod.name)


def test_every_ui_string_has_english_and_korean():
    _import_all_playground_modules()
    keys = _literal_keys()
    assert len(keys) > 100
    missing_en = sorted(k for k in keys if k not in i18n.EN)
    assert not missing_en, missing_en
    # "<key>.one" is English's singular form of "<key>" (see i18n.tn); Korean has no plural form
    singular = {k for k in i18n.EN if k.endswith(".one")}
    for k in singular:
        assert k.removesuffix(".one") in i18n.EN, k
    for lang, strings in i18n.STRINGS.items():  # every language, from Python or a locales/ file
        missing = sorted(k for k in i18n.EN if k not in strings and k not in singular)
        assert not missing, (lang, missing)
        # placeholders agree between the languages
        for k, en in i18n.EN.items():
            if k not in singular:
                assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", strings[k])), (lang, k)


def test_locale_files_are_flat_keys_of_a_table(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "x.toml").write_text('[zz_test.step]\ntitle = "Hello {name}"\n"a.b" = "c"\n')
    try:
        i18n.load_locales(tmp_path)
        assert i18n.EN["zz_test.step.title"] == "Hello {name}"
        assert i18n.EN["zz_test.step.a.b"] == "c"
        assert i18n.t("zz_test.step.title", name="Ann") == "Hello Ann"
    finally:
        for k in [k for k in i18n.EN if k.startswith("zz_test.")]:
            del i18n.EN[k]


def test_every_config_field_and_architecture_has_a_label():
    names = {f.name for f in describe(TrainConfig)}
    for task in tasks().values():
        names |= {f.name for f in describe(task.options)}
    for a in archs().values():
        names |= {f.name for f in a.knobs()}
        assert f"arch.{a.name}" in i18n.EN
    missing = sorted(n for n in names if f"field.{n}" not in i18n.EN)
    assert not missing, missing


def test_every_config_field_has_korean_label_and_help():
    """The sidebar in Korean: each field's label and help text are Korean, not core's English."""
    hangul = re.compile("[\uac00-\ud7a3]")
    sections = [("train", TrainConfig)] + [("task", task.options) for task in tasks().values()]
    sections += [("model", a.config) for a in archs().values()]
    missing = set()
    for section, cls in sections:
        for f in describe(cls):
            label = i18n.KO.get(f"field.{f.name}", "")
            text = i18n.KO.get(f"help.{section}.{f.name}", "")
            if not hangul.search(label) or not hangul.search(text):
                missing.add(f"{section}.{f.name}")
    assert not missing, sorted(missing)


def test_field_help_prefers_the_pages_own_text(monkeypatch):
    monkeypatch.setattr(i18n, "current_lang", lambda: "ko")
    stock = i18n.field_help("task", "source", "english", page="stock")
    sentiment = i18n.field_help("task", "source", "english", page="sentiment")
    assert "Yahoo Finance" in stock and "Rotten Tomatoes" in sentiment
    assert i18n.field_help("task", "lag", "english", page="long_memory") == i18n.KO["help.task.lag"]
    monkeypatch.setattr(i18n, "current_lang", lambda: "en")
    assert i18n.field_help("task", "source", "english", page="stock") == "english"


def test_t_falls_back_and_formats():
    assert i18n.t("no.such.key", default="x {a}", a=1) == "x 1"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.t("run.finished_in", time="3 s", steps="10") == "Trained for 3 s (10 steps)"
