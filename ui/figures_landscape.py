"""Figures of the landscape page: the loss surface in 3D, the contour map with the descent field, the path.

Data goes in as float32 numpy arrays (plotly sends them as compact binary), never lists.  Only the 3D surface
uses WebGL; the contour and the history are SVG, so a page holds one WebGL context.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.figures import LAYOUT
from ui.visual import Path, Surface, arrows

SURFACE_COLORS = "Viridis"
PATH_COLOR = "#f97316"
POINT_COLOR = "#dc2626"
CONFIG = {"displayModeBar": False}


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _hover(labels: dict) -> str:
    return (f"{labels['x']} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}<br>{labels['z']} = %{{z:.4g}}"
            "<extra></extra>")


def surface_figure(surf: Surface, path: Path | None, labels: dict, height: int = 470) -> go.Figure:
    """The loss over the two elements, the current point and (when given) the descent path on it."""
    xlo, xhi, ylo, yhi = surf.frame
    finite = surf.z[np.isfinite(surf.z)]
    zlo, zhi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = (zhi - zlo) * 0.04 or 0.5
    fig = go.Figure(go.Surface(x=f32(surf.x), y=f32(surf.y), z=f32(surf.z), colorscale=SURFACE_COLORS,
                               showscale=False, hovertemplate=_hover(labels), name=labels["z"],
                               contours=dict(z=dict(show=True, usecolormap=True, project_z=False, width=1))))
    if path is not None and len(path.x) > 1:
        # a 3D scene does not clip: hide the iterates that left the window instead of zooming out to them
        inside = ((path.x >= xlo) & (path.x <= xhi) & (path.y >= ylo) & (path.y <= yhi)
                  & (path.z >= zlo - pad) & (path.z <= zhi + pad))
        fig.add_trace(go.Scatter3d(x=f32(np.where(inside, path.x, np.nan)), y=f32(np.where(inside, path.y, np.nan)),
                                   z=f32(np.where(inside, path.z, np.nan)), mode="lines+markers",
                                   name=labels["path"], line=dict(color=PATH_COLOR, width=6),
                                   marker=dict(size=3, color=PATH_COLOR), hovertemplate=_hover(labels)))
    x0, y0, z0 = surf.point[:3]
    fig.add_trace(go.Scatter3d(x=f32([x0]), y=f32([y0]), z=f32([z0]), mode="markers", name=labels["here"],
                               marker=dict(size=6, color=POINT_COLOR, line=dict(color="white", width=1)),
                               hovertemplate=_hover(labels)))
    fig.update_layout(**{**LAYOUT, "margin": dict(l=0, r=0, t=30, b=0)}, height=height,
                      legend=dict(orientation="h", y=1.0, x=0.0, yanchor="bottom", bgcolor="rgba(255,255,255,0.7)"),
                      scene=dict(xaxis=dict(title=labels["x"], range=[xlo, xhi]),
                                 yaxis=dict(title=labels["y"], range=[ylo, yhi]),
                                 zaxis=dict(title=labels["z"], range=[zlo - pad, zhi + pad]),
                                 camera=dict(eye=dict(x=1.3, y=-1.3, z=0.8)),
                                 aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.8)),
                      uirevision="surface")
    return fig


def _arrow_segments(x, y, u, v, cell: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Shafts and heads of the arrows as one polyline broken by NaN (one SVG trace for the whole field)."""
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
    gap = np.full_like(x, np.nan)
    xs = np.column_stack([x, tip_x, gap, left_x, tip_x, right_x, gap]).ravel()
    ys = np.column_stack([y, tip_y, gap, left_y, tip_y, right_y, gap]).ravel()
    return f32(xs), f32(ys)


def contour_figure(surf: Surface, path: Path | None, labels: dict, height: int = 470, count: int = 15) -> go.Figure:
    """Contours of the loss, -∇L as arrows, the current point and the descent path."""
    fig = go.Figure(go.Contour(x=f32(surf.x), y=f32(surf.y), z=f32(surf.z), colorscale=SURFACE_COLORS,
                               ncontours=18, line=dict(width=0.6, color="rgba(255,255,255,0.5)"),
                               colorbar=dict(title=dict(text=labels["z"], side="right"), thickness=12),
                               hovertemplate=_hover(labels), name=labels["z"]))
    gx, gy, u, v = arrows(surf, count)
    cell = ((surf.x[-1] - surf.x[0]) / (count - 1), (surf.y[-1] - surf.y[0]) / (count - 1))
    xlo, xhi, ylo, yhi = surf.frame
    ax, ay = _arrow_segments(gx, gy, u, v, cell)
    fig.add_trace(go.Scatter(x=ax, y=ay, mode="lines", name=labels["field"], hoverinfo="skip",
                             line=dict(color="rgba(255,255,255,0.9)", width=1.3)))
    if path is not None and len(path.x) > 1:
        fig.add_trace(go.Scatter(x=f32(path.x), y=f32(path.y), mode="lines+markers", name=labels["path"],
                                 line=dict(color=PATH_COLOR, width=2.5), marker=dict(size=5, color=PATH_COLOR),
                                 customdata=f32(path.z), hovertemplate=(
                                     f"{labels['x']} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}<br>"
                                     f"{labels['z']} = %{{customdata:.4g}}<extra>{labels['path']}</extra>")))
    x0, y0, z0 = surf.point[:3]
    fig.add_trace(go.Scatter(x=f32([x0]), y=f32([y0]), mode="markers", name=labels["here"],
                             marker=dict(size=12, color=POINT_COLOR, symbol="circle",
                                         line=dict(color="white", width=2)),
                             customdata=f32([z0]), hovertemplate=(
                                 f"{labels['x']} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}<br>"
                                 f"{labels['z']} = %{{customdata:.4g}}<extra>{labels['here']}</extra>")))
    fig.update_layout(**{**LAYOUT, "margin": dict(l=55, r=10, t=10, b=45)}, height=height,
                      legend=dict(orientation="h", y=-0.16, x=0), uirevision="contour")
    fig.update_xaxes(title=labels["x"], range=[xlo, xhi], showgrid=False, zeroline=False)
    fig.update_yaxes(title=labels["y"], range=[ylo, yhi], showgrid=False, zeroline=False)
    return fig


def history_figure(path: Path, labels: dict, height: int = 230) -> go.Figure:
    """The loss at each iterate of the descent."""
    steps = np.arange(len(path.z), dtype=np.float32)
    fig = go.Figure(go.Scatter(x=steps, y=f32(path.z), mode="lines+markers", line=dict(color=PATH_COLOR),
                               marker=dict(size=4), name=labels["z"],
                               hovertemplate=f"{labels['step']} %{{x}}<br>{labels['z']} = %{{y:.4g}}<extra></extra>"))
    fig.update_layout(**{**LAYOUT, "margin": dict(l=55, r=10, t=10, b=40)}, height=height, showlegend=False)
    fig.update_xaxes(title=labels["step"])
    fig.update_yaxes(title=labels["z"])
    return fig
