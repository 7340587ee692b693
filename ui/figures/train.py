"""Figures of the /train page: the data with every run's model at step t, the runs' curves over the steps, the
parameter paths on the loss contour, and the per-decade / per-class views of two presets.

Built as plain plotly dicts (``fast_figure``, see ui/figures/landscape.py) with float32 arrays: the step scrubber
redraws them on every move, and the tests check each against plotly's schema.  Each run has one colour on every
chart; a run that diverged simply ends where its records end.
"""

from __future__ import annotations

import numpy as np

from ui.figures.common import PALETTE
from ui.figures.landscape import axis, fast_figure

CONFIG = {"displayModeBar": False}
DATA_COLOR = "#374151"
OUTLIER_COLOR = "#9ca3af"
# Above the plot: below it the legend would cover the x axis's title; plotly widens the top margin to fit it.
LEGEND = {"orientation": "h", "y": 1.02, "x": 0.0, "yanchor": "bottom", "font": {"size": 11}}


def f32(values) -> np.ndarray:
    """float32 for plotly; a diverging run's values beyond float32's range are drawn at its edge, not as inf."""
    values = np.asarray(values, dtype=np.float64)
    return np.clip(values, -3e38, 3e38).astype(np.float32)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _step_line(step: int, yref: str = "paper", y0: float = 0.0, y1: float = 1.0, xref: str = "x") -> dict:
    return {"type": "line", "xref": xref, "yref": yref, "x0": step, "x1": step, "y0": y0, "y1": y1,
            "line": {"color": "#111827", "width": 1, "dash": "dot"}}


