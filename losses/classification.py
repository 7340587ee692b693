"""Multi-class classification losses: cross-entropy on logits and negative log-likelihood.

Both take a class axis at position 1 (position 0 for an unbatched ``(C)``
input).  Every position of a sample -- ``n`` for ``(N, C)``, ``(n, d1..dk)``
for ``(N, C, d1, ..., dk)`` (what ``NLLLoss2d`` became) -- is classified on its
own: its loss depends only on its own C logits.  So the canonical input is
``(U, C)`` with one unit per position (U = N d1 ... dk, 1 for an unbatched
input), in the order of torch's 'none' output, and the landscape recomputes
only the one or two positions a grid point changes.  Moving the class axis
last is recorded in a layout.  The class weights are shared by all units.

How targets are read (numpy arrays arrive without torch's dtypes, so the
dtype decides, as in torch):

* an integer array is class indices (torch accepts only int64 and uint8; we
  accept every integer dtype, since numpy's default integer is int32 on
  Windows);
* a float array of exactly the input's shape is class probabilities, as torch
  reads it, even when its values look like indices: the notes' 2x2 example
  (``ones(2, 2)`` against ``[[0, 1], [2, 3]]``) is therefore
  ``mean(-sum_c t_c log(1/2)) = 3 log 2 = 2.0794``;
* a float array of any other shape is refused, as torch refuses it
  ("expected target dtype to be Long"): class indices must be integers;
* a boolean array is refused (torch refuses Bool targets).
"""

from __future__ import annotations

import operator

import numpy as np

from ._core import Problem, Unreduced, loss_function
from ._surface import lse_linear
from .numerics import log_softmax, log_softmax_backward
from .spec import Argument, CurveAxis, LossSpec, Parameter, Worked, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    as_int,
    check_class_indices,
    check_reduction,
    fmt_shape,
)

__all__ = ["cross_entropy", "nll_loss"]


# ---------------------------------------------------------------------------
# preparation shared by both losses


def _class_count(x: np.ndarray) -> int:
    if x.ndim == 0:
        raise LossInputError("ndim", "input", "0-D ()", "(C), (N, C) or (N, C, d1, ..., dk)",
                             "input must have a class axis: (C), (N, C) or (N, C, d1, ..., dk), "
                             "found a 0-D tensor")
    return x.shape[0] if x.ndim == 1 else x.shape[1]


def _index_shape(x: np.ndarray) -> tuple:
    """The shape of class-index targets and of the 'none' output."""
    return () if x.ndim == 1 else (x.shape[0],) + x.shape[2:]


