"""Browser end-to-end fixtures: a real `streamlit run` server on a free localhost port and Debian's
Chromium driven by Playwright (no browser download). Run with `python -m pytest -m e2e`.

Everything waits on what the app itself shows: the script-run state Streamlit writes on its root
element (``data-test-script-state``), the app's own buttons, messages and charts. Screenshots go
to artifacts/screenshots/ so that a person can look at them.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("SEQUENCE_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 1000}
EXCEPTION = "[data-testid='stException']"

# Small settings per task page: each trains in 4-10 s on one CPU thread (steps, not evaluation),
# long enough for the live charts (redrawn every 2 s) to be drawn a few times.
SMALL: dict[str, dict[str, str]] = {
    "stock": {"stock.model.hidden_size": "32", "stock.train.epochs": "48"},
    "sentiment": {
        "sentiment.task.max_len": "12",
        "sentiment.task.max_vocab": "1024",
        "sentiment.model.hidden_size": "16",
        "sentiment.model.embed_dim": "16",
        "sentiment.train.epochs": "1",
        "sentiment.train.batch_size": "8",
        "sentiment.train.stop_at_target": "false",
    },
    "translation": {
        "translation.task.n_pairs": "768",
        "translation.model.hidden_size": "32",
        "translation.model.embed_dim": "32",
        "translation.train.epochs": "24",
        "translation.train.stop_at_target": "false",
    },
    "captioning": {
        "captioning.task.n_images": "1024",
        "captioning.model.hidden_size": "32",
        "captioning.train.epochs": "12",
        "captioning.train.stop_at_target": "false",
    },
    "long_memory": {
        "long_memory.task.lag": "10",
        "long_memory.task.n_train": "3072",
        "long_memory.train.epochs": "16",
        "long_memory.train.stop_at_target": "false",
    },
    "word_order": {
        "word_order.task.n_train": "3072",
        "word_order.train.epochs": "30",
        "word_order.train.stop_at_target": "false",
    },
    # long enough (about 5 s) that the live charts are redrawn while it trains
    "char_text": {"char_text.model.hidden_size": "64", "char_text.train.epochs": "12"},
}


def _die_with_parent() -> None:
    """In the server's process: ask Linux to end it when the test process dies (no orphan servers)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the fixtures' teardown still stops it
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is fine
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Server:
    """A `streamlit run` process for the app on 127.0.0.1.

    ``restart()`` stops the process and starts a fresh one on the same port when it is still
    free (so a link copied from the old server opens on the new one), else on a new port.
    """

    def __init__(self, env: dict[str, str] | None = None, name: str = "server", root: Path | None = None):
        # the unit tests' inline switch never reaches a real server, unless a test asks for a backend
        self.env = {**{k: v for k, v in os.environ.items() if k != "SEQUENCE_LAB_EXECUTOR"}, **(env or {})}
        self.env.setdefault("SEQUENCE_LAB_CACHE", str(ARTIFACTS / "cache"))
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log = ARTIFACTS / f"streamlit-{name}.log"
        self.started_s = 0.0  # seconds from spawning the process to a healthy answer
        self.root = root or ROOT  # the checkout to serve (the benchmark compares two)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 90.0, port: int | None = None) -> Server:
        self.port = port or free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        t0 = time.monotonic()
        with open(self.log, "a") as log:
            log.write(f"\n==== {time.strftime('%H:%M:%S')} start on port {self.port}\n")
            log.flush()
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
            )
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early (code {self.proc.returncode}); see {self.log}")
            if health(self.url, timeout=1.0):
                self.started_s = time.monotonic() - t0
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> Server:
        port = self.port
        self.stop()
        deadline = time.monotonic() + 5
        while port and not _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.start(port=port if port and _port_free(port) else None)

    # -- what the process uses, read from /proc (Linux)
    def _status(self, field: str) -> int:
        text = Path(f"/proc/{self.pid}/status").read_text()
        m = re.search(rf"^{field}:\s+(\d+)", text, re.M)
        return int(m.group(1)) if m else 0

    def threads(self) -> int:
        return self._status("Threads")

    def rss_mb(self) -> float:
        return self._status("VmRSS") / 1024

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server so far."""
        return _cpu_s(self.pid)

    def workers(self) -> list[int]:
        """Process ids of the training workers: the processes that the server's fork server forked
        (the fork server is the server's child that imported torch; workers are its children)."""
        out = []
        for child in _children(self.pid):
            out.extend(_children(child))
        return out

    def workers_cpu_s(self) -> float:
        return sum(_cpu_s(pid) for pid in self.workers())


def _children(pid: int) -> list[int]:
    try:
        raw = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in raw.split()]


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def health(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


# Every download of the server goes through a proxy on a closed local port: the network is down,
# deterministically (the app must work offline; test_faults checks the fallback notice).
OFFLINE = {
    **{v: "http://127.0.0.1:9" for v in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy")},
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    cache = tmp_path_factory.mktemp("cache")  # no downloaded prices from an earlier run
    s = Server({**OFFLINE, "SEQUENCE_LAB_CACHE": str(cache)}, name="e2e").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.when == "call":
        item.e2e_failed = rep.failed
    return rep


@pytest.fixture
def new_context(browser, request) -> Iterator[Callable[[], Any]]:
    """Make fresh browser contexts (separate cookies and storage: separate Streamlit sessions).

    When the test fails, every page still open is saved as failed-<test>-<n>.png.
    """
    made: list[Any] = []

    def make() -> Any:
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        ctx.set_default_timeout(30_000)
        made.append(ctx)
        return ctx

    yield make
    failed = getattr(request.node, "e2e_failed", False)
    n = 0
    for ctx in made:
        try:
            if failed:
                for pg in ctx.pages:
                    n += 1
                    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    pg.screenshot(path=str(SHOTS / f"failed-{name}-{n}.png"), timeout=10_000)
            ctx.close()
        except Exception:  # noqa: BLE001 - already closed by the test, or the page is gone
            pass


@pytest.fixture
def page(new_context):
    return new_context().new_page()


# ---------------------------------------------------------------------------------------------
# Helpers: open, wait, read, act
# ---------------------------------------------------------------------------------------------


def page_url(server: Server, path: str, query: dict[str, str] | None = None) -> str:
    qs = urlencode(query or {})
    return f"{server.url}/{path}" + (f"?{qs}" if qs else "")


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until the app's script has finished running (the app's own state, not a fixed sleep).

    Streamlit writes ``initial`` before the first run, then ``running`` / ``notRunning``.
    """
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached", timeout=timeout)


def _watch_for_rerun(page) -> None:
    """Note in the page when the script next leaves ``notRunning`` (``window.__e2eRan``)."""
    page.evaluate(
        """() => {
            window.__e2eRan = false;
            const root = document.querySelector("[data-testid='stApp']");
            if (window.__e2eObs) window.__e2eObs.disconnect();
            window.__e2eObs = new MutationObserver(() => {
                if (root.getAttribute('data-test-script-state') !== 'notRunning') window.__e2eRan = true;
            });
            window.__e2eObs.observe(root, {attributes: true, attributeFilter: ['data-test-script-state']});
        }"""
    )


def wait_rerun(page, action: Callable[[], None], timeout: float = 60_000, start_ms: float = 5_000) -> None:
    """Do ``action`` (a click, a key press) and wait for the rerun it causes to finish.

    The rerun is seen as the script state leaving ``notRunning``; an action that causes no rerun
    (it cannot happen with a widget change) ends the first wait after 5 s.
    """
    _watch_for_rerun(page)
    action()
    try:
        page.wait_for_function("() => window.__e2eRan === true", timeout=start_ms)
    except Exception:  # noqa: BLE001 - the rerun may have finished before the observer saw it
        pass
    wait_idle(page, timeout)


def open_page(page, server: Server, path: str, query: dict[str, str] | None = None) -> None:
    page.goto(page_url(server, path, query))
    wait_idle(page)
    page.locator("h1").first.wait_for()


def by_key(page, key: str):
    """The element of the widget or element created with ``key=...`` (Streamlit's st-key class)."""
    return page.locator(f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}")


def exceptions(page) -> list[str]:
    return page.locator(EXCEPTION).all_inner_texts()


def assert_clean(page) -> None:
    """No Streamlit exception element and no Python traceback anywhere on the page."""
    assert exceptions(page) == []
    body = page.locator("[data-testid='stApp']").inner_text()
    assert "Traceback (most recent call last)" not in body


def alerts(page, kind: str) -> list[str]:
    """Texts of st.error / st.warning / st.info / st.success boxes (kind: Error, Warning, Info, Success)."""
    return page.locator(f"[data-testid='stAlertContent{kind}']").all_inner_texts()


def finished_messages(page) -> list[str]:
    """The message of a run that trained to its end: green when the model did well, a warning when
    it ended worse than a baseline (a small test model often does); either way it says how the run
    ended ("Training finished." or "Target reached...")."""
    from playground.i18n import t

    ends = (t("run.reason.done"), t("run.reason.target").split(":")[0])
    return [a for kind in ("Success", "Warning") for a in alerts(page, kind) if any(e in a for e in ends)]


def chart_last_x(page, key: str) -> float | None:
    """The last x of the first trace of the plotly chart with ``key`` (on the loss chart: the last
    optimiser step drawn; a long run's points are thinned, so their count can fall)."""
    return page.evaluate(
        """(sel) => {
            const els = document.querySelectorAll(sel + ' .js-plotly-plot');
            if (!els.length) return null;
            const t = (els[els.length - 1].data || [])[0];
            return t && t.x && t.x.length ? t.x[t.x.length - 1] : null;
        }""",
        f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}",
    )


def chart_points(page, key: str) -> list[int]:
    """Number of points in each trace of the plotly chart with ``key`` (what the chart draws)."""
    return page.evaluate(
        """(sel) => {
            const els = document.querySelectorAll(sel + ' .js-plotly-plot');
            if (!els.length) return [];
            const gd = els[els.length - 1];
            return (gd.data || []).map(t => (t.x || []).length);
        }""",
        f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}",
    )


def start_training(page, prefix: str) -> None:
    """Press Train and wait until the page shows the run going (Stop enabled)."""
    by_key(page, f"{prefix}._train").locator("button").click()
    page.wait_for_function(
        "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }",
        arg=f".st-key-{prefix}-_stop button",
        timeout=60_000,
    )


def wait_trained(page, prefix: str, *, watch_chart: bool = True, timeout_s: float = 180.0) -> list[int]:
    """Wait until the run has ended: Train is enabled again and the result tabs (or an error) show.

    Returns the last training step the live loss chart showed, each time it changed while the
    run was going.
    """
    seen: list[int] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if watch_chart:
            last = chart_last_x(page, f"{prefix}._lossfig")
            if last is not None and (not seen or last != seen[-1]):
                seen.append(int(last))
        ended = page.evaluate(
            "(sel) => { const b = document.querySelector(sel); return !!b && !b.disabled; }",
            f".st-key-{prefix}-_train button",
        )
        if ended and (page.locator("[data-testid='stTab']").count() or alerts(page, "Error")):
            break
        page.wait_for_timeout(150)
    else:
        raise AssertionError(f"training on {prefix} did not end in {timeout_s:.0f} s")
    wait_idle(page)
    return seen


def train(page, prefix: str, *, watch_chart: bool = True, timeout_s: float = 180.0) -> list[int]:
    """Press Train and wait for the end of the run (see :func:`wait_trained`). A run estimated at
    a few seconds may come back with its results without a running page in between."""
    _watch_for_rerun(page)
    by_key(page, f"{prefix}._train").locator("button").click()
    try:
        page.wait_for_function("() => window.__e2eRan === true", timeout=5_000)
    except Exception:  # noqa: BLE001 - the rerun may have finished before the observer saw it
        pass
    # the run is going (Stop enabled: the live chart can be watched), or the Train rerun is over
    # (a short run, waited for there, comes back with its results)
    page.wait_for_function(
        """(sel) => { const b = document.querySelector(sel);
            const idle = document.querySelector("[data-test-script-state='notRunning']");
            return (!!b && !b.disabled) || !!idle; }""",
        arg=f".st-key-{prefix}-_stop button",
        timeout=60_000,
    )
    return wait_trained(page, prefix, watch_chart=watch_chart, timeout_s=timeout_s)


def upload_file(page, key: str, name: str, data: bytes, mime: str = "application/octet-stream") -> None:
    """Put a file into the st.file_uploader with ``key`` and wait for the rerun it causes.

    The browser first sends the file to the server and only then reruns the script; on a busy
    machine that takes more than the few seconds a click's rerun takes, so the wait for the rerun
    to begin is long (it always comes: a new file is a widget change).
    """
    inp = by_key(page, key).locator("input[type='file']")
    wait_rerun(
        page, lambda: inp.set_input_files({"name": name, "mimeType": mime, "buffer": data}), start_ms=60_000
    )


def shot(page, name: str, settle_ms: int = 8_000) -> Path:
    """Screenshot of the whole app (sidebar and main area, each as tall as its content).

    Streamlit scrolls the main area and the sidebar inside their own boxes, so the viewport is
    made as tall as the taller of the two for the shot. Waits (bounded) for plotly charts to draw.
    """
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    try:
        page.wait_for_function(
            """() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
                     .every(c => c.querySelector('.main-svg'))""",
            timeout=settle_ms,
        )
    except Exception:  # noqa: BLE001 - a chart that never draws shows up in the picture
        pass
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        """() => Math.max(...["stMain", "stSidebarContent"].map(
                 id => { const e = document.querySelector(`[data-testid='${id}']`); return e ? e.scrollHeight : 0; }))"""
    )
    page.set_viewport_size(
        {"width": size["width"], "height": max(size["height"], min(int(height) + 40, 8000))}
    )
    try:
        page.wait_for_timeout(300)  # layout after the resize
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(size)
    return path


