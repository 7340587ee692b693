"""Figures of the /examples page. Data goes in as float32 numpy arrays, never lists."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.figures.common import LAYOUT


def pixel_heatmaps(classes: np.ndarray, per_pixel: np.ndarray, labels: dict) -> go.Figure:
    """The target class map beside the per-pixel loss, for one image (H, W).

    ``labels``: titles of the two panels (``classes``, ``loss``), axis titles (``x``, ``y``),
    hover words (``row``, ``col``, ``class``, ``value``) and the colour bar title (``colorbar``).
    """
    classes = np.asarray(classes, dtype=np.float32)
    per_pixel = np.asarray(per_pixel, dtype=np.float32)
    height, width = per_pixel.shape
    cols = np.arange(width, dtype=np.float32)
    rows = np.arange(height, dtype=np.float32)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(labels["classes"], labels["loss"]), horizontal_spacing=0.12)
    hover_class = f"{labels['row']} %{{y}}, {labels['col']} %{{x}}<br>{labels['class']} %{{z:.0f}}<extra></extra>"
    fig.add_trace(go.Heatmap(x=cols, y=rows, z=classes, colorscale="Viridis", showscale=False,
                             text=classes.astype(np.int64).astype(str), texttemplate="%{text}",
                             hovertemplate=hover_class), row=1, col=1)
    hover_loss = (f"{labels['row']} %{{y}}, {labels['col']} %{{x}}<br>{labels['class']} %{{customdata:.0f}}"
                  f"<br>{labels['value']} %{{z:.4f}}<extra></extra>")
    fig.add_trace(go.Heatmap(x=cols, y=rows, z=per_pixel, customdata=classes, colorscale="Reds", zmin=0.0,
                             text=np.char.mod("%.2f", per_pixel), texttemplate="%{text}",
                             colorbar=dict(title=dict(text=labels["colorbar"]), thickness=12),
                             hovertemplate=hover_loss), row=1, col=2)
    fig.update_layout(**{**LAYOUT, "margin": dict(l=50, r=20, t=50, b=45)}, height=300)
    for col in (1, 2):
        fig.update_xaxes(title=labels["x"], dtick=1, row=1, col=col)
        fig.update_yaxes(title=labels["y"], dtick=1, autorange="reversed", row=1, col=col)
    return fig
