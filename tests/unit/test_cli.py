"""The command line end to end: list, info, train and predict for every task/architecture pair."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from core.__main__ import main
from core.registry import archs, compatible, tasks

TINY_TASK = {
    "stock": ["task.lookback=10"],
    "sentiment": ["task.max_len=12", "task.max_vocab=2000"],
    "translation": ["task.n_pairs=200"],
    "captioning": ["task.n_images=200"],
    "long-memory": ["task.lag=5", "task.n_train=200"],
    "word-order": ["task.n_train=200"],
    "char-text": ["task.max_chars=4000", "task.seq_len=16"],
}
TINY_MODEL = {
    "rnn": ["hidden_size=8", "embed_dim=8"],
    "lstm": ["hidden_size=8", "embed_dim=8"],
    "gru": ["hidden_size=8", "embed_dim=8"],
    "transformer-encoder": ["d_model=8", "n_heads=2", "d_ff=16", "n_layers=1"],
    "seq2seq": ["hidden_size=8", "embed_dim=8"],
    "seq2seq-attn": ["hidden_size=8", "embed_dim=8"],
    "transformer": ["d_model=8", "n_heads=2", "d_ff=16", "n_enc_layers=1", "n_dec_layers=1"],
    "captioner": ["hidden_size=8", "embed_dim=8"],
    "transformer-decoder": ["d_model=8", "n_heads=2", "d_ff=16", "n_layers=1"],
}
PAIRS = [(t, a) for t in tasks() for a in compatible(t)]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_describes_every_task(capsys):
    code, out, _ = run_cli(capsys, "list", "--json")
    data = json.loads(out)
    assert code == 0
    assert {t["name"] for t in data["tasks"]} == set(tasks())
    assert {a["name"] for a in data["architectures"]} == set(archs())
    for t in data["tasks"]:
        assert t["architectures"] and t["metric"]


def test_info_resolves_config_and_counts_params(capsys):
    code, out, _ = run_cli(capsys, "info", "--arch", "gru", "--set", "hidden_size=32", "--set", "vocab_size=100",
                           "--set", "n_out=2", "--json")  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["config"]["hidden_size"] == 32 and data["config"]["cell"] == "gru"
    # embedding 100x64, GRU 3*(32*64 + 32*32 + 2*32), head 32*2+2
    assert data["params"] == 100 * 64 + 3 * (32 * 64 + 32 * 32 + 2 * 32) + 32 * 2 + 2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["info", "--arch", "lstn"], "unknown architecture 'lstn'; valid architectures: rnn"),
        (["info", "--arch", "gru", "--set", "hiden=3"], "valid settings: cell"),
        (["info", "--arch", "gru", "--set", "hidden_size=100000"], "above the maximum"),
        (["train", "--task", "nope", "--arch", "gru", "--out", "X"], "valid tasks: stock"),
        (["train", "--task", "translation", "--arch", "gru", "--out", "X"], "compatible: seq2seq"),
        (
            ["train", "--task", "stock", "--arch", "gru", "--set", "lr=abc", "--out", "X"],
            "lr: 'abc' is not a valid float",
        ),
        (
            ["train", "--task", "stock", "--arch", "gru", "--set", "vocab_size=3", "--out", "X"],
            "from the task's data",
        ),
        (["predict", "--run", "X", "hello"], "not a run directory"),
        (["train", "--task", "stock"], "required"),
        (["bench", "--cells", "two"], "--cells takes thread counts"),
        (["bench", "--cells", "0,2"], "--cells takes thread counts"),
    ],
)
def test_errors_are_one_line_exit_2_and_write_nothing(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def _input_for(task: str, run_dir, tmp_path, data) -> str:
    if task == "stock":
        return ",".join(str(100 + i) for i in range(12))
    if task == "sentiment":
        return "a warm and funny film"
    if task == "translation":
        return "the cat eats fish"
    if task == "long-memory":
        return "A " + "a " * 5 + "?"
    if task == "word-order":
        return data
    if task == "char-text":
        return "Shall I"
    from PIL import Image

    ex = np.zeros((24, 24, 3), dtype=np.uint8)
    ex[4:10, 4:10] = (255, 0, 0)
    path = tmp_path / "image.png"
    Image.fromarray(ex).save(path)
    return str(path)


@pytest.mark.parametrize("task, arch", PAIRS)
def test_train_then_predict(capsys, tmp_path, task, arch):
    out_dir = tmp_path / "run"
    sets = [f"--set={s}" for s in TINY_TASK[task] + TINY_MODEL[arch]]
    code, out, err = run_cli(capsys, "train", "--task", task, "--arch", arch, *sets, "--epochs", "1",
                             "--max-seconds", "0.5", "--out", str(out_dir))  # fmt: skip
    assert code == 0, err
    assert {p.name for p in out_dir.iterdir()} == {
        "config.json",
        "history.jsonl",
        "model.safetensors",
        "metrics.json",
    }
    metrics = json.loads((out_dir / "metrics.json").read_text())
    for key in ("task", "arch", "params", "train_seconds", "device", "primary", "test", "baselines"):
        assert key in metrics
    assert metrics["primary"]["name"] == tasks()[task].primary.name
    assert isinstance(metrics["primary"]["value"], float)
    events = [json.loads(line) for line in (out_dir / "history.jsonl").read_text().splitlines()]
    assert events[0]["type"] == "started" and events[-1]["type"] == "finished"
    from core.checkpoint import load_dir

    sample = None
    if task == "word-order":
        sample = " ".join(load_dir(out_dir).data.vocab[4:9])
    arg = _input_for(task, out_dir, tmp_path, sample)
    code, out, err = run_cli(capsys, "predict", "--run", str(out_dir), arg, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert isinstance(result, list) and len(result) == 1 and isinstance(result[0], dict)


def test_subprocess_quiet_when_not_a_tty(tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "core", "train", "--task", "long-memory", "--arch", "gru", "--set", "task.lag=3",
         "--set", "task.n_train=100", "--set", "hidden_size=8", "--epochs", "1", "--out", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""  # no progress bar when stderr is not a terminal
    assert "long-memory/gru: test accuracy" in p.stdout


def _history(run_dir) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]


def test_resume_continues_from_the_saved_weights(capsys, tmp_path):
    first, more, fresh = tmp_path / "first", tmp_path / "more", tmp_path / "fresh"
    args = ["train", "--task", "word-order", "--arch", "gru", "--set", "task.n_train=2048"]
    assert run_cli(capsys, *args, "--epochs", "4", "--out", str(first))[0] == 0
    assert run_cli(capsys, *args, "--epochs", "1", "--out", str(fresh))[0] == 0
    code, out, err = run_cli(capsys, "train", "--resume", str(first), "--epochs", "1", "--set", "lr=0.001",
                             "--out", str(more))  # fmt: skip
    assert code == 0, err
    saved = json.loads((more / "config.json").read_text())
    assert (
        saved["arch"] == "gru" and saved["task_options"]["n_train"] == 2048 and saved["train"]["lr"] == 0.001
    )
    # the continued run starts where the first one ended, far below a fresh start
    first_end = [e for e in _history(first) if e["type"] == "epoch"][-1]["train_loss"]
    steps_more = [e["loss"] for e in _history(more) if e["type"] == "step"]
    steps_fresh = [e["loss"] for e in _history(fresh) if e["type"] == "step"]
    assert np.mean(steps_more[:5]) < 0.5 * np.mean(steps_fresh[:5])
    assert np.mean(steps_more[:5]) < 1.5 * first_end + 0.05


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "hidden_size=32"], "only training settings change"),
        (["--seed", "3"], "keeps the saved seed"),
        (["--task", "stock"], "from the saved run"),
    ],
)
def test_resume_refuses_model_and_data_changes(capsys, tmp_path, extra, message):
    first = tmp_path / "first"
    args = ["train", "--task", "word-order", "--arch", "rnn", "--set", "task.n_train=200", "--epochs", "1"]
    assert run_cli(capsys, *args, "--out", str(first))[0] == 0
    code, _, err = run_cli(capsys, "train", "--resume", str(first), *extra, "--out", str(tmp_path / "x"))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_resume_refuses_a_model_trained_on_other_data(capsys, tmp_path):
    rng = np.random.default_rng(0)
    days = np.arange("2020-01-01", "2020-09-01", dtype="datetime64[D]")

    def csv(scale: float) -> str:
        prices = scale * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
        return "date,close\n" + "\n".join(f"{d},{p:.4f}" for d, p in zip(days, prices))

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(csv(100.0))
    b.write_text(csv(5.0))
    first = tmp_path / "first"
    args = ["train", "--task", "stock", "--arch", "gru", "--set", "task.source=upload", "--set",
            "task.lookback=10", "--set", "hidden_size=8", "--epochs", "1"]  # fmt: skip
    assert run_cli(capsys, *args, "--upload", str(a), "--out", str(first))[0] == 0
    code, _, err = run_cli(
        capsys, "train", "--resume", str(first), "--upload", str(b), "--out", str(tmp_path / "x")
    )
    assert code == 2 and "trained on different data" in err
    # the same file again is fine
    code, _, err = run_cli(capsys, "train", "--resume", str(first), "--upload", str(a), "--epochs", "1",
                           "--out", str(tmp_path / "y"))  # fmt: skip
    assert code == 0, err


def test_cells_benchmark_alternates_both_paths_and_reports_each_cell():
    import torch

    from core.bench import cells_table, cells_vs_fused

    before = torch.get_num_threads()
    try:
        rows = cells_vs_fused(batch=4, steps=5, hidden=8, threads=1, calls=3)
    finally:
        torch.set_num_threads(before)
    assert [r["cell"] for r in rows] == ["rnn", "lstm", "gru"]
    for r in rows:
        assert r["threads"] == 1 and r["fused_tok_s"] > 0 and r["explicit_tok_s"] > 0 and r["ratio"] > 0
    table = cells_table(rows).splitlines()
    assert len(table) == 5 and table[2].startswith("| rnn | 1 |")
