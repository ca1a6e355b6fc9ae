"""Export a run as code: the file runs alone (no project on the path, a clean working directory)
and its first losses and test metric are those of core's own run of the same settings."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from core.__main__ import main
from core.config import parse_assignments
from core.events import Finished, Step
from core.export_code import export_code
from core.runspec import plan
from core.train import train

# each task's default architecture (the one its page opens with), with settings small enough
# that a whole epoch, validation and test take a few seconds
TINY: dict[str, tuple[str, list[str]]] = {
    "stock": ("lstm", ["task.lookback=10", "hidden_size=16", "embed_dim=8"]),
    "sentiment": ("lstm", ["task.max_len=12", "task.max_vocab=2000", "hidden_size=16"]),
    "translation": ("seq2seq-attn", ["task.n_pairs=300", "hidden_size=16", "embed_dim=16"]),
    "captioning": ("captioner", ["task.n_images=200", "hidden_size=16", "embed_dim=8"]),
    "long-memory": ("lstm", ["task.lag=5", "task.n_train=200"]),
    "word-order": ("transformer-encoder", ["task.n_train=200"]),
    "char-text": ("lstm", ["task.max_chars=6000", "task.seq_len=32", "hidden_size=32"]),
}
FIRST = 5  # losses compared step by step
STEP = re.compile(r"^step (\d+) loss ([-+\d.eE]+)$", re.M)
TEST = re.compile(r"^test (.+)$", re.M)
# a notebook runs a cell's text in the __main__ module's namespace
NOTEBOOK_CELL = "exec(compile(open({path!r}, encoding='utf-8').read(), '<cell>', 'exec'), globals())"


def _spec(task: str):
    arch, settings = TINY[task]
    return plan(task, arch, parse_assignments([*settings, "train.epochs=1", "train.seed=3"]))


def _bare_env() -> dict[str, str]:
    """PATH only: no PYTHONPATH, so nothing of the project can be imported by accident."""
    return {"PATH": os.environ.get("PATH", ""), "OMP_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    """Every task's file, exported and started at once (each in its own empty directory, with
    ``python -I``: no project on sys.path); the tests wait for the ones they read."""
    procs = {}
    for task in TINY:
        folder = tmp_path_factory.mktemp(task)
        path = folder / "run.py"
        code = export_code(_spec(task))
        path.write_text(code, encoding="utf-8")
        # word order runs as a notebook cell would run it: the code executed as text, no __file__
        how = ["-c", NOTEBOOK_CELL.format(path=str(path))] if task == "word-order" else [str(path)]
        procs[task] = (
            code,
            subprocess.Popen(
                [sys.executable, "-I", *how],
                cwd=folder,
                env=_bare_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    yield procs
    for _, p in procs.values():
        if p.poll() is None:
            p.kill()


def _core_run(spec) -> tuple[dict[int, float], dict[str, float]]:
    """Losses of the first steps and the test metrics of core's run (as core.execution builds it)."""
    torch.manual_seed(spec.train_cfg.seed)
    model = spec.build()
    losses: dict[int, float] = {}
    test: dict[str, float] = {}
    for ev in train(model, spec.data, spec.task, spec.train_cfg, baselines=False):
        if isinstance(ev, Step) and ev.step <= FIRST:
            losses[ev.step] = ev.loss
        elif isinstance(ev, Finished):
            test = ev.test
    return losses, test


@pytest.mark.parametrize("task", list(TINY))
def test_exported_file_reproduces_the_run(scripts, task):
    code, proc = scripts[task]
    assert not re.search(r"^\s*(from|import) (core|playground)\b", code, re.M), "the file imports the project"
    assert 'if __name__ == "__main__":' in code and "\n    main()\n" in code
    spec = _spec(task)
    losses, test = _core_run(spec)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    printed = {int(s): float(v) for s, v in STEP.findall(out)}
    assert len(losses) == min(FIRST, len(printed)) and losses
    for step, loss in losses.items():
        assert abs(printed[step] - loss) < 1e-4, (step, printed[step], loss)
    # the same epoch gives the same test metric (up to float noise over a whole epoch)
    shown = dict(item.rsplit(" ", 1) for item in TEST.findall(out)[-1].split(", "))
    name = spec.task.primary.name
    ours, theirs = float(shown[name]), test[name]
    assert math.isclose(ours, theirs, rel_tol=0.02, abs_tol=0.02), (name, ours, theirs)


