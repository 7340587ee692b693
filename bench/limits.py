"""Benchmark: the playground at the element limit against the playground on its 2×2 example.

Run from the repository root (a minute or two; it starts its own server on a free local port)::

    .venv/bin/python bench/limits.py
    .venv/bin/python bench/limits.py --runs 3 --no-browser    # quicker: the server measure only

Two links open the playground with ``mse_loss``: the example (``input`` and ``target`` 2 × 2) and one whose
``input`` and ``target`` hold ``LIMITS.elements_per_tensor`` elements each, the most one tensor may have
(``ui/text/limits.py``).  Two measurements, each the median of ``--runs``, page and example in turn so that a
busy machine moves both alike; printed with the ratio limit / example (target: at most 2):

* server: Streamlit's AppTest, the time of ``at.run()`` on a session that already opened the link (the
  rerun a learner's edit causes), after one warm-up run;
* browser: ``streamlit run`` and Debian's chromium (Playwright, the flags of tests/e2e/conftest.py); the time
  from ``page.goto`` to the app being idle with every chart drawn (no skeleton left, then the next frame).

A line also shows how quickly a link one element past the limit is refused (it must answer in seconds).
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.app.apptest import open_page  # noqa: E402
from ui.text.limits import LIMITS  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def ones(n: int, value: int) -> str:
    return "[" + ",".join([str(value)] * n) + "]"


def links() -> dict:
    n = LIMITS.elements_per_tensor
    return {
        "example 2×2": {"loss": "mse_loss", "input": "[[1,1],[1,1]]", "target": "[[0,0],[0,0]]"},
        f"limit {n}": {"loss": "mse_loss", "input": ones(n, 1), "target": ones(n, 0)},
    }


def server_times(runs: int) -> dict:
    apps = {name: open_page("pages/playground.py", timeout=300, **query) for name, query in links().items()}
    for at in apps.values():
        at.run()  # warm-up: the first run pays imports and torch's first call
    times = {name: [] for name in apps}
    for _ in range(runs):
        for name, at in apps.items():
            start = time.perf_counter()
            at.run()
            times[name].append(time.perf_counter() - start)
            assert not at.exception, f"{name}: {at.exception}"
    return {name: statistics.median(values) for name, values in times.items()}


def refusal_time() -> float:
    n = LIMITS.elements_per_tensor + 1
    start = time.perf_counter()
    at = open_page("pages/playground.py", timeout=300, loss="mse_loss", input=ones(n, 1), target=ones(n, 0))
    elapsed = time.perf_counter() - start
    assert any("1024" in w.value or str(LIMITS.elements_per_tensor) in w.value for w in at.warning)
    return elapsed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_times(runs: int) -> dict:
    from urllib.parse import urlencode

    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        times = {name: [] for name in links()}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for run in range(runs + 1):  # the first round warms the server and the browser up
                for name, query in links().items():
                    page = browser.new_page(viewport={"width": 1280, "height": 720})
                    start = time.perf_counter()
                    page.goto(f"{url}/playground?{urlencode({'lang': 'en', **query})}")
                    page.wait_for_selector("[data-testid='stMain'] h1", timeout=300_000)
                    page.wait_for_selector(READY, timeout=300_000)
                    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2",
                                           timeout=300_000)
                    page.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")",
                                           timeout=300_000)
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                    if run:
                        times[name].append(time.perf_counter() - start)
                    page.close()
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, times: dict) -> None:
    base, limit = times.values()
    print(f"{title}: " + ", ".join(f"{name} {value:.2f} s" for name, value in times.items())
          + f"; ratio {limit / base:.2f} (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    print(f"limits: {LIMITS}")
    report("server rerun (AppTest)", server_times(args.runs))
    print(f"a link with {LIMITS.elements_per_tensor + 1} elements is refused in {refusal_time():.2f} s")
    if not args.no_browser:
        report("browser load (chromium)", browser_times(args.runs))


if __name__ == "__main__":
    main()
