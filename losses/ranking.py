"""Ranking and embedding losses: margins between scores, and distances between embeddings.

These losses compare predictions with each other rather than with a target
value: a score should beat another score by a margin, an embedding should be
closer to one embedding than to another.  Their targets are signs (+1 / -1) or
class indices.  torch does not check that sign targets are really +1 or -1, so
neither do we: every target torch accepts gives torch's number (a hinge
embedding target of 0, for instance, adds both branches).

Each loss mirrors torch 2.13's C++ kernel, including where the gradient goes at
the kinks of the hinges: ``clamp_min`` passes the gradient when its argument
is exactly zero, while the hand-written multi-class kernels
(multilabel_margin_loss, multi_margin_loss) count a term only when it is
strictly positive.
"""

from __future__ import annotations

import math

import numpy as np

from ._core import Problem, Unreduced, broadcast_layout, loss_function
from .pointwise import prepare_pointwise
from .spec import Argument, LossSpec, Parameter, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    as_int,
    check_class_indices,
    check_reduction,
    fmt_shape,
)

__all__ = [
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "multilabel_margin_loss",
    "soft_margin_loss",
    "cosine_embedding_loss",
    "multi_margin_loss",
    "triplet_margin_loss",
]

# torch's cosine_embedding_loss adds this to each squared norm (ATen's EPSILON in Loss.cpp).
COSINE_EPS = 1e-12


# ---------------------------------------------------------------- helpers


def _scalar(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise LossInputError("not_numeric", name, repr(value), "a number",
                             f"{name} must be a number, found {value!r}") from exc


def _broadcast(named: list) -> tuple:
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


def _same_ndim(named: list) -> None:
    """torch's margin_ranking_loss and triplet_margin_loss want equal numbers of dimensions (then broadcast)."""
    if len({arr.ndim for _, arr in named}) > 1:
        listed = ", ".join(f"{name} {fmt_shape(arr.shape)}" for name, arr in named)
        names = ", ".join(name for name, _ in named)
        raise LossInputError("ndim", named[1][0], listed, "the same number of dimensions",
                             f"{names} must have the same number of dimensions, found {listed}")


def _hinge_slope(u: np.ndarray) -> np.ndarray:
    """d max(u, 0)/du as torch's clamp_min gives it: 1 where u >= 0, so the kink u = 0 passes the gradient."""
    return (u >= 0).astype(np.float64)


def _sum_to_width(grad: np.ndarray, width: int) -> np.ndarray:
    """Sum a (U, D) gradient back onto a (U, 1) argument that numpy broadcast along the feature axis."""
    if grad.shape[-1] != width:
        return grad.sum(axis=-1, keepdims=True)
    return grad


# ------------------------------------------------------- margin ranking


def _margin_ranking_compute(arrays: dict, params: dict) -> Unreduced:
    x1, x2, y = arrays["input1"], arrays["input2"], arrays["target"]
    u = -y * (x1 - x2) + params["margin"]
    values = np.maximum(u, 0.0)
    slope = _hinge_slope(u) * y

    def backward(g):
        return {"input1": -g * slope, "input2": g * slope}

    return Unreduced(values, backward)


@loss_function(_margin_ranking_compute)
def margin_ranking_loss(input1, input2, target, margin=0, reduction="mean"):
    r"""Margin ranking loss, ``torch.nn.functional.margin_ranking_loss``.

    Unreduced: :math:`\ell_i = \max(0, -y_i (x^{(1)}_i - x^{(2)}_i) + \text{margin})`:
    with :math:`y_i = 1` the first score should exceed the second by the margin,
    with :math:`y_i = -1` the other way round.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input1, input2 and target ``(*)`` with the same number of dimensions
    (torch refuses otherwise), broadcast together; output the broadcast shape
    for 'none', else a scalar.
    Gradient: :math:`\mp y_i` for input1/input2 where the hinge is active; at the
    kink (argument exactly 0) torch's clamp_min still passes the gradient, and so do we.
    """
    check_reduction(reduction)
    arrays = {"input1": as_float("input1", input1), "input2": as_float("input2", input2),
              "target": as_float("target", target)}
    named = list(arrays.items())
    _same_ndim(named)
    shape = _broadcast(named)
    layouts = {name: broadcast_layout(arr.shape, shape).ravel() for name, arr in named if arr.shape != shape}
    return Problem(
        arrays={name: np.broadcast_to(arr, shape).ravel() for name, arr in named},
        params={"margin": _scalar("margin", margin)},
        reduction=reduction,
        none_shape=shape,
        unit_axes={name: 0 for name in arrays},
        original_shapes={name: arr.shape for name, arr in named},
        differentiable=("input1", "input2"),
        layouts=layouts,
    )


# ------------------------------------------------------- hinge embedding


def _hinge_embedding_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    # torch adds two masked branches, so a target that is neither 1 nor -1 gets both:
    # max(0, margin - x) + x.
    not_pos = y != 1
    not_neg = y != -1
    u = params["margin"] - x
    values = np.where(not_pos, np.maximum(u, 0.0), 0.0) + np.where(not_neg, x, 0.0)
    slope = not_neg.astype(np.float64) - not_pos * _hinge_slope(u)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_hinge_embedding_compute)
