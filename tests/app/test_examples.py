"""/examples under AppTest (both languages, the note filter, bad links, no torch) and the card computations.

The notes' printed values (1, 0.625, 1.5, -13.8155, and the reported errors) are quoted from the
seed notes 000 (Chinese, 常见的损失函数) and 004 (English, "pytorch Summary of loss function").
"""

import numpy as np
import pytest
import streamlit as st

import losses
import ui.compute.examples
import ui.compute.runner
from tests.app.apptest import open_page, texts
from ui.compute import examples as ex
from ui.state.urlstate import loss_query, read_loss_state
from ui.text.i18n import translate

PAGE = "pages/examples.py"


def metrics_by_card(at):
    """The metrics in page order, three per card: note, Loss Lab, torch."""
    values = [(m.label, m.value) for m in at.metric]
    cards = ex.cards_for(None)
    assert len(values) == 3 * len(cards)
    return {c.id: values[3 * i: 3 * i + 3] for i, c in enumerate(cards)}


@pytest.mark.parametrize("lang, title, printed", [("en", "The notes' worked examples", "printed **-13.8155**"),
                                                  ("zh", "笔记中的例子", "打印的是 **-13.8155**")])
def test_page_renders_every_card(lang, title, printed):
    at = open_page(PAGE, lang)
    assert not at.exception
    shown = texts(at)
    assert title in shown
    assert printed in shown
    titles = [s.value for s in at.subheader]
    for card in ex.CARDS:
        assert translate(lang, f"examples.{card.id}.title") in titles
    # every card, its links and the per-pixel figure
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("page_link")) == sum(len(c.links) for c in ex.CARDS)
    by_card = metrics_by_card(at)
    assert [v for _, v in by_card["l1"]] == ["1", "1", "1"]
    assert [v for _, v in by_card["smooth_l1"]] == ["0.625", "0.625", "0.625"]
    assert [v for _, v in by_card["mse"]] == ["1.5", "1.5", "1.5"]
    assert by_card["bce"][0][1] == "-13.8155"
    assert by_card["cross_entropy"][1][1] == "2.0794" and by_card["cross_entropy"][2][1] == "2.0794"
    assert by_card["cross_entropy"][2][0].startswith("PyTorch 2.")
    assert by_card["nll"][0][1] == by_card["nll"][2][1]  # an error then, an error now


def test_verdicts_and_reasons_in_english():
    at = open_page(PAGE, "en")
    shown = texts(at)
    for phrase in ("Verdict: same", "Verdict: worked then, an error now", "Verdict: an error then, works now",
                   "Verdict: an error then and now", "no number printed; runs today"):
        assert phrase in shown
    assert "all elements of target should be between 0 and 1" in shown  # torch's own message, live
    assert "rounded to the 4 decimals torch prints, is the notes' -13.8155" in shown
    assert "the target rows sum to 1, 5, not 1" in shown
    assert "`NLLLoss2d` has been deprecated" in shown


def test_verdicts_in_chinese():
    at = open_page(PAGE, "zh")
    shown = texts(at)
    for phrase in ("结论：一致", "当时可用，现在报错", "当时报错，现在可用", "当时和现在都报错"):
        assert phrase in shown


def test_note_filter_narrows_the_cards_and_goes_into_the_url():
    at = open_page(PAGE, "en")
    at.selectbox(key="ex_note").set_value("zh-concepts").run()
    assert not at.exception
    titles = [s.value for s in at.subheader]
    assert "Sigmoid, then BCE, then backward" in titles and "TensorFlow's two cross-entropies" in titles
    assert "L1Loss on the pair" not in titles
    assert at.query_params["note"] in ("zh-concepts", ["zh-concepts"])


def test_a_link_with_a_note_restores_the_filter():
    at = open_page(PAGE, "zh", note="en-summary")
    assert not at.exception
    assert at.selectbox(key="ex_note").value == "en-summary"
    titles = [s.value for s in at.subheader]
    assert "BCELoss 作用在这对张量上" in titles and "TensorFlow 的两种交叉熵" not in titles


@pytest.mark.parametrize("lang, word", [("en", "not allowed"), ("zh", "note")])
def test_bad_links_are_named_and_the_page_still_renders(lang, word):
    at = open_page(PAGE, lang, note="nonsense", loss="l1_loss")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "'nonsense'" in warnings and word in warnings
    assert "'loss'" in warnings  # the page does not use ?loss=
    assert at.selectbox(key="ex_note").value == "all"
    assert len(at.metric) == 3 * len(ex.CARDS)


def test_without_torch_the_page_says_so_and_judges_by_the_backend(monkeypatch):
    monkeypatch.setattr(ui.compute.runner, "torch_module", lambda: None)
    monkeypatch.setattr(ui.compute.examples, "torch_module", lambda: None)
    st.cache_data.clear()
    try:
        at = open_page(PAGE, "en")
        assert not at.exception
        shown = texts(at)
        assert "PyTorch is not installed here" in shown
        assert "judged by Loss Lab's backend" in shown
        by_card = metrics_by_card(at)
        assert by_card["cross_entropy"][1][1] == "2.0794" and by_card["cross_entropy"][2][1] == "—"
        assert "Verdict: an error then, works now" in shown
    finally:
        st.cache_data.clear()


