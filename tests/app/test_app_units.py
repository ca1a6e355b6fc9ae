"""Unit tests of the playground's pure pieces: widget ranges, share links, planning, strings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from core.config import describe
from core.registry import archs, compatible, tasks
from core.runspec import plan
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


def test_every_ui_string_is_in_every_language():
    _import_all_playground_modules()
    keys = _literal_keys()
    assert len(keys) > 100
    missing_en = sorted(k for k in keys if k not in i18n.EN)
    assert not missing_en, missing_en
    # "<key>.one" is English's singular form of "<key>" (see i18n.tn); Korean has no plural form
    singular = {k for k in i18n.EN if k.endswith(".one")}
    for k in singular:
        assert k.removesuffix(".one") in i18n.EN, k
    assert list(i18n.LANGS) == sorted(i18n.LANGS, key=lambda c: (c != "en", c)) and "ko" in i18n.LANGS
    for lang in i18n.LANGS:  # every language: one per folder locales/<lang>/
        strings = i18n.STRINGS.get(lang, {})
        missing = sorted(k for k in i18n.EN if k not in strings and k not in singular)
        assert not missing, (lang, missing)
        # placeholders agree between the languages
        for k, en in i18n.EN.items():
            if k not in singular:
                assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", strings[k])), (lang, k)


def test_every_architecture_has_its_name_and_summary_in_every_language():
    names = list(archs())
    assert "transformer-decoder" in names and "captioner" in names
    for lang in i18n.LANGS:
        strings = i18n.STRINGS.get(lang, {})
        missing = [k for n in names for k in (f"arch.{n}", f"arch.{n}.title") if k not in strings]
        assert not missing, (lang, missing)
    assert i18n.STRINGS["ko"]["arch.captioner.title"] != i18n.EN["arch.captioner.title"]


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


def _locales_with(tmp_path: Path, code: str, ui: str | None) -> Path:
    """A copy of the real locales/ (linked) plus a folder ``code`` whose ui.toml is ``ui``."""
    root = tmp_path / "locales"
    root.mkdir(parents=True)
    for folder in i18n.LOCALES.iterdir():
        if folder.is_dir():
            (root / folder.name).symlink_to(folder, target_is_directory=True)
    (root / code).mkdir()
    if ui is not None:
        (root / code / "ui.toml").write_text(ui, encoding="utf-8")
    return root


def test_the_languages_are_the_locale_folders(tmp_path):
    assert i18n.languages() == i18n.LANGS == {"en": "English", "ko": "한국어"}
    root = _locales_with(tmp_path, "ja", '[lang]\nname = "日本語"\nlabel = "言語"\n')
    assert i18n.languages(root) == {"en": "English", "ja": "日本語", "ko": "한국어"}  # English first
    assert list(i18n.languages(_locales_with(tmp_path / "a", "aa", '[lang]\nname = "Afaraf"\n'))) == [
        "en",
        "aa",
        "ko",
    ]


@pytest.mark.parametrize("ui", [None, '[nav]\nhome = "ホーム"\n', '[lang]\nname = " "\n'])
def test_a_language_without_its_name_is_a_clear_error(tmp_path, ui):
    root = _locales_with(tmp_path, "ja", ui)
    with pytest.raises(i18n.LocaleError, match=r"ja.*ui\.toml.*'ja' needs its own name.*\[lang\] with name"):
        i18n.languages(root)


def test_a_new_locale_folder_is_offered_by_the_picker(tmp_path, monkeypatch):
    from apptest import no_problems, page_test

    from playground import app

    root = _locales_with(
        tmp_path, "ja", '[lang]\nname = "日本語"\nlabel = "言語"\n\n[nav]\nhome = "ホーム"\n'
    )
    monkeypatch.setattr(i18n, "STRINGS", dict(i18n.STRINGS))  # the test's language goes with it
    i18n.load_locales(root)
    monkeypatch.setattr(i18n, "LANGS", i18n.languages(root))
    monkeypatch.setattr(app, "LANGS", i18n.LANGS)
    at = page_test(lang="ja")
    no_problems(at)
    picker = at.selectbox(key="lang_picker")
    assert picker.label == "Language · 言語 · 언어"
    assert list(picker.options) == ["English", "日本語", "한국어"] and picker.value == "ja"
    assert at.query_params["lang"] == "ja"
    # its own strings where it has them, English for the rest
    assert at.title[0].value == i18n.EN["home.title"]
    monkeypatch.setattr(i18n, "current_lang", lambda: "ja")
    assert i18n.t("nav.home") == "ホーム" and i18n.t("nav.stock") == i18n.EN["nav.stock"]


def test_task_pages_are_the_views_that_declare_a_page():
    """app.py reads each view's CONFIG from its source (no import, no torch): what it reads is what
    the module declares, the pages come in the registry's task order, each has its file and texts."""
    import importlib

    from playground.app import TASK_PAGES, VIEWS, PageInfo
    from playground.settings import PageConfig

    configs = []
    for f in sorted(VIEWS.glob("*.py")):
        cfg = getattr(importlib.import_module(f"playground.views.{f.stem}"), "CONFIG", None)
        if isinstance(cfg, PageConfig):
            configs.append(cfg)
    configs.sort(key=lambda c: c.order)
    assert TASK_PAGES == tuple(
        PageInfo(f"pages/{c.page}.py", c.page, f"nav.{c.page}", c.icon, c.task) for c in configs
    )
    assert [p.task for p in TASK_PAGES] == list(tasks())
    for p in TASK_PAGES:
        assert (ROOT / p.file).is_file(), p.file
        assert p.title_key in i18n.EN and f"home.task.{p.url_path}" in i18n.EN, p.url_path