def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    r"""Hinge embedding loss, ``torch.nn.functional.hinge_embedding_loss``.

    ``input`` is usually a distance between two embeddings.  Unreduced:
    :math:`\ell_i = x_i` if :math:`y_i = 1` (similar pairs are pulled together),
    :math:`\ell_i = \max(0, \text{margin} - x_i)` if :math:`y_i = -1` (dissimilar
    pairs are pushed beyond the margin).  torch computes
    ``where(y != 1, max(0, margin - x), 0) + where(y != -1, x, 0)``, so any other
    target value gives :math:`\max(0, \text{margin} - x_i) + x_i`; we do the same.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable with it; output the broadcast
    shape for 'none', else a scalar.
    Gradient: 1 for :math:`y = 1`, -1 inside the margin for :math:`y = -1`; at the
    kink :math:`x = \text{margin}` torch's clamp_min passes the gradient (-1), as here.
    """
    return prepare_pointwise(input, target, reduction, params={"margin": _scalar("margin", margin)})


# ------------------------------------------------------- soft margin


def _soft_margin_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    z = -y * x
    e = np.exp(z)
    # log(1 + e^z) is softplus(z); logaddexp(0, z) computes it without forming e^z.  torch,
    # however, evaluates log1p(exp(z)) literally, which overflows to inf once z > log(DBL_MAX)
    # ≈ 709.78; we give torch's inf there rather than the finite z.
    values = np.where(np.isposinf(e), np.inf, np.logaddexp(0.0, z))
    # torch's backward is -y e^z / (1 + e^z), computed as written: nan where e^z overflowed.
    slope = -y * e / (1.0 + e)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_soft_margin_compute)
