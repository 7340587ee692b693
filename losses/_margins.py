"""What the margin losses (losses.pairwise, losses.multiclass_hinge, losses.embedding) share."""

from __future__ import annotations

import numpy as np

from .spec import Parameter
from .validation import LossInputError, fmt_shape

SOURCES = ("zh-reference",)


def broadcast_named(named: list) -> tuple:
    """The common broadcast shape of ``[(name, array), ...]``; an error names the shapes that clash."""
    shape = named[0][1].shape
    for k, (name, arr) in enumerate(named[1:], start=1):
        try:
            shape = np.broadcast_shapes(shape, arr.shape)
        except ValueError as exc:
            before = [n for n, _ in named[:k]]
            if len(before) == 1:
                other = f"{before[0]} shape {fmt_shape(shape)}"
            else:
                other = f"the shape {fmt_shape(shape)} of {', '.join(before[:-1])} and {before[-1]} broadcast"
            raise LossInputError("shape", name, fmt_shape(arr.shape), f"broadcastable to {fmt_shape(shape)}",
                                 f"{name} shape {fmt_shape(arr.shape)} cannot be broadcast with {other}") from exc
    return tuple(shape)


def same_ndim(named: list) -> None:
    """torch's margin_ranking_loss and triplet_margin_loss want equal numbers of dimensions (then broadcast)."""
    if len({arr.ndim for _, arr in named}) > 1:
        listed = ", ".join(f"{name} {fmt_shape(arr.shape)}" for name, arr in named)
        names = ", ".join(name for name, _ in named)
        raise LossInputError("ndim", named[1][0], listed, "the same number of dimensions",
                             f"{names} must have the same number of dimensions, found {listed}")


def hinge_slope(u: np.ndarray) -> np.ndarray:
    """d max(u, 0)/du as torch's clamp_min gives it: 1 where u >= 0, so the kink u = 0 passes the gradient."""
    return (u >= 0).astype(np.float64)


def margin_parameter(default: float, *, positive: bool = False) -> Parameter:
    if positive:
        return Parameter("margin", "float", default, low=0.0, low_open=True, ui_high=3.0)
    return Parameter("margin", "float", default, ui_high=3.0)