NEW_VIEW = """
from playground.settings import PageConfig

PAGE = "zz_task"
CONFIG = PageConfig(page=PAGE, task="zz-task", icon=":material/star:", order=35, default_arch="lstm")
"""


def test_a_new_view_is_a_task_page_in_its_order(tmp_path):
    from playground.app import TASK_PAGES, VIEWS, PageInfo, discover_task_pages

    for f in VIEWS.glob("*.py"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "zz_task.py").write_text(NEW_VIEW, encoding="utf-8")
    pages = discover_task_pages(tmp_path)
    new = PageInfo("pages/zz_task.py", "zz_task", "nav.zz_task", ":material/star:", "zz-task")
    assert pages == (*TASK_PAGES[:3], new, *TASK_PAGES[3:])  # after translation (30), before captioning
    (tmp_path / "zz_task.py").write_text(NEW_VIEW.replace('":material/star:"', "ICONS[0]"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"zz_task\.py: CONFIG's icon must be a literal"):
        discover_task_pages(tmp_path)


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
            label = i18n.STRINGS["ko"].get(f"field.{f.name}", "")
            text = i18n.STRINGS["ko"].get(f"help.{section}.{f.name}", "")
            if not hangul.search(label) or not hangul.search(text):
                missing.add(f"{section}.{f.name}")
    assert not missing, sorted(missing)


def test_field_help_prefers_the_pages_own_text(monkeypatch):
    monkeypatch.setattr(i18n, "current_lang", lambda: "ko")
    stock = i18n.field_help("task", "source", "english", page="stock")
    sentiment = i18n.field_help("task", "source", "english", page="sentiment")
    assert "Yahoo Finance" in stock and "Rotten Tomatoes" in sentiment
    assert (
        i18n.field_help("task", "lag", "english", page="long_memory") == i18n.STRINGS["ko"]["help.task.lag"]
    )
    monkeypatch.setattr(i18n, "current_lang", lambda: "en")
    assert i18n.field_help("task", "source", "english", page="stock") == "english"


def test_t_falls_back_and_formats():
    assert i18n.t("no.such.key", default="x {a}", a=1) == "x 1"
    assert i18n.t("no.such.key") == "no.such.key"
    assert i18n.t("run.finished_in", time="3 s", steps="10") == "Trained for 3 s (10 steps)"
