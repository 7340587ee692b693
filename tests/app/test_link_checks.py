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


@pytest.mark.parametrize("page, key, typed, stops", [
    ("pages/landscape.py", "span", "500", "[0.1, 20]"),
    ("pages/landscape.py", "grid", "1000", "[21, 201]"),
    ("pages/landscape.py", "steps", "5000", "[0, 200]"),
    ("pages/curves.py", "span", "500", "[0.1, 20]"),
    ("pages/curves.py", "points", "5000", "[101, 1001]"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_value_beyond_a_slider_is_reported_with_the_slider_range(page, key, typed, stops, lang):
    # /landscape?span=500 showed 20 with no word, and the message named [0.001, 1000] (issue 18)
    at = open_page(page, lang, loss="mse_loss", **{key: typed})
    assert not at.exception
    [warning] = [w for w in at.warning if f"`{key}`" in w.value]
    assert typed in warning.value and stops in warning.value and warning.icon == "🔗"
    assert ("Part of the link" if lang == "en" else "链接中有一部分") in warning.value


def test_an_overlay_parameter_beyond_its_slider_is_reported_not_clamped():
    at = open_page("pages/curves.py", "en", loss="l1_loss", **{"with": "huber_loss", "huber_loss.delta": "50"})
    assert not at.exception
    assert any("`huber_loss.delta`" in w.value and "50" in w.value for w in at.warning)


def test_a_bad_language_is_reported_like_every_link_problem():
    # it had neither the link icon nor the "part of the link" prefix of the other link messages (issue 18)
    at = open_page("pages/home.py", "fr")
    assert not at.exception
    [warning] = [w for w in at.warning if "'fr'" in w.value]
    assert warning.icon == "🔗" and warning.value.startswith("Part of the link could not be used")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_whole_number_fields_hint_whole_numbers(lang):
    at = open_page("pages/curves.py", lang, loss="mse_loss", points="many")
    [warning] = [w for w in at.warning if "`points`" in w.value]
    assert "0.5" not in warning.value and "[101, 1001]" in warning.value
    assert ("whole number" if lang == "en" else "整数") in warning.value


def test_the_3d_surface_leaves_room_for_its_axis_titles():
    # at 1280×720 and 390×844 the z title and the x/y titles were cut at the canvas edges (issue 18); the z
    # scale now sits in a horizontal colorbar below the scene, which has the whole width
    import json

    at = open_page("pages/landscape.py", "zh")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    scene = spec["layout"]["scene"]
    assert scene["zaxis"]["title"]["text"] == "" and scene["domain"]["x"] == [0.0, 1.0]
    colorbar = spec["data"][0]["colorbar"]
    assert colorbar["orientation"] == "h" and colorbar["title"]["text"] == "损失"


@pytest.mark.parametrize("lang, words", [("en", "drawn dashed"), ("zh", "用虚线画出")])
def test_coinciding_curves_are_named_and_the_hidden_one_dashed(lang, words):
    # SmoothL1 (beta = 1) and Huber (delta = 1) are one function: one curve hid the other (issue 18)
    import json

    at = open_page("pages/curves.py", lang, loss="l1_loss", **{"with": "smooth_l1_loss,huber_loss"})
    assert not at.exception
    [note] = [c.value for c in at.caption if words in c.value]
    assert "2" in note.split(words)[-1]  # at beta = delta = 2 Huber is 2 x SmoothL1: the factor is the parameter
    lines = [d for d in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if d.get("xaxis") == "x"
             and d.get("mode") == "lines"]
    assert [d["line"].get("dash") for d in lines] == [None, None, "dash"]
