"""Screenshots of Loss Lab pages in headless Debian chromium: `python tools/screenshot.py URL OUT.png [width]`."""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY = "[data-testid='stApp'][data-test-script-state='notRunning']"


def shoot(url: str, out: str, width: int = 1400) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(url)
        page.wait_for_selector(READY, timeout=60000)
        page.wait_for_timeout(1500)
        page.wait_for_selector(READY, timeout=60000)
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    shoot(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1400)
