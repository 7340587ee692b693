"""CTC in the probability domain with per-frame rescaling (Graves et al. 2006, section 4.1): the fast path.

One exp over the log-probabilities, then plain products and sums, rescaled every frame so that nothing
under- or overflows.  It refuses the rows whose numbers leave the range where that is exact to rounding
(:func:`needs_log_space`, and the untrusted rows it reports), which :mod:`losses.ctc_log_space` computes.
"""

from __future__ import annotations

import numpy as np

from .ctc_log_space import extended_labels

# Bounds of the fast, probability-domain path (rows outside them take the log-space path).
LOG_FLOOR = -700.0  # exp() of a log-probability above this is a normal double (> 1e-304), never 0
LOG_CEILING = 300.0  # and below this, a frame's sum over the states cannot overflow
TINY = np.finfo(np.float64).tiny  # the smallest normal double; below it precision is lost
OCCUPANCY_FLOOR = 1e-250  # a frame's scaled total occupancy under this could hide underflowed terms


def needs_log_space(log_probs: np.ndarray, input_lengths: np.ndarray) -> np.ndarray:
    """Rows the probability-domain path cannot take: no frames, or a live log-probability that is
    non-finite or outside (LOG_FLOOR, LOG_CEILING), where torch's inf/NaN conventions or exp's range matter."""
    live = np.arange(log_probs.shape[0])[:, None] < input_lengths[None, :]
    inside = (log_probs > LOG_FLOOR) & (log_probs < LOG_CEILING)  # False for NaN
    return (input_lengths == 0) | ~np.all(inside | ~live[:, :, None], axis=(0, 2))


def ctc_scaled(log_probs: np.ndarray, targets: np.ndarray, input_lengths: np.ndarray,
                target_lengths: np.ndarray, blank: int):
    """CTC in the probability domain with per-frame rescaling (Graves et al. 2006, section 4.1).

    For rows with input length >= 1 and live log-probabilities in (LOG_FLOOR, LOG_CEILING).  Returns
    the losses, the rows whose result is not trusted (an impossible alignment, or a reachable state
    whose scaled probability left the normal doubles), and backward(g) -> (gradient, untrusted rows).
    Untrusted rows must be recomputed in log space; every other row agrees with it to rounding.
    The recursions hold the states on axis 0 and the batch on the last, contiguous, axis.
    """
    steps, batch, classes = log_probs.shape
    rows = np.arange(batch)
    labels, extended, valid, may_jump = extended_labels(targets, target_lengths, blank)
    width = extended.shape[1]
    valid_sn, jump_sn = valid.T, may_jump.T.astype(np.float64)  # (W, N)
    live = np.arange(steps)[:, None] < input_lengths[None, :]  # (T, N)
    last_t = input_lengths - 1
    with np.errstate(over="ignore", invalid="ignore"):  # frames past input_lengths may hold anything
        probs = np.exp(log_probs)  # the only exp over (T, N, C); the log-space path needs ~10 per state
    emitted = np.take_along_axis(probs.transpose(0, 2, 1), np.broadcast_to(extended.T[None], (steps, width, batch)),
                                 axis=1)  # (T, W, N)
    y = np.where(valid_sn[None] & live[:, None, :], emitted, 0.0)  # no mass into states past 2L or dead frames

    # Forward recursion on probabilities.  alpha_t grows or shrinks geometrically with t and would
    # under- or overflow within a few hundred frames, so each frame is divided by its sum c_t: the
    # scaled alpha stays in [0, 1], and since the true alpha_t = scaled alpha_t * prod_{u<=t} c_u, the
    # log-likelihood is sum_t log c_t + log(scaled alpha at the end states).  pre[t] holds the sum
    # over predecessors of the scaled alpha of t - 1 (alpha at t before frame t's emission).
    pre = np.zeros((steps, width, batch))
    pre[0, :2] = 1.0
    scaled_alpha = np.empty((steps, width, batch))
    log_scale = np.zeros((steps, batch))
    for t in range(steps):
        if t:
            a, p = scaled_alpha[t - 1], pre[t]
            p[:] = a
            p[1:] += a[:-1]
            p[2:] += a[:-2] * jump_sn[2:]
        a = np.multiply(pre[t], y[t], out=scaled_alpha[t])
        total = a.sum(axis=0)
        scale = np.where(live[t] & (total > 0), total, 1.0)  # c_t; 1 past input_lengths (or if nothing is left)
        a /= scale
        log_scale[t] = np.log(scale)
    final = scaled_alpha[np.maximum(last_t, 0), :, rows]  # (N, W)
    end = final[rows, 2 * target_lengths] + np.where(
        target_lengths > 0, final[rows, np.maximum(2 * target_lengths - 1, 0)], 0.0)
    with np.errstate(divide="ignore"):
        nll = -(log_scale.sum(axis=0) + np.log(end))
    # Trust a row only if every reachable state stayed a normal double: then the scaled recursion
    # is as precise as the log-space one.  A zero end (impossible target) also goes to log space.
    underflow = (pre > 0) & (scaled_alpha < TINY) & valid_sn[None] & live[:, None, :]
    untrusted = (end < TINY) | underflow.any(axis=(0, 1))

    def backward(g: np.ndarray):
        ends = (valid & (np.arange(width)[None, :] >= 2 * target_lengths[:, None] - 1)).T.astype(np.float64)
        jump_ahead = np.zeros_like(jump_sn)  # may go from s to s + 2
        jump_ahead[:-2] = jump_sn[2:]
        gamma = np.empty((steps, width, batch))
        late = np.zeros(batch, dtype=bool)
        b = np.zeros((width, batch))  # scaled beta of frame t + 1, emission included
        for t in range(steps - 1, -1, -1):
            post = b.copy()  # sum over successors: beta at t before frame t's emission
            post[:-1] += b[1:]
            post[:-2] += b[2:] * jump_ahead[:-2]
            post = np.where(t == last_t, ends, np.where(t < last_t, post, 0.0))
            b = post * y[t]
            # pre * b = alpha * beta / y up to the frame's scale factors, which cancel on normalising
            # over the states: the occupancy of state s at frame t (torch's alpha*beta/(p*y) summed).
            q = pre[t] * b
            total = q.sum(axis=0)
            np.divide(q, np.where(total > 0, total, 1.0), out=gamma[t])
            norm = b.sum(axis=0)
            b /= np.where(norm > 0, norm, 1.0)  # rescale beta per frame as alpha was
            late |= live[t] & ((total < OCCUPANCY_FLOOR) | np.any((post > 0) & (b < TINY), axis=0))
        # posterior[t, n, c]: the summed occupancies of the states labelled c (blanks at even states).
        posterior = np.zeros((steps, batch, classes))
        posterior[:, :, blank] = gamma[:, 0::2].sum(axis=1)
        for k in range(labels.shape[1]):
            posterior[:, rows, labels[:, k]] += gamma[:, 2 * k + 1]
        # torch's gradient convention, exp(log_probs) - posterior: see ctc_log_space.
        with np.errstate(invalid="ignore"):
            grad = (probs - posterior) * g[None, :, None]
        return np.where(live[:, :, None], grad, 0.0), late

    return nll, untrusted, backward


