"""CTC in log space, as torch's kernel computes it: the reference the fast path falls back to.

Every quantity is a log-probability and sums are log-sum-exps, so nothing under- or overflows and torch's
conventions for impossible targets, -inf log-probabilities and empty inputs come out as torch's.  Slower
than :mod:`losses.ctc_scaled` (about ten exps per state and frame), so only the rows that need it run here.
"""

from __future__ import annotations

import numpy as np

from ._core import Unreduced
from .numerics import log_add_exp

NEG_INF = -np.inf


def extended_labels(targets: np.ndarray, target_lengths: np.ndarray, blank: int):
    """The extended label sequences l' = (blank, l1, blank, l2, ..., lL, blank), padding past L read as blank.

    Returns the labels (N, S), l' (N, 2S+1), which states lie within 2L, and which states may be
    entered by jumping over one state (s-2 -> s): unless both carry the same label, which excludes
    blank -> blank and, between repeated labels, forces the blank that separates them.
    """
    labels = np.where(np.arange(targets.shape[1])[None, :] < target_lengths[:, None], targets, blank)
    extended = np.full((targets.shape[0], 2 * targets.shape[1] + 1), blank, dtype=np.int64)
    extended[:, 1::2] = labels
    valid = np.arange(extended.shape[1])[None, :] <= 2 * target_lengths[:, None]
    may_jump = np.zeros(extended.shape, dtype=bool)
    may_jump[:, 2:] = extended[:, 2:] != extended[:, :-2]
    return labels, extended, valid, may_jump


def _shift_right(a: np.ndarray, by: int) -> np.ndarray:
    """a[..., s - by] at position s, -inf where s - by < 0."""
    out = np.full_like(a, NEG_INF)
    if by < a.shape[-1]:
        out[..., by:] = a[..., : a.shape[-1] - by]
    return out


def _shift_left(a: np.ndarray, by: int) -> np.ndarray:
    """a[..., s + by] at position s, -inf past the end."""
    out = np.full_like(a, NEG_INF)
    if by < a.shape[-1]:
        out[..., : a.shape[-1] - by] = a[..., by:]
    return out


def ctc_log_space(arrays: dict, params: dict) -> Unreduced:
    """CTC in log space, as torch's kernel computes it: the exact reference for every edge case
    (impossible targets, -inf or huge log-probabilities, no frames), and the fallback of _ctc_compute."""
    log_probs = arrays["log_probs"]  # (T, N, C)
    targets = arrays["targets"]  # (N, S), padded
    input_lengths = arrays["input_lengths"]
    target_lengths = arrays["target_lengths"]
    blank = params["blank"]
    steps, batch, classes = log_probs.shape
    width = 2 * targets.shape[1] + 1
    rows = np.arange(batch)

    labels, extended, valid, may_jump = extended_labels(targets, target_lengths, blank)
    states = np.arange(width)[None, :]
    emission_all = np.take_along_axis(log_probs, np.broadcast_to(extended[None], (steps, batch, width)), axis=2)
    # States past 2L get emission -inf so that no probability leaks into them.
    emission = np.where(valid[None], emission_all, NEG_INF)

    # Forward (alpha) recursion over time; every sample of the batch advances together.
    alpha = np.full((steps, batch, width), NEG_INF)
    alpha[0, :, :2] = emission[0, :, :2]
    for t in range(1, steps):
        prev = alpha[t - 1]
        jump = np.where(may_jump, _shift_right(prev, 2), NEG_INF)
        alpha[t] = log_add_exp(prev, _shift_right(prev, 1), jump) + emission[t]

    last_t = input_lengths - 1
    final = alpha[np.maximum(last_t, 0), rows]  # (N, width), alpha at each sample's own last frame
    end_blank = final[rows, 2 * target_lengths]
    end_label = np.where(target_lengths > 0, final[rows, np.maximum(2 * target_lengths - 1, 0)], NEG_INF)
    nll = -log_add_exp(end_blank, end_label)
    # No frames: the empty target costs nothing, any other is impossible (torch's values).
    nll = np.where(input_lengths == 0, np.where(target_lengths == 0, 0.0, np.inf), nll)
    zeroed = params["zero_infinity"] & (nll == np.inf)
    values = np.where(zeroed, 0.0, nll)

    mean_scale = 1.0 / (params["batch"] * np.maximum(target_lengths, 1).astype(np.float64))

    def backward(g: np.ndarray) -> dict:
        # Backward (beta) recursion; beta includes the emission at t, as in torch's kernel.
        beta = np.full((steps, batch, width), NEG_INF)
        ends = valid & (states >= 2 * target_lengths[:, None] - 1)
        may_jump_ahead = np.zeros_like(may_jump)  # may go from s to s + 2
        may_jump_ahead[:, :-2] = may_jump[:, 2:]
        later = np.full((batch, width), NEG_INF)
        for t in range(steps - 1, -1, -1):
            jump = np.where(may_jump_ahead, _shift_left(later, 2), NEG_INF)
            recursed = log_add_exp(later, _shift_left(later, 1), jump) + emission[t]
            start = np.where(ends, emission[t], NEG_INF)
            later = np.where((t == last_t)[:, None], start, np.where((t < last_t)[:, None], recursed, NEG_INF))
            beta[t] = later
        # Occupancy of state s at frame t: alpha * beta / (p(l|x) * y_t(l'_s)), at most 1, so exp is safe.
        log_both = alpha + beta
        occupancy = np.where(valid[None], np.exp(log_both + nll[None, :, None] - emission_all), 0.0)
        reached = valid[None] & (log_both > NEG_INF)
        posterior = np.zeros((steps, batch, classes))
        posterior[:, :, blank] = occupancy[:, :, 0::2].sum(axis=2)
        touched = np.zeros((steps, batch, classes), dtype=bool)
        touched[:, :, blank] = reached[:, :, 0::2].any(axis=2)
        for k in range(targets.shape[1]):
            posterior[:, rows, labels[:, k]] += occupancy[:, :, 2 * k + 1]
            touched[:, rows, labels[:, k]] |= reached[:, :, 2 * k + 1]
        # torch's gradient is exp(log_probs) - posterior: the gradient with respect to the logits when
        # log_probs = log_softmax(logits), not the derivative of the value in log_probs (which is
        # -posterior).  We return torch's.
        grad = np.exp(log_probs) - posterior
        # torch computes exp(log(sum alpha*beta) + nll - log_probs) per class; where that sum is empty
        # (-inf) it meets +inf from an impossible target or -inf log_probs and gives NaN.  So do we.
        nan_nll = np.isnan(nll)[None, :, None]
        doomed = ~touched & ((nll == np.inf)[None, :, None] | (log_probs == NEG_INF))
        grad = np.where(nan_nll | doomed, np.nan, grad)
        grad = grad * np.asarray(g, dtype=np.float64).reshape(batch)[None, :, None]
        # Frames past a sample's input length, and zeroed infinite losses, get exactly 0 (not NaN * 0).
        active = (np.arange(steps)[:, None] < input_lengths[None, :]) & ~zeroed[None, :]
        return {"log_probs": np.where(active[:, :, None], grad, 0.0)}

    return Unreduced(values, backward, mean_scale)


