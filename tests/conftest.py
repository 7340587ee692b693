import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("LOSSLAB_TESTING", "1")


def missing(reason: str):
    """A browser test cannot run: a failure with CI=true (never a silent skip there), else a skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run, shared by tests/e2e and tests/deploy: Playwright's sync API keeps an event
    loop in the main thread, so a second sync_playwright() in the same session would refuse to start."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is not installed")
    from tools.serve import CHROMIUM, launch_chromium

    if not Path(CHROMIUM).exists():
        missing(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()
