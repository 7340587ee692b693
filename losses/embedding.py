"""Embedding losses: distances and angles between whole vectors, one term per sample.

cosine_embedding_loss pulls similar pairs to the same direction and pushes dissimilar ones past a cosine
margin; triplet_margin_loss wants the anchor closer to the positive than to the negative by a margin.
cosine_embedding_loss follows torch 2.13's graph step by step, so overflowing inputs give torch's nan
(0 * inf) where it gives one; triplet_margin_loss uses torch's norm backward (0 at a zero difference).
"""

from __future__ import annotations

import math

import numpy as np

from ._core import Problem, Unreduced, broadcast_canonical, broadcast_layout, loss_function
from ._margins import SOURCES, broadcast_named, hinge_slope, margin_parameter, same_ndim
from .numerics import COSINE_EPS
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    as_scalar,
    check_flag,
    check_reduction,
    fmt_shape,
)

__all__ = [
    "cosine_embedding_loss",
    "triplet_margin_loss",
]


# --------------------------------------------------------------- helpers


def _sum_to_width(grad: np.ndarray, width: int) -> np.ndarray:
    """Sum a (U, D) gradient back onto a (U, 1) argument that numpy broadcast along the feature axis."""
    if grad.shape[-1] != width:
        return grad.sum(axis=-1, keepdims=True)
    return grad


# Helpers of the landscape surfaces (closed forms over two elements of one unit, see losses._surface).
# A full grid costs a fresh page-faulted allocation besides its arithmetic, so the surfaces write grid
# results into arrays they made themselves and no longer need.


def _into(ufunc, left, right, *scratch):
    """``ufunc(left, right)``, written into the first ``scratch`` array that has the result's shape.

    ``scratch`` lists operands the caller made and no longer needs; the result is fresh otherwise.
    """
    shape = np.broadcast_shapes(np.shape(left), np.shape(right))
    for buffer in scratch:
        if isinstance(buffer, np.ndarray) and buffer.shape == shape:
            return ufunc(left, right, out=buffer)
    return ufunc(left, right)


def _sum_into(terms: list, start: float):
    """``start + sum(terms)`` for arrays the caller no longer needs: the smaller ones first, in the largest."""
    if not terms:
        return start
    *smaller, largest = sorted(terms, key=np.size)
    for term in smaller:
        start = start + term
    return _into(np.add, largest, start, largest)


def _moderate(*arrays) -> bool:
    """Finite, and small enough that no square or sum of squares of them overflows."""
    return all(np.isfinite(arr).all() and (arr.size == 0 or np.abs(arr).max() <= 1e100) for arr in arrays)


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
    dcos = np.where(neg, hinge_slope(u), 0.0) - pos

    def backward(g):
        # Back through torch's own graph, step by step (dot / sqrt(sq1 * sq2)), so that overflowing inputs
        # give torch's nan (0 * inf) too; for finite numbers this is d cos/d a = b/denom - cos a/|a|^2.
        g_cos = g * dcos
        g_dot = g_cos / denom
        g_denom = -g_cos * dot / (denom * denom)
        g_product = g_denom / (2.0 * denom)
        g_sq1, g_sq2 = g_product * sq2, g_product * sq1
        # Only the dot product sees the feature broadcast, so only its term is summed onto a width-1 argument.
        da = _sum_to_width(g_dot[:, None] * b, a.shape[-1]) + 2.0 * g_sq1[:, None] * a
        db = _sum_to_width(g_dot[:, None] * a, b.shape[-1]) + 2.0 * g_sq2[:, None] * b
        return {"input1": da, "input2": db}

    return Unreduced(values, backward)


