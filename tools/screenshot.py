"""Screenshots of Loss Lab pages in headless Debian chromium.

`python tools/screenshot.py URL OUT.png [width] [height]`: Streamlit scrolls inside its own container, so a
tall viewport (default 2400 px) is what captures a whole page.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.serve import READY, launch_chromium  # noqa: E402


def shoot(url: str, out: str, width: int = 1400, height: int = 2400) -> None:
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.wait_for_selector("[data-testid='stMain'] h1", timeout=90000)
        page.wait_for_selector(READY, timeout=60000)
        page.wait_for_timeout(2500)
        page.wait_for_selector(READY, timeout=60000)
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:5]))
