"""Margin losses on one score, or on the difference of a pair of scores, against a +1 / -1 target.

margin_ranking_loss asks one score of a pair to beat the other by a margin; hinge_embedding_loss reads its
input as a distance that similar pairs keep small and dissimilar pairs push past the margin; soft_margin_loss
is the smooth, logistic form of a sign margin.  torch does not check that the targets are really +1 or -1, so
neither do we: every target torch accepts gives torch's number (a hinge embedding target of 0, for instance,
adds both branches).  At a hinge's kink torch's ``clamp_min`` passes the gradient, and so do we.
"""

from __future__ import annotations

import numpy as np

from ._core import Problem, Unreduced, broadcast_canonical, loss_function
from ._margins import SOURCES, broadcast_named, hinge_slope, margin_parameter, same_ndim
from .pointwise import prepare_pointwise
from .spec import Argument, CurveAxis, LossSpec, Worked, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    as_scalar,
    check_reduction,
    fmt_shape,
)

__all__ = [
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
]


# ------------------------------------------------------- margin ranking


def _margin_ranking_compute(arrays: dict, params: dict) -> Unreduced:
    x1, x2, y = arrays["input1"], arrays["input2"], arrays["target"]
    u = -y * (x1 - x2) + params["margin"]
    values = np.maximum(u, 0.0)
    slope = hinge_slope(u) * y

    def backward(g):
        return {"input1": -g * slope, "input2": g * slope}

    return Unreduced(values, backward)


@loss_function(_margin_ranking_compute)
def margin_ranking_loss(input1, input2, target, margin=0, reduction="mean"):
    r"""Margin ranking loss, ``torch.nn.functional.margin_ranking_loss``.

    Unreduced: :math:`\ell_i = \max(0, -y_i (x^{(1)}_i - x^{(2)}_i) + \text{margin})`:
    with :math:`y_i = 1` the first score should exceed the second by the margin,
    with :math:`y_i = -1` the other way round.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input1, input2 and target ``(*)`` with the same number of dimensions
    (torch refuses otherwise), broadcast together; output the broadcast shape
    for 'none', else a scalar.
    Gradient: :math:`\mp y_i` for input1/input2 where the hinge is active; at the
    kink (argument exactly 0) torch's clamp_min still passes the gradient, and so do we.
    """
    check_reduction(reduction)
    arrays = {"input1": as_float("input1", input1), "input2": as_float("input2", input2),
              "target": as_float("target", target)}
    named = list(arrays.items())
    same_ndim(named)
    shape = broadcast_named(named)
    canonical, layouts = broadcast_canonical(arrays, shape)
    return Problem.from_canonical(canonical, arrays, reduction=reduction, none_shape=shape,
                                  params={"margin": as_scalar("margin", margin)},
                                  differentiable=("input1", "input2"), layouts=layouts)


# ------------------------------------------------------- hinge embedding


def _hinge_embedding_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    # torch adds two masked branches, so a target that is neither 1 nor -1 gets both:
    # max(0, margin - x) + x.
    not_pos = y != 1
    not_neg = y != -1
    u = params["margin"] - x
    values = np.where(not_pos, np.maximum(u, 0.0), 0.0) + np.where(not_neg, x, 0.0)
    slope = not_neg.astype(np.float64) - not_pos * hinge_slope(u)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_hinge_embedding_compute)
def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    r"""Hinge embedding loss, ``torch.nn.functional.hinge_embedding_loss``.

    ``input`` is usually a distance between two embeddings.  Unreduced:
    :math:`\ell_i = x_i` if :math:`y_i = 1` (similar pairs are pulled together),
    :math:`\ell_i = \max(0, \text{margin} - x_i)` if :math:`y_i = -1` (dissimilar
    pairs are pushed beyond the margin).  torch computes
    ``where(y != 1, max(0, margin - x), 0) + where(y != -1, x, 0)``, so any other
    target value gives :math:`\max(0, \text{margin} - x_i) + x_i`; we do the same.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable with it; output the broadcast
    shape for 'none', else a scalar.
    Gradient: 1 for :math:`y = 1`, -1 inside the margin for :math:`y = -1`; at the
    kink :math:`x = \text{margin}` torch's clamp_min passes the gradient (-1), as here.
    """
    return prepare_pointwise(input, target, reduction, params={"margin": as_scalar("margin", margin)})


# ------------------------------------------------------- soft margin


def _soft_margin_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    z = -y * x
    e = np.exp(z)
    # log(1 + e^z) is softplus(z); logaddexp(0, z) computes it without forming e^z.  torch,
    # however, evaluates log1p(exp(z)) literally, which overflows to inf once z > log(DBL_MAX)
    # ≈ 709.78; we give torch's inf there rather than the finite z.
    values = np.where(np.isposinf(e), np.inf, np.logaddexp(0.0, z))
    # torch's backward is -y e^z / (1 + e^z), computed as written: nan where e^z overflowed.
    slope = -y * e / (1.0 + e)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_soft_margin_compute)
