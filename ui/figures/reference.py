"""The reference page's curve: a loss (or an activation's output) as one element of its example moves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import losses
from losses import LossInputError
from losses.spec import LossSpec
from ui.compute.runner import call_kwargs
from ui.figures.common import LAYOUT, PALETTE

POINTS = 241  # odd, so the example's own value is the middle grid point


@dataclass
class Curve:
    argument: str
    index: tuple
    x: np.ndarray  # float32
    y: np.ndarray  # float32, nan where the value is not finite
    slope: np.ndarray  # float32
    at: float  # the example's value of the element
    at_y: float
    at_slope: float
    kind: str  # "loss", "loss_sum" (the value is a tensor: its sum) or "activation"

    @property
    def element(self) -> str:
        return f"{self.argument}[{', '.join(map(str, self.index))}]"


def _grid(domain: str, at: float) -> np.ndarray:
    """Values for one element: around the example's value, inside what the argument allows."""
    if domain in ("probability", "binary"):
        return np.linspace(0.001, 0.999, POINTS)
    if domain in ("positive", "nonnegative"):
        return np.linspace(max(at / 25, 1e-3), max(3 * at, at + 2), POINTS)
    half = max(3.0, 1.5 * abs(at))
    if domain == "log_probability":
        grid = np.linspace(at - half, at + half, POINTS)
        return grid[grid <= 0] if (grid <= 0).sum() > POINTS // 4 else grid
    return np.linspace(at - half, at + half, POINTS)


def _diagonal(spec: LossSpec, kwargs: dict, name: str, index: tuple) -> tuple[float, float]:
    """An activation's output at ``index`` and its derivative with respect to the input there."""
    x = np.asarray(kwargs[name])
    seed = np.zeros(x.shape)
    seed[index] = 1.0
    out, grads = losses.value_and_grad(spec.id, grad_output=seed, **kwargs)
    return float(np.asarray(out)[index]), float(grads[name][index])


def _element(spec: LossSpec, tensors: dict, params: dict) -> tuple[str, tuple]:
    """The prediction element where the example is steepest (the first one if the slope is 0 everywhere).

    For a loss that is the largest gradient; for an activation, the largest derivative of an output
    with respect to its own input.
    """
    name = next(a.name for a in spec.arguments if a.differentiable and a.name in tensors)
    shape = np.shape(tensors[name])
    kwargs = call_kwargs(spec, tensors, params)
    try:
        if spec.family == "activation":
            grad = np.array([abs(_diagonal(spec, kwargs, name, np.unravel_index(i, shape))[1])
                             for i in range(int(np.prod(shape, dtype=int)))])
        else:
            grad = np.abs(np.asarray(losses.value_and_grad(spec.id, **kwargs)[1][name], dtype=np.float64))
        grad = np.nan_to_num(grad.ravel(), nan=0.0)
    except LossInputError:
        grad = np.zeros(int(np.prod(shape, dtype=int)))
    flat = int(np.argmax(grad)) if grad.size else 0
    return name, tuple(int(i) for i in np.unravel_index(flat, shape))


def _partner(spec: LossSpec, tensors: dict, name: str, index: tuple) -> tuple[str, tuple]:
    """Another prediction element, held at its example value (landscape sweeps two elements)."""
    for arg in spec.arguments:
        if not arg.differentiable or arg.name not in tensors:
            continue
        shape = np.shape(tensors[arg.name])
        for flat in range(int(np.prod(shape, dtype=int))):
            other = tuple(int(i) for i in np.unravel_index(flat, shape))
            if (arg.name, other) != (name, index):
                return arg.name, other
    raise LossInputError("shape", name, "one element", "at least two prediction elements",
                         "the example has a single prediction element")


def example_curve(spec: LossSpec, tensors: dict, params: dict) -> Curve:
    """The curve through the example; raises LossInputError when the backend refuses it."""
    name, index = _element(spec, tensors, params)
    arrays = {k: np.asarray(v) for k, v in tensors.items() if v is not None}
    at = float(arrays[name][index])
    grid = _grid(spec.argument(name).domain, at)
    if spec.family == "activation":
        kind = "activation"
        values, slope = np.empty_like(grid), np.empty_like(grid)
        kwargs = call_kwargs(spec, arrays, params)
        for i, v in enumerate(grid):
            moved = arrays[name].astype(np.float64).copy()
            moved[index] = v
            values[i], slope[i] = _diagonal(spec, {**kwargs, name: moved}, name, index)
    else:
        value = losses.value_and_grad(spec.id, **call_kwargs(spec, arrays, params))[0]
        kind = "loss" if np.ndim(value) == 0 else "loss_sum"
        other_name, other_index = _partner(spec, arrays, name, index)
        other = np.asarray([arrays[other_name][other_index]], dtype=np.float64)
        args = call_kwargs(spec, arrays, {})
        kwargs = {k: v for k, v in params.items() if k in spec.defaults()}
        surface = losses.landscape(spec.id, args, kwargs, x=(name, index, grid), y=(other_name, other_index, other))
        values, slope = surface.z[0], surface.dz_dx[0]
    with np.errstate(invalid="ignore"):
        values = np.where(np.isfinite(values), values, np.nan)
        slope = np.where(np.isfinite(slope), slope, np.nan)
    middle = int(np.argmin(np.abs(grid - at)))
    return Curve(argument=name, index=index, x=grid.astype(np.float32), y=values.astype(np.float32),
                 slope=slope.astype(np.float32), at=at, at_y=float(values[middle]), at_slope=float(slope[middle]),
                 kind=kind)


def curve_figure(curve: Curve, labels: dict) -> go.Figure:
    """The value over the element, and its slope below; ``labels``: y, slope, point (in the learner's language)."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.64, 0.36], vertical_spacing=0.06)
    x_name = curve.element
    fig.add_trace(go.Scatter(x=curve.x, y=curve.y, mode="lines", line=dict(color=PALETTE[0], width=2.5),
                             name=labels["y"], hovertemplate=f"{x_name} = %{{x:.4g}}<br>{labels['y']} = %{{y:.4g}}"
                                                             "<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=curve.x, y=curve.slope, mode="lines", line=dict(color=PALETTE[1], width=1.8),
                             name=labels["slope"], hovertemplate=f"{x_name} = %{{x:.4g}}<br>{labels['slope']} = "
                                                                 "%{y:.4g}<extra></extra>"), row=2, col=1)
    point = dict(size=10, color="#111827")
    fig.add_trace(go.Scatter(x=np.float32([curve.at]), y=np.float32([curve.at_y]), mode="markers", marker=point,
                             name=labels["point"], hovertemplate=f"{labels['point']}<br>{x_name} = %{{x:.4g}}<br>"
                                                                 f"{labels['y']} = %{{y:.4g}}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=np.float32([curve.at]), y=np.float32([curve.at_slope]), mode="markers",
                             marker=point, showlegend=False,
                             hovertemplate=f"{labels['point']}<br>{x_name} = %{{x:.4g}}<br>{labels['slope']} = "
                                           "%{y:.4g}<extra></extra>"), row=2, col=1)
    fig.update_layout(**{**LAYOUT, "margin": dict(l=55, r=15, t=20, b=45)}, height=430, showlegend=False)
    fig.update_yaxes(title=labels["y"], row=1, col=1)
    fig.update_yaxes(title=labels["slope"], row=2, col=1, zeroline=True)
    fig.update_xaxes(title=x_name, row=2, col=1)
    return fig