def log_axis(series: list, most: int = 4) -> dict:
    """A log axis labelled at powers of ten only, at most ``most`` of them (plotly's own choice labels 2s and 5s
    between the decades, which a short panel cannot hold)."""
    values = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in series]) if series else np.ones(1)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return {"type": "log"}
    low, high = int(np.floor(np.log10(values.min()))), int(np.ceil(np.log10(values.max())))
    every = max(1, -(-(high - low) // most))
    powers = list(range(low, high + 1, every))
    return {"type": "log", "tickvals": [10.0 ** k for k in powers],
            "ticktext": ["1" if k == 0 else f"10<sup>{k}</sup>" for k in powers]}


def fit_figure(x, y, outlier, lines: list[dict], labels: dict, log: bool = False, height: int = 380):
    """The (x, y) samples and, per run, its model's prediction over ``xs`` at the chosen step.

    ``lines``: ``{"name", "xs", "ys"}`` per run, in run order; ``outlier`` marks the points drawn apart (or None).
    """
    x, y = f32(x), f32(y)
    data = []
    if outlier is not None and np.any(outlier):
        keep = ~np.asarray(outlier)
        data.append({"type": "scatter", "x": x[keep], "y": y[keep], "mode": "markers", "name": labels["data"],
                     "marker": {"size": 7, "color": DATA_COLOR}})
        data.append({"type": "scatter", "x": x[~keep], "y": y[~keep], "mode": "markers", "name": labels["outlier"],
                     "marker": {"size": 9, "color": OUTLIER_COLOR, "symbol": "x", "line": {"width": 1}}})
    else:
        data.append({"type": "scatter", "x": x, "y": y, "mode": "markers", "name": labels["data"],
                     "marker": {"size": 7, "color": DATA_COLOR}})
    for i, line in enumerate(lines):
        data.append({"type": "scatter", "x": f32(line["xs"]), "y": f32(line["ys"]), "mode": "lines",
                     "name": line["name"], "line": {"color": color(i), "width": 2.5}, "showlegend": False})
    kind = {"type": "log", "exponentformat": "power", "dtick": 1} if log else {}
    finite = y[np.isfinite(y)]
    layout = {"height": height, "margin": {"l": 55, "r": 15, "t": 10, "b": 40}, "legend": LEGEND,
              "xaxis": axis(labels["x"], **kind), "yaxis": axis(labels["y"], **kind), "uirevision": "fit"}
    if finite.size and not log:
        # The data fixes the view: a run far off (or diverging) runs out of the frame instead of squashing it.
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.15 * (hi - lo or 1.0)
        layout["yaxis"]["range"] = [lo - pad, hi + pad]
    return fast_figure(data, layout)


def boundary_figure(points, labels_of_points, boundaries: list[dict], labels: dict, classes: list[str] | None = None,
                    height: int = 380):
    """Points in the plane coloured by class, and per run its decision boundary p = 0.5 at the chosen step.

    ``boundaries``: ``{"name", "gx", "gy", "p", "color"}`` with ``p`` of shape (len(gy), len(gx)); for a binary task
    one per run, for several classes one per class of the shown run.  ``labels_of_points`` is an int class per
    point (for two labels, the first); ``classes`` names them.
    """
    points = f32(points)
    kinds = np.asarray(labels_of_points)
    names = classes or [labels["negative"], labels["positive"]]
    marker_colors = ["#9ca3af", "#111827"] if classes is None else [color(4 + k) for k in range(len(names))]
    data = []
    for k, name in enumerate(names):
        mask = kinds == k
        if not mask.any():
            continue
        data.append({"type": "scatter", "x": points[mask, 0], "y": points[mask, 1], "mode": "markers", "name": name,
                     "marker": {"size": 6 if classes is None and k == 0 else 8, "color": marker_colors[k],
                                "symbol": "circle" if k == 0 or classes else "diamond",
                                "opacity": 0.6 if classes is None and k == 0 else 0.9}})
    if "two" in labels and labels.get("two_mask") is not None:
        two = np.asarray(labels["two_mask"])
        if two.any():
            data.append({"type": "scatter", "x": points[two, 0], "y": points[two, 1], "mode": "markers",
                         "name": labels["two"], "marker": {"size": 13, "color": "rgba(0,0,0,0)",
                                                           "line": {"color": "#111827", "width": 1.5}}})
    for item in boundaries:
        data.append({"type": "contour", "x": f32(item["gx"]), "y": f32(item["gy"]), "z": f32(item["p"]),
                     "autocontour": False, "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                     "line": {"color": item["color"], "width": 2.5, "dash": item.get("dash", "solid")},
                     "showscale": False, "name": item["name"], "showlegend": item.get("legend", False),
                     "hoverinfo": "skip"})
    layout = {"height": height, "margin": {"l": 45, "r": 15, "t": 10, "b": 40}, "legend": LEGEND,
              "xaxis": axis("x₁", showgrid=False, zeroline=False), "yaxis": axis("x₂", showgrid=False, zeroline=False),
              "uirevision": "boundary"}
    if boundaries:
        gx, gy = boundaries[0]["gx"], boundaries[0]["gy"]
        layout["xaxis"]["range"] = [float(gx[0]), float(gx[-1])]
        layout["yaxis"]["range"] = [float(gy[0]), float(gy[-1])]
    return fast_figure(data, layout)


def curves_figure(runs: list[dict], step: int, labels: dict, metric_names: list[str], log_loss: bool,
                  height: int = 520):
    """Loss, gradient norm and the main metrics of every run against the step, three panels sharing the step
    axis, with the chosen step marked.

    ``runs``: ``{"name", "loss", "grad_norm", "metrics": {name: values}}``.  The first metric is drawn solid, a
    second dashed.
    """
    data = []
    for i, run in enumerate(runs):
        steps = np.arange(len(run["loss"]), dtype=np.float32)
        data.append({"type": "scatter", "x": steps, "y": f32(run["loss"]), "mode": "lines", "name": run["name"],
                     "legendgroup": str(i), "line": {"color": color(i), "width": 2}, "xaxis": "x", "yaxis": "y",
                     "hovertemplate": f"{labels['step']} %{{x}}<br>{labels['loss']} %{{y:.4g}}<extra></extra>"})
        data.append({"type": "scatter", "x": steps, "y": f32(run["grad_norm"]), "mode": "lines",
                     "name": run["name"], "legendgroup": str(i), "showlegend": False,
                     "line": {"color": color(i), "width": 2}, "xaxis": "x2", "yaxis": "y2",
                     "hovertemplate": f"{labels['step']} %{{x}}<br>{labels['grad_norm']} %{{y:.4g}}<extra></extra>"})
        for k, name in enumerate(metric_names[:2]):
            data.append({"type": "scatter", "x": steps, "y": f32(run["metrics"][name]), "mode": "lines",
                         "name": run["name"], "legendgroup": str(i), "showlegend": False,
                         "line": {"color": color(i), "width": 2, "dash": "solid" if k == 0 else "dash"},
                         "xaxis": "x3", "yaxis": "y3",
                         "hovertemplate": f"{labels['step']} %{{x}}<br>{labels['metric_' + str(k)]} %{{y:.4g}}"
                                          "<extra></extra>"})
    gap = 0.07
    rows = [(0.68, 1.0), (0.34, 0.66 - gap / 2), (0.0, 0.32 - gap / 2)]
    layout = {"height": height, "margin": {"l": 60, "r": 15, "t": 10, "b": 40}, "legend": LEGEND,
              "uirevision": "curves",
              "xaxis": axis("", anchor="y", matches="x3", showticklabels=False),
              "xaxis2": axis("", anchor="y2", matches="x3", showticklabels=False),
              "xaxis3": axis(labels["step"], anchor="y3"),
              "yaxis": axis(labels["loss"], domain=list(rows[0]),
                            **(log_axis([r["loss"] for r in runs]) if log_loss else {})),
              "yaxis2": axis(labels["grad_norm"], domain=list(rows[1]), **log_axis([r["grad_norm"] for r in runs])),
              "yaxis3": axis(labels["metric"], domain=list(rows[2])),
              "shapes": [_step_line(step, "y domain", xref="x"), _step_line(step, "y2 domain", xref="x2"),
                         _step_line(step, "y3 domain", xref="x3")]}
    for name in ("yaxis", "yaxis2", "yaxis3"):
        layout[name]["title"]["font"] = {"size": 12}
    return fast_figure(data, layout)


def contour_figure(w, b, z, paths: list[dict], labels: dict, height: int = 420):
    """A loss over (w, b) as filled contours (log-spaced levels, since losses span decades) and each run's path
    of (w_t, b_t) up to the chosen step, its current point marked.

    ``paths``: ``{"name", "w", "b"}`` per run (already cut at the step)."""
    z = np.asarray(z, dtype=np.float64)
    finite = z[np.isfinite(z) & (z > 0)]
    shown = np.log10(np.clip(z, finite.min(), None)) if finite.size else z
    data = [{"type": "contour", "x": f32(w), "y": f32(b), "z": f32(shown), "colorscale": "Blues", "reversescale": True,
             "ncontours": 18, "contours": {"coloring": "fill"},
             "line": {"width": 0.6, "color": "rgba(255,255,255,0.6)"},
             "colorbar": {"title": {"text": labels["log_loss"], "side": "right"}, "thickness": 10},
             "hovertemplate": "w %{x:.3g}<br>b %{y:.3g}<br>log₁₀ %{z:.3g}<extra></extra>", "showlegend": False}]
    for i, path in enumerate(paths):
        data.append({"type": "scatter", "x": f32(path["w"]), "y": f32(path["b"]), "mode": "lines",
                     "name": path["name"], "line": {"color": color(i), "width": 2.5}, "legendgroup": str(i)})
        data.append({"type": "scatter", "x": f32(path["w"][-1:]), "y": f32(path["b"][-1:]), "mode": "markers",
                     "name": path["name"], "legendgroup": str(i), "showlegend": False,
                     "marker": {"size": 11, "color": color(i), "line": {"color": "white", "width": 2}}})
    if paths:
        data.append({"type": "scatter", "x": f32(paths[0]["w"][:1]), "y": f32(paths[0]["b"][:1]), "mode": "markers",
                     "name": labels["start"], "marker": {"size": 10, "color": "#111827", "symbol": "x"}})
    layout = {"height": height, "margin": {"l": 55, "r": 15, "t": 10, "b": 40}, "showlegend": False,
              "xaxis": axis("w", range=[float(w[0]), float(w[-1])], showgrid=False, zeroline=False),
              "yaxis": axis("b", range=[float(b[0]), float(b[-1])], showgrid=False, zeroline=False),
              "uirevision": "contour"}
    return fast_figure(data, layout)


def bars_figure(groups: list[str], series: list[dict], labels: dict, log: bool = False, height: int = 340,
                reference: float | None = None):
    """Grouped bars: one group per entry of ``groups`` (decades, or classes), one bar per series (a run).

    ``series``: ``{"name", "values"}`` in run order; ``reference`` draws a dashed horizontal line (the sum 1)."""
    data = [{"type": "bar", "x": list(groups), "y": f32(s["values"]), "name": s["name"],
             "marker": {"color": color(i)}, "showlegend": False} for i, s in enumerate(series)]
    layout = {"height": height, "margin": {"l": 55, "r": 15, "t": 10, "b": 40}, "legend": LEGEND, "barmode": "group",
              "xaxis": axis(labels["x"], type="category"),
              "yaxis": axis(labels["y"], **({"type": "log", "exponentformat": "power", "dtick": 1} if log else {})),
              "uirevision": "bars"}
    if reference is not None:
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": reference,
                             "y1": reference, "line": {"color": "#111827", "width": 1, "dash": "dash"}}]
    return fast_figure(data, layout)
