"""/curves in a real browser: the overlaid curves are drawn and a parameter slider redraws them."""

import pytest

from tests.e2e.conftest import goto, settle

pytestmark = pytest.mark.e2e


def legend(page) -> str:
    return " ".join(page.locator(".js-plotly-plot .legendtext").all_text_contents())


@pytest.mark.parametrize("lang, names", [("en", ["L1 loss", "MSE loss", "Huber loss · delta = 1"]),
                                         ("zh", ["L1 损失", "Huber 损失 · delta = 1"])])
def test_default_curves_are_drawn(page, app_url, lang, names):
    goto(page, f"{app_url}/curves?lang={lang}")
    page.wait_for_selector(".js-plotly-plot .legendtext", timeout=60000)
    shown = legend(page)
    for name in names:
        assert name in shown, shown
    assert page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count() >= 10  # 5 losses × 2 panels


def test_moving_the_delta_slider_redraws_huber(page, app_url):
    goto(page, f"{app_url}/curves?lang=en")
    page.wait_for_selector(".js-plotly-plot .legendtext", timeout=60000)
    thumb = page.locator("[data-testid='stSlider']").filter(has_text="delta").locator("input[type='range']")
    thumb.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    settle(page)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
                           ".some(e => e.textContent.includes('delta = 1.2'))", timeout=30000)
    page.wait_for_function("() => location.search.includes('huber_loss.delta=1.2')", timeout=30000)
