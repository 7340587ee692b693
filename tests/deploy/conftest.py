"""Fixtures of the deployment tests: app replicas on loopback ports and deploy/nginx.conf in front of them.

With CI=true a missing nginx is a failure, never a silent skip (the Makefile's browser step installs it).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from deploy.loopback import Balancer, find_nginx
from tests.conftest import missing
from tools.serve import start_server, stop_server, wait_healthy

ROOT = Path(__file__).resolve().parents[2]


class Replica:
    """One ``streamlit run app.py`` on a loopback port, with the cookie secret every replica shares."""

    def __init__(self, secret: str, script: str = "app.py", extra: tuple = ()):
        self.proc, self.url = start_server(script, list(extra), env={"STREAMLIT_SERVER_COOKIE_SECRET": secret})
        self.port = int(self.url.rsplit(":", 1)[1])

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def wait(self, timeout: float = 120) -> None:
        wait_healthy(self.url, self.proc, timeout)

    def stop(self) -> None:
        stop_server(self.proc, timeout=15)


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
        missing("nginx is not installed (make browser installs it: apt-get install -y nginx)")
    lb = Balancer([r.port for r in replicas])
    try:
        lb.start()
        yield lb
    finally:
        lb.stop()
