"""Figures of the landscape page: the loss surface in 3D, the contour map with the descent field, the path.

Data goes in as float32 numpy arrays (plotly sends them as compact binary), never lists.  Only the 3D surface
uses WebGL; the contour and the history are SVG, so a page holds one WebGL context.

The figures are assembled from plain dicts and handed to Streamlit without plotly.py's object model
(``fast_figure``, :class:`PlainFigure`): building and validating plotly objects took most of a rerun, while the
dicts below are checked against plotly's schema by the tests.
"""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go

from ui.compute.visual import Path, Surface, arrows

SURFACE_COLORS = "Viridis"
PATH_COLOR = "#f97316"
POINT_COLOR = "#dc2626"
CONFIG = {"displayModeBar": False}
GRID_COLOR = "#e5e7eb"
FIELD_COUNT = 15  # arrows per axis of the descent field
FONT = {"size": 13}


class PlainFigure(go.Figure):
    """A figure that is just the dicts plotly.js reads: ``st.plotly_chart`` and ``to_json`` take it like any
    figure, but plotly.py's object model is skipped.

    Building a ``go.Figure`` (even with validation off) and its ``to_dict`` (a deep copy, then numpy arrays
    to base64 through narwhals) took over half of a landscape rerun on the server.  Here ``to_dict`` only
    copies the dicts and encodes the arrays in plotly's binary form (``{"dtype", "bdata", "shape"}``).  The
    tests check every figure against plotly's schema (``go.Figure(fig.to_dict())``).
    """

    def __init__(self, data: list, layout: dict):  # plotly's BaseFigure.__init__ is skipped on purpose
        self._plain = (data, layout)

    def to_dict(self) -> dict:
        data, layout = self._plain
        # The layout holds no arrays (were one there, plotly's JSON encoder would still write it as a list).
        return {"data": [_encoded(trace) for trace in data], "layout": layout}

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    @property
    def traces(self) -> list:
        """The trace dicts as built (numpy arrays unencoded), for tests and callers that read them."""
        return self._plain[0]


_TYPED = {"float32": "f4", "float64": "f8", "int8": "i1", "int16": "i2", "int32": "i4", "uint8": "u1",
          "uint16": "u2", "uint32": "u4"}


def _encoded(value):
    """A copy of a trace (or of any of its values) with numpy arrays in plotly's binary form; only the dicts
    and lists that hold an array are copied."""
    if isinstance(value, dict):
        if not any(isinstance(v, (np.ndarray, dict, list)) for v in value.values()):
            return value
        return {k: _encoded(v) for k, v in value.items()}
    if isinstance(value, list):
        if not any(isinstance(v, (np.ndarray, dict, list)) for v in value):
            return value
        return [_encoded(v) for v in value]
    if isinstance(value, np.ndarray) and value.size and str(value.dtype) in _TYPED:
        spec = {"dtype": _TYPED[str(value.dtype)],
                "bdata": base64.b64encode(np.ascontiguousarray(value)).decode("ascii")}
        if value.ndim > 1:
            spec["shape"] = ", ".join(str(n) for n in value.shape)
        return spec
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def fast_figure(data: list, layout: dict) -> PlainFigure:
    """A figure from trace and layout dicts (see :class:`PlainFigure`), with the app's plain white look."""
    return PlainFigure(data, {"template": {}, "font": FONT, "paper_bgcolor": "white", "plot_bgcolor": "white",
                              **layout})


def f32(values) -> np.ndarray:
    """float32 halves the payload; numbers past its range (an exp of 100 is 2.7e43) keep float64, which would
    otherwise arrive as inf and be drawn as gaps."""
    arr = np.asarray(values, dtype=np.float64)
    finite = arr[np.isfinite(arr)]
    return arr if finite.size and np.abs(finite).max() >= np.finfo(np.float32).max else arr.astype(np.float32)


def axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, "gridcolor": GRID_COLOR, "zerolinecolor": GRID_COLOR, **extra}


def _hover(labels: dict) -> str:
    return (f"{labels['x']} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}<br>{labels['z']} = %{{z:.4g}}"
            "<extra></extra>")