def soft_margin_loss(input, target, reduction="mean"):
    r"""Soft margin loss (two-class logistic loss), ``torch.nn.functional.soft_margin_loss``.

    Unreduced: :math:`\ell_i = \log(1 + e^{-y_i x_i})`, with targets :math:`y_i = \pm 1`.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``; target must broadcast *to* input's shape (torch writes
    the result into a tensor of input's shape and refuses a larger target);
    output input's shape for 'none', else a scalar.
    Gradient: :math:`-y_i\,\sigma(-y_i x_i)`; smooth, no kink.  Like torch, the
    value overflows to inf and the gradient to nan once :math:`-y_i x_i > 709.78`.
    """
    check_reduction(reduction)
    x = as_float("input", input)
    y = as_float("target", target)
    try:
        fits = np.broadcast_shapes(x.shape, y.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise LossInputError("shape", "target", fmt_shape(y.shape), f"broadcastable to {fmt_shape(x.shape)}",
                             f"target shape {fmt_shape(y.shape)} cannot be broadcast to input shape "
                             f"{fmt_shape(x.shape)}")
    return prepare_pointwise(x, y, reduction)


# ------------------------------------------------------- registry

SPECS = (
    LossSpec(
        id="margin_ranking_loss",
        family="ranking",
        title={"en": "Margin ranking loss", "zh": "间隔排序损失"},
        torch_class="MarginRankingLoss",
        reference="torch.nn.functional.margin_ranking_loss",
        sources=SOURCES,
        arguments=(
            Argument("input1", "prediction", "float", "(N) or ()"),
            Argument("input2", "prediction", "float", "(N) or (), same dims as input1"),
            Argument("target", "target", "float", "(N) or (), same dims as input1", domain="sign"),
        ),
        parameters=(margin_parameter(0.0), reduction_parameter()),
        # Pair 1 is ranked right by a wide margin, pair 2 wrongly, pair 3 right but inside the margin.
        example={"input1": [0.9, 0.2, 0.3], "input2": [0.1, 0.6, 0.4], "target": [1.0, 1.0, -1.0],
                 "margin": 0.2},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(r"-y_i\,(x^{(1)}_i - x^{(2)}_i) + \mathrm{margin} = 0",),
        curvature_breaks=(),
        curve=CurveAxis("pair_margin", "margin", ("input1", "input2")),
        gradient="derivative",
        torch_function="torch.nn.functional.margin_ranking_loss",
        torch_class_tensors=(),
        worked=Worked("margin_ranking"),
        notes_order=None,
        function=margin_ranking_loss,
    ),
    LossSpec(
        id="hinge_embedding_loss",
        family="ranking",
        title={"en": "Hinge embedding loss", "zh": "合页嵌入损失"},
        torch_class="HingeEmbeddingLoss",
        reference="torch.nn.functional.hinge_embedding_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(*), usually a distance"),
            Argument("target", "target", "float", "(*), broadcastable with input", domain="sign"),
        ),
        parameters=(margin_parameter(1.0), reduction_parameter()),
        # A similar pair at distance 0.3, dissimilar pairs at 1.5 (beyond the margin) and 0.4 (inside it).
        example={"input": [0.3, 1.5, 0.4], "target": [1.0, -1.0, -1.0]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(r"y_i = -1,\ x_i = \mathrm{margin}",),
        curvature_breaks=(),
        curve=CurveAxis("distance", "distance", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.hinge_embedding_loss",
        torch_class_tensors=(),
        worked=Worked("hinge_embedding"),
        notes_order=None,
        function=hinge_embedding_loss,
    ),
    LossSpec(
        id="soft_margin_loss",
        family="ranking",
        title={"en": "Soft margin loss (two-class logistic)", "zh": "软间隔损失（二分类 logistic）"},
        torch_class="SoftMarginLoss",
        reference="torch.nn.functional.soft_margin_loss",
        sources=SOURCES,
        arguments=(
            Argument("input", "prediction", "float", "(*)"),
            Argument("target", "target", "float", "(*), broadcastable to input's shape", domain="sign"),
        ),
        parameters=(reduction_parameter(),),
        # Right and confident, right but unsure, wrong: losses 0.37, 0.97, 2.13.
        example={"input": [0.8, 0.5, -1.9], "target": [1.0, -1.0, 1.0]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("signed_margin", "margin", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.soft_margin_loss",
        torch_class_tensors=(),
        worked=Worked("soft_margin"),
        notes_order=None,
        function=soft_margin_loss,
    ),
)
