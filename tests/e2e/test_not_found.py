"""An unknown page (issue 13): our own page in the learner's language, not Streamlit's English dialog."""

import pytest

from tests.e2e.conftest import goto
from tools.serve import ROOT


@pytest.mark.parametrize("lang, title", [("en", "No such page"), ("zh", "没有这个页面")])
def test_an_unknown_path_shows_our_page_with_links(page, app_url, lang, title):
    # A fresh server's very first session runs in Streamlit's pages/-folder mode (see require_shell in
    # ui/state/page.py), which shows its own dialog before app.py runs; every later session gets our page.
    goto(page, app_url)
    goto(page, f"{app_url}/no-such-page?lang={lang}")
    assert page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == title
    assert page.get_by_text("Page not found").count() == 0
    assert "/no-such-page" in page.locator("[data-testid='stAlert']").first.inner_text()
    links = page.locator("[data-testid='stMain'] [data-testid='stPageLink'] a")
    # one link per page of app.py's navigation (the home page among them)
    real_pages = (ROOT / "app.py").read_text().count("st.Page(")
    assert links.count() == real_pages
    assert any("playground" in (links.nth(i).get_attribute("href") or "") for i in range(links.count()))
