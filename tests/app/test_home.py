"""The home page in both languages: the explanation, the gradient-descent figure and the map of losses."""

import pytest

import losses
from tests.app.apptest import open_page, texts

HOME = "pages/home.py"


@pytest.mark.parametrize("lang, heading", [("en", "What a loss function is"), ("zh", "什么是损失函数")])
def test_home_renders(lang, heading):
    at = open_page(HOME, lang)
    assert not at.exception
    shown = texts(at)
    assert heading in shown
    assert len(at.get("plotly_chart")) == 2
    # the map links every registered loss
    links = [el.proto.label for el in at.get("page_link")]
    for spec in losses.SPECS:
        assert any(spec.title[lang] in label for label in links), spec.id


def test_descent_converges_and_diverges():
    at = open_page(HOME, "en")
    at.slider(key="home_steps").set_value(30).run()
    assert not at.exception
    assert "After 30 iterations" in texts(at)
    at.select_slider(key="home_lr").set_value(1.1).run()
    assert not at.exception
    assert "run away" in texts(at)


def test_language_follows_the_url_and_bad_lang_is_reported():
    at = open_page(HOME, "fr")
    assert not at.exception
    assert any("'fr'" in w.value for w in at.warning)