def _positions_first(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(C) -> (1, C); (N, C) as it is; (N, C, d1..dk) -> (N d1...dk, C) with the class axis last.

    Returns the canonical array and, when it is not a plain reshape, the flat
    original index of each of its entries.
    """
    if arr.ndim == 1:
        return arr.reshape(1, arr.shape[0]), None
    n, c = arr.shape[:2]
    d = int(np.prod(arr.shape[2:], dtype=np.int64))
    if d == 1:
        return arr.reshape(n, c), None

    def move(a):
        return np.moveaxis(a.reshape(n, c, d), 1, 2).reshape(n * d, c)

    return move(arr), move(np.arange(arr.size))


def _raw_target(value) -> np.ndarray:
    """The target as given, keeping its dtype (integer = indices, float = maybe probabilities)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        arr = value
    else:
        as_float("target", value)  # refuses ragged lists and non-numbers with the shared messages
        arr = np.asarray(value)
    if arr.dtype.kind == "b":
        raise LossInputError("dtype", "target", "bool", "integer class indices",
                             "target holds booleans; class indices must be integers")
    return arr


def _check_index_target(loss: str, x: np.ndarray, t: np.ndarray) -> None:
    """torch's shape rules for class-index targets (nll_loss_nd)."""
    expected = _index_shape(x)
    if t.shape == expected:
        return
    # torch also takes a 1-element target for a 1-D input (and then returns a 0-d loss).
    if x.ndim == 1 and t.shape == (1,):
        return
    what = "an unbatched input" if x.ndim == 1 else "input"
    raise LossInputError("shape", "target", fmt_shape(t.shape), fmt_shape(expected),
                         f"{loss}: target shape {fmt_shape(t.shape)} does not match the class-index shape "
                         f"{fmt_shape(expected)} expected for {what} of shape {fmt_shape(x.shape)}")


def _class_weight(loss: str, weight, num_classes: int) -> np.ndarray | None:
    if weight is None:
        return None
    w = as_float("weight", weight)
    if w.shape != (num_classes,):
        raise LossInputError("shape", "weight", fmt_shape(w.shape), fmt_shape((num_classes,)),
                             f"{loss}: weight shape {fmt_shape(w.shape)} does not give one weight per class; "
                             f"expected shape {fmt_shape((num_classes,))} for {num_classes} classes")
    return w


def _ignore_index(value) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise LossInputError("dtype", "ignore_index", repr(value), "an integer",
                             f"ignore_index must be an integer, found {value!r}") from None


def _problem(x: np.ndarray, target: np.ndarray, canonical_target: np.ndarray, target_layout, w,
             params: dict, reduction: str) -> Problem:
    canonical_x, x_layout = _positions_first(x)
    arrays = {"input": canonical_x, "target": canonical_target}
    original = {"input": x, "target": target}
    layouts = {}
    if x_layout is not None:
        layouts["input"] = x_layout
    if target_layout is not None:
        layouts["target"] = target_layout
    if w is not None:
        arrays["weight"] = original["weight"] = w
    return Problem.from_canonical(arrays, original, reduction=reduction, none_shape=_index_shape(x),
                                  params=params, unit_axes={"input": 0, "target": 0, "weight": None},
                                  layouts=layouts)


def _index_problem(loss: str, x: np.ndarray, t: np.ndarray, w, ignore_index: int, reduction: str,
                   params: dict) -> Problem:
    """The canonical call, and the weighted-mean denominator, for class-index targets."""
    num_classes = _class_count(x)
    _check_index_target(loss, x, t)
    t = as_int("target", t)
    check_class_indices("target", t, num_classes, ignore_index)
    valid = t != ignore_index
    # torch's 'mean' divides by the summed weights of the targets that are not ignored
    # (their count without weights); when that is 0 the mean is 0/0 = nan.
    total = float(np.count_nonzero(valid)) if w is None else float(w[t[valid]].sum())
    params = dict(params, ignore_index=ignore_index, weight_total=total)
    # (N, d1..dk) flattened in C order lists the positions in the canonical input's order.
    return _problem(x, t, t.reshape(-1), None, w, params, reduction)


def _mean_scale(params: dict):
    with np.errstate(divide="ignore"):
        return np.float64(1.0) / params["weight_total"]


def _targets(arrays: dict, params: dict):
    """Which units count, their class index made safe for gathering, and their class weight."""
    t = arrays["target"]
    valid = t != params["ignore_index"]
    safe = np.where(valid, t, 0)[:, None]
    w = arrays.get("weight")
    if w is None:
        weight_t = np.ones(t.shape)
    elif len(w) == 0:
        weight_t = np.zeros(t.shape)  # zero classes: every target is ignored anyway
    else:
        weight_t = w[safe[:, 0]]
    return valid, safe, weight_t


def _pick(arr: np.ndarray, safe: np.ndarray) -> np.ndarray:
    """arr[u, safe[u]]; with zero classes every target is ignored and nothing is picked."""
    if arr.shape[1] == 0:
        return np.zeros(len(safe))
    return np.take_along_axis(arr, safe, axis=1)[:, 0]


def _placed(shape: tuple, safe: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` at the target classes: the VJP of :func:`_pick`."""
    out = np.zeros(shape)
    if shape[1]:
        np.put_along_axis(out, safe, values[:, None], axis=1)
    return out


# ---------------------------------------------------------------------------
# nll_loss


def _nll_compute(arrays: dict, params: dict) -> Unreduced:
    x = arrays["input"]
    valid, safe, weight_t = _targets(arrays, params)
    # Ignored positions contribute an exact 0 (torch skips them), even when their input is nan or inf.
    values = np.where(valid, -weight_t * _pick(x, safe), 0.0)

    def backward(g):
        return {"input": _placed(x.shape, safe, np.where(valid, -weight_t * g, 0.0))}

    return Unreduced(values, backward, _mean_scale(params))


@loss_function(_nll_compute)
def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of log-probabilities, ``torch.nn.functional.nll_loss``.

    Unreduced, for each sample n (and position d1..dk) with class index
    :math:`y_n`: :math:`\ell_n = -w_{y_n}\,x_{n, y_n}`, and :math:`\ell_n = 0` where
    :math:`y_n` equals ``ignore_index`` (``w_c = 1`` without a weight).
    'mean': :math:`\sum_n \ell_n / \sum_{n:\,y_n \ne \text{ignore}} w_{y_n}`, a weighted
    mean; when every target is ignored (or the weights of the targets sum to 0)
    this is 0/0 = nan, as in torch.  'sum': :math:`\sum_n \ell_n`.

    The input is meant to be log-probabilities (e.g. ``log_softmax``), but any
    real numbers are accepted, as torch accepts them.  Targets must be integer
    class indices: nll_loss has no probability-target form, so a float target of
    the input's shape (the notes' 2x2 example) is refused, as torch refuses it.

    Shape: input (C), (N, C) or (N, C, d1, ..., dk); target (), (N) or
    (N, d1, ..., dk) with values in [0, C-1] or ``ignore_index`` (torch's forward
    also takes a (1) target for a (C) input, though its backward then fails; we
    accept it and give the gradient of the 0-D target); weight (C).  Output: the
    target's shape for 'none' (() for a (C) input), else a scalar.

    Gradient: :math:`-w_{y_n}` times the incoming gradient at the target class,
    0 elsewhere and 0 for ignored targets; with an all-ignored 'mean' the
    gradient is 0, as torch's, even though the value is nan (when targets are
    present but their weights sum to 0, value and gradient are nan, as in torch).
    """
    check_reduction(reduction)
    x = as_float("input", input)
    num_classes = _class_count(x)
    t = _raw_target(target)
    w = _class_weight("nll_loss", weight, num_classes)
    ignore_index = _ignore_index(ignore_index)
    if t.dtype.kind == "f":
        if t.shape == x.shape:
            raise LossInputError("dtype", "target", f"float target of the input's shape {fmt_shape(t.shape)}",
                                 "integer class indices",
                                 f"nll_loss: target is a float tensor of the input's shape {fmt_shape(t.shape)}; "
                                 "nll_loss takes integer class indices of shape "
                                 f"{fmt_shape(_index_shape(x))} only (class probabilities are a cross_entropy "
                                 "feature)")
        raise LossInputError("dtype", "target", f"float values of shape {fmt_shape(t.shape)}",
                             "integer class indices",
                             f"nll_loss: target holds floats; class indices must be integers (an integer array "
                             f"of shape {fmt_shape(_index_shape(x))})")
    return _index_problem("nll_loss", x, t, w, ignore_index, reduction, {})


# ---------------------------------------------------------------------------
# cross_entropy


def _cross_entropy_index(arrays: dict, params: dict, logp: np.ndarray) -> Unreduced:
    valid, safe, weight_t = _targets(arrays, params)
    w = arrays.get("weight")
    picked = _pick(logp, safe)
    eps = params["label_smoothing"]
    num_classes = logp.shape[1]
    nll = -weight_t * picked
    if eps > 0:
        # torch mixes the one-hot target with the uniform distribution:
        # (1 - eps) * nll + eps / C * sum_c w_c (-log p_c), each part masked where ignored.
        weighted = logp if w is None else logp * w
        smooth = -weighted.sum(axis=1)
        nll = (1.0 - eps) * nll + (eps / num_classes) * smooth
    values = np.where(valid, nll, 0.0)

    def backward(g):
        dlogp = _placed(logp.shape, safe, -(1.0 - eps if eps > 0 else 1.0) * weight_t * g)
        if eps > 0:
            class_w = 1.0 if w is None else w
            dlogp -= (eps / num_classes) * class_w * g[:, None]
        # An ignored position sends exactly 0 back (torch's masked_fill), even when g is inf.
        dlogp = np.where(valid[:, None], dlogp, 0.0)
        return {"input": log_softmax_backward(dlogp, logp, axis=1)}

    return Unreduced(values, backward, _mean_scale(params))


def _cross_entropy_prob(arrays: dict, params: dict, logp: np.ndarray) -> Unreduced:
    target = arrays["target"]
    eps = params["label_smoothing"]
    num_classes = logp.shape[1]
    if eps > 0:
        target = target * (1.0 - eps) + eps / num_classes
    if "weight" in arrays:
        target = target * arrays["weight"]
    values = -(logp * target).sum(axis=1)

    def backward(g):
        return {"input": log_softmax_backward(-target * g[:, None], logp, axis=1)}

    # 'mean' divides by N * d1 * ... * dk (the number of values), not by weight sums;
    # torch makes the mean of an input without elements (zero classes) nan.
    return Unreduced(values, backward, np.nan if num_classes == 0 else None)


def _cross_entropy_compute(arrays: dict, params: dict) -> Unreduced:
    logp = log_softmax(arrays["input"], axis=1)
    if params["probabilities"]:
        return _cross_entropy_prob(arrays, params, logp)
    return _cross_entropy_index(arrays, params, logp)


def _cross_entropy_surface(problem: Problem, unit: int, first, second, coef):
    """Two logits of one sample: every form of the loss is sum_c a_c (logsumexp - x_c), see lse_linear."""
    arrays, params = problem.arrays, problem.params
    row = arrays["input"][unit]
    if not np.isfinite(row).all():
        return None  # an infinite logit makes nan, which the generic path reproduces
    num_classes = len(row)
    w = arrays.get("weight")
    class_w = np.ones(num_classes) if w is None else w
    eps = params["label_smoothing"]
    if params["probabilities"]:
        a = class_w * ((1.0 - eps) * arrays["target"][unit] + eps / num_classes)
    else:
        t = int(arrays["target"][unit])
        if t == params["ignore_index"]:
            return 0.0, 0.0, 0.0  # an ignored sample contributes an exact 0
        a = (eps / num_classes) * class_w
        a[t] += (1.0 - eps) * class_w[t]
    result = lse_linear(row, coef * a, [(first.index[1], first.values), (second.index[1], second.values)])
    if result is None:
        return None
    value, (d_first, d_second) = result
    return value, d_first, d_second


@loss_function(_cross_entropy_compute, _cross_entropy_surface)
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    r"""Cross-entropy between logits and a target class, ``torch.nn.functional.cross_entropy``.

    With :math:`\log p_{n,c} = x_{n,c} - \log\sum_j e^{x_{n,j}}` (log-softmax over the class axis):

    * class-index targets :math:`y_n`: :math:`\ell_n = -(1-\varepsilon)\,w_{y_n}\log p_{n,y_n}
      - \frac{\varepsilon}{C}\sum_c w_c \log p_{n,c}`, and :math:`\ell_n = 0` where
      :math:`y_n` is ``ignore_index``.  'mean' divides the sum by
      :math:`\sum_{n \text{ not ignored}} w_{y_n}` (the count without weights) -- also
      the smoothing term, which is weighted by every class weight but normalised by
      the target weights only; an all-ignored batch gives nan;
    * class-probability targets :math:`t_{n,c}` (a float array of the input's shape):
      :math:`\ell_n = -\sum_c w_c\,t'_{n,c}\log p_{n,c}` with
      :math:`t' = (1-\varepsilon)\,t + \varepsilon/C`.  'mean' divides by the number of
      samples and positions :math:`N d_1 \cdots d_k`, never by weight sums.
      ``ignore_index`` must stay negative here (torch refuses it otherwise).

    'sum' adds the :math:`\ell_n`.  ``label_smoothing`` above 1 is refused; 0 or any
    value that is not positive (even negative) turns smoothing off, as in torch.

    Shape: input (C), (N, C) or (N, C, d1, ..., dk); target (), (N) or
    (N, d1, ..., dk) of integer class indices in [0, C-1] (or ``ignore_index``),
    or probabilities of the input's shape (a (1) index target for a (C) input is
    accepted as by nll_loss, but not with label smoothing, which torch refuses
    there); weight (C).  Output: (N) or
    (N, d1, ..., dk) for 'none' (() for a (C) input), else a scalar.

    Gradient: :math:`\partial\ell_n/\partial x_{n,c} = -a_{n,c} + p_{n,c}\sum_j a_{n,j}`
    with :math:`a` the (weighted, smoothed) target distribution; the loss is smooth,
    with no kinks.  Logits of +-800 give finite values and gradients (the maximum
    is subtracted first); an infinite logit gives nan as in torch.  Ignored
    targets get a zero gradient, also in an all-ignored 'mean'.
    """
    check_reduction(reduction)
    x = as_float("input", input)
    num_classes = _class_count(x)
    t = _raw_target(target)
    w = _class_weight("cross_entropy", weight, num_classes)
    ignore_index = _ignore_index(ignore_index)
    eps = float(label_smoothing)
    if eps > 1.0:
        raise LossInputError("range", "label_smoothing", eps, "[0, 1]",
                             f"label_smoothing={eps} is outside [0, 1]")
    # torch applies smoothing only when label_smoothing > 0: negative values and nan are silently ignored.
    eps = eps if eps > 0 else 0.0
    params = {"label_smoothing": eps}
    if t.shape == x.shape:
        # torch's rule: a target of the input's shape holds class probabilities.
        if t.dtype.kind != "f":
            raise LossInputError("dtype", "target", f"integer values of the input's shape {fmt_shape(t.shape)}",
                                 "float class probabilities",
                                 f"cross_entropy: a target of the input's shape {fmt_shape(t.shape)} is read as "
                                 "class probabilities and must hold floats, found integers; class indices have "
                                 f"shape {fmt_shape(_index_shape(x))}")
        if ignore_index >= 0:
            raise LossInputError("unsupported", "ignore_index", ignore_index, "a negative value",
                                 f"cross_entropy: ignore_index={ignore_index} cannot be used with class-probability "
                                 "targets (only a negative ignore_index, such as the default -100, is allowed)")
        canonical_t, t_layout = _positions_first(t.astype(np.float64, copy=False))
        return _problem(x, t, canonical_t, t_layout, w, dict(params, probabilities=True), reduction)
    if t.dtype.kind == "f":
        raise LossInputError("dtype", "target", f"float values of shape {fmt_shape(t.shape)}",
                             "integer class indices, or float probabilities of the input's shape",
                             f"cross_entropy: target is a float tensor of shape {fmt_shape(t.shape)}, not the "
                             f"input's shape {fmt_shape(x.shape)}, so it is not read as class probabilities; "
                             f"class indices must be integers (an integer array of shape "
                             f"{fmt_shape(_index_shape(x))})")
    if eps > 0 and x.ndim == 1 and t.shape == (1,):
        raise LossInputError("unsupported", "target", "(1,)", "()",
                             "cross_entropy: label_smoothing needs a 0-D target for an unbatched (C) input, "
                             "found shape (1,)")
    return _index_problem("cross_entropy", x, t, w, ignore_index, reduction, dict(params, probabilities=False))


# ---------------------------------------------------------------------------
# registry

LOGITS = Argument("input", "prediction", "float", "(C), (N, C) or (N, C, d1, ..., dk)")
LOG_PROBS = Argument("input", "prediction", "float", "(C), (N, C) or (N, C, d1, ..., dk)", "log_probability")
INDEX_TARGET = Argument("target", "target", "int", "(), (N) or (N, d1, ..., dk)", "class_index")
CE_TARGET = Argument("target", "target", "int",
                     "(), (N) or (N, d1, ..., dk) class indices; or float probabilities of input's shape",
                     "class_index", also_probabilities=True)
CLASS_WEIGHT = Argument("weight", "weight", "float", "(C)", "nonnegative", optional=True)
IGNORE_INDEX = Parameter("ignore_index", "int", -100)
LABEL_SMOOTHING = Parameter("label_smoothing", "float", 0.0, low=0.0, high=1.0)

# Three samples over three classes: the first two are confidently right, the
# third puts most mass on class 0 while its target is class 2.
LOGITS_EXAMPLE = [[2.0, 0.5, -1.0], [0.1, 1.5, 0.3], [1.2, 0.4, 0.8]]
CLASS_EXAMPLE = [0, 1, 2]
# log_softmax of LOGITS_EXAMPLE, rounded to 4 decimals (rows sum to ~1 after exp).
LOG_PROB_EXAMPLE = [[-0.2413, -1.7413, -3.2413], [-1.8368, -0.4368, -1.6368], [-0.7513, -1.5513, -1.1513]]

SPECS = (
    LossSpec(
        id="cross_entropy",
        family="classification",
        title={"en": "Cross-entropy loss", "zh": "交叉熵损失"},
        torch_class="CrossEntropyLoss",
        reference="torch.nn.functional.cross_entropy",
        sources=("zh-examples", "zh-reference", "zh-concepts", "en-summary"),
        arguments=(LOGITS, CE_TARGET, CLASS_WEIGHT),
        parameters=(IGNORE_INDEX, reduction_parameter(), LABEL_SMOOTHING),
        example={"input": LOGITS_EXAMPLE, "target": CLASS_EXAMPLE},
        reduction_unit="sample",
        mean_denominator="class_weight_sum",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("class_index", "logit", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.cross_entropy",
        torch_class_tensors=("weight",),
        worked=Worked("softmax_cross_entropy"),
        notes_order=4,
        function=cross_entropy,
    ),
    LossSpec(
        id="nll_loss",
        family="classification",
        title={"en": "Negative log-likelihood loss", "zh": "负对数似然损失（NLL）"},
        torch_class="NLLLoss",
        reference="torch.nn.functional.nll_loss",
        sources=("zh-examples", "zh-reference", "zh-concepts", "en-summary"),
        arguments=(LOG_PROBS, INDEX_TARGET, CLASS_WEIGHT),
        parameters=(IGNORE_INDEX, reduction_parameter()),
        example={"input": LOG_PROB_EXAMPLE, "target": CLASS_EXAMPLE},
        reduction_unit="sample",
        mean_denominator="class_weight_sum",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("class_index", "logprob", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.nll_loss",
        torch_class_tensors=("weight",),
        worked=Worked("negative_log_likelihood"),
        notes_order=5,
        function=nll_loss,
    ),
)