def _cosine_across(a, b, one, two, scale):
    r"""cos and ``scale`` times its derivatives when ``one`` moves input1[k1] (values U) and ``two`` input2[k2] (V).

    With :math:`C` the dot product over the other coordinates, the dot product is :math:`F + G V`:
    :math:`F = C + b_{k1} U, G = a_{k2}` for two coordinates and :math:`F = C, G = U` for one
    (:math:`\delta = 1`, the :math:`b_{k1}` and :math:`a_{k2}` terms then absent).  With
    :math:`r_1 = (A + U^2)^{-1/2}`, :math:`r_2 = (B + V^2)^{-1/2}` (:math:`A, B` the fixed parts of the
    squared norms, EPS included), :math:`\cos = (F + G V) r_1 r_2` and

    .. math:: \partial_U \cos = r_2 (P + Q V), \quad P = b_{k1} r_1 - U F r_1^3, \quad
              Q = r_1^3 (\delta A - a_{k2} U)
    .. math:: \partial_V \cos = r_1 (G B r_2^3 - F V r_2^3)

    (the derivative of :math:`r` is :math:`-U r^3`; :math:`r_1 - U^2 r_1^3 = A r_1^3`).  Each grid
    then costs one outer product and two in-place updates.  The dot product itself is formed first and
    scaled after, so its sign (the kink of a hinge at margin 0) is that of the exact sum.
    """
    k1, k2 = one.index[1], two.index[1]
    u, v = one.values, two.values
    others = np.ones(len(a), dtype=bool)
    others[[k1, k2]] = False
    c = float(a[others] @ b[others])
    if k1 == k2:
        same, f, g, b1, a2 = 1.0, c, u, 0.0, 0.0
    else:
        b1, a2 = float(b[k1]), float(a[k2])
        same, f, g = 0.0, c + b1 * u, a2
    a_fixed = float(np.delete(a, k1) @ np.delete(a, k1)) + COSINE_EPS
    b_fixed = float(np.delete(b, k2) @ np.delete(b, k2)) + COSINE_EPS
    r1 = 1.0 / np.sqrt(a_fixed + u * u)
    r2 = 1.0 / np.sqrt(b_fixed + v * v)
    r1_cubed, r2_cubed = r1 ** 3, r2 ** 3
    dot = g * v
    cos = _into(np.add, dot, f, dot)  # the dot product
    cos *= r1
    cos *= r2
    slope_part = r1_cubed * (same * a_fixed - a2 * u) * v
    d_one = _into(np.add, slope_part, b1 * r1 - u * f * r1_cubed, slope_part)
    d_one *= scale * r2
    norm_part, dot_part = g * (b_fixed * r2_cubed), f * (v * r2_cubed)
    d_two = _into(np.subtract, norm_part, dot_part, norm_part, dot_part)
    d_two *= scale * r1
    return cos, d_one, d_two


def _cosine_within(own, other, first, second, scale):
    r"""cos and ``scale`` times its derivatives when both elements are coordinates k1, k2 of one input.

    With ``own`` that input (U at k1, V at k2) and ``other`` the fixed one:
    :math:`\cos = (C + b_{k1} U + b_{k2} V)\, r\, r_o` where :math:`r = (A + U^2 + V^2)^{-1/2}` and
    :math:`r_o = \|b\|^{-1}` (EPS in both squared norms), and with :math:`T = \text{dot} \cdot r^2`,
    :math:`\partial_U \cos = r r_o (b_{k1} - U T)`, :math:`\partial_V \cos = r r_o (b_{k2} - V T)`.
    The squared norm is a grid here, so this needs one grid more than two elements across the inputs.
    """
    k1, k2 = first.index[1], second.index[1]
    u, v = first.values, second.values
    others = np.ones(len(own), dtype=bool)
    others[[k1, k2]] = False
    b1, b2 = float(other[k1]), float(other[k2])
    own_fixed = float(own[others] @ own[others]) + COSINE_EPS
    r_other = 1.0 / math.sqrt(float(other @ other) + COSINE_EPS)
    squared = _sum_into([v * v], own_fixed + u * u)
    cos = (float(own[others] @ other[others]) + b1 * u) + b2 * v  # the dot product
    t = cos / squared
    scaled_r = np.sqrt(squared, out=squared)
    np.divide(r_other, scaled_r, out=scaled_r)  # r r_o
    cos *= scaled_r
    scaled_r *= scale
    d_second = np.multiply(t, v)
    np.subtract(b2, d_second, out=d_second)
    d_second *= scaled_r
    t *= u
    d_first = np.subtract(b1, t, out=t)
    d_first *= scaled_r
    return cos, d_first, d_second