def soft_margin_loss(input, target, reduction="mean"):
    r"""Soft margin loss (two-class logistic loss), ``torch.nn.functional.soft_margin_loss``.

    Unreduced: :math:`\ell_i = \log(1 + e^{-y_i x_i})`, with targets :math:`y_i = \pm 1`.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``; target must broadcast *to* input's shape (torch writes
    the result into a tensor of input's shape and refuses a larger target);
    output input's shape for 'none', else a scalar.
    Gradient: :math:`-y_i\,\sigma(-y_i x_i)`; smooth, no kink.  Like torch, the
    value overflows to inf and the gradient to nan once :math:`-y_i x_i > 709.78`.
    """
    check_reduction(reduction)
    x = as_float("input", input)
    y = as_float("target", target)
    try:
        fits = np.broadcast_shapes(x.shape, y.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise LossInputError("shape", "target", fmt_shape(y.shape), f"broadcastable to {fmt_shape(x.shape)}",
                             f"target shape {fmt_shape(y.shape)} cannot be broadcast to input shape "
                             f"{fmt_shape(x.shape)}")
    return prepare_pointwise(x, y, reduction)


# ------------------------------------------------------- multilabel margin


def _multilabel_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    n, c = x.shape
    # Only the labels before the first -1 count; entries after it are ignored.
    valid = np.logical_and.accumulate(t >= 0, axis=1)
    label = np.where(valid, t, 0)
    flat = np.arange(n)[:, None] * c + label  # flat (sample, class) index of each label slot
    is_target = np.bincount(flat[valid], minlength=n * c).reshape(n, c) > 0
    x_label = np.take_along_axis(x, label, axis=1)  # x[y_j]; padding slots are masked below
    z = 1.0 - x_label[:, :, None] + x[:, None, :]  # (N, J, I)
    active = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
    # Sums over the short J and I axes with einsum: numpy's ufunc reductions are slow on tiny axes.
    values = np.einsum("nji->n", np.where(active, z, 0.0)) / c
    active = active.astype(np.float64)
    count_i = np.einsum("nji->ni", active)  # how often x[i] sits inside a label's margin
    count_j = np.einsum("nji->nj", active)  # how many non-labels label slot j has inside its margin

    def backward(g):
        down = np.bincount(flat.ravel(), weights=count_j.ravel(), minlength=n * c).reshape(n, c)
        return {"input": (g / c)[:, None] * (count_i - down)}

    return Unreduced(values, backward)


def _class_scores(name: str, x: np.ndarray, loss: str) -> None:
    """The (C) or (N, C) input of the multi-class margin losses; torch refuses empty class axes and more dims."""
    if not ((x.ndim == 2 and x.shape[1] != 0) or (x.ndim == 1 and x.shape[0] != 0) or x.ndim == 0):
        raise LossInputError("ndim", name, fmt_shape(x.shape), "(C) or (N, C) with C > 0",
                             f"{loss} wants {name} of shape (C) or (N, C) with at least one class, "
                             f"found shape {fmt_shape(x.shape)}")


@loss_function(_multilabel_compute)
def multilabel_margin_loss(input, target, reduction="mean"):
    r"""Multi-label margin loss, ``torch.nn.functional.multilabel_margin_loss``.

    ``target`` lists each sample's label indices and is padded with -1: only the
    entries before the first -1 are labels.  With :math:`J` those labels and
    :math:`C` classes, unreduced (per sample):

    .. math:: \ell = \frac{1}{C} \sum_{j \in J} \sum_{i \notin J} \max(0, 1 - (x_{y_j} - x_i))

    every label should beat every non-label by a margin of 1.  A label listed
    twice counts twice, as in torch.  'mean' averages over the samples, 'sum' adds.

    Shape: input ``(C)`` or ``(N, C)`` (also a 0-d input, one class), target of the
    same shape with integers in [-1, C-1] (torch checks every entry, also those after
    the first -1); output ``(N)`` for 'none' (a scalar when unbatched), else a scalar.
    Gradient: +1/C on :math:`x_i` and -1/C on :math:`x_{y_j}` per active term; a
    term exactly at its kink (:math:`x_{y_j} - x_i = 1`) counts as inactive, as in torch's kernel.
    """
    check_reduction(reduction)
    x = as_float("input", input)
    t = as_int("target", target)
    _class_scores("input", x, "multilabel_margin_loss")
    if x.ndim <= 1:
        c = x.size
        if t.ndim > 1 or t.size != c:
            raise LossInputError("shape", "target", fmt_shape(t.shape), f"({c},)",
                                 f"target shape {fmt_shape(t.shape)} does not match input shape "
                                 f"{fmt_shape(x.shape)}: an unbatched input wants {c} target entries")
        n, none_shape = 1, ()
    else:
        n, c = x.shape
        if t.shape != x.shape:
            raise LossInputError("shape", "target", fmt_shape(t.shape), fmt_shape(x.shape),
                                 f"target shape {fmt_shape(t.shape)} does not match input shape "
                                 f"{fmt_shape(x.shape)}")
        none_shape = (n,)
    ok = (t >= -1) & (t < c)
    if not np.all(ok):
        bad = int(t[~ok].flat[0])
        raise LossInputError("class_index", "target", bad, f"[-1, {c - 1}]",
                             f"target holds label index {bad}, outside [-1, {c - 1}] for {c} classes "
                             f"(-1 ends a sample's list of labels)")
    return Problem(
        arrays={"input": x.reshape(n, c), "target": t.reshape(n, c)},
        params={},
        reduction=reduction,
        none_shape=none_shape,
        unit_axes={"input": 0, "target": 0},
        original_shapes={"input": x.shape, "target": t.shape},
        differentiable=("input",),
    )


# ------------------------------------------------------- cosine embedding


def _cosine_compute(arrays: dict, params: dict) -> Unreduced:
    a, b, y = arrays["input1"], arrays["input2"], arrays["target"]
    dot = (a * b).sum(axis=-1)
    # torch adds 1e-12 to each squared norm, so a zero vector gives cos = 0 (not nan) and a
    # large but finite gradient.  When the feature axes broadcast (D vs 1), torch takes each
    # norm over the tensor as given, so cos can leave [-1, 1]; we do the same.
    sq1 = (a * a).sum(axis=-1) + COSINE_EPS
    sq2 = (b * b).sum(axis=-1) + COSINE_EPS
    denom = np.sqrt(sq1 * sq2)
    cos = dot / denom
    pos = y == 1
    neg = y == -1
    u = cos - params["margin"]
    values = np.where(pos, 1.0 - cos, 0.0) + np.where(neg, np.maximum(u, 0.0), 0.0)
    dcos = np.where(neg, _hinge_slope(u), 0.0) - pos

    def backward(g):
        gc = (g * dcos)[:, None]
        c = cos[:, None]
        # d cos/d a = b/denom - cos a/|a|^2, and symmetrically for b.  Only the dot product
        # sees the feature broadcast, so only its term is summed back onto a width-1 argument.
        da = _sum_to_width(gc * b / denom[:, None], a.shape[-1]) - gc * c * a / sq1[:, None]
        db = _sum_to_width(gc * a / denom[:, None], b.shape[-1]) - gc * c * b / sq2[:, None]
        return {"input1": da, "input2": db}

    return Unreduced(values, backward)


@loss_function(_cosine_compute)
def cosine_embedding_loss(input1, input2, target, margin=0, reduction="mean"):
    r"""Cosine embedding loss, ``torch.nn.functional.cosine_embedding_loss``.

    With :math:`\cos_i = \langle a_i, b_i\rangle / \sqrt{(\|a_i\|^2 + \epsilon)(\|b_i\|^2 + \epsilon)}`
    and torch's :math:`\epsilon = 10^{-12}`, unreduced:
    :math:`\ell_i = 1 - \cos_i` if :math:`y_i = 1`,
    :math:`\ell_i = \max(0, \cos_i - \text{margin})` if :math:`y_i = -1`, and 0 for any other target.
    'mean': :math:`\sum_i \ell_i / N`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input1, input2 ``(N, D)`` with target ``(N)``, or ``(D)`` with a 0-d
    target (torch refuses other combinations); the three broadcast along N and
    the inputs along D; output ``(N)`` for 'none' (a scalar when unbatched), else a scalar.
    Gradient: the epsilon keeps it finite at a zero vector, where it is
    :math:`\pm b/\sqrt{\epsilon\,(\|b\|^2+\epsilon)}` (huge), exactly as torch's
    autograd gives it.  At the kink :math:`\cos_i = \text{margin}` the gradient
    passes (torch's clamp_min).
    """
    check_reduction(reduction)
    a = as_float("input1", input1)
    b = as_float("input2", input2)
    y = as_float("target", target)
    if y.ndim > 1:
        raise LossInputError("ndim", "target", fmt_shape(y.shape), "0-D or 1-D",
                             f"target must be 0-D (one pair) or 1-D (a batch of pairs), found shape "
                             f"{fmt_shape(y.shape)}")
    want = y.ndim + 1
    for name, arr in (("input1", a), ("input2", b)):
        if arr.ndim != want:
            raise LossInputError("ndim", name, fmt_shape(arr.shape), f"{want}-D",
                                 f"a {y.ndim}-D target {fmt_shape(y.shape)} wants {want}-D input1 and "
                                 f"input2, found input1 {fmt_shape(a.shape)} and input2 {fmt_shape(b.shape)}")
    _broadcast([("input1", a), ("input2", b)])
    if y.ndim == 0:
        n = 1
        none_shape = ()
        canonical = {"input1": a[None], "input2": b[None], "target": y[None]}
        layouts = {}
    else:
        try:
            (n,) = np.broadcast_shapes(a.shape[:1], b.shape[:1], y.shape)
        except ValueError as exc:
            raise LossInputError("shape", "target", fmt_shape(y.shape),
                                 f"({max(a.shape[0], b.shape[0])},)",
                                 f"target shape {fmt_shape(y.shape)} does not match the batch of input1 "
                                 f"{fmt_shape(a.shape)} and input2 {fmt_shape(b.shape)}") from exc
        none_shape = (n,)
        canonical, layouts = {}, {}
        for name, arr in (("input1", a), ("input2", b), ("target", y)):
            shape = (n,) + arr.shape[1:]
            canonical[name] = np.broadcast_to(arr, shape)
            if arr.shape != shape:
                layouts[name] = broadcast_layout(arr.shape, shape)
    return Problem(
        arrays=canonical,
        params={"margin": _scalar("margin", margin)},
        reduction=reduction,
        none_shape=none_shape,
        unit_axes={"input1": 0, "input2": 0, "target": 0},
        original_shapes={"input1": a.shape, "input2": b.shape, "target": y.shape},
        differentiable=("input1", "input2"),
        layouts=layouts,
    )


# ------------------------------------------------------- multi margin


def _multi_margin_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    n, c = x.shape
    rows = np.arange(n)
    z = params["margin"] - x[rows, t][:, None] + x  # (N, C)
    # The target class itself is skipped; torch's kernel counts a term only when z > 0.
    active = (z > 0) & (np.arange(c) != t[:, None])
    w = arrays["weight"][t] if "weight" in arrays else np.ones(n)
    if params["p"] == 1:
        h, dh = z, np.ones_like(z)
    else:
        h, dh = z * z, 2.0 * z
    values = w * np.where(active, h, 0.0).sum(axis=1) / c
    slope = np.where(active, dh, 0.0) * (w / c)[:, None]

    def backward(g):
        grad = g[:, None] * slope
        grad[rows, t] -= grad.sum(axis=1)
        return {"input": grad}

    return Unreduced(values, backward)


@loss_function(_multi_margin_compute)
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""Multi-class hinge loss, ``torch.nn.functional.multi_margin_loss``.

    Unreduced (per sample with target class :math:`y` among :math:`C`):

    .. math:: \ell = \frac{w_y}{C} \sum_{i \ne y} \max(0, \text{margin} - x_y + x_i)^p

    with :math:`p \in \{1, 2\}` and :math:`w_y = 1` without a weight.  The weight
    multiplies the whole hinge term (the notes put it inside the power, which
    differs for p = 2).  'mean' averages over the samples (not a weighted mean),
    'sum' adds.

    Shape: input ``(C)`` or ``(N, C)`` (also a 0-d input, one class); target 1-D
    ``(N)`` or 0-d when unbatched, class indices in [0, C-1]; weight ``(C)``;
    output target's shape for 'none', else a scalar.
    Gradient: per active term, :math:`w_y p\,h^{p-1}/C` on :math:`x_i` and its
    negative on :math:`x_y`; a term exactly at its kink counts as inactive (torch's kernel).
    """
    check_reduction(reduction)
    if p not in (1, 2):
        raise LossInputError("choice", "p", repr(p), (1, 2), f"p={p!r} is not supported: only p = 1 and p = 2")
    x = as_float("input", input)
    t = as_int("target", target)
    _class_scores("input", x, "multi_margin_loss")
    n = x.shape[0] if x.ndim == 2 else 1
    c = x.shape[-1] if x.ndim else 1
    if t.ndim > 1 or t.size != n:
        raise LossInputError("shape", "target", fmt_shape(t.shape), f"({n},)",
                             f"target shape {fmt_shape(t.shape)} does not fit input shape {fmt_shape(x.shape)}: "
                             f"multi_margin_loss wants one class index per sample, a 1-D target of size {n}")
    arrays = {"input": x.reshape(n, c), "target": t.reshape(n)}
    shapes = {"input": x.shape, "target": t.shape}
    if weight is not None:
        w = as_float("weight", weight)
        if w.ndim != 1 or w.size != c:
            raise LossInputError("shape", "weight", fmt_shape(w.shape), f"({c},)",
                                 f"weight shape {fmt_shape(w.shape)} does not fit input shape "
                                 f"{fmt_shape(x.shape)}: weight must be 1-D with one entry per class ({c})")
        arrays["weight"] = w
        shapes["weight"] = w.shape
    check_class_indices("target", t, c)
    return Problem(
        arrays=arrays,
        params={"p": int(p), "margin": _scalar("margin", margin)},
        reduction=reduction,
        none_shape=t.shape,
        unit_axes={"input": 0, "target": 0, "weight": None},
        original_shapes=shapes,
        differentiable=("input",),
    )


# ------------------------------------------------------- triplet margin


def _norm(d: np.ndarray, p: float):
    """torch's vector p-norm over the last axis, and its backward as torch's autograd writes it."""
    a = np.abs(d)
    if p == 0:
        norm = (d != 0).sum(axis=-1).astype(np.float64)
        return norm, lambda g: np.zeros_like(d)  # torch: no gradient through a count
    if p == 1:
        return a.sum(axis=-1), lambda g: np.sign(d) * g[:, None]
    if p == 2:
        norm = np.sqrt((d * d).sum(axis=-1))
        # The norm has no gradient at the zero vector; torch takes it as 0 there.
        return norm, lambda g: g[:, None] * np.where(norm[:, None] == 0, 0.0, d / norm[:, None])
    if math.isinf(p):
        norm = a.max(axis=-1) if p > 0 else a.min(axis=-1)

        def backward_inf(g):
            # Ties share the gradient equally; torch also routes it to nan entries.
            mask = (a == norm[:, None]) | np.isnan(a)
            return np.sign(d) * (g / mask.sum(axis=-1))[:, None] * mask

        return norm, backward_inf
    norm = (a ** p).sum(axis=-1) ** (1.0 / p)
    if p < 1:
        def backward_small(g):
            # |d|^(p-1) is infinite at 0 for p < 1: torch zeroes those entries.
            scaled = np.sign(d) * np.where(d == 0, 0.0, a ** (p - 1))
            return scaled * (g * norm ** (1 - p))[:, None]

        return norm, backward_small

    def backward_large(g):
        scaled = np.sign(d) * a ** (p - 1)
        scale = np.where(norm == 0, 0.0, g / norm ** (p - 1))
        return scaled * scale[:, None]

    return norm, backward_large


def _triplet_compute(arrays: dict, params: dict) -> Unreduced:
    anchor, positive, negative = arrays["anchor"], arrays["positive"], arrays["negative"]
    p, eps = params["p"], params["eps"]
    # pairwise_distance adds eps to the difference itself (not to the norm): ||x1 - x2 + eps||_p.
    d_pos, back_pos = _norm(anchor - positive + eps, p)
    d_neg, back_neg = _norm(anchor - negative + eps, p)
    if params["swap"]:
        d_swap, back_swap = _norm(positive - negative + eps, p)
        nearest = np.minimum(d_neg, d_swap)
    else:
        nearest = d_neg
    u = params["margin"] + d_pos - nearest
    values = np.maximum(u, 0.0)
    slope = _hinge_slope(u)

    def backward(g):
        gu = g * slope
        g_pos = back_pos(gu)
        if params["swap"]:
            # torch's minimum splits the gradient in half on a tie.
            share = np.where(d_neg == d_swap, 0.5, 1.0)
            g_neg = back_neg(np.where(d_neg > d_swap, 0.0, -gu * share))
            g_swap = back_swap(np.where(d_neg < d_swap, 0.0, -gu * share))
        else:
            g_neg = back_neg(-gu)
            g_swap = 0.0
        return {"anchor": g_pos + g_neg, "positive": g_swap - g_pos, "negative": -g_neg - g_swap}

    return Unreduced(values, backward)


@loss_function(_triplet_compute)
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction="mean"):
    r"""Triplet margin loss, ``torch.nn.functional.triplet_margin_loss``.

    With :math:`d(u, v) = \|u - v + \epsilon\|_p` (torch's pairwise_distance adds
    eps to every component of the difference), unreduced:

    .. math:: \ell_i = \max(0, \text{margin} + d(a_i, p_i) - d(a_i, n_i))

    the anchor should be closer to the positive than to the negative by the
    margin.  With ``swap=True`` the negative distance is
    :math:`\min(d(a_i, n_i), d(p_i, n_i))` (the positive may be the closer one to
    the negative).  'mean': :math:`\sum_i \ell_i / N`; 'sum': :math:`\sum_i \ell_i`.

    Shape: anchor, positive, negative ``(N, D)`` or unbatched ``(D)`` (more leading
    dims work too), with the same number of dimensions (torch refuses otherwise),
    broadcast together; the distance runs over the last axis; output ``(N)`` for
    'none' (a scalar when unbatched), else a scalar.  margin must be > 0.
    Gradient: torch's norm backward (0 at a zero difference; ties of the max
    share it for p = inf); at the kink (argument exactly 0) torch's clamp_min
    passes the gradient, and on a swap tie torch's minimum gives each distance half.
    """
    check_reduction(reduction)
    margin = _scalar("margin", margin)
    if margin <= 0:
        raise LossInputError("range", "margin", margin, "(0, inf)",
                             f"margin={margin} is outside (0, inf): triplet_margin_loss wants a positive margin")
    arrays = {"anchor": as_float("anchor", anchor), "positive": as_float("positive", positive),
              "negative": as_float("negative", negative)}
    named = list(arrays.items())
    _same_ndim(named)
    shape = _broadcast(named)
    width = shape[-1] if shape else 1
    units = int(np.prod(shape[:-1], dtype=np.int64)) if shape else 1
    canonical, layouts = {}, {}
    for name, arr in named:
        canonical[name] = np.broadcast_to(arr, shape).reshape(units, width)
        if arr.shape != shape:
            layouts[name] = broadcast_layout(arr.shape, shape).reshape(units, width)
    return Problem(
        arrays=canonical,
        params={"margin": margin, "p": _scalar("p", p), "eps": _scalar("eps", eps), "swap": bool(swap)},
        reduction=reduction,
        none_shape=shape[:-1],
        unit_axes={name: 0 for name in arrays},
        original_shapes={name: arr.shape for name, arr in named},
        differentiable=("anchor", "positive", "negative"),
        layouts=layouts,
    )


# ------------------------------------------------------- registry


def _margin(default: float, *, positive: bool = False) -> Parameter:
    if positive:
        return Parameter("margin", "float", default, low=0.0, low_open=True, ui_high=3.0)
    return Parameter("margin", "float", default, ui_high=3.0)


SOURCES = ("zh-reference",)

SPECS = (
    LossSpec(
        id="margin_ranking_loss",
        family="ranking",
        title={"en": "Margin ranking loss", "zh": "间隔排序损失"},
        torch_class="MarginRankingLoss",
        reference="torch.nn.functional.margin_ranking_loss",
        sources=SOURCES,
        arguments=(
            Argument("input1", "prediction", "float", "(N) or ()"),
            Argument("input2", "prediction", "float", "(N) or (), same dims as input1"),
            Argument("target", "target", "float", "(N) or (), same dims as input1", domain="sign"),
        ),
        parameters=(_margin(0.0), reduction_parameter()),
        # Pair 1 is ranked right by a wide margin, pair 2 wrongly, pair 3 right but inside the margin.
        example={"input1": [0.9, 0.2, 0.3], "input2": [0.1, 0.6, 0.4], "target": [1.0, 1.0, -1.0],
                 "margin": 0.2},
        function=margin_ranking_loss,
    ),
    LossSpec(
        id="hinge_embedding_loss",
        family="ranking",
        title={"en": "Hinge embedding loss", "zh": "合页嵌入损失"},
        torch_class="HingeEmbeddingLoss",
        reference="torch.nn.functional.hinge_embedding_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(*), usually a distance"),
            Argument("target", "target", "float", "(*), broadcastable with input", domain="sign"),
        ),
        parameters=(_margin(1.0), reduction_parameter()),
        # A similar pair at distance 0.3, dissimilar pairs at 1.5 (beyond the margin) and 0.4 (inside it).
        example={"input": [0.3, 1.5, 0.4], "target": [1.0, -1.0, -1.0]},
        function=hinge_embedding_loss,
    ),
    LossSpec(
        id="multilabel_margin_loss",
        family="ranking",
        title={"en": "Multi-label margin loss", "zh": "多标签间隔损失"},
        torch_class="MultiLabelMarginLoss",
        reference="torch.nn.functional.multilabel_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(C) or (N, C)"),
            Argument("target", "target", "int", "same shape as input, label indices padded with -1",
                     domain="label_index"),
        ),
        parameters=(reduction_parameter(),),
        # Sample 1 has labels 3 and 0 (torch's documentation example, 0.85); sample 2 has label 2 only:
        # the entries after its -1 are ignored.
        example={"input": [[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.5, 0.1]], "target": [[3, 0, -1, 1], [2, -1, 0, 0]]},
        function=multilabel_margin_loss,
    ),
    LossSpec(
        id="soft_margin_loss",
        family="ranking",
        title={"en": "Soft margin loss (two-class logistic)", "zh": "软间隔损失（二分类 logistic）"},
        torch_class="SoftMarginLoss",
        reference="torch.nn.functional.soft_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(*)"),
            Argument("target", "target", "float", "(*), broadcastable to input's shape", domain="sign"),
        ),
        parameters=(reduction_parameter(),),
        # Right and confident, right but unsure, wrong: losses 0.37, 0.97, 2.13.
        example={"input": [0.8, 0.5, -1.9], "target": [1.0, -1.0, 1.0]},
        function=soft_margin_loss,
    ),
    LossSpec(
        id="cosine_embedding_loss",
        family="ranking",
        title={"en": "Cosine embedding loss", "zh": "余弦嵌入损失"},
        torch_class="CosineEmbeddingLoss",
        reference="torch.nn.functional.cosine_embedding_loss",
        sources=SOURCES,
        arguments=(
            Argument("input1", "prediction", "float", "(N, D) or (D)"),
            Argument("input2", "prediction", "float", "(N, D) or (D)"),
            Argument("target", "target", "float", "(N) or ()", domain="sign"),
        ),
        parameters=(_margin(0.0), reduction_parameter()),
        # A similar pair 45° apart (1 - cos = 0.29) and a dissimilar pair that is nearly parallel (cos = 0.96).
        example={"input1": [[1.0, 0.0], [0.6, 0.8]], "input2": [[1.0, 1.0], [0.8, 0.6]], "target": [1.0, -1.0]},
        function=cosine_embedding_loss,
    ),
    LossSpec(
        id="multi_margin_loss",
        family="ranking",
        title={"en": "Multi-class margin (hinge) loss", "zh": "多分类间隔损失（合页）"},
        torch_class="MultiMarginLoss",
        reference="torch.nn.functional.multi_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(C) or (N, C)"),
            Argument("target", "target", "int", "(N) or ()", domain="class_index"),
            Argument("weight", "weight", "float", "(C)", domain="nonnegative", optional=True),
        ),
        parameters=(
            Parameter("p", "choice", 1, choices=(1, 2)),
            _margin(1.0),
            reduction_parameter(),
        ),
        # Sample 1 is torch's documentation example (0.325); sample 2's true class 0 wins, but not by 1.
        example={"input": [[0.1, 0.2, 0.4, 0.8], [0.9, 0.1, 0.5, -0.3]], "target": [3, 0]},
        function=multi_margin_loss,
    ),
    LossSpec(
        id="triplet_margin_loss",
        family="ranking",
        title={"en": "Triplet margin loss", "zh": "三元组间隔损失"},
        torch_class="TripletMarginLoss",
        reference="torch.nn.functional.triplet_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("anchor", "prediction", "float", "(N, D) or (D)"),
            Argument("positive", "prediction", "float", "(N, D) or (D)"),
            Argument("negative", "prediction", "float", "(N, D) or (D)"),
        ),
        parameters=(
            _margin(1.0, positive=True),
            # torch accepts any p (0 counts nonzeros, inf takes the max); the usual ones are 1, 2, 3.
            Parameter("p", "float", 2.0, ui_high=4.0),
            Parameter("eps", "float", 1e-6, ui_high=0.1),
            Parameter("swap", "bool", False),
            reduction_parameter(),
        ),
        # Sample 1: the negative is only 0.5 farther than the positive (loss 0.5); sample 2: farther by
        # 0.91, still inside the margin of 1.
        example={"anchor": [[0.0, 0.0], [1.0, 1.0]], "positive": [[0.0, 1.0], [1.0, 1.5]],
                 "negative": [[1.5, 0.0], [2.0, 2.0]]},
        function=triplet_margin_loss,
    ),
)
