"""Bad files from a person: a clear error on the page, no traceback, and nothing executed."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import pytest
import torch
from conftest import alerts, assert_clean, by_key, open_page, shot, upload_file

from playground.i18n import t

pytestmark = pytest.mark.e2e


class Creates:
    """Unpickling this object opens (so creates) the file at ``path``: a stand-in for any code."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def user_errors(page) -> list[str]:
    errs = alerts(page, "Error")
    assert not any(t("error.unexpected").split(".")[0] in e for e in errs), errs  # not a bug report
    return errs


@pytest.mark.parametrize(
    "page_name, data, message",
    [
        ("stock", b"when,price\n2020-01-01,1\n2020-01-02,2\n", "no date column"),
        ("stock", b"\x00\x01\x02\x03 binary junk \xff\xfe", "not a CSV text file"),
        ("stock", b"Date,Close\n2020-01-01,1\n2020-01-02,abc\n2020-01-03,\n", ""),
        ("sentiment", b'review;stars\n"unclosed quote, 5\n', ""),
    ],
    ids=["no-date-column", "binary", "bad-numbers", "sentiment-garbled"],
)
def test_malformed_csv_upload_shows_a_clear_error(page, server, page_name, data, message):
    open_page(page, server, page_name, {f"{page_name}.task.source": "upload"})
    upload_file(page, f"{page_name}.upload", "mine.csv", data, "text/csv")
    assert_clean(page)
    errs = user_errors(page)
    assert errs and all(len(e.strip()) > 10 for e in errs), errs
    assert any(message in e for e in errs), errs
    assert by_key(page, f"{page_name}._train").locator("button").is_disabled()


def evil_files(marker: Path) -> dict[str, bytes]:
    """Three "checkpoints" whose loading with pickle would create ``marker``."""
    raw = pickle.dumps(Creates(marker))
    fake_zip = io.BytesIO()
    with zipfile.ZipFile(fake_zip, "w") as z:  # our zip layout, but the weights are a pickle
        z.writestr("model.safetensors", raw)
        z.writestr("config.json", json.dumps({"format": "sequence-lab/1", "task": "stock", "arch": "lstm"}))
    torch_file = io.BytesIO()
    torch.save({"state_dict": Creates(marker)}, torch_file)  # a PyTorch .pt file renamed .zip
    return {"pickle": raw, "zip-with-pickle": fake_zip.getvalue(), "torch-save": torch_file.getvalue()}


def test_pickle_checkpoints_are_refused_and_never_unpickled(page, server, tmp_path):
    marker = tmp_path / "created-by-unpickling"
    open_page(page, server, "stock")
    page.get_by_text(t("model.load_header")).click()
    for kind, data in evil_files(marker).items():  # each upload replaces the one before
        upload_file(page, "stock.ckpt", f"{kind}.zip", data, "application/zip")
        for _ in range(100):  # the refusal is on screen within seconds, even on a busy machine
            errs = user_errors(page)
            if errs:
                break
            page.wait_for_timeout(200)
        assert_clean(page)
        assert errs and all(len(e.strip()) > 10 for e in errs), (kind, errs)
        assert not [a for a in alerts(page, "Success") if "Loaded a" in a], kind
        assert page.locator("[data-testid='stTab']").count() == 0, kind  # no model came of it
        assert not marker.exists(), f"the {kind} upload was unpickled: it ran code on the server"
    shot(page, "bad-checkpoint")
