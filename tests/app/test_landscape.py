"""/landscape under AppTest (every loss, both languages, links, choices that make no sense) and its computations."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import losses
from tests.app.apptest import alert_text, open_page, texts
from ui.compute import visual
from ui.figures.landscape import descent_figure, surface_figure
from ui.state.urlstate import example_arrays, example_parameters

LS = "pages/landscape.py"
LABELS = {"x": "x", "y": "y", "z": "loss", "here": "here", "path": "path", "field": "field", "step": "step"}


def charts(at) -> list:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def metric(at, startswith):
    return next(m.value for m in at.metric if m.label.startswith(startswith))


@pytest.mark.parametrize("loss", [spec.id for spec in losses.SPECS])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_loss_draws_its_landscape(loss, lang):
    at = open_page(LS, lang, loss=loss, grid="21", steps="5")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    kinds = [trace["type"] for chart in charts(at) for trace in chart["data"]]
    assert "surface" in kinds and "contour" in kinds, kinds
    assert kinds.count("surface") == 1  # one WebGL figure per page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_is_the_notes_example_over_its_first_two_elements(lang):
    at = open_page(LS, lang)
    assert not at.exception
    assert at.selectbox(key="ls_x").value == ("input", (0, 0))
    assert at.selectbox(key="ls_y").value == ("input", (0, 1))
    start = "Loss at the start" if lang == "en" else "起点的损失"
    assert metric(at, start) == "1"  # the notes' L1 value of ones(2, 2) against [[0, 1], [2, 3]]
    assert at.query_params["x"] in ("input[0,0]", ["input[0,0]"])
    assert at.query_params["grid"] in ("61", ["61"])


def test_a_slider_moves_the_descent_path():
    at = open_page(LS, "en")
    before = metric(at, "Loss after")
    at.select_slider(key="ls_lr").set_value(0.03).run()
    assert not at.exception
    assert metric(at, "Loss after") != before
    at.slider(key="ls_steps").set_value(3).run()
    assert not at.exception
    assert any(m.label == "Loss after 3 steps" for m in at.metric)
    assert at.query_params["steps"] in ("3", ["3"])


def test_link_restores_elements_grid_and_sliders():
    at = open_page(LS, "en", loss="mse_loss", x="input[1,1]", y="input[0,0]", grid="31", span="1", lr="0.1",
                   steps="7")
    assert not at.exception and not at.warning
    assert at.selectbox(key="ls_x").value == ("input", (1, 1))
    assert at.selectbox(key="ls_y").value == ("input", (0, 0))
    assert at.select_slider(key="ls_grid").value == 31
    assert at.select_slider(key="ls_lr").value == 0.1
    assert at.slider(key="ls_steps").value == 7
    surface = next(t for c in charts(at) for t in c["data"] if t["type"] == "surface")
    assert surface["z"]["shape"] == "31, 31"


@pytest.mark.parametrize("lang, needle", [("en", "class indices"), ("zh", "类别索引")])
def test_a_class_index_tensor_is_explained(lang, needle):
    at = open_page(LS, lang, loss="cross_entropy", x="target[0]")
    assert not at.exception
    assert needle in " ".join(w.value for w in at.warning)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("query, needle_en, needle_zh", [
    ({"loss": "l1_loss", "x": "input[0,0]", "y": "input[0,0]"}, "same element", "同一个元素"),
    ({"loss": "l1_loss", "input": "[2]", "target": "[1]"}, "single element", "只有一个元素"),
    ({"loss": "l1_loss", "x": "target[1,1]"}, "is a target", "目标值"),
    ({"loss": "ctc_loss", "x": "input_lengths[0]"}, "sequence lengths", "序列长度"),
    ({"loss": "l1_loss", "x": "input[5,5]"}, "input[5,5]", "input[5,5]"),
    ({"loss": "l1_loss", "x": "banana("}, "banana", "banana"),
    ({"loss": "l1_loss", "grid": "lots"}, "not a whole number", "不是整数"),
    ({"loss": "l1_loss", "steps": "5000"}, "outside", "超出"),
    ({"loss": "l1_loss", "lr": "nan"}, "lr", "lr"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_choices_that_make_no_sense_say_so(query, needle_en, needle_zh, lang):
    at = open_page(LS, lang, **query)
    assert not at.exception
    shown = alert_text(at)
    assert (needle_en if lang == "en" else needle_zh) in shown, shown


def test_probabilities_stay_inside_their_domain():
    at = open_page(LS, "en", loss="binary_cross_entropy", span="5")
    assert not at.exception
    shown = texts(at)
    assert "probabilities lie in [0, 1]" in shown and "not finite" not in shown


def test_the_playground_tensors_are_held():
    at = open_page("pages/playground.py", "en", loss="mse_loss", input="[[0.5,0.5],[0.5,0.5]]")
    assert not at.exception
    at.query_params.clear()
    at.switch_page(LS).run()
    assert not at.exception
    assert at.selectbox(key="ls__loss_widget").value == "mse_loss"
    assert metric(at, "Loss at the start") == "2.25"  # the mse example


# --- computations ---------------------------------------------------------------------------------------------

def _example(loss):
    spec = losses.get_spec(loss)
    return spec, example_arrays(spec), example_parameters(spec)


def test_default_surface_payload_is_small():
    spec, tensors, params = _example("l1_loss")
    surf = visual.surface("l1_loss", tensors, params, ("input", (0, 0)), ("input", (0, 1)), 61, 2.0)
    path = visual.descend("l1_loss", tensors, params, ("input", (0, 0)), ("input", (0, 1)), 0.5, 30, 2.0, surf.frame)
    for fig in (surface_figure(surf, LABELS), descent_figure(surf, path, LABELS)):
        assert len(fig.to_json()) <= 300_000
        assert all(not isinstance(trace.get("z"), (list, tuple)) for trace in fig.traces)
        assert fig.to_dict()["data"][0]["z"]["dtype"] == "f4"  # sent as float32 binary, not a list
        go.Figure(fig.to_dict())  # built without validation for speed: check it against plotly's schema here


def test_surface_matches_the_backend_at_a_grid_point():
    spec, tensors, params = _example("cross_entropy")
    surf = visual.surface("cross_entropy", tensors, params, ("input", (0, 0)), ("input", (1, 1)), 11, 1.0)
    i, j = 3, 7
    moved = {k: np.array(v, dtype=float if k == "input" else None) for k, v in tensors.items()}
    moved["input"][0, 0], moved["input"][1, 1] = surf.x[j], surf.y[i]
    value, grads = losses.value_and_grad("cross_entropy", **moved, **params)
    assert surf.z[i, j] == pytest.approx(float(value))
    assert surf.dz_dx[i, j] == pytest.approx(grads["input"][0, 0])
    assert surf.dz_dy[i, j] == pytest.approx(grads["input"][1, 1])


def test_window_is_clipped_to_the_domain_and_the_grid_stops_short_of_its_edges():
    bounds = visual.domain_bounds(losses.get_spec("binary_cross_entropy"), "input")
    xs, (lo, hi) = visual.axis_grid(0.7, 2.0, bounds, 41)
    assert (lo, hi) == (0.0, 1.0) and 0 < xs[0] < 0.02 and 0.98 < xs[-1] < 1
    assert visual.window(5.0, 1.0, bounds) == (0.0, 1.0)  # a value outside the domain still gets a window
    log_p = visual.domain_bounds(losses.get_spec("nll_loss"), "input")
    assert visual.window(-0.2, 1.0, log_p) == (-1.2, 0.0)


def test_descent_statuses():
    spec, tensors, params = _example("mse_loss")
    frame = (-1.0, 3.0, -1.0, 3.0)
    x, y = ("input", (0, 0)), ("input", (1, 1))
    assert visual.descend("mse_loss", tensors, params, x, y, 1.0, 40, 2.0, frame).status == "settles"
    assert visual.descend("mse_loss", tensors, params, x, y, 3.9, 40, 2.0, frame).status == "oscillates"
    assert visual.descend("mse_loss", tensors, params, x, y, 5.0, 40, 2.0, frame).status == "diverges"
    assert visual.descend("mse_loss", tensors, params, x, y, 0.01, 5, 2.0, frame).status == "moving"
    spec, tensors, params = _example("binary_cross_entropy")
    path = visual.descend("binary_cross_entropy", tensors, params, x, ("input", (0, 1)), 0.5, 30, 2.0,
                          (0.0, 1.0, 0.0, 1.0))
    assert path.status == "edge" and np.all((path.x >= 0) & (path.x <= 1))


def test_arrows_point_downhill():
    spec, tensors, params = _example("mse_loss")
    surf = visual.surface("mse_loss", tensors, params, ("input", (0, 0)), ("input", (0, 1)), 31, 2.0)
    gx, gy, u, v = visual.arrows(surf, 9)
    # mse's minimum in these two elements is at the targets (0, 1): every arrow points towards it
    assert np.all(u * (0 - gx) >= -1e-12) and np.all(v * (1 - gy) >= -1e-12)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("entry, kind", [("1e200", "beyond"), ("1e6", "unresolved")])
def test_a_value_too_large_to_draw_around_is_named(lang, entry, kind):
    """At 1e200 the surface came out empty with a blank domain note; at 1e6 a ±2 window of 61 points is finer
    than the chart's float32 numbers there (0.0625 apart). The page says so, keeps its sliders, draws nothing."""
    from ui.text.i18n import translate

    at = open_page(LS, lang, loss="mse_loss", input=f"[[{entry},1],[1,1]]", target="[[0,1],[2,3]]")
    assert not at.exception
    shown = alert_text(at)
    head = translate(lang, f"window.{kind}").split("{value}")[1][:6]
    assert "input[0, 0]" in shown and head in shown, shown
    assert not charts(at)
    assert [s.label for s in at.select_slider][:2] == [translate(lang, "landscape.grid"),
                                                      translate(lang, "landscape.span")]
    wider = open_page(LS, lang, loss="mse_loss", input="[[1e3,1],[1,1]]", target="[[0,1],[2,3]]")
    assert charts(wider) and "input[0, 0] =" not in alert_text(wider)