def _cosine_surface(problem: Problem, unit: int, first, second, coef):
    """Two elements of one pair (see _cosine_across and _cosine_within for the closed forms).

    The loss is a function of cos alone: ``coef (1 - cos)`` for target 1, ``coef max(0, cos - margin)``
    for target -1 (the kink cos = margin passing the gradient, as clamp_min does) and 0 otherwise.
    Pairs whose feature axes broadcast (D against 1) and non-finite inputs are left to the generic path.
    """
    arrays = problem.arrays
    a, b = arrays["input1"][unit], arrays["input2"][unit]
    target = float(arrays["target"][unit])
    if a.shape != b.shape or not _moderate(a, b, first.values, second.values):
        return None
    if target != 1.0 and target != -1.0:
        return 0.0, 0.0, 0.0
    # d loss / d cos, up to the hinge's mask for target -1
    scale = -coef if target == 1.0 else coef
    if first.name != second.name:
        one, two = (first, second) if first.name == "input1" else (second, first)
        cos, d_one, d_two = _cosine_across(a, b, one, two, scale)
        d_first, d_second = (d_one, d_two) if one is first else (d_two, d_one)
    else:
        own, other = (a, b) if first.name == "input1" else (b, a)
        cos, d_first, d_second = _cosine_within(own, other, first, second, scale)
    if target == 1.0:
        value = np.multiply(cos, -coef, out=cos)
        value += coef
        return value, d_first, d_second
    cos -= problem.params["margin"]
    active = cos >= 0
    d_first *= active
    d_second *= active
    value = np.maximum(cos, 0.0, out=cos)
    value *= coef
    return value, d_first, d_second


@loss_function(_cosine_compute, _cosine_surface)
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
    broadcast_named([("input1", a), ("input2", b)])
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
    return Problem.from_canonical(canonical, {"input1": a, "input2": b, "target": y}, reduction=reduction,
                                  none_shape=none_shape, params={"margin": as_scalar("margin", margin)},
                                  differentiable=("input1", "input2"), layouts=layouts)


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
    slope = hinge_slope(u)

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


def _p_norm_pieces(fixed: np.ndarray, moving: list, p: float):
    r"""A p-norm whose ``moving`` entries are arrays (broadcastable, fresh: they are overwritten), the rest ``fixed``.

    :math:`\|v\|_p = (R + \sum_k |v_k|^p)^{1/p}` with :math:`R = \sum |\text{fixed}|^p` a number, so only
    the moving terms are arrays.  Returns the norm and :math:`\partial \|v\|_p / \partial v_k` per moving
    entry as torch's backward gives it: :math:`v_k / \|v\|_2` for p = 2, :math:`\text{sign}(v_k)` for
    p = 1, else :math:`\text{sign}(v_k) |v_k|^{p-1} \|v\|_p^{1-p} = (|v_k|^p / v_k)\,(\|v\|_p / \|v\|_p^p)`,
    which needs no second power; 0 where :math:`v_k = 0` and at the zero vector (torch's convention).
    """
    if p == 2:
        rest = float(fixed @ fixed)
        total = _sum_into([v * v for v in moving], rest)
        norm = np.sqrt(total, out=total) if isinstance(total, np.ndarray) else np.sqrt(total)
        # The norm vanishes only with R = 0; dividing by inf there gives torch's zero gradient.
        divisor = np.where(norm == 0, np.inf, norm) if rest == 0 else norm
        return norm, [_into(np.divide, v, divisor, v) for v in moving]
    if p == 1:
        norm = _sum_into([np.abs(v) for v in moving], float(np.abs(fixed).sum()))
        return norm, [np.sign(v, out=v) for v in moving]
    rest = float((np.abs(fixed) ** p).sum())
    powers = [np.abs(v) ** p for v in moving]
    total = rest
    for w in sorted(powers, key=np.size):
        total = total + w
    norm = total ** (1.0 / p)
    if rest == 0:  # the zero vector is possible: norm / norm^p is 0/0 there, and torch's gradient 0
        ratio = np.divide(norm, total, out=np.zeros(np.shape(total)), where=total != 0)
    else:
        ratio = _into(np.divide, norm, total, total)
    derivs = []
    for w, v in zip(powers, moving):
        np.divide(w, v, out=w, where=v != 0)  # |v|^p / v; where v = 0, |v|^p = 0 stays
        derivs.append(_into(np.multiply, w, ratio, w))
    return norm, derivs


