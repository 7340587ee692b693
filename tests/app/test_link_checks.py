"""Links every loss page must answer the same way (issue 13 points 2 and 4, issue 18 points 1 and 5)."""

import pytest

from tests.app.apptest import open_page

LOSS_PAGES = ["pages/playground.py", "pages/curves.py", "pages/landscape.py"]


@pytest.mark.parametrize("page", LOSS_PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_shape_the_loss_refuses_is_refused_before_the_page_computes(page, lang):
    # /curves?loss=margin_ranking_loss&target=[[1,-1]] raised a numpy ValueError in curve_axis (issue 13)
    at = open_page(page, lang, loss="margin_ranking_loss", target="[[1,-1]]")
    assert not at.exception
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any("`input2`" in text and "(1, 2)" in text for text in shown), shown
