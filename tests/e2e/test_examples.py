"""/examples in a real browser: the notes' numbers and today's torch numbers on the cards, links, filter, bad links.

The notes' printed values come from seed notes 000 (Chinese) and 004 (English): 1, 0.625, 1.5, -13.8155.
torch 2.13 returns 2.0794 for CrossEntropyLoss on the notes' pair (float targets read as probabilities).
"""

import re

import pytest

from tests.e2e.conftest import goto, settle

pytestmark = pytest.mark.e2e


def card(page, card_id):
    return page.locator(f".st-key-ex_card_{card_id}")


def metrics(page, card_id) -> dict:
    """label -> value of the three metrics of one card."""
    box = card(page, card_id)
    labels = [t.strip() for t in box.locator("[data-testid='stMetricLabel']").all_inner_texts()]
    values = [t.strip() for t in box.locator("[data-testid='stMetricValue']").all_inner_texts()]
    return dict(zip(labels, values))


@pytest.mark.parametrize("lang, note_label, printed, heading", [
    ("en", "The note printed", "printed -13.8155", "The notes' worked examples"),
    ("zh", "笔记打印的值", "打印的是 -13.8155", "笔记中的例子"),
])
def test_the_notes_numbers_and_todays_torch_number_are_on_the_page(page, app_url, lang, note_label, printed,
                                                                   heading):
    goto(page, f"{app_url}/examples?lang={lang}")
    assert page.get_by_role("heading", name=heading).first.is_visible()
    for card_id, value in (("l1", "1"), ("smooth_l1", "0.625"), ("mse", "1.5")):
        shown = metrics(page, card_id)
        assert shown[note_label] == value
        assert shown["Loss Lab (numpy)" if lang == "en" else "Loss Lab（numpy）"] == value
        torch_label = next(k for k in shown if k.startswith("PyTorch"))
        assert shown[torch_label] == value
    bce = metrics(page, "bce")
    assert bce[note_label] == "-13.8155"
    assert printed in card(page, "bce").inner_text()
    ce = metrics(page, "cross_entropy")
    torch_label = next(k for k in ce if k.startswith("PyTorch 2."))
    assert ce[torch_label] == "2.0794"
    assert card(page, "nll2d").locator(".js-plotly-plot").count() == 1


def test_a_card_link_opens_the_playground_with_its_tensors(page, app_url):
    goto(page, f"{app_url}/examples?lang=en")
    link = card(page, "bce").get_by_text("Open the valid call in the playground")
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_url(re.compile(r".*/playground\?.*"))
    settle(page)
    url = page.url.replace("%5B", "[").replace("%5D", "]").replace("%2C", ",")
    assert "loss=binary_cross_entropy" in url and "input=[[0.9,0.2],[0.6,0.3]]" in url
    values = [t.strip() for t in page.locator("[data-testid='stMetricValue']").all_inner_texts()]
    assert values[0] == values[1]  # Loss Lab and torch agree on the valid BCE call


def test_the_filter_goes_into_the_url_and_a_bad_link_is_named(page, app_url):
    goto(page, f"{app_url}/examples?lang=en&note=zh-concepts")
    assert card(page, "tensorflow").count() == 1 and card(page, "l1").count() == 0
    goto(page, f"{app_url}/examples?lang=en&note=bogus")
    alerts = " ".join(page.locator("[data-testid='stAlert']").all_inner_texts())
    assert "note" in alerts and "'bogus'" in alerts
    assert card(page, "l1").count() == 1  # the page falls back to every note
    assert "note=" not in page.url