def _triplet_distance(rows: dict, left: str, right: str, eps: float, chosen: tuple, p: float):
    """d(left, right) = ||left - right + eps||_p of one unit while the chosen elements move.

    Returns the distance (a number, a 1-D array or the grid) and ``(slot, sign, derivative)`` per chosen
    element in the pair: the element's derivative is ``sign * derivative`` (+1 on the left, -1 on the
    right).  Two elements at one coordinate (one on each side) share one derivative, of
    ``x - y + eps``.
    """
    moving = {}
    for slot, element in enumerate(chosen):
        if element.name in (left, right):
            moving.setdefault(element.index[1], []).append(slot)
    fixed = np.delete(rows[left] - rows[right] + eps, list(moving))
    diffs, links = [], []
    for k, slots in moving.items():
        sides = {left: rows[left][k], right: rows[right][k]}
        for slot in slots:
            sides[chosen[slot].name] = chosen[slot].values
        diff = sides[left] - sides[right]  # the grid x - y when both elements sit at this coordinate
        diffs.append(_into(np.add, diff, eps, diff))  # eps after the difference, as torch adds it
        links.append([(slot, 1.0 if chosen[slot].name == left else -1.0) for slot in slots])
    norm, derivs = _p_norm_pieces(fixed, diffs, p)
    return norm, [(slot, sign, deriv) for deriv, link in zip(derivs, links) for slot, sign in link]


def _masked_sum(terms: list, keep: set, active: np.ndarray, coef: float) -> np.ndarray:
    """``coef * active * sum(sign * deriv for sign, deriv in terms)`` as a fresh grid.

    The smaller derivatives are summed first; the grid-sized work happens in the largest one when it is
    a grid that no later sum reads (its id not in ``keep``), else in the array the last addition makes.
    """
    *smaller, (sign, largest) = sorted(terms, key=lambda term: np.size(term[1]))
    partial = 0.0
    for s, deriv in smaller:
        partial = partial + deriv if s > 0 else partial - deriv
    if largest.shape == active.shape and id(largest) not in keep:
        total = largest if sign > 0 else np.negative(largest, out=largest)
        if smaller:
            total += partial
    else:
        total = partial + largest if sign > 0 else partial - largest
    total = _into(np.multiply, total, active, total)
    if coef != 1.0:
        total *= coef
    return total


