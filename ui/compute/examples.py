"""The notes' worked examples: every number the /examples page shows about them.

The cards (what a note ran and printed) are in :mod:`ui.compute.example_cards`, running a card on both
sides and its verdict in :mod:`ui.compute.example_verdicts`, the code a card shows in
:mod:`ui.compute.example_code`; this module re-exports them, so ``examples`` is the one name a page needs.
Everything else is computed here when the page runs: our backend's value, today's torch value (torch
imported lazily through :mod:`ui.compute.runner`; absent torch is reported, not an
error), the verdict that compares the note with today, and each card's own
explanation (the old BCE arithmetic, the probability reading of CrossEntropy,
a correct NLL call, a 4-D NLL, sigmoid-then-BCE against BCEWithLogits, the
reductions, TensorFlow's two cross-entropies).

No streamlit here: the page wraps these functions in ``st.cache_data``, so the
results are plain picklable data (a refusal is a :class:`Refusal`, not the
exception, whose constructor pickle cannot replay).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

import losses
from ui.compute.example_cards import (
    CARDS,
    NLL_CLASSES,
    NLL_LOGITS,
    NOTES,
    OLD_BCE_EPS,
    PAIR,
    SAMPLE,
    SATURATION_LOGITS,
    SECTIONS,
    TARGET,
    TF_LOGITS,
    TF_MULTILABEL,
    Call,
    Card,
    Quote,
    bce_clamp_call,
    bce_valid_call,
    card,
    cards_for,
    ce_index_call,
    ce_logits_call,
    nll2d_call,
    nll2d_tensors,
    nll_correct_call,
    nll_log_probabilities,
    reduction_call,
    saturation_calls,
    sigmoid_card_call,
    sigmoid_card_tensors,
    tf_calls,
    tf_onehot,
)
from ui.compute.example_code import CODE
from ui.compute.example_verdicts import VERDICTS, Refusal, Result, Verdict, printed_tolerance, run, verdict
from ui.compute.runner import run_torch, torch_module, torch_version

__all__ = [
    "CARDS", "CODE", "Call", "Card", "NLL_CLASSES", "NLL_LOGITS", "NOTES", "PAIR", "Quote", "Refusal", "Result",
    "SAMPLE", "SECTIONS", "TARGET", "VERDICTS", "Verdict", "about_torch", "bce_clamp_call", "bce_valid_call",
    "card", "cards_for", "ce_index_call", "ce_logits_call", "nll2d_call", "nll_correct_call",
    "nll_log_probabilities", "old_bce", "pixel_loss", "printed_tolerance", "probability_reading",
    "reduction_call", "reductions", "run", "saturation", "saturation_calls", "sigmoid_card_call",
    "two_readings", "two_routes", "verdict"
]


# --- BCE: where -13.8155 came from -------------------------------------------------------------

@dataclass(frozen=True)
class OldBce:
    """The notes' BCE recomputed the old way: l = -[t log(x + eps) + (1 - t) log(1 - x + eps)]."""

    input: np.ndarray
    target: np.ndarray
    log_floor: float          # log(eps): what log(1 - 1) became
    terms: np.ndarray         # per-element terms, equal to (1 - t) * (-log eps) here
    mean: float
    now_clamp_terms: np.ndarray  # the same formula with torch 2.13's -100 clamp instead, range check aside
    now_clamp_mean: float


def old_bce() -> OldBce:
    x, t = np.asarray(SAMPLE), np.asarray(TARGET)
    terms = -(t * np.log(x + OLD_BCE_EPS) + (1.0 - t) * np.log(1.0 - x + OLD_BCE_EPS))
    with np.errstate(divide="ignore"):
        clamped = -(t * np.maximum(np.log(x), -100.0) + (1.0 - t) * np.maximum(np.log(1.0 - x), -100.0))
    return OldBce(x, t, float(np.log(OLD_BCE_EPS)), terms, float(terms.mean()), clamped, float(clamped.mean()))


# --- CrossEntropy: probabilities that are not -------------------------------------------------

