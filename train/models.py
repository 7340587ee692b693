"""Three small models with hand-written gradients, and the heads that turn their outputs into a loss's input.

A model is a list of float64 parameter arrays plus two functions: ``forward(params, x)`` returns the output and
what the backward pass needs; ``backward(params, cache, d_out)`` returns one gradient per parameter, by the chain
rule.  The parameter list is what :mod:`train.optim` updates in place.

* :class:`Line`: ``w * x + b`` on 1-D inputs, parameters ``[w (1,), b (1,)]``; output ``(N,)``.
* :class:`Linear`: ``x @ W.T + b`` on ``(N, D)`` points, ``[W (C, D), b (C,)]``; output ``(N, C)``.
* :class:`MLP`: ``tanh(x @ W1.T + b1) @ W2.T + b2``, ``[W1 (H, D), b1 (H,), W2 (C, H), b2 (C,)]``, H <= 32.

Heads (``HEADS``): 'identity', 'sigmoid', 'softmax' and 'log_softmax' (over the last axis).
"""

from __future__ import annotations

import numpy as np

from losses import LossInputError

__all__ = ["Line", "Linear", "MLP", "HEADS", "head_forward", "head_backward", "MAX_HIDDEN", "make_model"]

MAX_HIDDEN = 32
HEADS = ("identity", "sigmoid", "softmax", "log_softmax")


class Line:
    """The line ``w x + b`` of the line-fit presets."""

    name = "line"
    parameter_names = ("w", "b")

    def __init__(self, n_in: int = 1, n_out: int = 1):
        self.n_in, self.n_out = 1, 1

    def init(self, rng: np.random.Generator) -> list[np.ndarray]:
        return [rng.normal(0.0, 0.5, 1), rng.normal(0.0, 0.5, 1)]

    def forward(self, params, x):
        return params[0][0] * x + params[1][0], None

    def backward(self, params, cache, x, d_out):
        return [np.array([np.dot(d_out, x)]), np.array([d_out.sum()])]

    def forward_steps(self, stacked, x):
        """Outputs at many steps at once: ``stacked`` holds each parameter with a leading step axis."""
        w, b = stacked
        return w[:, :1] * x + b[:, :1]


class Linear:
    """A linear classifier's logits ``x @ W.T + b``."""

    name = "linear"
    parameter_names = ("W", "b")

    def __init__(self, n_in: int = 2, n_out: int = 1):
        self.n_in, self.n_out = n_in, n_out

    def init(self, rng: np.random.Generator) -> list[np.ndarray]:
        return [rng.normal(0.0, 0.5, (self.n_out, self.n_in)), np.zeros(self.n_out)]

    def forward(self, params, x):
        W, b = params
        return x @ W.T + b, None

    def backward(self, params, cache, x, d_out):
        return [d_out.T @ x, d_out.sum(axis=0)]

    def forward_steps(self, stacked, x):
        W, b = stacked
        return np.einsum("tcd,nd->tnc", W, x) + b[:, None, :]


class MLP:
    """One hidden layer of tanh units: non-linear decision boundaries."""

    name = "mlp"
    parameter_names = ("W1", "b1", "W2", "b2")

    def __init__(self, n_in: int = 2, n_out: int = 1, hidden: int = 8):
        if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)):
            raise LossInputError("dtype", "hidden", repr(hidden), "an integer",
                                 f"hidden must be an integer, found {hidden!r}")
        if not 1 <= hidden <= MAX_HIDDEN:
            raise LossInputError("range", "hidden", int(hidden), f"[1, {MAX_HIDDEN}]",
                                 f"hidden={hidden} is outside [1, {MAX_HIDDEN}]")
        self.n_in, self.n_out, self.hidden = n_in, n_out, int(hidden)

    def init(self, rng: np.random.Generator) -> list[np.ndarray]:
        # Glorot-like scales keep tanh away from saturation at the start.
        h, d, c = self.hidden, self.n_in, self.n_out
        return [rng.normal(0.0, 1.0 / np.sqrt(d), (h, d)), rng.normal(0.0, 0.1, h),
                rng.normal(0.0, 1.0 / np.sqrt(h), (c, h)), np.zeros(c)]

    def forward(self, params, x):
        W1, b1, W2, b2 = params
        hidden = np.tanh(x @ W1.T + b1)
        return hidden @ W2.T + b2, hidden

    def backward(self, params, hidden, x, d_out):
        W2 = params[2]
        d_hidden = d_out @ W2
        d_pre = d_hidden * (1.0 - hidden * hidden)  # tanh' = 1 - tanh²
        return [d_pre.T @ x, d_pre.sum(axis=0), d_out.T @ hidden, d_out.sum(axis=0)]

    def forward_steps(self, stacked, x):
        W1, b1, W2, b2 = stacked
        hidden = np.tanh(np.einsum("thd,nd->tnh", W1, x) + b1[:, None, :])
        return np.einsum("tch,tnh->tnc", W2, hidden) + b2[:, None, :]


MODELS = {cls.name: cls for cls in (Line, Linear, MLP)}


def make_model(name: str, n_in: int, n_out: int, hidden: int = 8):
    if name not in MODELS:
        raise LossInputError("choice", "model", repr(name), tuple(MODELS),
                             f"model={name!r} is not one of " + ", ".join(repr(m) for m in MODELS))
    if name == "mlp":
        return MLP(n_in, n_out, hidden)
    return MODELS[name](n_in, n_out)


def _sigmoid(z):
    # exp of a negative number only: no overflow for large |z|; for z < 0, e / (1 + e) = e * p.
    e = np.exp(-np.abs(z))
    p = 1.0 / (1.0 + e)
    return np.where(z >= 0, p, e * p)


def head_forward(head: str, z: np.ndarray) -> np.ndarray:
    if head == "identity":
        return z
    if head == "sigmoid":
        return _sigmoid(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    if head == "softmax":
        e = np.exp(shifted)
        return e / e.sum(axis=-1, keepdims=True)
    if head == "log_softmax":
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    raise LossInputError("choice", "head", repr(head), HEADS, f"head={head!r} is not one of " +
                         ", ".join(repr(h) for h in HEADS))


def head_backward(head: str, out: np.ndarray, d_out: np.ndarray) -> np.ndarray:
    """The gradient with respect to the logits, from the head's output ``out`` and the gradient ``d_out`` on it."""
    if head == "identity":
        return d_out
    if head == "sigmoid":
        return d_out * out * (1.0 - out)
    if head == "softmax":
        return out * (d_out - (d_out * out).sum(axis=-1, keepdims=True))
    # log_softmax: d z = d_out - softmax * sum(d_out)
    return d_out - np.exp(out) * d_out.sum(axis=-1, keepdims=True)


def probabilities(z: np.ndarray, exclusive: bool) -> np.ndarray:
    """Logits read as probabilities: a softmax over classes when they exclude each other, else one sigmoid each."""
    if exclusive:
        return head_forward("softmax", z)
    return _sigmoid(z)
