"""/reference in a real browser: formulas render with KaTeX, links keep the language, the playground link works."""

import pytest

from tests.e2e.conftest import goto, settle

pytestmark = pytest.mark.e2e


def metric_values(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid='stMetricValue']").all_inner_texts()]


def formulas_render(page) -> None:
    main = page.locator("[data-testid='stMain']")
    assert main.locator(".katex-display").count() > 0
    assert main.locator(".katex").count() > 5
    assert main.locator(".katex-error").count() == 0
    # no LaTeX source left on screen
    text = main.inner_text()
    assert "$$" not in text and "\\frac" not in text


def test_loss_page_formulas_and_the_playground_link(page, app_url):
    goto(page, f"{app_url}/reference?loss=cross_entropy&lang=en")
    assert page.locator("h1").first.inner_text().startswith("CrossEntropyLoss")
    formulas_render(page)
    ours, theirs = metric_values(page)[:2]
    assert ours == theirs  # the backend and torch agree to the digits shown
    assert page.locator(".js-plotly-plot").count() == 1
    page.get_by_text("Open this example in the playground").click()
    page.wait_for_url("**/playground?**", timeout=30000)
    settle(page)
    assert "loss=cross_entropy" in page.url and "lang=en" in page.url
    assert metric_values(page)[0] == ours


def test_chinese_page_links_keep_the_language_in_the_same_tab(page, app_url):
    goto(page, f"{app_url}/reference?loss=kl_div&lang=zh")
    assert "KL 散度" in page.locator("h1").first.inner_text()
    formulas_render(page)
    text = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer']")
    link = text.locator("a[href*='concept=reductions']").first
    assert link.get_attribute("href").endswith("&lang=zh")
    link.click()
    page.wait_for_url("**concept=reductions**", timeout=30000)
    settle(page)
    assert len(page.context.pages) == 1
    assert "lang=zh" in page.url
    assert "归约" in page.locator("h1").first.inner_text()
    formulas_render(page)


def test_index_leads_to_a_page_and_back(page, app_url):
    goto(page, f"{app_url}/reference?lang=en")
    assert page.get_by_text("Glossary", exact=True).is_visible()
    page.get_by_role("link", name="Huber loss · HuberLoss").click()
    page.wait_for_url("**loss=huber_loss**", timeout=30000)
    settle(page)
    assert page.locator("h1").first.inner_text().startswith("HuberLoss")
    formulas_render(page)
    page.get_by_role("link", name="All losses and concepts").click()
    page.wait_for_url("**/reference?lang=en", timeout=30000)
    settle(page)
    assert page.get_by_text("Glossary", exact=True).is_visible()


def test_unknown_loss_is_explained_in_the_learners_language(page, app_url):
    goto(page, f"{app_url}/reference?loss=focal&lang=zh")
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "focal" in alerts and "不存在" in alerts
    assert page.get_by_text("术语表", exact=True).is_visible()
