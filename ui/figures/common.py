"""Plotly figure builders shared by the pages. Data goes in as float32 numpy arrays, never lists."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.text.limits import LIMITS
from ui.text.tensors import format_number

PALETTE = ("#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
LAYOUT = dict(margin=dict(l=50, r=20, t=40, b=45), template="plotly_white", font=dict(size=13))


def short(value: float, digits: int = 4) -> str:
    """Compact display of a number: integers plainly, others to ``digits`` significant figures."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e9:
        return format_number(value)
    return f"{value:.{digits}g}"


def matrix_heatmap(values: np.ndarray, title: str, colorbar: str = "") -> go.Figure:
    """A small tensor as an annotated heatmap (1-D as one row; higher ranks flattened to rows)."""
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
    fig = go.Figure(
        go.Heatmap(
            z=arr.astype(np.float32),
            text=text,
            texttemplate="%{text}" if annotated else None,
            colorscale="Blues",
            zmin=float(finite.min()) if finite.size else None,
            zmax=float(finite.max()) if finite.size else None,
            # a row is 55 px high: about three colorbar ticks fit per row without overlapping
            colorbar=dict(title=colorbar, thickness=12, nticks=min(3 * arr.shape[0], 8)),
            hovertemplate=f"[%{{y}}, %{{x}}] = %{{{'text' if annotated else 'z:.4g'}}}<extra></extra>",
        )
    )
    # The column numbers sit above the cells, so the title needs a taller top margin; nothing is below them.
    fig.update_layout(**{**LAYOUT, "margin": dict(l=50, r=20, t=64, b=16)}, title=title,
                      height=80 + 55 * arr.shape[0] if annotated else 80 + min(55 * arr.shape[0], 400))
    fig.update_xaxes(dtick=1 if arr.shape[1] <= 32 else None, side="top", title=None)
    fig.update_yaxes(dtick=1 if arr.shape[0] <= 32 else None, autorange="reversed", title=None)
    return fig


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
