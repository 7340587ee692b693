"""Loss surfaces over two chosen elements, vectorised over the grid.

The value of every reduction is a fixed linear combination of the unreduced
values (``reduction_coefficients``), and every unit (sample, row or element)
depends only on its own slice of the arguments.  So a grid point changes only
the units that hold the two chosen elements: the other units are summed once,
and the touched units are copied once per grid point along their unit axis
and evaluated in vectorised calls over chunks of copies (the copy axis
innermost in memory, a chunk small enough to stay in cache).  When the two
elements lie in different units the surface is separable,
``z = c + f(x) + g(y)``, and only the two 1-D sweeps are computed.  When
they lie in one unit and the loss has a closed form for that case (a
*surface*, see :mod:`losses._surface`), the grid is built from 1-D pieces by
broadcasting, without evaluating the unit per grid point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._core import Problem, reduction_coefficients
from ._surface import Chosen
from .validation import LossInputError, fmt_shape

# Tests switch this off to compare every surface with the generic path.
USE_SURFACES = True


@dataclass
class Landscape:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    dz_dx: np.ndarray
    dz_dy: np.ndarray
    # How the grid was computed: "separable" (two 1-D sweeps), "surface" (the loss's closed form for
    # two elements of one unit) or "grid" (the touched unit evaluated once per grid point).
    method: str = "grid"


def _canonical_positions(problem: Problem, name: str, index: tuple) -> np.ndarray:
    shape = problem.original_shapes[name]
    if len(index) != len(shape) or any(not (-s <= i < s) for i, s in zip(index, shape)):
        raise LossInputError("range", name, str(tuple(index)), f"an index into shape {fmt_shape(shape)}",
                             f"index {tuple(index)} is outside {name} of shape {fmt_shape(shape)}")
    flat = 0
    for i, s in zip(index, shape):
        flat = flat * s + int(i) % s
    if name not in problem.layouts:  # the canonical array is a reshape: one position, found by arithmetic
        position = []
        for s in reversed(problem.arrays[name].shape):
            flat, i = divmod(flat, s)
            position.append(i)
        return np.array([position[::-1]], dtype=np.int64).reshape(1, -1)
    return np.argwhere(problem.layouts[name] == flat)


def _units(problem: Problem, name: str, positions: np.ndarray) -> set:
    return {int(u) for u in positions[:, problem.unit_axes[name]]}


def _repeat_units(sub: np.ndarray, axis: int, copies: int) -> np.ndarray:
    """``sub`` repeated ``copies`` times along ``axis`` (copy-major), with that axis innermost in memory.

    Copy ``k`` of unit ``u`` sits at ``k * len(units) + u``.  The losses reduce over the other axes of a
    unit (classes, pixels, features), which are short; numpy reduces a short axis of a C-ordered
    (copies, k) array an order of magnitude slower than the same axis when the long copy axis is the
    contiguous one, and elementwise results keep the layout of their operands.
    """
    if sub.ndim == 1:
        out = np.empty(copies * len(sub), dtype=sub.dtype)
        out.reshape(copies, len(sub))[...] = sub
        return out
    order = [d for d in range(sub.ndim) if d != axis] + [axis]
    moved = sub.transpose(order)
    out = np.empty(moved.shape[:-1] + (copies, moved.shape[-1]), dtype=sub.dtype)
    out[...] = moved[..., None, :]
    return out.reshape(moved.shape[:-1] + (copies * moved.shape[-1],)).transpose(np.argsort(order))


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


def _tiled_index(problem: Problem, name: str, positions: np.ndarray, units: np.ndarray) -> list:
    """One basic index per canonical position, each addressing that position in every copy.

    Copy ``k`` of local unit ``u`` is at ``k * len(units) + u`` on the unit axis, so a position is the
    strided slice ``u::len(units)`` there: plain slicing, no fancy-index arrays.  (A position list has
    more than one row when broadcasting made several canonical elements of one original element.)
    """
    axis = problem.unit_axes[name]
    local = np.searchsorted(units, positions[:, axis])
    indices = []
    for row, u in zip(positions, local):
        index = [int(i) for i in row]
        index[axis] = slice(int(u), None, len(units))
        indices.append(tuple(index))
    return indices


# A compute call sees at most about CHUNK_ELEMENTS elements per tiled argument (at least MIN_CHUNK copies).
CHUNK_ELEMENTS = 1 << 15
MIN_CHUNK = 64


def _chunk_size(problem: Problem, units: np.ndarray, copies: int) -> int:
    """Copies per compute call: enough to amortise numpy's per-call overhead, few enough that a
    call's arrays and temporaries stay in the CPU cache.  It also bounds the memory of a large unit
    on a large grid."""
    per_copy = max((arr.size // max(arr.shape[axis], 1) * len(units)
                    for name, arr in problem.arrays.items()
                    if (axis := problem.unit_axes.get(name)) is not None), default=1)
    return int(min(copies, max(MIN_CHUNK, CHUNK_ELEMENTS // max(per_copy, 1))))


def _head(problem: Problem, arrays: dict, count: int) -> dict:
    """The first ``count`` entries of every unit axis (views)."""
    out = {}
    for name, arr in arrays.items():
        axis = problem.unit_axes.get(name)
        out[name] = arr if axis is None else arr[(slice(None),) * axis + (slice(0, count),)]
    return out


def _sweep(problem, compute, coef, units, settings):
    """Evaluate the touched units once per grid value.

    ``settings`` is a list of (name, positions, values) with values of length G.
    Returns the weighted values summed within each unit, (G, len(units)), and, per setting,
    the derivative (G,).
    The G copies are evaluated in chunks of the same tiled arrays; only the chosen elements
    are rewritten between chunks.
    """
    copies = len(settings[0][2])
    width = len(units)
    if copies == 0:
        return np.zeros((0, width)), [np.zeros(0) for _ in settings]
    chunk = _chunk_size(problem, units, copies)
    tiled = _tile(problem, units, chunk)
    tiled_weights = _repeat_units(np.take(coef, units, axis=0), 0, chunk)
    indices = [_tiled_index(problem, name, positions, units) for name, positions, _ in settings]
    totals = np.empty((copies, width))
    derivs = [np.empty(copies) for _ in settings]
    for start in range(0, copies, chunk):
        stop = min(start + chunk, copies)
        arrays, weights = tiled, tiled_weights
        if stop - start < chunk:
            arrays, weights = _head(problem, tiled, (stop - start) * width), tiled_weights[: (stop - start) * width]
        for (name, _, values), index in zip(settings, indices):
            for position in index:
                arrays[name][position] = values[start:stop]
        unreduced = compute(arrays, problem.params)
        with np.errstate(invalid="ignore"):
            weighted = unreduced.values * weights
            if weighted.ndim > 1:
                weighted = weighted.sum(axis=tuple(range(1, weighted.ndim)))
            totals[start:stop] = weighted.reshape(stop - start, width)
        grads = unreduced.backward(weights)
        for (name, _, _), index, deriv in zip(settings, indices, derivs):
            deriv[start:stop] = sum(grads[name][position] for position in index)
    return totals, derivs


def _closed_form(function, problem: Problem, coef: np.ndarray, touched: np.ndarray, x: tuple, y: tuple):
    """The touched unit's grid from the loss's surface, as three fresh (ny, nx) arrays, or None.

    Only for one unit and two elements that each sit at one canonical position; None also when the
    loss has no surface, declines the case, or gives a number that is not finite there (the generic
    path then reproduces torch's inf and nan exactly).
    """
    surface = getattr(function, "surface", None)
    (x_name, x_pos, x_values), (y_name, y_pos, y_values) = x, y
    if not USE_SURFACES or surface is None or len(touched) != 1 or len(x_pos) != 1 or len(y_pos) != 1:
        return None
    if not len(x_values) or not len(y_values):
        return None
    unit = int(touched[0])
    first = Chosen(x_name, tuple(int(i) for i in x_pos[0]), x_values[None, :])
    second = Chosen(y_name, tuple(int(i) for i in y_pos[0]), y_values[:, None])
    result = surface(problem, unit, first, second, coef[unit])
    if result is None:
        return None
    shape = (len(y_values), len(x_values))
    out = []
    for part in result:
        if isinstance(part, np.ndarray) and part.shape == shape and part.dtype == np.float64 and part.base is None:
            grid = part  # already a fresh grid of its own
        else:
            grid = np.empty(shape)
            grid[...] = part
        if not np.isfinite(grid).all():
            return None
        out.append(grid)
    return tuple(out)


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
    if x_name == y_name and x_pos.shape == y_pos.shape and (x_pos == y_pos).all():
        raise LossInputError("choice", "y", str(tuple(y_index)), "an element other than x",
                             "x and y name the same element; choose two different elements")

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        base = compute(problem.arrays, problem.params)
        coef = reduction_coefficients(base, problem.reduction)
        weighted = base.values * coef
        x_units = _units(problem, x_name, x_pos)
        y_units = _units(problem, y_name, y_pos)
        touched = np.array(sorted(x_units | y_units), dtype=np.int64)
        untouched = np.ones(base.values.shape[0], dtype=bool)
        untouched[touched] = False
        rest = weighted[untouched].sum()
        nx, ny = len(x_values), len(y_values)
        if not x_units & y_units and nx and ny:
            # Separable: one sweep of max(nx, ny) copies sets x in its units and y in its own
            # (the shorter list padded with its last value); each unit's total is read apart.
            length = max(nx, ny)
            sweep_x = np.concatenate([x_values, np.full(length - nx, x_values[-1])])
            sweep_y = np.concatenate([y_values, np.full(length - ny, y_values[-1])])
            totals, (gx, gy) = _sweep(problem, compute, coef, touched,
                                      [(x_name, x_pos, sweep_x), (y_name, y_pos, sweep_y)])
            fx = totals[:nx, np.searchsorted(touched, sorted(x_units))].sum(axis=1)
            fy = totals[:ny, np.searchsorted(touched, sorted(y_units))].sum(axis=1)
            z = np.add.outer(fy, rest + fx)
            dz_dx = np.empty((ny, nx))
            dz_dx[...] = gx[:nx]
            dz_dy = np.empty((ny, nx))
            dz_dy[...] = gy[:ny, None]
            method = "separable"
        elif (closed := _closed_form(function, problem, coef, touched, (x_name, x_pos, x_values),
                                     (y_name, y_pos, y_values))) is not None:
            part, dz_dx, dz_dy = closed
            z = np.add(rest, part, out=part)
            method = "surface"
        else:
            grid_x = np.tile(x_values, ny)
            grid_y = np.repeat(y_values, nx)
            totals, (gx, gy) = _sweep(problem, compute, coef, touched,
                                      [(x_name, x_pos, grid_x), (y_name, y_pos, grid_y)])
            z = (rest + totals.sum(axis=1)).reshape(ny, nx)
            dz_dx = gx.reshape(ny, nx)
            dz_dy = gy.reshape(ny, nx)
            method = "grid"
    return Landscape(x=x_values, y=y_values, z=z, dz_dx=dz_dx, dz_dy=dz_dy, method=method)