def surface_figure(surf: Surface, labels: dict, height: int = 560) -> go.Figure:
    """The loss over the two elements and the current point.

    The descent path is drawn on the contour map only: the surface then stays the same while the learning
    rate and the steps move, so those sliders redraw two light SVG charts, not the WebGL scene (which a
    browser without a GPU takes seconds to redraw).
    """
    xlo, xhi, ylo, yhi = surf.frame
    finite = surf.z[np.isfinite(surf.z)]
    zlo, zhi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = (zhi - zlo) * 0.04 or 0.5
    # The colorbar gives the z scale: plotly draws the z axis's tick labels at the scene's left edge, where
    # the canvas cuts them off for most camera angles.
    data = [{"type": "surface", "x": f32(surf.x), "y": f32(surf.y), "z": f32(surf.z), "colorscale": SURFACE_COLORS,
             # a horizontal colorbar under the scene leaves the scene the whole width, so the axis titles fit
             "showscale": True, "colorbar": {"title": {"text": labels["z"], "side": "top"}, "thickness": 10,
                                             "len": 0.7, "orientation": "h", "y": 0.0, "yanchor": "top"},
             "hovertemplate": _hover(labels), "name": labels["z"],
             "contours": {"z": {"show": True, "usecolormap": True, "width": 1}}}]
    x0, y0, z0 = surf.point[:3]
    data.append({"type": "scatter3d", "x": f32([x0]), "y": f32([y0]), "z": f32([z0]), "mode": "markers",
                 "name": labels["here"], "marker": {"size": 6, "color": POINT_COLOR,
                                                    "line": {"color": "white", "width": 1}},
                 "hovertemplate": _hover(labels)})
    scene_axis = {"backgroundcolor": "white", "showbackground": True, "gridcolor": GRID_COLOR}
    layout = {"margin": {"l": 0, "r": 10, "t": 30, "b": 70}, "height": height, "uirevision": "surface",
              "legend": {"orientation": "h", "y": 1.0, "x": 0.0, "yanchor": "bottom"},
              "scene": {"xaxis": {"title": {"text": labels["x"]}, "range": [xlo, xhi], **scene_axis},
                        "yaxis": {"title": {"text": labels["y"]}, "range": [ylo, yhi], **scene_axis},
                        # the colorbar names z; a z title in the scene sat at its edge and was cut (issue 18)
                        "zaxis": {"title": {"text": ""}, "range": [zlo - pad, zhi + pad],
                                  "showticklabels": False, **scene_axis},
                        # far enough back that the x and y titles stay inside the canvas, also at 390 px wide
                        "camera": {"eye": {"x": 1.9, "y": -2.0, "z": 1.2}},
                        "aspectmode": "manual", "aspectratio": {"x": 0.8, "y": 0.8, "z": 0.6},
                        "domain": {"x": [0.0, 1.0], "y": [0.02, 1.0]}}}
    return fast_figure(data, layout)


ARROW = "M%.4g,%.4gL%.4g,%.4gM%.4g,%.4gL%.4g,%.4gL%.4g,%.4g"  # shaft, then the two sides of the head


def arrow_path(x, y, u, v, cell: tuple) -> str:
    """The arrows' shafts and heads as one SVG path in data coordinates.

    One path element for the whole field: drawn as a scatter trace broken by gaps, plotly makes a path per
    segment (hundreds of them) and styles each, which took most of the contour's redraw.
    """
    cx, cy = cell
    nu, nv = u / cx, v / cy  # in cell units, so heads look the same on both axes
    length = np.hypot(nu, nv)
    keep = length > 0.05
    x, y, nu, nv, length = x[keep], y[keep], nu[keep], nv[keep], length[keep]
    head = 0.35 * length
    ang = np.arctan2(nv, nu)
    tip_x, tip_y = x + nu * cx, y + nv * cy
    left_x = tip_x + head * np.cos(ang + np.pi * 5 / 6) * cx
    left_y = tip_y + head * np.sin(ang + np.pi * 5 / 6) * cy
    right_x = tip_x + head * np.cos(ang - np.pi * 5 / 6) * cx
    right_y = tip_y + head * np.sin(ang - np.pi * 5 / 6) * cy
    points = np.column_stack([x, y, tip_x, tip_y, left_x, left_y, tip_x, tip_y, right_x, right_y])
    return (ARROW * len(points)) % tuple(points.ravel().tolist())  # one formatting call for the whole field


