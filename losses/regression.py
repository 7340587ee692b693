"""Regression losses: distances between a prediction and a real-valued target."""

from __future__ import annotations

import numpy as np

from ._core import Unreduced, loss_function
from .pointwise import prepare_pointwise, weight_sum_scale
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked, reduction_parameter
from .validation import as_scalar, check_choice, check_flag, check_range

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "l0_loss", "relative_mse_loss"]

INPUT = Argument("input", "prediction", "float", "(*)")
TARGET = Argument("target", "target", "float", "(*), same shape as input")
WEIGHT = Argument("weight", "weight", "float", "(*), same shape as input", optional=True)

# The notes' 2×2 example: the prediction is all ones, the target counts 0..3.
NOTES_EXAMPLE = {"input": [[1.0, 1.0], [1.0, 1.0]], "target": [[0.0, 1.0], [2.0, 3.0]]}


def _sign(diff: np.ndarray) -> np.ndarray:
    """torch's sign: like numpy's, except that the sign of nan is 0 (so l1's gradient at a nan error is 0)."""
    return np.where(np.isnan(diff), 0.0, np.sign(diff))


def _weighted(arrays: dict, values: np.ndarray, dvalues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if "weight" in arrays:
        return values * arrays["weight"], dvalues * arrays["weight"]
    return values, dvalues


def _l1_compute(arrays: dict, params: dict) -> Unreduced:
    diff = arrays["input"] - arrays["target"]
    # d|d|/dd at d = 0 is taken as 0, as torch's sign() does.
    values, slope = _weighted(arrays, np.abs(diff), _sign(diff))
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



def _smooth_l1_compute(arrays: dict, params: dict) -> Unreduced:
    beta = params["beta"]
    diff = arrays["input"] - arrays["target"]
    z = np.abs(diff)
    if beta == 0.0:
        # torch routes beta = 0 to l1_loss (0.5 z²/beta would divide by zero): |d|, slope sign(d), 0 at d = 0.
        values, slope = z, _sign(diff)
    else:
        # Same branch conditions as torch's kernel; at |d| = beta both branches meet with slope ±1.
        values = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        slope = np.where(diff <= -beta, -1.0, np.where(diff >= beta, 1.0, diff / beta))
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_smooth_l1_compute)
def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    r"""Smooth L1 loss, ``torch.nn.functional.smooth_l1_loss``.

    Unreduced, with :math:`z_i = |x_i - y_i|`:
    :math:`\ell_i = 0.5 z_i^2 / \beta` if :math:`z_i < \beta`, else :math:`z_i - 0.5\beta`.
    With ``beta=0`` it is the L1 loss :math:`\ell_i = z_i` (torch calls ``l1_loss`` then).
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable to it (torch warns when they
    differ); output ``(*)`` for 'none', else scalar.
    Gradient: ``(x - y) / beta`` inside the quadratic zone, ``sign(x - y)``
    outside; at the kinks ``|x - y| = beta`` both give ±1, as in torch.  With
    ``beta=0`` it is ``sign(x - y)``, 0 at x = y, as torch's l1_loss.  ``beta``
    must be >= 0 (torch refuses a negative beta).
    """
    beta = as_scalar("beta", beta)
    check_range("beta", beta, low=0.0)
    return prepare_pointwise(input, target, reduction, params={"beta": beta})


def _huber_compute(arrays: dict, params: dict) -> Unreduced:
    delta = params["delta"]
    diff = arrays["input"] - arrays["target"]
    z = np.abs(diff)
    values = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
    slope = np.where(diff <= -delta, -delta, np.where(diff >= delta, delta, diff))
    values, slope = _weighted(arrays, values, slope)
    # A weighted huber 'mean' is the plain mean of the weighted values (torch's
    # python code calls .mean()), unlike l1/mse which divide by the weights' sum.
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_huber_compute)
def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    r"""Huber loss, ``torch.nn.functional.huber_loss``.

    Unreduced, with :math:`z_i = |x_i - y_i|`:
    :math:`\ell_i = w_i\,0.5 z_i^2` if :math:`z_i < \delta`, else
    :math:`w_i\,\delta (z_i - 0.5\delta)` (``w_i = 1`` without a weight).
    It equals ``delta * smooth_l1_loss(beta=delta)``.
    'mean': :math:`\sum_i \ell_i / n`, also with a weight (n counts the
    broadcast elements; not divided by the weights' sum as l1/mse do);
    'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable to it, weight exactly input's
    shape; output ``(*)`` for 'none', else scalar.
    Gradient: ``w (x - y)`` inside, ``w delta sign(x - y)`` outside; at the
    kinks ``|x - y| = delta`` both give ``±w delta``, as in torch.  ``delta``
    must be > 0 (torch refuses 0 and negative values).
    """
    delta = as_scalar("delta", delta)
    check_range("delta", delta, low=0.0, low_open=True)
    return prepare_pointwise(input, target, reduction, weight=weight, params={"delta": delta})


