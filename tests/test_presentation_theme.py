"""The projector theme of ui.figures.common: every figure the pages draw stays valid plotly, with no text
under 18 px, in black on white, and the original figure untouched."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import losses
from ui.compute import visual
from ui.figures.common import PRESENT_MIN_FONT, line_fit, loss_history, matrix_heatmap, presentation_theme
from ui.figures.curves import curves_figure
from ui.figures.landscape import descent_figure, surface_figure
from ui.state.urlstate import example_arrays, example_parameters

LABELS = {"x": "x", "y": "y", "z": "loss", "here": "here", "path": "path", "field": "field", "step": "step"}
EL = (("input", (0, 0)), ("input", (0, 1)))


def figures() -> dict:
    spec = losses.SPECS[0]
    tensors, params = example_arrays(spec), example_parameters(spec)
    surf = visual.surface(spec.id, tensors, params, *EL, 21, 2.0)
    path = visual.descend(spec.id, tensors, params, *EL, 0.5, 10, 2.0, surf.frame)
    axis = visual.curve_axis(spec, tensors, EL[0])
    curve = visual.loss_curve(spec.id, tensors, params, EL[0], axis, 3.0, 101)
    labels = {"data": "d", "true_line": "t", "iterate": "w{k}", "residual": "r{k}"}
    return {
        "heatmap": matrix_heatmap(np.array([[0.5, -0.25], [1.0, 2.0]]), "title"),
        "line_fit": line_fit(np.arange(4.0), np.arange(4.0) * 2, 2.0, 0.0, [(1.0, 0.0), (1.5, 0.1)], labels, 2),
        "history": loss_history([4.0, 2.0, 1.0], "step", "loss"),
        "surface": surface_figure(surf, LABELS),
        "descent": descent_figure(surf, path, LABELS),
        "curves": curves_figure([curve], {curve.loss_id: "L1"}, {"x": "x", "value": "v", "slope": "s", "here": "h"}),
    }


def fonts(value, where="") -> list[tuple[str, dict]]:
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("font") and isinstance(item, dict):
                found.append((f"{where}.{key}", item))
            found += fonts(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += fonts(item, f"{where}[{i}]")
    return found


@pytest.mark.parametrize("name", sorted(figures()))
def test_theme_is_large_high_contrast_and_valid(name):
    fig = figures()[name]
    before = fig.to_plotly_json() if isinstance(fig, go.Figure) and not hasattr(fig, "_plain") else None
    themed = presentation_theme(fig).to_dict()
    go.Figure(themed)  # plotly's schema accepts it
    layout = themed["layout"]
    assert layout["font"]["size"] >= 20 and layout["font"]["color"] == "#000000"
    assert layout["paper_bgcolor"] == "#ffffff"
    small = [(where, f) for where, f in fonts(themed) if (f.get("size") or layout["font"]["size"]) < PRESENT_MIN_FONT]
    assert not small, small
    axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))] or [
        f"scene.{a}" for a in ("xaxis", "yaxis", "zaxis")]
    for key in axes:
        axis = layout[key] if "." not in key else layout["scene"][key.split(".")[1]]
        assert axis["tickfont"]["size"] >= PRESENT_MIN_FONT and axis["tickfont"]["color"] == "#000000"
    if before is not None:
        assert fig.to_plotly_json() == before  # the page's own figure is not changed
