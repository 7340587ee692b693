"""Multi-class hinge losses: the true class (or every true label) should beat every other class by a margin.

Both mirror torch 2.13's hand-written kernels, which count a term only when it is strictly positive, so at
a kink (a term exactly 0) no gradient passes, unlike the ``clamp_min`` of the pairwise losses.
"""

from __future__ import annotations

import numpy as np

from ._core import Problem, Unreduced, loss_function
from ._margins import SOURCES, margin_parameter
from .spec import ELEMENT_AXIS, Argument, CurveAxis, LossSpec, Parameter, Worked, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    as_int,
    as_scalar,
    check_class_indices,
    check_reduction,
    fmt_shape,
)

__all__ = [
    "multilabel_margin_loss",
    "multi_margin_loss",
]


# ------------------------------------------------------- multilabel margin


def _multilabel_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    n, c = x.shape
    # Only the labels before the first -1 count; entries after it are ignored.
    valid = np.logical_and.accumulate(t >= 0, axis=1)
    label = np.where(valid, t, 0)
    flat = np.arange(n)[:, None] * c + label  # flat (sample, class) index of each label slot
    is_target = np.bincount(flat[valid], minlength=n * c).reshape(n, c) > 0
    x_label = np.take_along_axis(x, label, axis=1)  # x[y_j]; padding slots are masked below
    z = 1.0 - x_label[:, :, None] + x[:, None, :]  # (N, J, I)
    active = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
    # Sums over the short J and I axes with einsum: numpy's ufunc reductions are slow on tiny axes.
    values = np.einsum("nji->n", np.where(active, z, 0.0)) / c
    active = active.astype(np.float64)
    count_i = np.einsum("nji->ni", active)  # how often x[i] sits inside a label's margin
    count_j = np.einsum("nji->nj", active)  # how many non-labels label slot j has inside its margin

    def backward(g):
        down = np.bincount(flat.ravel(), weights=count_j.ravel(), minlength=n * c).reshape(n, c)
        return {"input": (g / c)[:, None] * (count_i - down)}

    return Unreduced(values, backward)


def _class_scores(name: str, x: np.ndarray, loss: str) -> None:
    """The (C) or (N, C) input of the multi-class margin losses; torch refuses empty class axes and more dims."""
    if not ((x.ndim == 2 and x.shape[1] != 0) or (x.ndim == 1 and x.shape[0] != 0) or x.ndim == 0):
        raise LossInputError("ndim", name, fmt_shape(x.shape), "(C) or (N, C) with C > 0",
                             f"{loss} wants {name} of shape (C) or (N, C) with at least one class, "
                             f"found shape {fmt_shape(x.shape)}")


@loss_function(_multilabel_compute)
def multilabel_margin_loss(input, target, reduction="mean"):
    r"""Multi-label margin loss, ``torch.nn.functional.multilabel_margin_loss``.

    ``target`` lists each sample's label indices and is padded with -1: only the
    entries before the first -1 are labels.  With :math:`J` those labels and
    :math:`C` classes, unreduced (per sample):

    .. math:: \ell = \frac{1}{C} \sum_{j \in J} \sum_{i \notin J} \max(0, 1 - (x_{y_j} - x_i))

    every label should beat every non-label by a margin of 1.  A label listed
    twice counts twice, as in torch.  'mean' averages over the samples, 'sum' adds.

    Shape: input ``(C)`` or ``(N, C)`` (also a 0-d input, one class), target of the
    same shape with integers in [-1, C-1] (torch checks every entry, also those after
    the first -1); output ``(N)`` for 'none' (a scalar when unbatched), else a scalar.
    Gradient: +1/C on :math:`x_i` and -1/C on :math:`x_{y_j}` per active term; a
    term exactly at its kink (:math:`x_{y_j} - x_i = 1`) counts as inactive, as in torch's kernel.
    """
    check_reduction(reduction)
    x = as_float("input", input)
    t = as_int("target", target)
    _class_scores("input", x, "multilabel_margin_loss")
    if x.ndim <= 1:
        c = x.size
        if t.ndim > 1 or t.size != c:
            raise LossInputError("shape", "target", fmt_shape(t.shape), f"({c},)",
                                 f"target shape {fmt_shape(t.shape)} does not match input shape "
                                 f"{fmt_shape(x.shape)}: an unbatched input wants {c} target entries")
        n, none_shape = 1, ()
    else:
        n, c = x.shape
        if t.shape != x.shape:
            raise LossInputError("shape", "target", fmt_shape(t.shape), fmt_shape(x.shape),
                                 f"target shape {fmt_shape(t.shape)} does not match input shape "
                                 f"{fmt_shape(x.shape)}")
        none_shape = (n,)
    ok = (t >= -1) & (t < c)
    if not np.all(ok):
        bad = int(t[~ok].flat[0])
        raise LossInputError("class_index", "target", bad, f"[-1, {c - 1}]",
                             f"target holds label index {bad}, outside [-1, {c - 1}] for {c} classes "
                             f"(-1 ends a sample's list of labels)")
    return Problem.from_canonical({"input": x.reshape(n, c), "target": t.reshape(n, c)}, {"input": x, "target": t},
                                  reduction=reduction, none_shape=none_shape)


# ------------------------------------------------------- multi margin


