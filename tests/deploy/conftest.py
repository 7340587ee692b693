"""Fixtures of the deployment tests: app replicas on loopback ports and deploy/nginx.conf in front of them.

With CI=true a missing nginx is a failure, never a silent skip (the Makefile's browser step installs it).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.load import free_port
from deploy.loopback import Balancer, find_nginx

ROOT = Path(__file__).resolve().parents[2]


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"deployment tests cannot run in CI: {reason}")
    pytest.skip(reason)


class Replica:
    """One ``streamlit run app.py`` on a loopback port, with the cookie secret every replica shares."""

    def __init__(self, secret: str, script: str = "app.py", extra: tuple = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONUNBUFFERED="1", STREAMLIT_SERVER_COOKIE_SECRET=secret)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / script), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", *extra],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit on {self.port} exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit on {self.port} did not start in {timeout} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def replicas():
    """Two app processes with one cookie secret, as compose and the Deployment run them."""
    secret = secrets.token_hex(32)
    pair = [Replica(secret), Replica(secret)]
    try:
        for r in pair:
            r.wait()
        yield pair
    finally:
        for r in pair:
            r.stop()


@pytest.fixture(scope="module")
def balancer(replicas):
    """deploy/nginx.conf on a loopback port in front of ``replicas``."""
    if find_nginx() is None:
        _missing("nginx is not installed (make browser installs it: apt-get install -y nginx)")
    lb = Balancer([r.port for r in replicas])
    try:
        lb.start()
        yield lb
    finally:
        lb.stop()
