"""Loss surfaces over two chosen elements, vectorised over the grid.

The value of every reduction is a fixed linear combination of the unreduced
values (``reduction_coefficients``), and every unit (sample, row or element)
depends only on its own slice of the arguments.  So a grid point changes only
the units that hold the two chosen elements: the other units are summed once,
and the touched units are copied once per grid point along their unit axis
and evaluated in a single vectorised call.  When the two elements lie in
different units the surface is separable, ``z = c + f(x) + g(y)``, and only the
two 1-D sweeps are computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._core import Problem, reduction_coefficients
from .validation import LossInputError, fmt_shape


@dataclass
class Landscape:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    dz_dx: np.ndarray
    dz_dy: np.ndarray


def _canonical_positions(problem: Problem, name: str, index: tuple) -> np.ndarray:
    shape = problem.original_shapes[name]
    if len(index) != len(shape) or any(not (-s <= i < s) for i, s in zip(index, shape)):
        raise LossInputError("range", name, str(tuple(index)), f"an index into shape {fmt_shape(shape)}",
                             f"index {tuple(index)} is outside {name} of shape {fmt_shape(shape)}")
    flat = np.ravel_multi_index(tuple(i % s for i, s in zip(index, shape)), shape) if shape else 0
    return np.argwhere(problem.layout(name) == flat)


def _units(problem: Problem, name: str, positions: np.ndarray) -> np.ndarray:
    return np.unique(positions[:, problem.unit_axes[name]])


def _repeat_units(sub: np.ndarray, axis: int, copies: int) -> np.ndarray:
    """``sub`` repeated ``copies`` times along ``axis`` (copy-major), with that axis innermost in memory.

    Copy ``k`` of unit ``u`` sits at ``k * len(units) + u``.  The losses reduce over the other axes of a
    unit (classes, pixels, features), which are short; numpy reduces a short axis of a C-ordered
    (copies, k) array an order of magnitude slower than the same axis when the long copy axis is the
    contiguous one, and elementwise results keep the layout of their operands.
    """
    moved = np.moveaxis(sub, axis, -1)
    out = np.empty(moved.shape[:-1] + (copies, moved.shape[-1]), dtype=sub.dtype)
    out[...] = moved[..., None, :]
    return np.moveaxis(out.reshape(moved.shape[:-1] + (-1,)), -1, axis)


def _tile(problem: Problem, units: np.ndarray, copies: int) -> dict:
    """The arguments restricted to ``units``, repeated ``copies`` times along each unit axis (fresh arrays)."""
    tiled = {}
    for name, arr in problem.arrays.items():
        axis = problem.unit_axes.get(name)
        if axis is None:
            tiled[name] = arr
            continue
        tiled[name] = _repeat_units(np.take(arr, units, axis=axis), axis, copies)
    return tiled


def _tiled_index(problem: Problem, name: str, positions: np.ndarray, units: np.ndarray, copies: int):
    """Index arrays (copies, len(positions)) addressing each position in each copy."""
    axis = problem.unit_axes[name]
    local = np.searchsorted(units, positions[:, axis])
    idx = [np.broadcast_to(positions[:, d], (copies, len(positions))) for d in range(positions.shape[1])]
    idx[axis] = np.arange(copies)[:, None] * len(units) + local[None, :]
    return tuple(idx)


def _sweep(problem, compute, coef, units, settings):
    """Evaluate the touched units once per grid value.

    ``settings`` is a list of (name, positions, values) with values of length G.
    Returns the summed weighted values (G,) and, per setting, the derivative (G,).
    """
    copies = len(settings[0][2])
    arrays = _tile(problem, units, copies)
    indices = []
    for name, positions, values in settings:
        index = _tiled_index(problem, name, positions, units, copies)
        arrays[name][index] = values[:, None]
        indices.append(index)
    unreduced = compute(arrays, problem.params)
    weights = _repeat_units(np.take(coef, units, axis=0), 0, copies)
    with np.errstate(invalid="ignore"):
        weighted = unreduced.values * weights
        if weighted.ndim > 1:
            weighted = weighted.sum(axis=tuple(range(1, weighted.ndim)))
        total = weighted.reshape(copies, len(units)).sum(axis=1)
    grads = unreduced.backward(weights)
    derivs = [grads[name][index].sum(axis=1) for (name, _, _), index in zip(settings, indices)]
    return total, derivs


def landscape(name: str, args: dict, kwargs: dict | None = None, *, x: tuple, y: tuple) -> Landscape:
    """The loss over a grid of two prediction elements, with both partial derivatives.

    ``args`` maps argument names to arrays; ``x`` and ``y`` are
    ``(arg_name, index_tuple, values_1d)``.  With reduction='none' the sum of the
    unreduced values is used.  ``z[i, j]`` is the loss at ``x=values_x[j]``,
    ``y=values_y[i]``.
    """
    from .registry import get_spec

    spec = get_spec(name)
    function = spec.function
    problem = function.prepare(**dict(args), **dict(kwargs or {}))
    compute = function.compute
    (x_name, x_index, x_values), (y_name, y_index, y_values) = x, y
    x_values = np.asarray(x_values, dtype=np.float64).ravel()
    y_values = np.asarray(y_values, dtype=np.float64).ravel()
    for arg in (x_name, y_name):
        if arg not in problem.differentiable:
            raise LossInputError("choice", arg, repr(arg), problem.differentiable,
                                 f"{arg!r} is not a prediction-side argument of {name}; choose one of "
                                 + ", ".join(problem.differentiable))
    x_pos = _canonical_positions(problem, x_name, tuple(x_index))
    y_pos = _canonical_positions(problem, y_name, tuple(y_index))
    if x_name == y_name and np.array_equal(x_pos, y_pos):
        raise LossInputError("choice", "y", str(tuple(y_index)), "an element other than x",
                             "x and y name the same element; choose two different elements")

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        base = compute(problem.arrays, problem.params)
        coef = reduction_coefficients(base, problem.reduction)
        weighted = base.values * coef
        x_units = _units(problem, x_name, x_pos)
        y_units = _units(problem, y_name, y_pos)
        touched = np.union1d(x_units, y_units)
        untouched = np.ones(base.values.shape[0], dtype=bool)
        untouched[touched] = False
        rest = weighted[untouched].sum()
        nx, ny = len(x_values), len(y_values)
        if np.intersect1d(x_units, y_units).size == 0:
            fx, (gx,) = _sweep(problem, compute, coef, x_units, [(x_name, x_pos, x_values)])
            fy, (gy,) = _sweep(problem, compute, coef, y_units, [(y_name, y_pos, y_values)])
            z = rest + fx[None, :] + fy[:, None]
            dz_dx = np.broadcast_to(gx[None, :], (ny, nx)).copy()
            dz_dy = np.broadcast_to(gy[:, None], (ny, nx)).copy()
        else:
            grid_x = np.tile(x_values, ny)
            grid_y = np.repeat(y_values, nx)
            f, (gx, gy) = _sweep(problem, compute, coef, touched,
                                 [(x_name, x_pos, grid_x), (y_name, y_pos, grid_y)])
            z = (rest + f).reshape(ny, nx)
            dz_dx = gx.reshape(ny, nx)
            dz_dy = gy.reshape(ny, nx)
    return Landscape(x=x_values, y=y_values, z=z, dz_dx=dz_dx, dz_dy=dz_dy)
