"""Segmentation losses: overlap between a predicted soft mask and a target mask, one number per sample."""

from __future__ import annotations

import numbers

import numpy as np

from ._core import Problem, Unreduced, loss_function
from .spec import Argument, LossSpec, Parameter, reduction_parameter
from .validation import LossInputError, as_float, check_range, check_reduction, check_same_shape, fmt_shape

__all__ = ["dice_loss", "jaccard_loss"]


def _prepare_overlap(input, target, smooth, reduction) -> Problem:
    check_reduction(reduction)
    x = as_float("input", input)
    y = as_float("target", target)
    if x.ndim < 2:
        raise LossInputError("ndim", "input", f"{x.ndim}-D {fmt_shape(x.shape)}", "at least 2-D (N, *)",
                             f"input must be at least 2-D (N, *) with the batch first, found a {x.ndim}-D "
                             f"tensor of shape {fmt_shape(x.shape)}")
    check_same_shape("target", y, "input", x)
    if isinstance(smooth, bool) or not isinstance(smooth, numbers.Real):
        raise LossInputError("dtype", "smooth", repr(smooth), "a number >= 0",
                             f"smooth must be a number >= 0, found {smooth!r}")
    check_range("smooth", float(smooth), 0)
    batch = x.shape[0]
    pixels = int(np.prod(x.shape[1:], dtype=np.int64))
    return Problem(
        arrays={"input": x.reshape(batch, pixels), "target": y.reshape(batch, pixels)},
        params={"smooth": float(smooth)},
        reduction=reduction,
        none_shape=(batch,),
        unit_axes={"input": 0, "target": 0},
        original_shapes={"input": x.shape, "target": y.shape},
        differentiable=("input",),
    )


def _dice_compute(arrays: dict, params: dict) -> Unreduced:
    x, y, s = arrays["input"], arrays["target"], params["smooth"]
    numerator = 2.0 * np.sum(x * y, axis=1) + s
    denominator = np.sum(x, axis=1) + np.sum(y, axis=1) + s
    values = 1.0 - numerator / denominator

    def backward(g):
        # d/dx_k of 1 - num/den with d num/dx_k = 2 y_k and d den/dx_k = 1.
        slope = (numerator / denominator**2)[:, None] - 2.0 * y / denominator[:, None]
        return {"input": g[:, None] * slope}

    return Unreduced(values, backward)


@loss_function(_dice_compute)
def dice_loss(input, target, smooth=1.0, reduction="mean"):
    r"""Soft Dice loss (Milletari et al. 2016, V-Net), per sample; torch has no such function.

    Unreduced: for sample n, with sums over all its non-batch elements,
    :math:`\ell_n = 1 - \frac{2\sum_i x_i y_i + s}{\sum_i x_i + \sum_i y_i + s}`
    (V-Net's denominator uses squares; this is the plain-sum form most libraries use).
    'mean': :math:`\frac{1}{N}\sum_n \ell_n`; 'sum': :math:`\sum_n \ell_n`.
    ``smooth`` s >= 0 keeps an empty prediction against an empty mask defined (loss 0) and softens the
    gradient of small objects; with s = 0 that case is 0/0 = NaN.

    Shape: input ``(N, *)`` with at least 2 dimensions (the batch first: a 1-D input would be ambiguous),
    usually probabilities; target the same shape, usually a 0/1 mask (other values are used as given);
    output ``(N)`` for 'none', else scalar.
    Gradient (input only): :math:`\frac{\text{num}}{\text{den}^2} - \frac{2 y_i}{\text{den}}`; the loss is
    smooth wherever the denominator is non-zero.
    """
    return _prepare_overlap(input, target, smooth, reduction)


def _jaccard_compute(arrays: dict, params: dict) -> Unreduced:
    x, y, s = arrays["input"], arrays["target"], params["smooth"]
    intersection = np.sum(x * y, axis=1)
    numerator = intersection + s
    denominator = np.sum(x, axis=1) + np.sum(y, axis=1) - intersection + s
    values = 1.0 - numerator / denominator

    def backward(g):
        # d num/dx_k = y_k; the union's d/dx_k = 1 - y_k.
        slope = (numerator / denominator**2)[:, None] * (1.0 - y) - y / denominator[:, None]
        return {"input": g[:, None] * slope}

    return Unreduced(values, backward)


@loss_function(_jaccard_compute)
def jaccard_loss(input, target, smooth=1.0, reduction="mean"):
    r"""Soft Jaccard (IoU) loss (Rahman & Wang 2016), per sample; torch has no such function.

    Unreduced: with :math:`I = \sum_i x_i y_i` and the soft union :math:`U = \sum_i x_i + \sum_i y_i - I`,
    :math:`\ell_n = 1 - \frac{I + s}{U + s}`.
    'mean': :math:`\frac{1}{N}\sum_n \ell_n`; 'sum': :math:`\sum_n \ell_n`.
    For 0/1 masks it is one minus intersection over union.  With s = 0 the Jaccard index J = I / U and
    the Dice coefficient D = 2I / (sum x + sum y) are related by J = D / (2 - D).

    Shape: as :func:`dice_loss`.  Gradient (input only):
    :math:`\frac{(I+s)(1-y_i)}{(U+s)^2} - \frac{y_i}{U+s}`, smooth wherever U + s is non-zero.
    """
    return _prepare_overlap(input, target, smooth, reduction)


INPUT = Argument("input", "prediction", "float", "(N, *)", "probability")
TARGET = Argument("target", "target", "float", "(N, *), same shape as input", "binary")
SMOOTH = Parameter("smooth", "float", 1.0, low=0.0, ui_high=10.0)

# Two 2×3 images: the first has an object the prediction mostly finds; the second has an empty mask,
# where only `smooth` keeps the ratio defined and a faint prediction still costs something.
EXAMPLE = {
    "input": [[[0.9, 0.8, 0.1], [0.2, 0.7, 0.1]], [[0.1, 0.2, 0.1], [0.3, 0.1, 0.0]]],
    "target": [[[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]],
}

SPECS = (
    LossSpec(
        id="dice_loss",
        family="segmentation",
        title={"en": "Dice loss (soft Dice)", "zh": "Dice 损失（软 Dice）"},
        torch_class=None,
        reference="ours (Milletari et al. 2016, V-Net), checked against a torch re-implementation",
        sources=("zh-concepts",),
        arguments=(INPUT, TARGET),
        parameters=(SMOOTH, reduction_parameter()),
        example=EXAMPLE,
        function=dice_loss,
    ),
    LossSpec(
        id="jaccard_loss",
        family="segmentation",
        title={"en": "Jaccard loss (soft IoU)", "zh": "Jaccard 损失（软 IoU）"},
        torch_class=None,
        reference="ours (Rahman & Wang 2016, soft IoU), checked against a torch re-implementation",
        sources=("zh-concepts",),
        arguments=(INPUT, TARGET),
        parameters=(SMOOTH, reduction_parameter()),
        example=EXAMPLE,
        function=jaccard_loss,
    ),
)
