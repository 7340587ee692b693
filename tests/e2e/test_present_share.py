"""A teacher's ?present=1 share link in Chromium: text and figure sizes, the QR code, a path prefix."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import missing as _missing
from tests.e2e.conftest import goto, settle
from tools.serve import READY, ROOT
from tools.serve import free_port as _free_port

LINK = "/playground?lang={lang}&present=1&loss=mse_loss&reduction=sum&input=%5B%5B1.5%2C1%5D%2C%5B1%2C1%5D%5D"


def decode_qr(png: bytes) -> list[str]:
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:
        _missing("zxing-cpp is not installed (pip install -r requirements-dev.txt)")
    image = Image.open(io.BytesIO(png)).convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image)]


def open_share(pg, key: str) -> tuple[str, str]:
    """Open the share expander; returns (the link it shows, the link its QR code holds)."""
    pg.locator("[data-testid='stExpander'] summary", has_text="🔗").first.click()
    control = pg.locator(f".st-key-{key}_control")
    qr = control.locator("img")
    qr.wait_for(state="visible", timeout=30000)
    qr.scroll_into_view_if_needed()
    shown = control.locator("code").first.inner_text().strip()
    # the expander opens with an animation: a picture taken mid-way is squeezed and does not decode
    for _ in range(10):
        pg.wait_for_timeout(500)
        found = decode_qr(qr.screenshot())
        if found:
            assert len(found) == 1, found
            return shown, found[0]
    raise AssertionError("the share control's QR code did not decode")


def px(pg, selector: str) -> float:
    return pg.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_present_link_is_large_on_a_projector_and_its_qr_is_the_page_link(app_url, browser, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US")
    pg = context.new_page()
    try:
        goto(pg, app_url + LINK.format(lang=lang))
        assert not pg.locator("[data-testid='stSidebar']").is_visible()
        body = px(pg, "[data-testid='stMain'] [data-testid='stMarkdownContainer'] p")
        assert body >= 22, body
        pg.wait_for_selector(".js-plotly-plot .xtick text", timeout=30000)
        ticks = pg.eval_on_selector_all(".js-plotly-plot .xtick text, .js-plotly-plot .ytick text",
                                        "els => els.map(el => parseFloat(getComputedStyle(el).fontSize))")
        assert ticks and min(ticks) >= 18, ticks

        shown, decoded = open_share(pg, "share")
        assert decoded == shown
        parts = urlsplit(decoded)
        assert f"{parts.scheme}://{parts.netloc}" == app_url and parts.path == "/playground"
        query = parse_qs(parts.query)
        assert query["present"] == ["1"] and query["lang"] == [lang] and query["reduction"] == ["sum"]
        assert query["input"] == ["[[1.5,1],[1,1]]"]
        # the decoded link is the page: a phone that opens it sees the same value
        value = pg.locator("[data-testid='stMetricValue']").first.inner_text()
        phone = context.new_page()
        goto(phone, decoded)
        assert phone.locator("[data-testid='stMetricValue']").first.inner_text() == value
        phone.close()
    finally:
        context.close()


@pytest.fixture(scope="module")
def prefixed_url():
    """The app under a path prefix, as a proxy would serve it at /losslab/ (Streamlit's baseUrlPath)."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.baseUrlPath", "losslab"],
        cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/losslab"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start under /losslab")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_the_share_link_keeps_a_path_prefix(prefixed_url, page):
    goto(page, prefixed_url + "/curves?lang=en&loss=huber_loss&delta=0.5")
    page.wait_for_selector(READY)
    shown, decoded = open_share(page, "cv_share")
    assert decoded == shown
    parts = urlsplit(decoded)
    assert parts.path == "/losslab/curves", decoded
    assert parse_qs(parts.query)["delta"] == ["0.5"]
    goto(page, decoded)
    settle(page)
    assert "/losslab/curves" in page.url and "delta=0.5" in page.url
