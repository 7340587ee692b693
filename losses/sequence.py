"""Sequence losses: CTC, which scores an unaligned label sequence against per-frame class scores.

The loss is computed per batch row by one of two algorithms: :mod:`losses.ctc_scaled` (probability domain,
rescaled per frame) where it is exact to rounding, :mod:`losses.ctc_log_space` (torch's formulation) for
the rows that need it.  This module validates the call, dispatches the rows, and draws the landscape.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._core import Problem, Unreduced, loss_function
from .ctc_log_space import NEG_INF, ctc_log_space
from .ctc_scaled import ctc_scaled, needs_log_space
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked, reduction_parameter
from .validation import LossInputError, as_float, as_int, check_flag, check_ndim, check_reduction, fmt_shape

__all__ = ["ctc_loss"]


def _take_rows(arrays: dict, rows: np.ndarray) -> dict:
    """The canonical CTC arrays of some batch rows."""
    if rows.size == arrays["input_lengths"].size:
        return arrays
    return {"log_probs": arrays["log_probs"][:, rows], "targets": arrays["targets"][rows],
            "input_lengths": arrays["input_lengths"][rows], "target_lengths": arrays["target_lengths"][rows]}


def _ctc_compute(arrays: dict, params: dict) -> Unreduced:
    """CTC per row: in the probability domain with per-frame rescaling where that is accurate to
    rounding, in log space (ctc_log_space, torch's own formulation) for the rows that need it."""
    log_probs = arrays["log_probs"]  # (T, N, C)
    batch = log_probs.shape[1]
    target_lengths = arrays["target_lengths"]
    slow = needs_log_space(log_probs, arrays["input_lengths"])
    fast_rows = np.flatnonzero(~slow)
    values = np.empty(batch)
    scaled_backward = None
    if fast_rows.size:
        sub = _take_rows(arrays, fast_rows)
        nll, untrusted, scaled_backward = ctc_scaled(sub["log_probs"], sub["targets"], sub["input_lengths"],
                                                      sub["target_lengths"], params["blank"])
        values[fast_rows] = nll
        slow[fast_rows[untrusted]] = True
    log_rows = np.flatnonzero(slow)
    log_space = ctc_log_space(_take_rows(arrays, log_rows), params) if log_rows.size else None
    if log_space is not None:
        values[log_rows] = log_space.values
    mean_scale = 1.0 / (params["batch"] * np.maximum(target_lengths, 1).astype(np.float64))

    def backward(g: np.ndarray) -> dict:
        g = np.asarray(g, dtype=np.float64).reshape(batch)
        grad = np.zeros(log_probs.shape)
        if scaled_backward is not None:
            sub_grad, late = scaled_backward(g[fast_rows])
            keep = ~slow[fast_rows] & ~late
            grad[:, fast_rows[keep]] = sub_grad[:, keep]
            redo = fast_rows[~slow[fast_rows] & late]  # the backward recursion underflowed: log space
            if redo.size:
                grad[:, redo] = ctc_log_space(_take_rows(arrays, redo), params).backward(g[redo])["log_probs"]
        if log_space is not None:
            grad[:, log_rows] = log_space.backward(g[log_rows])["log_probs"]
        return {"log_probs": grad}

    return Unreduced(values, backward, mean_scale)


def _lengths(name: str, value, batch: int) -> np.ndarray:
    as_float(name, value)  # the shared refusals of ragged or non-numeric input
    kind = np.asarray(value).dtype.kind
    if kind not in "iu":
        raise LossInputError("dtype", name, np.asarray(value).dtype.name, "integers",
                             f"{name} must hold integers, found {np.asarray(value).dtype.name} values")
    lengths = np.asarray(value).astype(np.int64).ravel()
    if lengths.size != batch:
        raise LossInputError("shape", name, f"{lengths.size} lengths", f"{batch} (the batch size)",
                             f"{name} holds {lengths.size} lengths but the batch has {batch} sequences")
    if np.any(lengths < 0):
        bad = int(lengths[lengths < 0][0])
        raise LossInputError("lengths", name, bad, "at least 0", f"{name} must be at least 0, found {bad}")
    return lengths


def _padded_targets(targets: np.ndarray, target_lengths: np.ndarray, batch: int) -> np.ndarray:
    """Targets as (N, S); concatenated 1-D targets are split at the target lengths."""
    longest = int(target_lengths.max(initial=0))
    if targets.ndim == 2:
        if targets.shape[0] != batch:
            raise LossInputError("shape", "targets", fmt_shape(targets.shape), f"({batch}, S)",
                                 f"targets shape {fmt_shape(targets.shape)} has {targets.shape[0]} rows "
                                 f"but the batch has {batch} sequences")
        if targets.shape[1] < longest:
            raise LossInputError("lengths", "target_lengths", longest, f"at most {targets.shape[1]}",
                                 f"target_lengths holds {longest}, longer than the {targets.shape[1]} columns "
                                 f"of targets of shape {fmt_shape(targets.shape)}")
        return targets
    total = int(target_lengths.sum())
    if targets.shape[0] != total:
        raise LossInputError("lengths", "targets", fmt_shape(targets.shape), f"({total},) = sum(target_lengths)",
                             f"concatenated targets of shape {fmt_shape(targets.shape)} must hold "
                             f"sum(target_lengths) = {total} labels")
    starts = np.cumsum(target_lengths) - target_lengths
    positions = np.arange(longest)[None, :]
    inside = positions < target_lengths[:, None]
    padded = np.zeros((batch, longest), dtype=np.int64)
    padded[inside] = targets[(starts[:, None] + positions)[inside]]
    return padded


def _prepare_ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity) -> Problem:
    check_reduction(reduction)
    lp = as_float("log_probs", log_probs)
    check_ndim("log_probs", lp, (2, 3), "3-D (T, N, C), or 2-D (T, C) unbatched")
    if lp.size == 0:
        raise LossInputError("shape", "log_probs", fmt_shape(lp.shape), "a non-empty (T, N, C)",
                             f"log_probs of shape {fmt_shape(lp.shape)} is empty; T, N and C must be at least 1")
    batched = lp.ndim == 3
    canonical = lp if batched else lp[:, None, :]
    steps, batch, classes = canonical.shape
    if isinstance(blank, bool) or not isinstance(blank, numbers.Integral):
        raise LossInputError("dtype", "blank", repr(blank), "an integer", f"blank must be an integer, found {blank!r}")
    if not 0 <= blank < classes:
        raise LossInputError("range", "blank", int(blank), f"[0, {classes - 1}]",
                             f"blank={blank} is outside the class range [0, {classes - 1}] of log_probs")
    zero_infinity = check_flag("zero_infinity", zero_infinity)
    il = _lengths("input_lengths", input_lengths, batch)
    tl = _lengths("target_lengths", target_lengths, batch)
    if np.any(il > steps):
        bad = int(il[il > steps][0])
        raise LossInputError("lengths", "input_lengths", bad, f"at most T = {steps}",
                             f"input_lengths holds {bad}, longer than the {steps} frames of log_probs")
    tg = as_int("targets", targets)
    check_ndim("targets", tg, (1, 2), "2-D (N, S) padded or 1-D (sum(target_lengths),) concatenated")
    padded = _padded_targets(tg, tl, batch)
    inside = np.arange(padded.shape[1])[None, :] < tl[:, None]
    used = padded[inside]
    wrong = (used < 0) | (used >= classes) | (used == blank)
    if np.any(wrong):
        bad = int(used[wrong][0])
        why = "the blank label, which a target may not contain" if bad == blank else "outside the class range"
        raise LossInputError("class_index", "targets", bad, f"[0, {classes - 1}] except blank={blank}",
                             f"targets holds label {bad}, {why}; labels must lie in [0, {classes - 1}] "
                             f"and differ from blank={blank}")
    return Problem.from_canonical(
        {"log_probs": canonical, "targets": np.where(inside, padded, blank), "input_lengths": il,
         "target_lengths": tl},
        {"log_probs": lp, "targets": tg, "input_lengths": input_lengths, "target_lengths": target_lengths},
        reduction=reduction, none_shape=(batch,) if batched else (),
        params={"blank": int(blank), "zero_infinity": zero_infinity, "batch": batch},
        unit_axes={"log_probs": 1, "targets": 0, "input_lengths": 0, "target_lengths": 0},
        differentiable=("log_probs",))