def test_header_names_the_run_and_its_settings():
    code = export_code(_spec("word-order"))
    head = code.split('"""')[1]
    assert "word-order" in head and "transformer-encoder" in head and "Seed        3" in head
    assert "python -m core train --task word-order --arch transformer-encoder" in head
    assert "--set task.n_train=200" in head and "--set train.seed=3" in head
    assert "n_train: int = 200" in code  # the settings classes hold the run's values
    assert "class MultiHeadAttention(nn.Module):" in code  # the model as written in core/models
    compile(code, "run.py", "exec")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_from_settings_and_from_a_run_directory(capsys, tmp_path):
    settings = ["--set", "task.n_train=200", "--set", "hidden_size=8", "--set", "embed_dim=8"]
    code, out, _ = _cli(capsys, "export-code", "--task", "word-order", "--arch", "gru", *settings,
                        "--set", "epochs=1", "--out", str(tmp_path / "a.py"))  # fmt: skip
    assert code == 0 and "a.py" in out
    text = (tmp_path / "a.py").read_text(encoding="utf-8")
    assert "class GRUCell(_Cell):" in text and "hidden_size: int = 8" in text
    run = tmp_path / "run"
    code, _, _ = _cli(capsys, "train", "--task", "word-order", "--arch", "gru", *settings, "--epochs", "1",
                      "--out", str(run))  # fmt: skip
    assert code == 0
    code, _, _ = _cli(capsys, "export-code", "--run", str(run), "--out", str(tmp_path / "b.py"))
    assert code == 0
    assert (tmp_path / "b.py").read_text(encoding="utf-8") == text  # the same run, the same file


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--task", "nope", "--arch", "gru"], "unknown task 'nope'"),
        (["--task", "word-order", "--arch", "nope"], "unknown architecture 'nope'"),
        (["--task", "word-order", "--arch", "seq2seq"], "cannot serve task"),
        (["--task", "word-order", "--arch", "gru", "--set", "wings=2"], "unknown setting 'wings'"),
        (["--task", "word-order", "--arch", "gru", "--set", "lr=-1"], "below the minimum"),
        (["--task", "word-order"], "export-code needs --run DIR, or --task and --arch"),
        (["--task", "sentiment", "--arch", "gru", "--set", "task.source=upload"], "offline"),
        (["--run", "no/such/dir"], "no config.json"),
        (["--run", "x", "--task", "word-order"], "--run takes the task"),
    ],
)
def test_cli_bad_input_is_one_line(capsys, tmp_path, argv, message):
    code, _, err = _cli(capsys, "export-code", *argv, "--out", str(tmp_path / "x.py"))
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.py").exists()


def test_cli_needs_out(capsys):
    code, _, err = _cli(capsys, "export-code", "--task", "word-order", "--arch", "gru")
    assert code == 2 and "--out" in err


def test_locale_files_define_the_same_keys():
    import tomllib

    root = Path(__file__).resolve().parents[2] / "playground" / "locales"
    en = tomllib.loads((root / "en" / "code.toml").read_text(encoding="utf-8"))["code"]
    langs = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    assert len(langs) >= 2
    for folder in langs:  # every language: one folder each
        other = tomllib.loads((folder / "code.toml").read_text(encoding="utf-8"))["code"]
        assert set(en) == set(other), folder.name
        for key in en:
            assert set(re.findall(r"{(\w+)}", en[key])) == set(re.findall(r"{(\w+)}", other[key])), (
                folder.name,
                key,
            )
