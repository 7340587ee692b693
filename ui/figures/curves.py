"""The curves figure: each loss (top) and its derivative (bottom) along one quantity, with the current point.

Data goes in as float32 numpy arrays; the traces are SVG lines (no WebGL context used).  The two panels share
one x axis, laid out by hand (as plotly's make_subplots would) and assembled without per-property validation
(see ui.figures.landscape.fast_figure).
"""

from __future__ import annotations

import plotly.graph_objects as go

from ui.compute.visual import Curve
from ui.figures.common import PALETTE
from ui.figures.landscape import axis, f32, fast_figure

CONFIG = {"displayModeBar": False}


def curves_figure(curves: list[Curve], names: dict, labels: dict, height: int = 620, dashed=frozenset()) -> go.Figure:
    """``names`` maps loss ids to legend names; ``labels`` holds x, value, slope, here (learner's language).
    The curves in ``dashed`` lie on another one and are drawn dashed, so both can be seen."""
    value_hover = (f"{labels['value']} = %{{y:.4g}}<br>{labels['slope']} = %{{customdata:.4g}}"
                   f"<br>{labels['x']} = %{{x:.4g}}")
    slope_hover = (f"{labels['slope']} = %{{y:.4g}}<br>{labels['value']} = %{{customdata:.4g}}"
                   f"<br>{labels['x']} = %{{x:.4g}}")
    data = []
    for i, c in enumerate(curves):
        color = PALETTE[i % len(PALETTE)]
        name = names[c.loss_id]
        width = 3.2 if i == 0 else 2.2
        data.append({"type": "scatter", "x": f32(c.q), "y": f32(c.value), "customdata": f32(c.slope),
                     "mode": "lines", "line": {"color": color, "width": width,
                                               **({"dash": "dash"} if c.loss_id in dashed else {})},
                     "legendgroup": c.loss_id,
                     "name": name, "hovertemplate": value_hover + f"<extra>{name}</extra>",
                     "xaxis": "x", "yaxis": "y"})
        data.append({"type": "scatter", "x": f32(c.q), "y": f32(c.slope), "customdata": f32(c.value),
                     "mode": "lines", "line": {"color": color, "width": width, "dash": "dot" if i else "solid"},
                     "legendgroup": c.loss_id, "name": name, "showlegend": False,
                     "hovertemplate": slope_hover + f"<extra>{name}</extra>", "xaxis": "x2", "yaxis": "y2"})
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(curves))]
    marker = {"size": 11, "color": colors, "line": {"color": "white", "width": 2}}
    here_names = [names[c.loss_id] for c in curves]
    here_x, here_v, here_s = (f32([c.here[k] for c in curves]) for k in range(3))
    here_hover = (f"%{{text}}<br>{labels['value']} = %{{y:.4g}}<br>{labels['slope']} = %{{customdata:.4g}}"
                  f"<br>{labels['x']} = %{{x:.4g}}<extra>{labels['here']}</extra>")
    here_slope_hover = (f"%{{text}}<br>{labels['slope']} = %{{y:.4g}}<br>{labels['value']} = %{{customdata:.4g}}"
                        f"<br>{labels['x']} = %{{x:.4g}}<extra>{labels['here']}</extra>")
    data.append({"type": "scatter", "x": here_x, "y": here_v, "customdata": here_s, "text": here_names,
                 "mode": "markers", "marker": marker, "name": labels["here"], "hovertemplate": here_hover,
                 "xaxis": "x", "yaxis": "y"})
    data.append({"type": "scatter", "x": here_x, "y": here_s, "customdata": here_v, "text": here_names,
                 "mode": "markers", "marker": marker, "name": labels["here"], "showlegend": False,
                 "hovertemplate": here_slope_hover, "xaxis": "x2", "yaxis": "y2"})
    layout = {"margin": {"l": 60, "r": 10, "t": 10, "b": 50}, "height": height, "hovermode": "closest",
              "uirevision": "curves", "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
              "xaxis": axis("", anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
              "yaxis": axis(labels["value"], anchor="x", domain=[0.455, 1.0]),
              "xaxis2": axis(labels["x"], anchor="y2", domain=[0.0, 1.0]),
              "yaxis2": axis(labels["slope"], anchor="x2", domain=[0.0, 0.385]),
              "shapes": [{"type": "line", "xref": "x2 domain", "yref": "y2", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                          "line": {"color": "#9ca3af", "width": 1}}]}
    return fast_figure(data, layout)