def _path_sums(arrays: dict, blank: int, unit: int, x_entry: tuple | None, y_entry: tuple | None) -> dict:
    """log M_S for the subsets S of the chosen entries: the summed probability of the alignments that
    use exactly the entries in S, each of those entries' own factor left out.

    ``x_entry`` and ``y_entry`` are (frame, class), or None for an entry the loss does not read (its frame
    is past the input length).  Each sum is one evaluation of the unit's log-likelihood with the frame of
    an entry in S reduced to that class with log-probability 0 (probability 1, and no other class), and
    an entry outside S set to -inf (probability 0): sums of positive terms only, without any
    subtraction.  Returns {(x in S, y in S): log M_S}, -inf for a sum that is empty or cannot occur
    (both entries in S when they share a frame, or an entry that is not read).
    """
    same_frame = x_entry is not None and y_entry is not None and x_entry[0] == y_entry[0]
    subsets = [(in_x, in_y) for in_x in (False, True) for in_y in (False, True)
               if (x_entry is not None or not in_x) and (y_entry is not None or not in_y)
               and not (same_frame and in_x and in_y)]
    rows = np.repeat(arrays["log_probs"][:, unit : unit + 1], len(subsets), axis=1)  # (T, rows, C)
    for r, subset in enumerate(subsets):
        for entry, inside in zip((x_entry, y_entry), subset):
            if entry is None:
                continue
            t, c = entry
            if inside:
                rows[t, r] = NEG_INF
                rows[t, r, c] = 0.0
            else:
                rows[t, r, c] = NEG_INF
    copies = np.zeros(len(subsets), dtype=np.int64) + unit
    sums = ctc_log_space(
        {"log_probs": rows, "targets": arrays["targets"][copies], "input_lengths": arrays["input_lengths"][copies],
         "target_lengths": arrays["target_lengths"][copies]},
        {"blank": blank, "zero_infinity": False, "batch": len(subsets)},  # an empty sum must stay -inf
    ).values
    out = dict.fromkeys([(False, False), (True, False), (False, True), (True, True)], NEG_INF)
    out.update(zip(subsets, -sums))
    return out