def _multi_margin_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    n, c = x.shape
    rows = np.arange(n)
    z = params["margin"] - x[rows, t][:, None] + x  # (N, C)
    # The target class itself is skipped; torch's kernel counts a term only when z > 0.
    active = (z > 0) & (np.arange(c) != t[:, None])
    w = arrays["weight"][t] if "weight" in arrays else np.ones(n)
    if params["p"] == 1:
        h, dh = z, np.ones_like(z)
    else:
        h, dh = z * z, 2.0 * z
    values = w * np.where(active, h, 0.0).sum(axis=1) / c
    slope = np.where(active, dh, 0.0) * (w / c)[:, None]

    def backward(g):
        grad = g[:, None] * slope
        grad[rows, t] -= grad.sum(axis=1)
        return {"input": grad}

    return Unreduced(values, backward)


@loss_function(_multi_margin_compute)
def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    r"""Multi-class hinge loss, ``torch.nn.functional.multi_margin_loss``.

    Unreduced (per sample with target class :math:`y` among :math:`C`):

    .. math:: \ell = \frac{w_y}{C} \sum_{i \ne y} \max(0, \text{margin} - x_y + x_i)^p

    with :math:`p \in \{1, 2\}` and :math:`w_y = 1` without a weight.  The weight
    multiplies the whole hinge term (the notes put it inside the power, which
    differs for p = 2).  'mean' averages over the samples (not a weighted mean),
    'sum' adds.

    Shape: input ``(C)`` or ``(N, C)`` (also a 0-d input, one class); target 1-D
    ``(N)`` or 0-d when unbatched, class indices in [0, C-1]; weight ``(C)``;
    output target's shape for 'none', else a scalar.
    Gradient: per active term, :math:`w_y p\,h^{p-1}/C` on :math:`x_i` and its
    negative on :math:`x_y`; a term exactly at its kink counts as inactive (torch's kernel).
    """
    check_reduction(reduction)
    if p not in (1, 2):
        raise LossInputError("choice", "p", repr(p), (1, 2), f"p={p!r} is not supported: only p = 1 and p = 2")
    x = as_float("input", input)
    t = as_int("target", target)
    _class_scores("input", x, "multi_margin_loss")
    n = x.shape[0] if x.ndim == 2 else 1
    c = x.shape[-1] if x.ndim else 1
    if t.ndim > 1 or t.size != n:
        raise LossInputError("shape", "target", fmt_shape(t.shape), f"({n},)",
                             f"target shape {fmt_shape(t.shape)} does not fit input shape {fmt_shape(x.shape)}: "
                             f"multi_margin_loss wants one class index per sample, a 1-D target of size {n}")
    arrays = {"input": x.reshape(n, c), "target": t.reshape(n)}
    original = {"input": x, "target": t}
    if weight is not None:
        w = as_float("weight", weight)
        if w.ndim != 1 or w.size != c:
            raise LossInputError("shape", "weight", fmt_shape(w.shape), f"({c},)",
                                 f"weight shape {fmt_shape(w.shape)} does not fit input shape "
                                 f"{fmt_shape(x.shape)}: weight must be 1-D with one entry per class ({c})")
        arrays["weight"] = original["weight"] = w
    check_class_indices("target", t, c)
    return Problem.from_canonical(arrays, original, reduction=reduction, none_shape=t.shape,
                                  params={"p": int(p), "margin": as_scalar("margin", margin)},
                                  unit_axes={"input": 0, "target": 0, "weight": None})


# ------------------------------------------------------- registry

SPECS = (
    LossSpec(
        id="multilabel_margin_loss",
        family="ranking",
        title={"en": "Multi-label margin loss", "zh": "多标签间隔损失"},
        torch_class="MultiLabelMarginLoss",
        reference="torch.nn.functional.multilabel_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(C) or (N, C)"),
            Argument("target", "target", "int", "same shape as input, label indices padded with -1",
                     domain="label_index"),
        ),
        parameters=(reduction_parameter(),),
        # Sample 1 has labels 3 and 0 (torch's documentation example, 0.85); sample 2 has label 2 only:
        # the entries after its -1 are ignored.
        example={"input": [[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.5, 0.1]], "target": [[3, 0, -1, 1], [2, -1, 0, 0]]},
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(r"1 - (x_{y_j} - x_i) = 0",),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.multilabel_margin_loss",
        torch_class_tensors=(),
        worked=Worked("multilabel_margin"),
        notes_order=None,
        function=multilabel_margin_loss,
    ),
    LossSpec(
        id="multi_margin_loss",
        family="ranking",
        title={"en": "Multi-class margin (hinge) loss", "zh": "多分类间隔损失（合页）"},
        torch_class="MultiMarginLoss",
        reference="torch.nn.functional.multi_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(C) or (N, C)"),
            Argument("target", "target", "int", "(N) or ()", domain="class_index"),
            Argument("weight", "weight", "float", "(C)", domain="nonnegative", optional=True),
        ),
        parameters=(
            Parameter("p", "choice", 1, choices=(1, 2)),
            margin_parameter(1.0),
            reduction_parameter(),
        ),
        # Sample 1 is torch's documentation example (0.325); sample 2's true class 0 wins, but not by 1.
        example={"input": [[0.1, 0.2, 0.4, 0.8], [0.9, 0.1, 0.5, -0.3]], "target": [3, 0]},
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(r"\mathrm{margin} - x_y + x_i = 0",),
        curvature_breaks=(),
        curve=CurveAxis("class_index", "score", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.multi_margin_loss",
        torch_class_tensors=("weight",),
        worked=Worked("multi_margin"),
        notes_order=None,
        function=multi_margin_loss,
    ),
)