def _l0_compute(arrays: dict, params: dict) -> Unreduced:
    gamma, eps = params["gamma"], params["eps"]
    diff = arrays["input"] - arrays["target"]
    base = np.abs(diff) + eps
    values = base ** gamma
    if gamma == 0.0:
        # torch's pow backward returns zeros for exponent 0, even where base ** -1 is infinite.
        slope = np.zeros_like(values)
    else:
        slope = gamma * base ** (gamma - 1.0) * _sign(diff)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_l0_compute)
def l0_loss(input, target, gamma=2.0, eps=1e-8, reduction="mean"):
    r"""The L0 loss of Noise2Noise (Lehtinen et al., 2018); torch has none.

    Unreduced: :math:`\ell_i = (|x_i - y_i| + \epsilon)^\gamma`.  Noise2Noise
    anneals gamma linearly from 2 (about the MSE, mean-seeking) to 0 (the mode
    of the targets).  'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable to it; output ``(*)`` for
    'none', else scalar.
    Gradient: :math:`\gamma (|x-y| + \epsilon)^{\gamma - 1} \operatorname{sign}(x - y)`:
    0 at the kink x = y (the sign of 0 is 0, as torch's abs backward has it;
    with eps = 0 and gamma < 1 that is inf * 0 = nan there, as in torch), and 0
    everywhere for gamma = 0.  gamma and eps must be >= 0.
    """
    gamma = as_scalar("gamma", gamma)
    eps = as_scalar("eps", eps)
    check_range("gamma", gamma, low=0.0)
    check_range("eps", eps, low=0.0)
    return prepare_pointwise(input, target, reduction, params={"gamma": gamma, "eps": eps})


def _relative_mse_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    diff = x - y
    on_input = params["denominator"] == "input"
    den = (x if on_input else y) + params["eps"]
    values = diff * diff / (den * den)
    slope = 2.0 * diff / (den * den)
    if on_input and not params["detach_denominator"]:
        # The denominator (x + eps)² depends on x too: d/dx of d²/den² adds -2 d²/den³.
        slope = slope - 2.0 * diff * diff / (den * den * den)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_relative_mse_compute)
