"""Screenshots of Loss Lab pages in headless Debian chromium.

`python tools/screenshot.py URL OUT.png [width] [height]`: Streamlit scrolls inside its own container, so a
tall viewport (default 2400 px) is what captures a whole page.
"""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def shoot(url: str, out: str, width: int = 1400, height: int = 2400) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
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
