"""Preparation shared by the losses that act element by element on (input, target)."""

from __future__ import annotations

import numpy as np

from ._core import Problem, broadcast_layout
from .validation import LossInputError, as_float, check_broadcast, check_reduction, fmt_shape


def prepare_pointwise(
    input,
    target,
    reduction: str,
    *,
    weight=None,
    params: dict | None = None,
    extra: dict | None = None,
    differentiable: tuple = ("input",),
    reductions: tuple = ("none", "mean", "sum"),
) -> Problem:
    """Broadcast input, target (and ``extra`` tensors) like torch, and flatten them.

    Every element is its own unit, so the canonical arrays are 1-D.  ``weight``,
    where the loss takes one, must have exactly the input's shape, as torch
    requires; it is broadcast to the output like torch does.
    """
    check_reduction(reduction, reductions)
    arrays = {"input": as_float("input", input), "target": as_float("target", target)}
    for name, value in (extra or {}).items():
        arrays[name] = as_float(name, value)
    shape = check_broadcast("target", arrays["target"], "input", arrays["input"])
    for name in extra or {}:
        shape = check_broadcast(name, arrays[name], "input", np.empty(shape))
    if weight is not None:
        w = as_float("weight", weight)
        if w.shape != arrays["input"].shape:
            raise LossInputError("shape", "weight", fmt_shape(w.shape), fmt_shape(arrays["input"].shape),
                                 f"weight shape {fmt_shape(w.shape)} does not match input shape "
                                 f"{fmt_shape(arrays['input'].shape)}")
        arrays["weight"] = np.broadcast_to(w, shape)
        params = dict(params or {}, weight_total=float(w.sum()))
    original_shapes = {name: arr.shape for name, arr in arrays.items()}
    layouts = {}
    canonical = {}
    for name, arr in arrays.items():
        if arr.shape != shape:
            layouts[name] = broadcast_layout(arr.shape, shape).ravel()
        canonical[name] = np.broadcast_to(arr, shape).ravel()
    return Problem(
        arrays=canonical,
        params=dict(params or {}, reduction=reduction),
        reduction=reduction,
        none_shape=tuple(shape),
        unit_axes={name: 0 for name in canonical},
        original_shapes=original_shapes,
        differentiable=differentiable,
        layouts=layouts,
    )


def weight_sum_scale(params: dict):
    """torch's l1/mse 'mean' with a weight divides the weighted sum by the sum of the (unbroadcast) weights."""
    if "weight_total" not in params:
        return None
    with np.errstate(divide="ignore"):
        return np.float64(1.0) / params["weight_total"]
