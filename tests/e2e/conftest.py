"""End-to-end fixtures: the app served by `streamlit run` on a free local port, and Debian's chromium via Playwright.

With CI=true a missing browser or Playwright is a failure, never a silent skip.
"""

from __future__ import annotations

import pytest

from tools.serve import READY, ServerDidNotStart, serve


@pytest.fixture(scope="session")
def app_url():
    try:
        with serve() as url:
            yield url
    except ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = context.new_page()
    yield pg
    context.close()


RUNNING = "[data-testid='stApp'][data-test-script-state='running']"  # READY's opposite (tools/serve.py)


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