@dataclass(frozen=True)
class ProbabilityReading:
    log_softmax: np.ndarray   # each row of the input, log-softmaxed (backend)
    mass: np.ndarray          # each row's target sum: what a probability row would have as 1
    rows: np.ndarray          # -sum_c t_c log_softmax_c, per row
    mean: float               # the mean over rows: cross_entropy's 'mean' with probability targets


def probability_reading() -> ProbabilityReading:
    x, t = np.asarray(SAMPLE), np.asarray(TARGET)
    logp = np.asarray(losses.functional.log_softmax(x, dim=1))
    rows = -(t * logp).sum(axis=1)
    return ProbabilityReading(logp, t.sum(axis=1), rows, float(rows.mean()))


# --- NLLLoss2d: the deprecated class --------------------------------------------------------------

def nll2d_deprecation() -> tuple[bool, str | None]:
    """Whether this torch still has nn.NLLLoss2d, and the warning it gives when one is made."""
    torch = torch_module()
    if torch is None or not hasattr(torch.nn, "NLLLoss2d"):
        return False, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.NLLLoss2d()
    messages = [str(w.message).split(" Please")[0] for w in caught]
    return True, messages[0] if messages else None


@dataclass(frozen=True)
class PixelLoss:
    log_probs: np.ndarray
    classes: np.ndarray
    per_pixel: np.ndarray      # (N, H, W), backend, reduction='none'
    value: float               # backend, reduction='mean'
    torch_value: float | None
    torch_per_pixel: np.ndarray | None


def pixel_loss() -> PixelLoss:
    log_probs, classes = nll2d_tensors()
    per_pixel = np.asarray(losses.functional.nll_loss(log_probs, classes, reduction="none"))
    value = float(losses.functional.nll_loss(log_probs, classes))
    mean = run_torch("nll_loss", {"input": log_probs, "target": classes}, {})
    none = run_torch("nll_loss", {"input": log_probs, "target": classes}, {"reduction": "none"})
    return PixelLoss(log_probs, classes, per_pixel, value,
                     None if mean.value is None else float(mean.value),
                     None if none.value is None else np.asarray(none.value))


# --- sigmoid then BCE, against BCEWithLogits ---------------------------------------------------

@dataclass(frozen=True)
class TwoRoutes:
    """Value and gradient w.r.t. the logits by both routes, on the backend and on torch (or None)."""

    logits: np.ndarray
    target: np.ndarray
    composed_value: float
    composed_grad: np.ndarray
    fused_value: float
    fused_grad: np.ndarray
    torch_composed_value: float | None = None
    torch_composed_grad: np.ndarray | None = None
    torch_fused_value: float | None = None
    torch_fused_grad: np.ndarray | None = None

    @property
    def largest_gap(self) -> float:
        """The largest difference between the routes and between backend and torch, values and gradients."""
        gaps = [abs(self.composed_value - self.fused_value),
                float(np.max(np.abs(self.composed_grad - self.fused_grad)))]
        if self.torch_composed_value is not None:
            gaps += [abs(self.composed_value - self.torch_composed_value),
                     abs(self.fused_value - self.torch_fused_value),
                     float(np.max(np.abs(self.composed_grad - self.torch_composed_grad))),
                     float(np.max(np.abs(self.fused_grad - self.torch_fused_grad)))]
        return max(gaps)


def composed_backend(logits: np.ndarray, target: np.ndarray, probabilities=None) -> tuple[float, np.ndarray]:
    """BCE(sigmoid(x), t) and its gradient w.r.t. x on the backend, chained by hand.

    ``probabilities`` replaces sigmoid(x) (to feed the float32-rounded sigmoid); the chain
    rule then uses p (1 - p) from those same probabilities, as torch's sigmoid backward does.
    """
    p = np.asarray(losses.functional.sigmoid(logits)) if probabilities is None else np.asarray(probabilities)
    value, grads = losses.value_and_grad("binary_cross_entropy", p, target)
    return float(value), grads["input"] * p * (1.0 - p)


