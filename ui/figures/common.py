"""Plotly figure builders shared by the pages. Data goes in as float32 numpy arrays, never lists."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.text.limits import LIMITS
from ui.text.numbers import short

PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
# plotly.js reads the name "Blues" reversed from plotly.py: pass the scale plotly.py means (light to dark blue).
BLUES = [[float(at), color] for at, color in go.Heatmap(colorscale="Blues").colorscale]
LAYOUT = dict(margin=dict(l=50, r=20, t=40, b=45), template="plotly_white", font=dict(size=13))


def matrix_heatmap(values: np.ndarray, title: str, colorbar: str = "") -> go.Figure:
    """A small tensor as an annotated heatmap (1-D as one row; higher ranks flattened to rows).

    Built from plain dicts (ui.figures.landscape.fast_figure): plotly's object model and its template copy took
    about half of a playground rerun for three tiny heatmaps (bench/profile_edit.py)."""
    from ui.figures.landscape import f32, fast_figure

    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    elif arr.ndim == 1:
        arr = arr.reshape(1, -1)
    elif arr.ndim > 2:
        arr = arr.reshape(-1, arr.shape[-1])
    # Past LIMITS.annotated_cells the cells are coloured only: the browser lays out every cell's text and
    # every unit tick, and a 1000-cell row of them took minutes to draw (the hover still gives each value).
    annotated = arr.size <= LIMITS.annotated_cells
    text = [[short(v) for v in row] for row in arr] if annotated else None
    finite = arr[np.isfinite(arr)]
    trace = {
        "type": "heatmap",
        "z": f32(arr),  # float32, or float64 for a tensor past float32's range (1e200 typed in a cell)
        "colorscale": BLUES,
        # a row is 55 px high: about three colorbar ticks fit per row without overlapping
        "colorbar": {"title": {"text": colorbar}, "thickness": 12, "nticks": min(3 * arr.shape[0], 8)},
        "hovertemplate": f"[%{{y}}, %{{x}}] = %{{{'text' if annotated else 'z:.4g'}}}<extra></extra>",
    }
    if annotated:
        trace.update(text=text, texttemplate="%{text}")
    if finite.size:
        trace.update(zmin=float(finite.min()), zmax=float(finite.max()))
    # The column numbers sit above the cells, so the title needs a taller top margin; nothing is below them.
    height = 80 + 55 * arr.shape[0] if annotated else 80 + min(55 * arr.shape[0], 400)
    layout = {"margin": {"l": 50, "r": 20, "t": 64, "b": 16}, "font": dict(LAYOUT["font"]),
              "title": {"text": title}, "height": height,
              "xaxis": {"side": "top", "title": {"text": ""}, **({"dtick": 1} if arr.shape[1] <= 32 else {})},
              "yaxis": {"autorange": "reversed", "title": {"text": ""}, **({"dtick": 1} if arr.shape[0] <= 32 else {})}}
    return fast_figure([trace], layout)


def line_fit(x, y, true_w, true_b, iterates, labels, k_latest: int) -> go.Figure:
    """Samples, the true line, and the gradient-descent iterates w1..wk, newest with its residuals."""
    x = np.asarray(x, dtype=np.float32)
    xs = np.array([x.min() - 0.2, x.max() + 0.2], dtype=np.float32)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=np.asarray(y, dtype=np.float32), mode="markers", name=labels["data"],
                             marker=dict(size=8, color="#111827")))
    fig.add_trace(go.Scatter(x=xs, y=(true_w * xs + true_b).astype(np.float32), mode="lines",
                             name=labels["true_line"], line=dict(color="#111827", width=3, dash="dash")))
    n = len(iterates)
    for k, (w, b) in enumerate(iterates, start=1):
        fade = 0.25 + 0.75 * k / n
        fig.add_trace(go.Scatter(x=xs, y=(w * xs + b).astype(np.float32), mode="lines",
                                 name=labels["iterate"].format(k=k),
                                 line=dict(color=PALETTE[0], width=1.5 + (k == n)),
                                 opacity=fade, showlegend=k in (1, 2, 3, n)))
    if iterates:
        w, b = iterates[-1]
        pred = w * x + b
        seg_x = np.repeat(x, 3).astype(np.float32)
        seg_y = np.column_stack([np.asarray(y), pred, np.full_like(pred, np.nan)]).ravel().astype(np.float32)
        fig.add_trace(go.Scatter(x=seg_x, y=seg_y, mode="lines", name=labels["residual"].format(k=k_latest),
                                 line=dict(color=PALETTE[1], width=1)))
    fig.update_layout(**LAYOUT, height=420, legend=dict(orientation="h", y=-0.15))
    fig.update_xaxes(title="x")
    fig.update_yaxes(title="y")
    return fig


def loss_history(losses_by_step, x_title: str, y_title: str) -> go.Figure:
    steps = np.arange(1, len(losses_by_step) + 1, dtype=np.float32)
    fig = go.Figure(go.Scatter(x=steps, y=np.asarray(losses_by_step, dtype=np.float32), mode="lines+markers",
                               line=dict(color=PALETTE[0])))
    fig.update_layout(**LAYOUT, height=260)
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, type="log", dtick=1, exponentformat="power")
    return fig


# --- presentation mode: the one place a figure's look is changed for a projector -------------------------------

PRESENT_FONT = 20        # plotly px; the issue asks for figure text of at least 18 px at 1280x720
PRESENT_MIN_FONT = 18
PRESENT_GRID = "#9ca3af"  # darker than the usual #e5e7eb: a projector washes light greys out


def _bigger_fonts(value):
    """Every ``*font`` dict in a figure part at least PRESENT_MIN_FONT px, in black unless a colour is set."""
    if isinstance(value, list):
        return [_bigger_fonts(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key.endswith("font") and isinstance(item, dict):
            item = {**item, "size": max(item.get("size") or 0, PRESENT_MIN_FONT)}
            item.setdefault("color", "#000000")
        out[key] = _bigger_fonts(item)
    return out


def _contrast_axis(axis: dict, ticks: int | None = None) -> dict:
    title = axis.get("title")
    title = {"text": title} if isinstance(title, str) else dict(title or {})
    out = {**axis, "gridcolor": PRESENT_GRID, "linecolor": "#000000", "showline": True, "zerolinecolor": "#4b5563",
           "tickfont": {**axis.get("tickfont", {}), "size": max(axis.get("tickfont", {}).get("size") or 0,
                                                                 PRESENT_MIN_FONT), "color": "#000000"}}
    if title.get("text"):
        out["title"] = {**title, "font": {**title.get("font", {}), "size": PRESENT_FONT, "color": "#000000"}}
    if ticks:
        out["nticks"] = ticks
    return out


def presentation_theme(fig):
    """A copy of ``fig`` for a projector: larger text everywhere, black on white, darker grid lines.

    Works on any figure (plotly objects and the landscape's plain dicts) through its ``to_dict``.
    """
    from ui.figures.landscape import PlainFigure  # the plain-dict figure, here only to hand the result on

    spec = fig.to_dict()
    data = [_bigger_fonts(trace) for trace in spec.get("data", [])]
    for trace in data:
        if "text" in trace or "texttemplate" in trace:
            trace["textfont"] = {**trace.get("textfont", {}), "size": PRESENT_FONT}
        if isinstance(trace.get("colorbar"), dict) or trace.get("type") in ("heatmap", "contour", "surface"):
            bar = trace.get("colorbar") or {}
            trace["colorbar"] = {**bar, "tickfont": {"size": PRESENT_MIN_FONT, "color": "#000000"}}
            if trace.get("type") == "heatmap" and ("text" in trace or "texttemplate" in trace):
                trace["showscale"] = False  # the cells print their numbers; the bar would take a third of the width
    layout = _bigger_fonts({k: v for k, v in spec.get("layout", {}).items() if k != "template"})
    layout.update(template={}, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
                  font={**layout.get("font", {}), "size": PRESENT_FONT, "color": "#000000"})
    axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
    three_d = any(trace.get("type") == "surface" for trace in data)
    for key in axes or ([] if three_d else ["xaxis", "yaxis"]):
        layout[key] = _contrast_axis(layout.get(key, {}))
    for scene in [k for k in layout if k.startswith("scene")] or (["scene"] if three_d else []):
        # a 3D scene is small on a 1024 px screen: fewer, larger ticks
        layout[scene] = {**layout.get(scene, {}), **{a: _contrast_axis(layout.get(scene, {}).get(a, {}), ticks=4)
                                                     for a in ("xaxis", "yaxis", "zaxis")}}
    # Only the top and bottom grow (titles and tick labels are taller); wider side margins would squeeze the
    # plots, which on a projector sit in half a 1024 px screen.
    margin = layout.get("margin") or {}
    layout["margin"] = {**margin, **{side: int((margin.get(side) or 30) * 1.3) for side in ("t", "b")}}
    if layout.get("height"):
        layout["height"] = int(layout["height"] * 1.25)
    return PlainFigure(data, layout)
