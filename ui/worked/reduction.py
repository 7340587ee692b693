"""The reduction line of every loss, read from its spec: the letter of a term (``l_i`` for an element, ``l_n`` for
a sample, ``spec.reduction_unit``) and what a mean divides by (``spec.mean_denominator``: the count, the sum of
the weights, the summed class weights of the targets kept, or each term's target length)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ui.worked.core import Call, Worked
from ui.worked.latex import ends, join, num, plain, vector


def per_sample(call: Call) -> bool:
    return call.spec.reduction_unit == "sample"

@dataclass
class Denominator:
    symbol: str  # what the sum is divided by, in symbols
    expansion: str | None  # the same with numbers, when it is a sum
    value: float


def class_weight_denominator(call: Call) -> Denominator | None:
    """torch's weighted mean of nll/cross_entropy with class-index targets: the targets' weights, not ignored."""
    if call.params.get("probabilities", False):
        return None
    t = call.arrays["target"]
    w = call.arrays.get("weight")
    kept = t != call.params["ignore_index"]
    ignore = call.params["ignore_index"]
    if w is None:
        if np.all(kept):
            return None
        count = int(np.count_nonzero(kept))
        return Denominator(rf"\#\{{n : y_n \ne {ignore}\}}", None, float(count))
    weights = w[t[kept]]
    condition = rf"n:\,y_n \ne {ignore}" if not np.all(kept) else "n"
    return Denominator(rf"\sum\nolimits_{{{condition}}} w_{{y_n}}", join([num(v) for v in weights]),
                       float(np.sum(weights)))


def _denominator(call: Call) -> Denominator:
    kind = call.spec.mean_denominator
    if kind == "class_weight_sum":
        special = class_weight_denominator(call)
        if special is not None:
            return special
    if kind == "weight_sum" and "weight" in call.arrays:
        # torch divides by the sum of the weight as given (before it broadcasts to the target).
        w = np.asarray(call.kwargs["weight"], dtype=np.float64)
        return Denominator(r"\sum_i w_i", join([num(v) for v in w.ravel()]), float(w.sum()))
    if call.reduction == "batchmean":
        x = np.asarray(call.kwargs["input"])
        batch = x.shape[0] if x.ndim else 1
        return Denominator("N", None, float(batch))
    return Denominator("N" if per_sample(call) else "n", None, float(call.values.size))


def reduce(work: Worked, call: Call) -> None:
    """The line of the reduction: the terms summed, divided by what torch divides by."""
    values = call.values
    index = work.index or ("n" if per_sample(call) else "i")
    terms = join([num(v) for v in values])
    backend = np.asarray(call.value, dtype=np.float64)
    if call.reduction == "none":
        work.add(rf"\ell = {vector(values)} \quad (\text{{none}})")
        work.check("none", values, backend.ravel())
        return
    with np.errstate(invalid="ignore", over="ignore"):
        total = float(np.sum(values))
    if call.reduction == "sum":
        line = rf"\text{{sum}} = \sum\nolimits_{index} \ell_{index} = {terms}"
        work.add(ends(line, backend) if values.size > 1 else rf"\text{{sum}} = {plain(backend)}")
        work.check("sum", total, float(backend))
        return
    if call.spec.mean_denominator == "target_length":
        _length_mean(work, call)
        return
    den = _denominator(call)
    middle = rf"\frac{{{terms}}}{{{den.expansion or plain(den.value)}}}"
    steps = [rf"\text{{{call.reduction}}} = \frac{{\sum_{index} \ell_{index}}}{{{den.symbol}}}", middle]
    if values.size > 1 or den.expansion:
        steps.append(rf"\frac{{{plain(total)}}}{{{plain(den.value)}}}")
    steps.append(plain(backend))
    work.add(" = ".join(dict.fromkeys(steps)))
    with np.errstate(invalid="ignore", divide="ignore"):
        work.check(call.reduction, np.float64(total) / np.float64(den.value), float(backend))
    if call.mean_scale is not None and call.reduction in ("mean", "batchmean"):
        with np.errstate(divide="ignore"):
            work.check("denominator", den.value, float(np.float64(1.0) / np.float64(call.mean_scale)))


def _length_mean(work: Worked, call: Call) -> None:
    """Each term divided by its target length (at least 1), then the mean over the batch (CTC)."""
    lengths = np.maximum(call.arrays["target_lengths"], 1)
    values = call.values
    batch = values.size
    fractions = join([rf"\frac{{{plain(v)}}}{{{int(n)}}}" for v, n in zip(values, lengths)])
    zero = bool(np.any(call.arrays["target_lengths"] == 0))
    length = r"\max(L_n, 1)" if zero else "L_n"
    backend = float(call.value)
    work.add(rf"\text{{mean}} = \frac{{1}}{{N}}\sum\nolimits_n \frac{{\ell_n}}{{{length}}} = "
             rf"\frac{{1}}{{{batch}}}\left({fractions}\right) = {plain(backend)}")
    with np.errstate(invalid="ignore"):
        work.check("mean", float(np.sum(values / lengths)) / batch, backend)
