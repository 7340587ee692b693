"""The protocol every loss follows, and the one place where reductions happen.

A loss is written as two functions:

* a *prepare* function with torch's signature.  It validates the call and
  returns a :class:`Problem`: the tensor arguments in a canonical, batched
  float64/int64 form whose axis ``unit_axes[name]`` indexes independent units
  (samples, rows or elements), the scalar parameters, the reduction and the
  shape of torch's ``reduction='none'`` output;
* a *compute* function ``compute(arrays, params) -> Unreduced`` that is
  vectorised over the units: it returns the unreduced values (units on axis 0)
  and their vector-Jacobian product, written by hand beside the forward pass.

:func:`loss_function` turns the pair into the public function;
:func:`evaluate` applies the reduction; :func:`gradients` maps a
``grad_output`` back to the original argument shapes.  ``landscape`` relies on
the unit structure to recompute only what a grid point changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .validation import LossInputError, fmt_shape

Backward = Callable[[np.ndarray], dict]


@dataclass
class Problem:
    """A validated call in canonical form.

    ``layouts[name]`` (optional per array) is an int array of the canonical
    shape whose entries are flat indices into the original argument: it
    records reshapes and broadcasts, so that gradients can be summed back and
    a chosen original element can be found in the canonical arrays.  Without an
    entry the canonical array is a reshape of the original (same size).
    """

    arrays: dict
    params: dict
    reduction: str
    none_shape: tuple
    unit_axes: dict
    original_shapes: dict
    differentiable: tuple
    layouts: dict = field(default_factory=dict)

    @classmethod
    def from_canonical(
        cls,
        arrays: dict,
        original: dict,
        *,
        reduction: str,
        none_shape: tuple,
        params: dict | None = None,
        unit_axes: int | dict = 0,
        differentiable: tuple = ("input",),
        layouts: dict | None = None,
    ) -> Problem:
        """The Problem of canonical ``arrays`` made from the tensors in ``original`` (as the caller got them).

        ``original`` maps each argument to its validated array (or the raw value), whose shape gradients
        are restored to.  ``unit_axes`` is one axis for every array, or a dict naming each array's axis
        (None for arrays that are not split into units, such as per-class weights).
        """
        axes = dict(unit_axes) if isinstance(unit_axes, dict) else dict.fromkeys(arrays, unit_axes)
        return cls(
            arrays=arrays,
            params=dict(params or {}),
            reduction=reduction,
            none_shape=tuple(none_shape),
            unit_axes=axes,
            original_shapes={name: tuple(np.shape(value)) for name, value in original.items()},
            differentiable=tuple(differentiable),
            layouts=dict(layouts or {}),
        )

    def layout(self, name: str) -> np.ndarray:
        if name in self.layouts:
            return self.layouts[name]
        size = int(np.prod(self.original_shapes[name], dtype=np.int64))
        return np.arange(size).reshape(self.arrays[name].shape)


@dataclass
class Unreduced:
    """Unreduced values (units on axis 0) with their vector-Jacobian product.

    ``backward(g)`` returns, for every differentiable canonical array, the
    gradient of ``sum(values * g)``.  ``mean_scale`` is d(mean)/d(values): the
    default ``None`` means ``1 / values.size``; losses whose 'mean' is a
    weighted mean (nll with class weights, ctc, kl_div's batchmean) set it.
    """

    values: np.ndarray
    backward: Backward
    mean_scale: float | np.ndarray | None = None


def broadcast_layout(original_shape: tuple, canonical_shape: tuple) -> np.ndarray:
    """Flat original indices of each element after numpy-style broadcasting."""
    size = int(np.prod(original_shape, dtype=np.int64))
    return np.broadcast_to(np.arange(size).reshape(original_shape), canonical_shape)


def broadcast_canonical(arrays: dict, shape: tuple, canonical_shape: tuple = (-1,)) -> tuple[dict, dict]:
    """Broadcast every array to ``shape`` and reshape it to ``canonical_shape``.

    Returns the canonical arrays and, for each array that broadcasting enlarged, its layout (see
    :class:`Problem`), so that gradients are summed back onto the elements it was made from.
    """
    canonical, layouts = {}, {}
    for name, arr in arrays.items():
        canonical[name] = np.broadcast_to(arr, shape).reshape(canonical_shape)
        if arr.shape != tuple(shape):
            layouts[name] = broadcast_layout(arr.shape, shape).reshape(canonical_shape)
    return canonical, layouts


def reduction_coefficients(unreduced: Unreduced, reduction: str) -> np.ndarray:
    """d(reduced value)/d(unreduced values); for 'none' the sum of values is meant."""
    values = unreduced.values
    if reduction in ("none", "sum"):
        return np.ones_like(values)
    scale = unreduced.mean_scale
    if scale is None:
        scale = 1.0 / values.size if values.size else np.nan
    return np.broadcast_to(np.asarray(scale, dtype=np.float64), values.shape)


def reduce_values(unreduced: Unreduced, reduction: str, none_shape: tuple) -> np.ndarray:
    values = unreduced.values
    if reduction == "none":
        return values.reshape(none_shape)
    if reduction == "sum":
        return np.asarray(values.sum())
    if values.size == 0:
        return np.asarray(np.nan)  # torch: the mean of nothing is NaN
    coef = reduction_coefficients(unreduced, reduction)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.sum(values * coef))


def evaluate(problem: Problem, compute: Callable) -> tuple[np.ndarray, Unreduced]:
    unreduced = compute(problem.arrays, problem.params)
    return reduce_values(unreduced, problem.reduction, problem.none_shape), unreduced


def restore_gradient(problem: Problem, name: str, grad: np.ndarray) -> np.ndarray:
    """Sum a canonical gradient back onto the original argument's elements."""
    shape = problem.original_shapes[name]
    layout = problem.layout(name)
    if name not in problem.layouts:
        return grad.reshape(shape)
    size = int(np.prod(shape, dtype=np.int64))
    return np.bincount(layout.ravel(), weights=grad.ravel(), minlength=size).reshape(shape)


def gradients(problem: Problem, unreduced: Unreduced, grad_output=None) -> dict:
    values = unreduced.values
    if problem.reduction == "none":
        if grad_output is None:
            g = np.ones_like(values)
        else:
            g = np.asarray(grad_output, dtype=np.float64)
            if g.shape != tuple(problem.none_shape):
                raise LossInputError("shape", "grad_output", fmt_shape(g.shape), fmt_shape(problem.none_shape),
                                     f"grad_output shape {fmt_shape(g.shape)} does not match the output "
                                     f"shape {fmt_shape(problem.none_shape)}")
            g = g.reshape(values.shape)
    else:
        scale = 1.0 if grad_output is None else float(np.asarray(grad_output, dtype=np.float64))
        g = reduction_coefficients(unreduced, problem.reduction) * scale
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        canonical = unreduced.backward(g)
    return {name: restore_gradient(problem, name, canonical[name]) for name in problem.differentiable}


def loss_function(compute: Callable, surface: Callable | None = None):
    """Make the public function from a prepare function (which carries the signature and docstring).

    ``surface`` (optional) is the loss's closed form for a landscape of two elements of one unit; see
    :mod:`losses.landscape` for its contract.
    """

    def decorate(prepare: Callable):
        @functools.wraps(prepare)
        def public(*args, **kwargs):
            problem = prepare(*args, **kwargs)
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                value, _ = evaluate(problem, compute)
            return value

        public.prepare = prepare
        public.compute = compute
        public.surface = surface
        return public

    return decorate
