"""/train in a real browser: a shared race link opens on its step, and moving the scrubber redraws the charts and
changes the numbers of the per-step table and the URL."""

import pytest

from tests.e2e.conftest import goto, settle

pytestmark = pytest.mark.e2e

LINK = ("/train?lang=en&preset=optimizers&steps=120&seed=5&r1=mse_loss~sgd(lr%3D0.03,momentum%3D0.8)"
        "&r2=mse_loss~adam(lr%3D0.2)&t=60")


def step_table(page) -> str:
    """The text of the first st.table (the race at the step shown)."""
    return page.locator("[data-testid='stTable']").first.inner_text()


PATHS = ("() => [...document.querySelectorAll('.js-plotly-plot .scatterlayer path.js-line')]"
         ".map(p => p.getAttribute('d')).join('|')")


def chart_paths(page) -> str:
    """The drawn lines of every plotly chart, as the SVG paths' data."""
    return page.evaluate(PATHS)


def test_a_shared_race_opens_and_the_scrubber_moves_it(page, app_url):
    goto(page, app_url + LINK)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=90000)
    assert page.get_by_text("At step 60", exact=True).is_visible()
    table_before, paths_before = step_table(page), chart_paths(page)
    assert "(1) MSE · SGD" in table_before and "(2) MSE · Adam" in table_before

    thumb = page.locator("[data-testid='stSlider']").filter(has_text="Step shown").locator("input[type='range']").first
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    settle(page)
    page.wait_for_function("() => location.search.includes('t=55')", timeout=30000)
    page.get_by_text("At step 55", exact=True).wait_for(timeout=30000)
    assert step_table(page) != table_before  # the numbers of step 55, not 60
    page.wait_for_function(f"() => ({PATHS})() !== {paths_before!r}", timeout=30000)  # the lines were redrawn
    assert "r1=mse_loss" in page.url and "seed=5" in page.url  # the race stays in the link


def test_a_chinese_link_shows_chinese_and_a_bad_run_is_explained(page, app_url):
    goto(page, app_url + "/train?lang=zh&preset=optimizers&r1=mse_loss~sgd(lr%3D-1)&r2=mse_loss~adam(lr%3D0.1)")
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "Run 1" in alerts and "lr" in alerts
    assert page.get_by_text("训练比赛").first.is_visible()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=90000)
