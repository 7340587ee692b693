"""End-to-end fixtures: the app served by `streamlit run` on a free local port, and Debian's chromium via Playwright.

With CI=true a missing browser or Playwright is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    port = _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = context.new_page()
    yield pg
    context.close()


RUNNING = "[data-testid='stApp'][data-test-script-state='running']"


def settle(pg, timeout: float = 90000) -> None:
    """Wait for the rerun an interaction triggered: first for it to start (if it has not already), then to end."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        pg.wait_for_selector(RUNNING, timeout=3000)
    except PlaywrightTimeout:
        pass  # the rerun was quicker than our look, or there was none
    pg.wait_for_selector(READY, timeout=timeout)
    pg.wait_for_timeout(300)
    pg.wait_for_selector(READY, timeout=timeout)
    # A loaded machine may still be drawing what the run sent: wait for the placeholders to go.
    pg.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=timeout)
    pg.wait_for_timeout(300)


def goto(pg, url: str) -> None:
    """Open a page and wait until its script has run: the app is idle and the page's title is drawn."""
    pg.goto(url)
    pg.wait_for_selector("[data-testid='stMain'] h1", timeout=120000)
    pg.wait_for_selector(READY, timeout=120000)
    settle(pg)