WIDGET_VALUE_JS = """(sel) => {
    const root = document.querySelector(sel);
    if (!root) return null;
    const combo = root.querySelector("input[role='combobox']");
    if (combo) return combo.value;
    const ranges = [...root.querySelectorAll("input[type='range']")];
    if (ranges.length) return ranges.map(r => r.getAttribute('aria-valuetext')).join(' – ');
    const box = root.querySelector("input[type='checkbox']");
    if (box) return box.checked ? 'on' : 'off';
    const field = root.querySelector('input, textarea');
    return field ? field.value : null;
}"""


def widget_value(page, key: str) -> str | None:
    """What the widget with ``key`` shows: the chosen option, the slider's value, on/off, the text.

    Waits for the widget's input to be drawn (Streamlit loads some widgets' code on first use).
    """
    sel = f".st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key)}"
    page.locator(f"{sel} input, {sel} textarea").first.wait_for(state="attached", timeout=15_000)
    return page.evaluate(WIDGET_VALUE_JS, sel)


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the selectbox with ``key``, as a person does (open the list, click it)."""
    listbox = page.locator("[role='listbox']")
    for _ in range(3):  # a rerun that lands while the list opens closes it again: open it again
        wait_idle(page)
        by_key(page, key).locator("button[aria-haspopup='listbox']").click()
        try:
            listbox.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - retried
            continue
    opt = listbox.locator("[role='option']").filter(has_text=re.compile(rf"^{re.escape(option)}$"))
    wait_rerun(page, lambda: opt.first.click())


def nudge(page, key: str, presses: int) -> None:
    """Move the slider with ``key`` by ``presses`` steps with the arrow keys (negative: left)."""
    thumb = by_key(page, key).locator("input[type='range']").first
    thumb.focus()
    for _ in range(abs(presses)):
        wait_rerun(page, lambda: thumb.press("ArrowRight" if presses > 0 else "ArrowLeft"))


def flip(page, key: str) -> None:
    """Click the toggle / checkbox with ``key``."""
    wait_rerun(page, lambda: by_key(page, key).locator("label").first.click())


def type_number(page, key: str, value: str) -> None:
    box = by_key(page, key).locator("input").first
    box.fill(value)
    wait_rerun(page, lambda: box.press("Enter"))