def _triplet_surface(problem: Problem, unit: int, first, second, coef):
    r"""Two elements of one triplet, for 0 < p < inf.

    Each distance :math:`d = (R + \sum_k |v_k|^p)^{1/p}` has a fixed part :math:`R` and at most two
    moving coordinates :math:`v_k`, each depending on x alone, on y alone or (the same coordinate of
    the pair's two tensors) on :math:`x - y` (``_triplet_distance``); so only the distances that hold
    both elements are grids.  Then :math:`u = \text{margin} + d(a, p) - d_-` with
    :math:`d_- = d(a, n)`, or :math:`\min(d(a, n), d(p, n))` with swap, the value is
    :math:`\text{coef}\max(0, u)` and an element's derivative is
    :math:`\text{coef}\,[u \ge 0] \sum_j w_j\, \partial d_j`, :math:`w = +1` for d(a, p) and :math:`-1`
    for d(a, n), or with swap :math:`-s` and :math:`-(1 - s)` for d(a, n) and d(p, n),
    :math:`s = 1, 1/2, 0` as d(a, n) is below, equal to or above d(p, n) (torch's minimum on ties).
    p = 0, p = inf, p < 0 and non-finite inputs are left to the generic path.
    """
    params = problem.params
    p, eps = params["p"], params["eps"]
    rows = {name: problem.arrays[name][unit] for name in ("anchor", "positive", "negative")}
    if not (0 < p < math.inf and _moderate(*rows.values(), first.values, second.values)):
        return None
    chosen = (first, second)
    pairs = [("anchor", "positive"), ("anchor", "negative")]
    if params["swap"]:
        pairs.append(("positive", "negative"))
    distances = [_triplet_distance(rows, left, right, eps, chosen, p) for left, right in pairs]
    (d_pos, pos_terms), (d_neg, neg_terms) = distances[:2]
    terms = [[], []]
    for slot, sign, deriv in pos_terms:
        terms[slot].append((sign, deriv))
    if params["swap"]:
        d_swap, swap_terms = distances[2]
        share = np.add(d_neg <= d_swap, d_neg < d_swap, dtype=np.float64)
        share *= 0.5
        nearest = np.minimum(d_neg, d_swap)
        for slot, sign, deriv in neg_terms:
            terms[slot].append((-sign, share * deriv))
        for slot, sign, deriv in swap_terms:
            terms[slot].append((-sign, (1.0 - share) * deriv))
    else:
        nearest = d_neg
        for slot, sign, deriv in neg_terms:
            terms[slot].append((-sign, deriv))
    del distances, pos_terms, neg_terms
    # the distances were fresh arrays (or numbers) and are not needed beyond u
    shifted = _into(np.add, d_pos, params["margin"], d_pos)
    u = _into(np.subtract, shifted, nearest, shifted, nearest)
    del nearest, d_neg, d_pos, shifted
    active = u >= 0  # every element moves some distance, so u is the full grid
    value = np.maximum(u, 0.0, out=u)
    if coef != 1.0:
        value *= coef
    # A grid derivative shared by both elements is read by the first and overwritten by the second.
    grads = []
    for slot in (0, 1):
        later = {id(deriv) for _, deriv in terms[slot + 1]} if slot == 0 else set()
        grads.append(_masked_sum(terms[slot], later, active, coef))
    return value, grads[0], grads[1]


@loss_function(_triplet_compute, _triplet_surface)
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
    margin = as_scalar("margin", margin)
    if margin <= 0:
        raise LossInputError("range", "margin", margin, "(0, inf)",
                             f"margin={margin} is outside (0, inf): triplet_margin_loss wants a positive margin")
    arrays = {"anchor": as_float("anchor", anchor), "positive": as_float("positive", positive),
              "negative": as_float("negative", negative)}
    named = list(arrays.items())
    same_ndim(named)
    shape = broadcast_named(named)
    width = shape[-1] if shape else 1
    units = int(np.prod(shape[:-1], dtype=np.int64)) if shape else 1
    canonical, layouts = broadcast_canonical(arrays, shape, (units, width))
    params = {"margin": margin, "p": as_scalar("p", p), "eps": as_scalar("eps", eps),
              "swap": check_flag("swap", swap)}
    return Problem.from_canonical(canonical, arrays, reduction=reduction, none_shape=shape[:-1], params=params,
                                  differentiable=("anchor", "positive", "negative"), layouts=layouts)


# ------------------------------------------------------- registry

SPECS = (
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
        parameters=(margin_parameter(0.0), reduction_parameter()),
        # A similar pair 45° apart (1 - cos = 0.29) and a dissimilar pair that is nearly parallel (cos = 0.96).
        example={"input1": [[1.0, 0.0], [0.6, 0.8]], "input2": [[1.0, 1.0], [0.8, 0.6]], "target": [1.0, -1.0]},
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(r"y_n = -1,\ \cos(x^{(1)}_n, x^{(2)}_n) = \mathrm{margin}",),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.cosine_embedding_loss",
        torch_class_tensors=(),
        worked=Worked("cosine_embedding"),
        notes_order=None,
        function=cosine_embedding_loss,
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
            margin_parameter(1.0, positive=True),
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
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(r"\mathrm{margin} + d(a_n, p_n) - d(a_n, n_n) = 0",),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.triplet_margin_loss",
        torch_class_tensors=(),
        worked=Worked("triplet"),
        notes_order=None,
        function=triplet_margin_loss,
    ),
)
