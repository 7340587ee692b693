"""The computation written out by hand, with the learner's numbers substituted, in LaTeX.

Each loss family gets a term template: the unreduced value of one element (or
one sample) with its inputs substituted.  The values on the right of each ``=``
come from the backend's ``reduction='none'`` output; only the arrangement of
the sum is done here.
"""

from __future__ import annotations

import numpy as np

from ui.figures import short

MAX_TERMS = 8


def num(value) -> str:
    """A number for LaTeX; negatives in parentheses so that ``x - (-1)`` reads right."""
    text = short(value)
    if text in ("inf", "-inf"):
        return r"\infty" if text == "inf" else r"-\infty"
    if text == "nan":
        return r"\mathrm{NaN}"
    return f"({text})" if text.startswith("-") else text


def plain(value) -> str:
    text = short(value)
    return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}.get(text, text)


def _join(items: list[str], op: str = " + ") -> str:
    if len(items) > MAX_TERMS:
        items = items[: MAX_TERMS - 2] + [r"\cdots"] + items[-1:]
    return op.join(items)


def _pointwise_term(loss: str, x: float, y: float, p: dict) -> str | None:
    X, Y = num(x), num(y)
    if loss == "l1_loss":
        return rf"|{X} - {Y}|"
    if loss == "mse_loss":
        return rf"({X} - {Y})^2"
    if loss == "smooth_l1_loss":
        beta = p.get("beta", 1.0)
        d = abs(x - y)
        if beta > 0 and d < beta:
            return rf"\tfrac{{0.5\,({X} - {Y})^2}}{{{plain(beta)}}}"
        return rf"|{X} - {Y}| - {plain(0.5 * beta)}"
    if loss == "huber_loss":
        delta = p.get("delta", 1.0)
        if abs(x - y) <= delta:
            return rf"0.5\,({X} - {Y})^2"
        return rf"{plain(delta)}\,(|{X} - {Y}| - {plain(0.5 * delta)})"
    if loss == "l0_loss":
        return rf"(|{X} - {Y}| + \epsilon)^{{{plain(p.get('gamma', 2.0))}}}"
    if loss == "relative_mse_loss":
        den = X if p.get("denominator", "target") == "input" else Y
        return rf"\tfrac{{({X} - {Y})^2}}{{({den} + {plain(p.get('eps', 0.01))})^2}}"
    if loss == "binary_cross_entropy":
        return rf"-[{Y}\log {X} + (1 - {Y})\log(1 - {X})]"
    if loss == "binary_cross_entropy_with_logits":
        return rf"-[{Y}\log\sigma({X}) + (1 - {Y})\log(1 - \sigma({X}))]"
    if loss == "soft_margin_loss":
        return rf"\log(1 + e^{{-{Y}\cdot{X}}})"
    if loss == "kl_div":
        if p.get("log_target"):
            return rf"e^{{{Y}}}({Y} - {X})"
        return rf"{Y}(\log {Y} - {X})"
    if loss == "poisson_nll_loss":
        if p.get("log_input", True):
            return rf"e^{{{X}}} - {Y}\cdot{X}"
        return rf"{X} - {Y}\log({X} + \epsilon)"
    if loss == "hinge_embedding_loss":
        return rf"\ell({X}, {Y})"
    if loss == "sigmoid_focal_loss":
        return rf"\mathrm{{FL}}({X}, {Y})"
    return None


POINTWISE = ("l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "l0_loss", "relative_mse_loss",
             "binary_cross_entropy", "binary_cross_entropy_with_logits", "soft_margin_loss", "kl_div",
             "poisson_nll_loss", "hinge_embedding_loss", "sigmoid_focal_loss")


def reduction_lines(elements: np.ndarray, value, reduction: str, denominator: str | None = None) -> list[str]:
    flat = np.asarray(elements, dtype=np.float64).ravel()
    total = float(flat.sum())
    lines = []
    if flat.size > 1:
        lines.append(rf"\textstyle\sum \ell = {_join([plain(v) for v in flat])} = {plain(total)}")
    if reduction == "mean":
        den = denominator or str(flat.size)
        lines.append(rf"\text{{mean}} = \frac{{{plain(total)}}}{{{den}}} = {plain(value)}")
    elif reduction == "batchmean":
        lines.append(rf"\text{{batchmean}} = \frac{{{plain(total)}}}{{{denominator}}} = {plain(value)}")
    elif reduction == "sum":
        lines.append(rf"\text{{sum}} = {plain(value)}")
    return lines


def pointwise_lines(loss: str, tensors: dict, params: dict, elements: np.ndarray) -> list[str]:
    x = np.asarray(tensors["input"], dtype=np.float64)
    y = np.asarray(tensors["target"], dtype=np.float64)
    shape = np.broadcast_shapes(x.shape, y.shape)
    xb, yb = np.broadcast_to(x, shape).ravel(), np.broadcast_to(y, shape).ravel()
    vals = np.asarray(elements, dtype=np.float64).ravel()
    terms = []
    for i in range(min(len(vals), MAX_TERMS)):
        term = _pointwise_term(loss, float(xb[i]), float(yb[i]), params)
        terms.append(rf"\ell_{{{i + 1}}} = {term} = {plain(vals[i])}")
    if len(vals) > MAX_TERMS:
        terms.append(rf"\cdots\quad \ell_{{{len(vals)}}} = {plain(vals[-1])}")
    return terms


def worked_lines(loss: str, tensors: dict, params: dict, elements, value) -> list[str]:
    """LaTeX lines, first the terms, then the reduction; empty when the loss has no template."""
    reduction = params.get("reduction", "none")
    lines: list[str] = []
    if loss in POINTWISE and "weight" not in tensors and "pos_weight" not in tensors:
        lines = pointwise_lines(loss, tensors, params, elements)
        if loss in ("hinge_embedding_loss", "sigmoid_focal_loss"):
            lines = []
    if not lines:
        return []
    denominator = None
    if reduction == "batchmean":
        denominator = str(np.asarray(tensors["input"]).shape[0] if np.ndim(tensors["input"]) else 1)
    return lines + reduction_lines(elements, value, reduction, denominator)
