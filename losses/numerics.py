"""The numerically stable building blocks the losses share, defined once.

The pages that write a loss out with numbers (ui/worked) and the tests use these
too, so a stability trick explained to the learner is the one the backend runs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["COSINE_EPS", "log_add_exp", "log_sigmoid", "log_softmax", "log_softmax_backward", "log_sum_exp"]

# torch's cosine_embedding_loss adds this to each squared norm (ATen's EPSILON in Loss.cpp).
COSINE_EPS = 1e-12


def log_sum_exp(x, axis=None, keepdims: bool = False) -> np.ndarray:
    """log(sum(exp(x))) along ``axis`` (all of ``x`` when None), with the maximum taken out first.

    log sum e^x = m + log sum e^(x - m): every exponent is then <= 0, so exp cannot overflow.  When the
    maximum is not finite (all -inf, or a +inf) the shift would give nan (-inf - -inf), so none is
    applied: all -inf gives -inf, a +inf gives +inf, as torch.logsumexp does.
    """
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    shift = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """x - log_sum_exp(x) along ``axis``, as torch's log_softmax computes it.

    Subtracting the maximum makes every exponent <= 0, so logits of +-800 stay finite.  An infinite or
    NaN entry makes its slice NaN (inf - inf), exactly as in torch; ``initial=-inf`` only lets an empty
    axis through, which torch accepts.
    """
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def log_softmax_backward(g: np.ndarray, out: np.ndarray, axis: int = -1) -> np.ndarray:
    """The vector-Jacobian product of log_softmax at output ``out``: g - softmax * sum(g).

    d out_i / d x_k = delta_ik - softmax_k with softmax = exp(out); the same expression as torch's
    backward, so nan and inf spread alike.
    """
    return g - np.exp(out) * g.sum(axis=axis, keepdims=True)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), the form torch's kernel uses.

    Splitting off min(x, 0) keeps exp's argument <= 0 (no overflow for x = -800, where the naive
    log(1 / (1 + exp(800))) would be log(0) = -inf), and log1p keeps the small correction exact when
    exp(-|x|) is tiny (x = +800).
    """
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def log_add_exp(*terms: np.ndarray) -> np.ndarray:
    """log(sum(exp(terms))) of a few log-domain arrays, element by element, as torch's CTC kernel writes it.

    Shifted by the largest term so that exp never overflows; where every term is -inf (an unreachable
    state) the shift is 0 instead, so that the result is -inf rather than the nan of -inf - -inf.
    """
    shift = terms[0]
    for term in terms[1:]:
        shift = np.maximum(shift, term)
    shift = np.where(shift == -np.inf, 0.0, shift)
    total = np.exp(terms[0] - shift)
    for term in terms[1:]:
        total = total + np.exp(term - shift)
    return np.log(total) + shift
