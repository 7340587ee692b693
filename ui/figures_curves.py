"""The curves figure: each loss (top) and its derivative (bottom) along one quantity, with the current point.

Data goes in as float32 numpy arrays; the traces are SVG lines (no WebGL context used).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ui.figures import LAYOUT, PALETTE
from ui.visual import Curve

CONFIG = {"displayModeBar": False}


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def curves_figure(curves: list[Curve], names: dict, labels: dict, height: int = 620) -> go.Figure:
    """``names`` maps loss ids to legend names; ``labels`` holds x, value, slope, here (learner's language)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.07, row_heights=[0.58, 0.42])
    value_hover = (f"{labels['value']} = %{{y:.4g}}<br>{labels['slope']} = %{{customdata:.4g}}"
                   f"<br>{labels['x']} = %{{x:.4g}}")
    slope_hover = (f"{labels['slope']} = %{{y:.4g}}<br>{labels['value']} = %{{customdata:.4g}}"
                   f"<br>{labels['x']} = %{{x:.4g}}")
    for i, c in enumerate(curves):
        color = PALETTE[i % len(PALETTE)]
        name = names[c.loss_id]
        width = 3.2 if i == 0 else 2.2
        group = dict(legendgroup=c.loss_id, name=name)
        fig.add_trace(go.Scatter(x=f32(c.q), y=f32(c.value), customdata=f32(c.slope), mode="lines",
                                 line=dict(color=color, width=width), **group,
                                 hovertemplate=value_hover + f"<extra>{name}</extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(x=f32(c.q), y=f32(c.slope), customdata=f32(c.value), mode="lines",
                                 line=dict(color=color, width=width, dash="dot" if i else "solid"), showlegend=False,
                                 **group, hovertemplate=slope_hover + f"<extra>{name}</extra>"), row=2, col=1)
    here_x = f32([c.here[0] for c in curves])
    here_v = f32([c.here[1] for c in curves])
    here_s = f32([c.here[2] for c in curves])
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(curves))]
    marker = dict(size=11, color=colors, line=dict(color="white", width=2))
    here_names = [names[c.loss_id] for c in curves]
    here_hover = (f"%{{text}}<br>{labels['value']} = %{{y:.4g}}<br>{labels['slope']} = %{{customdata:.4g}}"
                  f"<br>{labels['x']} = %{{x:.4g}}<extra>{labels['here']}</extra>")
    fig.add_trace(go.Scatter(x=here_x, y=here_v, mode="markers", marker=marker, name=labels["here"],
                             customdata=here_s, text=here_names, hovertemplate=here_hover), row=1, col=1)
    fig.add_trace(go.Scatter(x=here_x, y=here_s, mode="markers", marker=marker, name=labels["here"],
                             showlegend=False, text=here_names, hovertemplate=(
                                 f"%{{text}}<br>{labels['slope']} = %{{y:.4g}}<br>{labels['x']} = "
                                 f"%{{x:.4g}}<extra>{labels['here']}</extra>")), row=2, col=1)
    fig.add_hline(y=0, line=dict(color="#9ca3af", width=1), row=2, col=1)
    fig.update_layout(**{**LAYOUT, "margin": dict(l=60, r=10, t=10, b=50)}, height=height, hovermode="closest",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), uirevision="curves")
    fig.update_xaxes(title=labels["x"], row=2, col=1)
    fig.update_yaxes(title=labels["value"], row=1, col=1)
    fig.update_yaxes(title=labels["slope"], row=2, col=1)
    return fig