def _ctc_surface(problem: Problem, unit: int, first, second, coef):
    r"""Two log-probabilities of one sequence: the likelihood is bilinear in their probabilities.

    Every alignment reads exactly one class per frame, so the likelihood of sequence n is affine in
    each single probability :math:`u = e^x` and, for two entries,
    :math:`P = K + A u + B v + C u v` (:math:`v = e^y`; :math:`C = 0` when both lie in one frame,
    since no alignment reads two classes of a frame).  K, A, B, C are sums over the alignments that use
    neither entry, only x's, only y's, or both (:func:`_path_sums`, in log space).  Factoring
    :math:`P = (K + B v)\,(1 + e)` with :math:`e = u\,(A + C v)/(K + B v)`, a product of a row and a
    column, the value is :math:`-\mathrm{coef}\,(\log(K + B v) + \log(1 + e))`: one log per grid
    point.  The gradient follows torch's convention, :math:`\mathrm{coef}\,(e^{lp} - \gamma)` with the
    posteriors :math:`\gamma_x = e/(1 + e)` (x's share of P) and
    :math:`\gamma_y = s_C + (s_B - s_C)/(1 + e)`, where :math:`s_B = B v/(K + B v)` and
    :math:`s_C = C v/(A + C v)` are y's shares among the alignments without and with x.  An entry in a
    frame past the input length is not read: the surface is flat along it, with gradient 0.

    Declines (None) a live non-finite log-probability other than -inf, and non-finite grid values; an
    impossible target (P = 0 on the whole grid, since u, v > 0) gives 0 with zero_infinity and is
    otherwise left to the generic path, which reproduces torch's inf and NaN.
    """
    arrays, params = problem.arrays, problem.params
    length = int(arrays["input_lengths"][unit])
    live = arrays["log_probs"][:length, unit]
    if np.isnan(live).any() or (live == np.inf).any():
        return None
    xs, ys = first.values, second.values  # (1, nx), (ny, 1)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return None
    (t_x, _, c_x), (t_y, _, c_y) = first.index, second.index
    x_read, y_read = t_x < length, t_y < length
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        sums = _path_sums(arrays, params["blank"], unit, (t_x, c_x) if x_read else None,
                          (t_y, c_y) if y_read else None)
        log_k, log_a, log_b, log_c = sums[False, False], sums[True, False], sums[False, True], sums[True, True]
        if max(log_k, log_a, log_b, log_c) == NEG_INF:  # no alignment at all: the loss is inf everywhere
            return (0.0, 0.0, 0.0) if params["zero_infinity"] else None
        low = np.logaddexp(log_k, log_b + ys)  # log(K + B v), a column
        high = np.logaddexp(log_a, log_c + ys)  # log(A + C v)
        u, v = np.exp(xs), np.exp(ys)
        if high[0, 0] == NEG_INF:  # no alignment reads x's entry (or its frame is not read): P = K + B v
            share_b = np.exp(log_b + ys - low)
            return (-coef * low, coef * u if x_read else 0.0, coef * (v - share_b) if y_read else 0.0)
        share_c = np.exp(log_c + ys - high)
        if low[0, 0] == NEG_INF:  # every alignment reads x's entry: P = u (A + C v)
            return (-coef * (xs + high), coef * (u - 1.0), coef * (v - share_c) if y_read else 0.0)
        # exp(x + high - low), shifted by the largest x so that the row stays in (0, 1]: a value past the
        # doubles' range becomes inf and leaves the grid to the generic path.
        shift = float(xs.max())
        e = np.multiply(np.exp(xs - shift), np.exp(high - low + shift))
        z = np.add(e, 1.0)  # P / (K + B v)
        weight = np.divide(coef, z)  # coef (K + B v) / P
        np.log(z, out=z)  # not log1p(e), twice as slow: this is off by at most the rounding of 1 + e (1e-16)
        if coef != 1.0:
            z *= coef
        np.subtract(-coef * low, z, out=z)
        e *= weight  # coef * gamma_x
        dz_dx = np.subtract(coef * u, e, out=e)
        dz_dy = 0.0
        if y_read:
            share_b = np.exp(log_b + ys - low)
            dz_dy = np.multiply(weight, share_c - share_b, out=weight)
            dz_dy += coef * (v - share_c)
    return z, dz_dx, dz_dy


