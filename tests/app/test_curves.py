"""/curves under AppTest (every loss, both languages, the overlay, its sliders, links) and its computations."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

import losses
from tests.app.apptest import open_page, texts
from ui.compute import visual
from ui.figures.curves import curves_figure
from ui.state.urlstate import example_arrays, example_parameters

CV = "pages/curves.py"


def chart(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def table(at) -> dict:
    """The table of values at the current point: loss name -> (at, value, derivative)."""
    frame = at.table[0].value
    return {name: [name] + list(row) for name, row in frame.iterrows()}


@pytest.mark.parametrize("loss", [spec.id for spec in losses.SPECS])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_loss_draws_its_curve(loss, lang):
    at = open_page(CV, lang, loss=loss, points="101")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    traces = chart(at)["data"]
    assert traces and all(t["type"] == "scatter" for t in traces)  # SVG only: no WebGL context on this page
    assert losses.get_spec(loss).title[lang] in {t.get("name") for t in traces}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_overlays_l1_mse_smoothl1_huber_and_l0_with_sliders(lang):
    at = open_page(CV, lang)
    assert not at.exception
    assert at.multiselect(key="cv_with").value == ["mse_loss", "smooth_l1_loss", "huber_loss", "l0_loss"]
    for key in ("cv_smooth_l1_loss_beta", "cv_huber_loss_delta", "cv_l0_loss_gamma"):
        assert at.slider(key=key) is not None
    rows = list(table(at).values())
    # the first row is L1 at input[0, 0] = 1 with target 0: the mean of |errors| is the notes' 1, and the
    # derivative of the mean is sign(1 - 0) / 4
    assert [rows[0][2], rows[0][3]] == ["1", "0.25"]
    assert [r[2] for r in rows[1:4]] == ["1.5", "0.625", "0.625"]  # MSE, SmoothL1, Huber: the notes' values
    names = {t.get("name") for t in chart(at)["data"]}
    assert losses.get_spec("huber_loss").title[lang] + " · delta = 1" in names


def test_moving_a_slider_redraws_the_compared_loss():
    at = open_page(CV, "en")
    huber = losses.get_spec("huber_loss").title["en"]
    at.slider(key="cv_huber_loss_delta").set_value(2.0).run()
    assert not at.exception
    rows = table(at)
    # with delta = 2 every |error| of the notes' pair (1, 0, 1, 2) is within delta: Huber is half the MSE of 1.5
    assert rows[f"{huber} · delta = 2"][2] == "0.75"
    assert at.query_params["huber_loss.delta"] in ("2", ["2"])


@pytest.mark.parametrize("loss, needle", [
    ("cross_entropy", "logit of the true class"),
    ("nll_loss", "log-probability of the true class"),
    ("multi_margin_loss", "score of the true class"),
    ("binary_cross_entropy", "probability of the true class (target 1)"),
    ("binary_cross_entropy_with_logits", "logit of the true class (target 1)"),
    ("margin_ranking_loss", "margin y·(x1 − x2)"),
    ("soft_margin_loss", "margin y·x"),
    ("hinge_embedding_loss", "distance"),
])
def test_x_axis_names_the_quantity(loss, needle):
    at = open_page(CV, "en", loss=loss)
    assert not at.exception
    assert needle in chart(at)["layout"]["xaxis2"]["title"]["text"]


def test_cross_entropy_is_compared_with_the_multiclass_hinge():
    at = open_page(CV, "en", loss="cross_entropy")
    assert at.multiselect(key="cv_with").value == ["multi_margin_loss"]


def test_link_restores_element_overlay_and_parameters():
    at = open_page(CV, "en", loss="l1_loss", el="input[1,0]", **{"with": "mse_loss,huber_loss"}, span="1",
                   points="201", **{"huber_loss.delta": "0.5"})
    assert not at.exception and not at.warning
    assert at.selectbox(key="cv_el").value == ("input", (1, 0))
    assert at.multiselect(key="cv_with").value == ["mse_loss", "huber_loss"]
    assert at.slider(key="cv_huber_loss_delta").value == 0.5
    first = chart(at)["data"][0]
    assert first["x"]["dtype"] == "f4" and len(base64.b64decode(first["x"]["bdata"])) == 4 * 201


@pytest.mark.parametrize("query, needle", [
    ({"el": "input[9,9]"}, "input[9,9]"),
    ({"with": "mse_loss,nope"}, "nope"),
    ({"points": "many"}, "not a whole number"),
    ({"huber_loss.delta": "-1"}, "delta"),
])
def test_bad_links_are_reported(query, needle):
    at = open_page(CV, "en", loss="l1_loss", **query)
    assert not at.exception
    assert needle in " ".join(w.value for w in at.warning)
    assert at.get("plotly_chart")


def test_a_refusing_loss_is_named_not_drawn():
    at = open_page(CV, "zh", loss="l1_loss", **{"with": "binary_cross_entropy"})
    assert not at.exception
    assert "没有画出" in texts(at)


def test_a_single_element_prediction_still_has_a_curve():
    at = open_page(CV, "en", loss="l1_loss", input="[2]", target="[1]")
    assert not at.exception
    rows = list(table(at).values())
    assert [rows[0][2], rows[0][3]] == ["1", "1"]


# --- computations ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", ["smooth_l1_loss", "cross_entropy", "triplet_margin_loss", "ctc_loss", "kl_div"])
def test_curve_agrees_with_the_backend_and_finite_differences(loss):
    """The curve is the backend's value and gradient; for CTC the gradient is torch's logits convention
    (exp(log_probs) - posterior), which the page says, so the finite-difference check is left out there."""
    spec = losses.get_spec(loss)
    tensors, params = example_arrays(spec), example_parameters(spec)
    element = visual.default_curve_element(spec, tensors)
    x0 = visual.element_value(tensors, element)
    xs = x0 + np.array([-0.3, -0.1, 0.2])
    value, slope = visual.curve(loss, tensors, params, element, xs)
    for x, v, s in zip(xs, value, slope):
        moved = {k: np.array(a) for k, a in tensors.items()}
        moved[element[0]] = moved[element[0]].astype(float)
        moved[element[0]][element[1]] = x
        expected, grads = losses.value_and_grad(loss, **moved, **params)
        assert v == pytest.approx(float(np.sum(expected)))
        assert s == pytest.approx(grads[element[0]][element[1]])
        if loss == "ctc_loss":
            continue
        h = 1e-6
        moved[element[0]][element[1]] = x + h
        up = float(np.sum(losses.value_and_grad(loss, **moved, **params)[0]))
        moved[element[0]][element[1]] = x - h
        down = float(np.sum(losses.value_and_grad(loss, **moved, **params)[0]))
        assert s == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("loss, tensors, params, xs", [
    ("l1_loss", {"input": [2.0], "target": [1.0]}, {"reduction": "mean"}, [-0.7, 0.2, 1.5]),
    ("mse_loss", {"input": [[2.0]], "target": [[1.0]]}, {"reduction": "sum"}, [-0.7, 0.2, 1.5]),
    ("cross_entropy", {"input": [0.3], "target": 0}, {}, [-0.7, 0.2, 1.5]),
    ("hinge_embedding_loss", {"input": 0.4, "target": -1.0}, {}, [-0.7, 0.2, 1.5]),
    ("binary_cross_entropy", {"input": [0.3], "target": [1.0]}, {}, [0.1, 0.35, 0.7]),
    ("kl_div", {"input": [[-0.5]], "target": [[0.6]]}, {"reduction": "batchmean"}, [-1.5, -0.7, -0.2]),
])
def test_a_single_element_is_swept_like_the_backend_computes_it(loss, tensors, params, xs):
    """A prediction with one element has no second element to hold, so it takes the page's own sweep."""
    spec = losses.get_spec(loss)
    tensors = {k: np.array(v, dtype=np.int64 if k == "target" and loss == "cross_entropy" else float)
               for k, v in tensors.items()}
    element = visual.tensor_elements(spec, tensors, prediction_only=True)[0]
    assert visual.companion(spec, tensors, element) is None
    value, slope = visual.curve(loss, tensors, params, element, np.array(xs))
    for x, v, s in zip(xs, value, slope):
        moved = {k: a.copy() for k, a in tensors.items()}
        moved[element[0]][element[1]] = x
        expected, grads = losses.value_and_grad(loss, **moved, **params)
        assert v == pytest.approx(float(np.sum(expected)))
        assert s == pytest.approx(grads[element[0]][element[1]])


