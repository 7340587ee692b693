"""Regression losses: distances between a prediction and a real-valued target."""

from __future__ import annotations

import numpy as np

from ._core import Unreduced, loss_function
from .pointwise import prepare_pointwise, weight_sum_scale
from .spec import Argument, LossSpec, reduction_parameter

__all__ = ["l1_loss", "mse_loss"]

INPUT = Argument("input", "prediction", "float", "(*)")
TARGET = Argument("target", "target", "float", "(*), same shape as input")
WEIGHT = Argument("weight", "weight", "float", "(*), same shape as input", optional=True)

# The notes' 2×2 example: the prediction is all ones, the target counts 0..3.
NOTES_EXAMPLE = {"input": [[1.0, 1.0], [1.0, 1.0]], "target": [[0.0, 1.0], [2.0, 3.0]]}


def _weighted(arrays: dict, values: np.ndarray, dvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if "weight" in arrays:
        return values * arrays["weight"], dvalues * arrays["weight"]
    return values, dvalues


def _l1_compute(arrays: dict, params: dict) -> Unreduced:
    diff = arrays["input"] - arrays["target"]
    # d|d|/dd at d = 0 is taken as 0, as torch's sign() does.
    values, slope = _weighted(arrays, np.abs(diff), np.sign(diff))
    return Unreduced(values, lambda g: {"input": g * slope}, weight_sum_scale(params))


@loss_function(_l1_compute)
def l1_loss(input, target, reduction="mean", weight=None):
    r"""Mean absolute error, ``torch.nn.functional.l1_loss``.

    Unreduced: :math:`\ell_i = w_i\,|x_i - y_i|` (``w_i = 1`` without a weight).
    'mean': :math:`\sum_i \ell_i / n`, or :math:`\sum_i \ell_i / \sum_i w_i` with a weight;
    'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable to it (torch warns when they
    differ), weight exactly input's shape; output ``(*)`` for 'none', else scalar.
    Gradient: ``w * sign(x - y)``, 0 at the kink x = y, as in torch.
    """
    return prepare_pointwise(input, target, reduction, weight=weight)


def _mse_compute(arrays: dict, params: dict) -> Unreduced:
    diff = arrays["input"] - arrays["target"]
    values, slope = _weighted(arrays, diff * diff, 2.0 * diff)
    return Unreduced(values, lambda g: {"input": g * slope}, weight_sum_scale(params))


@loss_function(_mse_compute)
def mse_loss(input, target, reduction="mean", weight=None):
    r"""Mean squared error, ``torch.nn.functional.mse_loss``.

    Unreduced: :math:`\ell_i = w_i (x_i - y_i)^2`.  'mean' divides the sum by n,
    or by :math:`\sum_i w_i` with a weight; 'sum' adds.

    Shape: as :func:`l1_loss`.  Gradient: ``2 w (x - y)``.
    """
    return prepare_pointwise(input, target, reduction, weight=weight)


SPECS = (
    LossSpec(
        id="l1_loss",
        family="regression",
        title={"en": "L1 loss (mean absolute error)", "zh": "L1 损失（平均绝对误差）"},
        torch_class="L1Loss",
        reference="torch.nn.functional.l1_loss",
        sources=("zh-examples", "zh-reference", "zh-concepts", "en-summary"),
        arguments=(INPUT, TARGET, WEIGHT),
        parameters=(reduction_parameter(),),
        example=NOTES_EXAMPLE,
        function=l1_loss,
    ),
    LossSpec(
        id="mse_loss",
        family="regression",
        title={"en": "MSE loss (mean squared error)", "zh": "MSE 损失（均方误差）"},
        torch_class="MSELoss",
        reference="torch.nn.functional.mse_loss",
        sources=("zh-examples", "zh-reference", "zh-concepts", "en-summary"),
        arguments=(INPUT, TARGET, WEIGHT),
        parameters=(reduction_parameter(),),
        example=NOTES_EXAMPLE,
        function=mse_loss,
    ),
)