def field_path(surf: Surface, count: int = FIELD_COUNT) -> str:
    """The descent field of a surface, -∇L on a ``count × count`` subgrid, as one SVG path (see arrow_path).
    It depends on the surface alone, so a page can cache it with the surface."""
    gx, gy, u, v = arrows(surf, count)
    cell = ((surf.x[-1] - surf.x[0]) / (count - 1), (surf.y[-1] - surf.y[0]) / (count - 1))
    return arrow_path(gx, gy, u, v, cell)


def descent_figure(surf: Surface, path: Path, labels: dict, height: int = 700, field: str | None = None) -> go.Figure:
    """Contours of the loss with -∇L as arrows, the current point and the descent path; below them, in the
    same figure, the loss at each step of the path.  ``field`` is :func:`field_path` of the surface when the
    caller has it already.

    One figure rather than two: every move of the learning rate or the steps redraws both, and each
    figure a browser mounts has a fixed cost.
    """
    contour_bottom = 0.36
    data = [{"type": "contour", "x": f32(surf.x), "y": f32(surf.y), "z": f32(surf.z), "colorscale": SURFACE_COLORS,
             "ncontours": 16, "contours": {"coloring": "fill"},
             "line": {"width": 0.8, "color": "rgba(255,255,255,0.55)"},
             "colorbar": {"title": {"text": labels["z"], "side": "right"}, "thickness": 12, "x": 1.02,
                          "xanchor": "left", "y": 1.0, "yanchor": "top", "len": 1 - contour_bottom},
             "hovertemplate": _hover(labels), "name": labels["z"], "showlegend": False}]
    field = {"type": "path", "path": field_path(surf) if field is None else field, "xref": "x", "yref": "y",
             "layer": "above", "line": {"color": "rgba(255,255,255,0.9)", "width": 1.3}, "name": labels["field"],
             "showlegend": True}
    point_hover = (f"{labels['x']} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}<br>"
                   f"{labels['z']} = %{{customdata:.4g}}<extra>{{name}}</extra>")
    if len(path.x) > 1:
        data.append({"type": "scatter", "x": f32(path.x), "y": f32(path.y), "mode": "lines+markers",
                     "name": labels["path"], "line": {"color": PATH_COLOR, "width": 2.5},
                     "marker": {"size": 5, "color": PATH_COLOR}, "customdata": f32(path.z),
                     "hovertemplate": point_hover.replace("{name}", labels["path"])})
    x0, y0, z0 = surf.point[:3]
    data.append({"type": "scatter", "x": f32([x0]), "y": f32([y0]), "mode": "markers", "name": labels["here"],
                 "marker": {"size": 12, "color": POINT_COLOR, "line": {"color": "white", "width": 2}},
                 "customdata": f32([z0]), "hovertemplate": point_hover.replace("{name}", labels["here"])})
    data.append({"type": "scatter", "x": np.arange(len(path.z), dtype=np.float32), "y": f32(path.z),
                 "mode": "lines+markers", "name": labels["z"], "line": {"color": PATH_COLOR}, "marker": {"size": 4},
                 "showlegend": False, "xaxis": "x2", "yaxis": "y2",
                 "hovertemplate": f"{labels['step']} %{{x}}<br>{labels['z']} = %{{y:.4g}}<extra></extra>"})
    xlo, xhi, ylo, yhi = surf.frame
    # Margins wide enough for the colorbar and a legend inside the plot area: nothing pushes the margins, so
    # plotly draws the figure once instead of drawing it again after measuring them.
    layout = {"margin": {"l": 60, "r": 95, "t": 10, "b": 45}, "height": height, "uirevision": "descent",
              "legend": {"orientation": "h", "y": 0.995, "x": 0.01, "yanchor": "top", "xanchor": "left",
                         "bgcolor": "rgba(255,255,255,0.75)", "font": {"size": 11}},
              "xaxis": axis(labels["x"], range=[xlo, xhi], showgrid=False, zeroline=False, anchor="y"),
              "yaxis": axis(labels["y"], range=[ylo, yhi], showgrid=False, zeroline=False, anchor="x",
                            domain=[contour_bottom, 1.0]),
              "xaxis2": axis(labels["step"], anchor="y2"),
              "yaxis2": axis(labels["z"], anchor="x2", domain=[0.0, contour_bottom - 0.12]),
              "shapes": [field]}
    return fast_figure(data, layout)