@loss_function(_ctc_compute, _ctc_surface)
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    r"""Connectionist temporal classification loss, ``torch.nn.functional.ctc_loss``.

    Unreduced: for each sequence n, :math:`\ell_n = -\log \sum_{\pi \in B^{-1}(l_n)} \prod_{t<T_n}
    y_{t,\pi_t}` where :math:`y = \exp(\text{log\_probs})`, :math:`T_n` is ``input_lengths[n]`` and
    :math:`B` removes repeats, then blanks, from a frame-by-frame path :math:`\pi`.  The sum runs over
    the alpha (forward) recursion on the label sequence with a blank before, between and after its
    labels (Graves et al. 2006): on probabilities rescaled every frame where that is accurate to rounding,
    in log space, as torch computes it, for the other sequences (no frames, impossible targets,
    non-finite or extreme log_probs, or scaled probabilities too small for a double).  A target that
    cannot fit in :math:`T_n` frames (each label takes a frame, and two equal neighbours need a blank
    between them) gives ``inf``; ``zero_infinity=True`` turns those losses, and their gradients, into 0.
    'mean': :math:`\frac{1}{N}\sum_n \ell_n / \max(L_n, 1)` with :math:`L_n` = ``target_lengths[n]``;
    'sum': :math:`\sum_n \ell_n`.

    Shape: log_probs ``(T, N, C)`` or ``(T, C)`` unbatched; targets ``(N, S)`` padded (entries past
    ``target_lengths[n]`` are ignored) or ``(sum(target_lengths),)`` concatenated; input_lengths and
    target_lengths ``(N)`` (any shape with N integers, ``()`` unbatched); output ``(N)`` for 'none'
    (``()`` unbatched), else scalar.  Targets must lie in [0, C-1] and differ from ``blank``: torch
    documents both rules without checking them (it reads out of bounds, and with the blank as last label
    its gradient disagrees with its own value), so we refuse such targets.

    Gradient: torch's, which is :math:`\exp(\text{log\_probs}) - \gamma` where :math:`\gamma_{t,c}` is
    the posterior probability of class c at frame t.  That is the gradient with respect to the logits
    when ``log_probs = log_softmax(logits)``; the derivative of the value itself in log_probs is
    :math:`-\gamma`, which differs from it by :math:`\exp(\text{log\_probs})`.  Frames past
    ``input_lengths[n]`` get 0; an infinite loss gets NaN for its frames (0 with ``zero_infinity``).
    """
    return _prepare_ctc(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)


