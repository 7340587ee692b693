"""/landscape in a real browser: the 3D surface and the contour are drawn, a slider moves the descent path."""

import pytest

from tests.e2e.conftest import goto, settle

pytestmark = pytest.mark.e2e


def slider(page, label: str):
    """The thumb of the slider whose label is ``label``."""
    return page.locator("[data-testid='stSlider']").filter(has_text=label).locator("input[type='range']")


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def wait_for_charts(page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {count}",
                           timeout=60000)


@pytest.mark.parametrize("lang, title", [("en", "The loss surface"), ("zh", "三维损失曲面")])
def test_surface_contour_and_path_are_drawn(page, app_url, lang, title):
    goto(page, f"{app_url}/landscape?lang={lang}")
    assert page.get_by_text(title).is_visible()
    wait_for_charts(page, 2)
    assert page.locator(".js-plotly-plot .gl-container canvas").count() >= 1  # the WebGL surface
    assert page.locator(".js-plotly-plot .contourlayer path").count() > 0  # the contour map
    assert page.locator(".js-plotly-plot .shapelayer path").count() >= 1  # the arrows of -∇L
    assert page.locator(".js-plotly-plot .scatterlayer .trace path.js-line").count() >= 2  # the path, the history


def test_moving_a_slider_redraws_the_path_and_updates_the_url(page, app_url):
    goto(page, f"{app_url}/landscape?lang=en&loss=mse_loss&lr=0.03")
    wait_for_charts(page, 2)
    before = metric(page, "Loss after")
    slider(page, "Steps").focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    settle(page)
    page.wait_for_function("() => location.search.includes('steps=27')", timeout=30000)
    assert page.get_by_text("Loss after 27 steps").is_visible()
    assert metric(page, "Loss after") != before
    slider(page, "Learning rate").focus()
    page.keyboard.press("ArrowLeft")
    settle(page)
    page.wait_for_function("() => location.search.includes('lr=0.01')", timeout=30000)


def test_the_range_slider_redraws_both_charts_and_keeps_the_elements(page, app_url):
    goto(page, f"{app_url}/landscape?lang=en&loss=mse_loss&x=input[1,0]&y=input[0,1]")
    wait_for_charts(page, 2)
    ticks = "() => [...document.querySelectorAll('.js-plotly-plot .xtick text')].map(t => t.textContent).join('|')"
    before = page.evaluate(ticks)
    slider(page, "Range around").focus()
    page.keyboard.press("ArrowRight")  # 2 -> 3: a wider window, so the contour's axis ticks change
    settle(page)
    page.wait_for_function("() => location.search.includes('span=3')", timeout=30000)
    page.wait_for_function(f"() => ({ticks})() !== {before!r}", timeout=30000)
    assert "x=input%5B1%2C0%5D" in page.url or "x=input[1,0]" in page.url  # the elements stay as chosen
    assert page.get_by_text("input[1, 0]").first.is_visible()
    wait_for_charts(page, 2)


def test_a_class_index_choice_is_explained(page, app_url):
    goto(page, f"{app_url}/landscape?lang=zh&loss=cross_entropy&x=target[1]")
    assert "类别索引" in page.locator("[data-testid='stAlert']").first.inner_text()