def test_ctc_says_whose_gradient_it_draws():
    at = open_page(CV, "en", loss="ctc_loss")
    assert "log_softmax(logits)" in texts(at)


def test_margin_axis_turns_the_element_into_the_margin():
    spec = losses.get_spec("margin_ranking_loss")
    tensors = example_arrays(spec)
    axis = visual.curve_axis(spec, tensors, ("input2", (2,)))
    x1, x2, y = tensors["input1"][2], tensors["input2"][2], tensors["target"][2]
    assert axis.scale * x2 + axis.shift == pytest.approx(y * (x1 - x2))


def test_curves_payload_is_float32_and_small():
    spec = losses.get_spec("l1_loss")
    tensors, params = example_arrays(spec), example_parameters(spec)
    axis = visual.curve_axis(spec, tensors, ("input", (0, 0)))
    curves = [visual.loss_curve(i, tensors, params, ("input", (0, 0)), axis, 3.0, 401)
              for i in ("l1_loss", "mse_loss", "huber_loss")]
    fig = curves_figure(curves, {c.loss_id: c.loss_id for c in curves},
                        {"x": "x", "value": "v", "slope": "s", "here": "h"})
    assert fig.traces[0]["y"].dtype == np.float32
    assert fig.to_dict()["data"][0]["y"]["dtype"] == "f4"  # sent as float32 binary, not a list
    assert len(fig.to_json()) < 100_000
    go.Figure(fig.to_dict())  # built without validation for speed: check it against plotly's schema here


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_value_past_what_a_chart_carries_is_named(lang):
    """1e200 in the moved element: the chart came out empty and every curve was called 'not finite'."""
    from tests.app.apptest import alert_text
    from ui.text.i18n import translate

    at = open_page(CV, lang, loss="mse_loss", input="[[1e200,1],[1,1]]", target="[[0,1],[2,3]]")
    assert not at.exception
    assert translate(lang, "window.beyond").split("{value}")[1][:6] in alert_text(at)
    assert not at.get("plotly_chart")
    assert not any(translate(lang, "curves.nonfinite").split("{loss}")[1][:6] in c.value for c in at.caption)