def _log_rows(probabilities: list) -> list:
    return [[[round(float(np.log(p)), 4) for p in frame] for frame in step] for step in probabilities]


# Classes: 0 = blank, 1 = "a", 2 = "b".  Sequence 0 should read "ab" in all 5 frames; sequence 1 reads
# "aa" in its first 4 frames (the repeat needs a blank between the two a's), and its 5th frame is padding.
EXAMPLE_PROBABILITIES = [
    [[0.2, 0.7, 0.1], [0.1, 0.8, 0.1]],
    [[0.3, 0.6, 0.1], [0.7, 0.2, 0.1]],
    [[0.6, 0.2, 0.2], [0.2, 0.7, 0.1]],
    [[0.2, 0.1, 0.7], [0.6, 0.3, 0.1]],
    [[0.5, 0.1, 0.4], [0.4, 0.3, 0.3]],
]

SPECS = (
    LossSpec(
        id="ctc_loss",
        family="sequence",
        title={"en": "CTC loss (connectionist temporal classification)", "zh": "CTC 损失（连接时序分类）"},
        torch_class="CTCLoss",
        reference="torch.nn.functional.ctc_loss",
        sources=("zh-reference",),
        arguments=(
            Argument("log_probs", "prediction", "float", "(T, N, C) or (T, C)", "log_probability"),
            Argument("targets", "target", "int", "(N, S) or (sum(target_lengths),)", "class_index"),
            Argument("input_lengths", "lengths", "int", "(N) or ()", "length"),
            Argument("target_lengths", "lengths", "int", "(N) or ()", "length"),
        ),
        parameters=(
            Parameter("blank", "int", 0, low=0, ui_high=9),
            reduction_parameter(),
            Parameter("zero_infinity", "bool", False),
        ),
        example={
            "log_probs": _log_rows(EXAMPLE_PROBABILITIES),
            "targets": [[1, 2], [1, 1]],
            "input_lengths": [5, 4],
            "target_lengths": [2, 2],
        },
        reduction_unit="sample",
        mean_denominator="target_length",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="log_softmax_logits",
        torch_function="torch.nn.functional.ctc_loss",
        torch_class_tensors=(),
        worked=Worked("ctc"),
        notes_order=None,
        function=ctc_loss,
    ),
)
