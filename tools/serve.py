"""The one way tests, benchmarks and tools start Loss Lab and a browser.

`serve(script)` runs `streamlit run` on a free loopback port and stops it afterwards; `launch_chromium(p)`
opens Debian's chromium through Playwright with the flags a headless, shared machine needs.  The e2e
fixtures (tests/e2e/conftest.py), bench/pages.py and tools/screenshot.py all import from here, so a flag or
a start-up step changes in one place.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# No sandbox (containers run as root), no GPU, and nothing that would talk to the network on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


class ServerDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: str = "app.py", extra: list[str] | None = None, capture: bool = False,
                 port: int | None = None, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run script` on a loopback port (a free one unless given); returns the process and its URL.

    With `capture` the server's output is kept on the process's stdout (to explain a failed start); `env` adds
    variables to the environment (the cookie secret every replica of a deployment shares)."""
    port = port or free_port()
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *(extra or [])],
        cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})), stdout=out,
        stderr=subprocess.STDOUT if capture else subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def answers_health(url: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> bool:
    """Whether ``url``'s Streamlit health check answers 200 within ``timeout`` seconds, polling while ``proc``
    (the server, or nginx in front of it) still runs."""
    deadline = time.time() + timeout
    while time.time() < deadline and (proc is None or proc.poll() is None):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout: float = 90) -> None:
    if answers_health(url, proc, timeout):
        return
    told = ""
    if proc is not None:
        proc.kill()
        if proc.stdout is not None:
            told = ": " + proc.stdout.read().decode(errors="replace")[-2000:]
    raise ServerDidNotStart(f"streamlit at {url} did not start{told}")


def stop_server(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serve(script: str = "app.py", extra: list[str] | None = None):
    """The served app's base URL for the duration of the block."""
    proc, url = start_server(script, extra, capture=True)
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop_server(proc)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