def torch_routes(logits: np.ndarray, target: np.ndarray, dtype: str = "float64"):
    """(composed value, composed grad, fused value, fused grad) from torch's autograd, or None."""
    torch = torch_module()
    if torch is None:
        return None
    F = torch.nn.functional
    kind = getattr(torch, dtype)
    out = []
    for fused in (False, True):
        x = torch.tensor(logits, dtype=kind, requires_grad=True)
        t = torch.tensor(target, dtype=kind)
        loss = F.binary_cross_entropy_with_logits(x, t) if fused else F.binary_cross_entropy(torch.sigmoid(x), t)
        (grad,) = torch.autograd.grad(loss, x)
        out += [float(loss.detach()), grad.double().numpy()]
    return tuple(out)


def two_routes() -> TwoRoutes:
    logits, target = sigmoid_card_tensors()
    composed_value, composed_grad = composed_backend(logits, target)
    fused_value, fused_grads = losses.value_and_grad("binary_cross_entropy_with_logits", logits, target)
    extra = {}
    routes = torch_routes(logits, target)
    if routes is not None:
        extra = dict(zip(("torch_composed_value", "torch_composed_grad", "torch_fused_value", "torch_fused_grad"),
                         routes))
    return TwoRoutes(logits, target, composed_value, composed_grad, float(fused_value), fused_grads["input"],
                     **extra)


@dataclass(frozen=True)
class SaturationRow:
    """One logit far on the wrong side of target 0, in one float type."""

    dtype: str
    logit: float
    sigmoid: float             # sigmoid(x) rounded to dtype (numpy)
    one_minus: float           # 1 - that rounded sigmoid
    composed_value: float      # BCE(sigmoid(x), 0), backend on the rounded sigmoid
    composed_grad: float       # its d/dx by the chain rule
    fused_value: float         # BCEWithLogits(x, 0), backend
    fused_grad: float
    torch_composed_value: float | None = None
    torch_composed_grad: float | None = None
    torch_fused_value: float | None = None
    torch_fused_grad: float | None = None


def saturation() -> list[SaturationRow]:
    rows = []
    for dtype in ("float32", "float64"):
        kind = np.dtype(dtype).type
        for logit in SATURATION_LOGITS:
            x = np.array([logit], dtype=kind)
            p = (kind(1) / (kind(1) + np.exp(-x))).astype(kind)   # sigmoid, rounded as this float type rounds
            t = np.zeros(1)
            value, grad = composed_backend(x.astype(np.float64), t, probabilities=p.astype(np.float64))
            fused_value, fused_grads = losses.value_and_grad("binary_cross_entropy_with_logits", x.astype(np.float64),
                                                             t)
            extra = {}
            routes = torch_routes(x.astype(np.float64), t, dtype)
            if routes is not None:
                extra = dict(torch_composed_value=routes[0], torch_composed_grad=float(routes[1][0]),
                             torch_fused_value=routes[2], torch_fused_grad=float(routes[3][0]))
            rows.append(SaturationRow(dtype, logit, float(p[0]), float(kind(1) - p[0]), value, float(grad[0]),
                                      float(fused_value), float(fused_grads["input"][0]), **extra))
    return rows


# --- criterion(x, y) and the three reductions --------------------------------------------------

def reductions(loss: str = "l1_loss") -> dict:
    """reduction -> Result of ``loss`` on the notes' pair."""
    return {r: run(reduction_call(loss, r)) for r in ("none", "mean", "sum")}


# --- TensorFlow's two cross-entropies -----------------------------------------------------------

@dataclass(frozen=True)
class TwoReadings:
    logits: np.ndarray
    multilabel: np.ndarray
    onehot: np.ndarray
    sigmoid: np.ndarray         # per-class probabilities, independent (multi-label reading)
    softmax: np.ndarray         # per-class probabilities, summing to 1 per row (multi-class reading)
    results: dict               # name of tf_calls() -> Result


def two_readings() -> TwoReadings:
    x = np.asarray(TF_LOGITS)
    return TwoReadings(x, np.asarray(TF_MULTILABEL), tf_onehot(),
                       np.asarray(losses.functional.sigmoid(x)), np.asarray(losses.functional.softmax(x, dim=1)),
                       {name: run(call) for name, call in tf_calls().items()})


def about_torch() -> str | None:
    """The installed torch's version, or None."""
    return torch_version()