def relative_mse_loss(input, target, eps=0.01, denominator="target", detach_denominator=True, reduction="mean"):
    r"""Relative MSE for HDR images (Noise2Noise, Lehtinen et al., 2018); torch has none.

    Unreduced: :math:`\ell_i = (x_i - y_i)^2 / (y_i + \epsilon)^2` with
    ``denominator='target'``; with ``denominator='input'`` the notes' suggested
    replacement :math:`(x_i - y_i)^2 / (x_i + \epsilon)^2` (eps = 0.01 there),
    which avoids the metric's non-linearity in the target.
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable to it; output ``(*)`` for
    'none', else scalar.
    Gradient: ``2 (x - y) / den²``.  With ``denominator='input'`` and
    ``detach_denominator=True`` (the default, as in Noise2Noise) the
    denominator is a constant for the gradient, so this is *not* the
    derivative of the value; with ``detach_denominator=False`` the term
    ``-2 (x - y)² / (x + eps)³`` is added.  No kinks; a denominator of 0 gives
    inf or nan as in torch.  eps must be >= 0.
    """
    eps = as_scalar("eps", eps)
    check_range("eps", eps, low=0.0)
    check_choice("denominator", denominator, ("target", "input"))
    detach = check_flag("detach_denominator", detach_denominator)
    params = {"eps": eps, "denominator": denominator, "detach_denominator": detach}
    return prepare_pointwise(input, target, reduction, params=params)


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
        reduction_unit="element",
        mean_denominator="weight_sum",
        kinks=(r"x_i = y_i",),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.l1_loss",
        torch_class_tensors=(),
        worked=Worked("absolute_error"),
        notes_order=0,
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
        reduction_unit="element",
        mean_denominator="weight_sum",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.mse_loss",
        torch_class_tensors=(),
        worked=Worked("squared_error"),
        notes_order=2,
        function=mse_loss,
    ),
    LossSpec(
        id="smooth_l1_loss",
        family="regression",
        title={"en": "Smooth L1 loss", "zh": "Smooth L1 损失（平滑 L1）"},
        torch_class="SmoothL1Loss",
        reference="torch.nn.functional.smooth_l1_loss",
        sources=("zh-examples", "zh-reference", "en-summary"),
        arguments=(INPUT, TARGET),
        parameters=(reduction_parameter(), Parameter("beta", "float", 1.0, low=0.0, ui_high=5.0)),
        # The notes' 0.625: errors 1, 0, 1, 2 give 0.5 + 0 + 0.5 + 1.5 over 4; two of them sit on the kink.
        example=NOTES_EXAMPLE,
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(r"|x_i - y_i| = \beta",),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.smooth_l1_loss",
        torch_class_tensors=(),
        worked=Worked("smooth_l1"),
        notes_order=1,
        function=smooth_l1_loss,
    ),
    LossSpec(
        id="huber_loss",
        family="regression",
        title={"en": "Huber loss", "zh": "Huber 损失"},
        torch_class="HuberLoss",
        reference="torch.nn.functional.huber_loss",
        # The notes name SmoothL1Loss "Huber loss"; with delta = 1 the two agree.
        sources=("zh-examples", "zh-reference", "en-summary"),
        arguments=(INPUT, TARGET, WEIGHT),
        parameters=(reduction_parameter(), Parameter("delta", "float", 1.0, low=0.0, low_open=True, ui_high=5.0)),
        example=NOTES_EXAMPLE,
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(r"|x_i - y_i| = \delta",),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.huber_loss",
        torch_class_tensors=(),
        worked=Worked("huber"),
        notes_order=None,
        function=huber_loss,
    ),
    LossSpec(
        id="l0_loss",
        family="regression",
        title={"en": "L0 loss (Noise2Noise)", "zh": "L0 损失（Noise2Noise）"},
        torch_class=None,
        reference="Noise2Noise (Lehtinen et al., 2018), the annealed L0 loss",
        sources=("zh-concepts",),
        arguments=(INPUT, TARGET),
        parameters=(
            Parameter("gamma", "float", 2.0, low=0.0, ui_high=3.0),
            Parameter("eps", "float", 1e-8, low=0.0, ui_high=1.0),
            reduction_parameter(),
        ),
        # gamma = 0.5, halfway through the annealing: large errors weigh less than under L1.
        example=dict(NOTES_EXAMPLE, gamma=0.5),
        reduction_unit="element",
        mean_denominator="count",
        # (|x - y| + eps)^gamma: a cusp at zero error for the example's gamma = 0.5 (the jump shrinks to
        # 2 gamma eps^(gamma - 1), 4e-8, at the default gamma = 2).
        kinks=(r"x_i = y_i",),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function=None,
        torch_class_tensors=(),
        worked=Worked("power_error"),
        notes_order=None,
        function=l0_loss,
    ),
    LossSpec(
        id="relative_mse_loss",
        family="regression",
        title={"en": "Relative MSE (HDR)", "zh": "HDR 相对 MSE 损失"},
        torch_class=None,
        reference="Noise2Noise (Lehtinen et al., 2018), the HDR relative MSE",
        sources=("zh-concepts",),
        arguments=(INPUT, Argument("target", "target", "float", "(*), same shape as input", "nonnegative")),
        parameters=(
            Parameter("eps", "float", 0.01, low=0.0, ui_high=1.0),
            Parameter("denominator", "choice", "target", choices=("target", "input")),
            Parameter("detach_denominator", "bool", True),
            reduction_parameter(),
        ),
        # The zero target makes (1 - 0)² / 0.01² = 10000 dominate: why the notes propose dividing by the input.
        example=NOTES_EXAMPLE,
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function=None,
        torch_class_tensors=(),
        worked=Worked("relative_squared_error"),
        notes_order=None,
        function=relative_mse_loss,
    ),
)