# --- the computations behind the cards ---------------------------------------------------------

def test_old_bce_reproduces_the_notes_number_and_the_clamp_does_not():
    old = ex.old_bce()
    # (1 - t) * -log(1e-12) per element, t = 0, 1, 2, 3
    np.testing.assert_allclose(old.terms.ravel(), (1 - np.arange(4)) * -np.log(1e-12), atol=1e-9)
    assert abs(old.mean - -13.8155) <= ex.printed_tolerance("-13.8155")
    assert old.now_clamp_mean == -50.0
    result = ex.run(ex.card("bce").call)
    assert result.refusal.code == "range" and result.refusal.argument == "target"


def test_cross_entropy_reads_the_pair_as_probabilities():
    reading = ex.probability_reading()
    np.testing.assert_allclose(reading.log_softmax, -np.log(2))
    np.testing.assert_allclose(reading.rows, [np.log(2), 5 * np.log(2)])
    assert reading.mean == pytest.approx(float(losses.functional.cross_entropy(np.ones((2, 2)),
                                                                              np.array(ex.TARGET))))
    assert reading.mean == pytest.approx(3 * np.log(2))


def test_the_two_routes_agree_and_the_fused_one_survives_saturation():
    routes = ex.two_routes()
    assert routes.largest_gap < 1e-12
    assert set(np.unique(routes.target)) == {0.0, 1.0}
    rows = {(r.dtype, r.logit): r for r in ex.saturation()}
    r32 = rows[("float32", 20.0)]
    assert r32.sigmoid == 1.0 and r32.composed_value == 100.0 and r32.composed_grad == 0.0
    assert r32.fused_value == pytest.approx(20.0) and r32.fused_grad == pytest.approx(1.0)
    r64 = rows[("float64", 20.0)]
    assert r64.one_minus > 0 and r64.composed_value == pytest.approx(20.0, rel=1e-6)
    at100 = rows[("float64", 100.0)]
    assert at100.composed_value == 100.0 and at100.composed_grad == 0.0 and at100.fused_grad == 1.0
    if at100.torch_composed_value is not None:
        assert (at100.torch_composed_value, at100.torch_composed_grad) == (100.0, 0.0)


def test_nll_4d_per_pixel_matches_the_mean():
    pixels = ex.pixel_loss()
    assert pixels.log_probs.shape == (1, 3, 4, 6) and pixels.classes.shape == (1, 4, 6)
    assert pixels.per_pixel.shape == (1, 4, 6)
    assert pixels.value == pytest.approx(pixels.per_pixel.mean())


def test_two_readings_differ():
    readings = ex.two_readings()
    np.testing.assert_allclose(readings.softmax.sum(axis=1), 1.0)
    res = readings.results
    assert float(res["multiclass"].value) == pytest.approx(float(res["multiclass_index"].value))
    assert abs(float(res["multilabel"].value) - float(res["multiclass"].value)) > 0.01
    assert abs(float(res["onehot_sigmoid"].value) - float(res["multiclass"].value)) > 0.001


def fake(value=None, refusal=None, torch_value=None, torch_error=None, torch_available=True):
    return ex.Result(None if value is None else np.asarray(value), refusal,
                     None if torch_value is None else np.asarray(torch_value), torch_error, torch_available)


def test_verdict_kinds():
    l1, ce, crit = ex.card("l1"), ex.card("cross_entropy"), ex.card("criterion")
    assert ex.verdict(l1, fake(1.0, torch_value=1.00004)).kind == "same"
    assert ex.verdict(l1, fake(1.0, torch_value=1.0001)).kind == "different"
    assert ex.verdict(l1, fake(1.0, torch_error="boom")).kind == "works_then_error_now"
    assert ex.verdict(ce, fake(2.0, torch_value=2.0)).kind == "error_then_works_now"
    assert ex.verdict(ce, fake(None, torch_error="boom")).kind == "error_then_and_now"
    assert ex.verdict(crit, fake(1.0, torch_value=1.0)).kind == "no_number_runs"
    without = ex.verdict(l1, fake(1.0, torch_available=False))
    assert (without.kind, without.basis) == ("same", "backend")


def test_every_link_round_trips_through_the_playground_url():
    for card in ex.CARDS:
        for _, call in card.links:
            spec = losses.get_spec(call.loss)
            params = {**spec.defaults(), **call.params}
            query = {"lang": "en", **loss_query(spec, call.arrays(), params)}
            loss_id, tensors, parameters, errors = read_loss_state(query, "l1_loss")
            assert not errors, (card.id, errors)
            assert loss_id == call.loss
            for name, value in call.arrays().items():
                np.testing.assert_array_equal(tensors[name], value)
            assert parameters.get("reduction", "mean") == params.get("reduction", "mean")


def test_every_quote_names_a_known_note_and_every_card_has_code():
    for card in ex.CARDS:
        assert card.id in ex.CODE
        for quote in card.quotes:
            assert quote.document in ex.NOTES
