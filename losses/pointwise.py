"""Preparation shared by the losses that act element by element on (input, target)."""

from __future__ import annotations

import numpy as np

from ._core import Problem, broadcast_canonical
from .validation import LossInputError, as_float, check_broadcast, check_reduction, check_same_shape, fmt_shape


def broadcast_to_input(name: str, value, shape: tuple) -> np.ndarray:
    """A weight that must broadcast to the input's shape without enlarging it (torch multiplies in place)."""
    arr = as_float(name, value)
    broadcast = check_broadcast(name, arr, "input", np.empty(shape))
    if tuple(broadcast) != tuple(shape):
        raise LossInputError("shape", name, fmt_shape(arr.shape), f"broadcastable to {fmt_shape(shape)}",
                             f"{name} shape {fmt_shape(arr.shape)} would broadcast the output to "
                             f"{fmt_shape(broadcast)}, but it must broadcast to input shape {fmt_shape(shape)}")
    return arr


def prepare_pointwise(
    input,
    target,
    reduction: str,
    *,
    weight=None,
    params: dict | None = None,
    extra: dict | None = None,
    to_input: dict | None = None,
    same_shape: bool = False,
    differentiable: tuple = ("input",),
    reductions: tuple = ("none", "mean", "sum"),
) -> Problem:
    """Broadcast input, target (and ``extra`` tensors) like torch, and flatten them.

    Every element is its own unit, so the canonical arrays are 1-D.  ``weight``, where the loss takes
    one as l1/mse/huber do, must have exactly the input's shape, as torch requires; it is broadcast to
    the output like torch does, and its sum is kept for the weighted mean.  ``to_input`` tensors (the
    weights of the binary losses; None values skipped) must broadcast to the input's shape without
    enlarging it.  ``same_shape`` refuses a target of another shape, as torch's binary losses do (they
    deprecated broadcasting input against target).
    """
    check_reduction(reduction, reductions)
    arrays = {"input": as_float("input", input), "target": as_float("target", target)}
    for name, value in (extra or {}).items():
        arrays[name] = as_float(name, value)
    if same_shape:
        check_same_shape("target", arrays["target"], "input", arrays["input"])
        shape = arrays["input"].shape
    else:
        shape = check_broadcast("target", arrays["target"], "input", arrays["input"])
    for name in extra or {}:
        shape = check_broadcast(name, arrays[name], "input", np.empty(shape))
    for name, value in (to_input or {}).items():
        if value is not None:
            arrays[name] = broadcast_to_input(name, value, arrays["input"].shape)
    if weight is not None:
        w = as_float("weight", weight)
        if w.shape != arrays["input"].shape:
            raise LossInputError("shape", "weight", fmt_shape(w.shape), fmt_shape(arrays["input"].shape),
                                 f"weight shape {fmt_shape(w.shape)} does not match input shape "
                                 f"{fmt_shape(arrays['input'].shape)}")
        arrays["weight"] = np.broadcast_to(w, shape)
        params = dict(params or {}, weight_total=float(w.sum()))
    canonical, layouts = broadcast_canonical(arrays, shape)
    return Problem.from_canonical(canonical, arrays, reduction=reduction, none_shape=shape,
                                  params=dict(params or {}, reduction=reduction),
                                  differentiable=differentiable, layouts=layouts)


def weight_sum_scale(params: dict):
    """torch's l1/mse 'mean' with a weight divides the weighted sum by the sum of the (unbroadcast) weights."""
    if "weight_total" not in params:
        return None
    with np.errstate(divide="ignore"):
        return np.float64(1.0) / params["weight_total"]
