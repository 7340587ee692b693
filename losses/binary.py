"""Binary and multi-label classification losses: one independent yes/no decision per element.

``binary_cross_entropy`` takes probabilities; the others take logits (raw scores)
and fold the sigmoid into the loss, which is what makes them numerically stable.
"""

from __future__ import annotations

import numpy as np

from ._core import Problem, Unreduced, broadcast_canonical, loss_function
from .activations import stable_sigmoid
from .numerics import log_sigmoid
from .pointwise import prepare_pointwise
from .spec import Argument, CurveAxis, LossSpec, Parameter, Worked, reduction_parameter
from .validation import (
    LossInputError,
    as_float,
    check_broadcast,
    check_interval,
    check_ndim,
    check_reduction,
)

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "multilabel_soft_margin_loss",
    "sigmoid_focal_loss",
]

# torch's BCE backward divides by max((1 - x) x, EPSILON) with EPSILON = 1e-12 stored as a float32,
# which is 9.99999996e-13 in float64: the exact constant shows in the gradient at x = 0 or 1.
BCE_GRAD_EPSILON = float(np.float32(1e-12))
# torch clamps each log term of BCE at -100, so a probability of exactly 0 or 1 costs 100, not inf.
LOG_CLAMP = -100.0


# --- binary_cross_entropy ------------------------------------------------------------------

def _bce_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    # Clamping each log at -100 is torch's way of keeping x = 0 or 1 finite; log1p(-x) is
    # log(1 - x) without losing the digits of a tiny x.
    log_x = np.maximum(np.log(x), LOG_CLAMP)
    log_1mx = np.maximum(np.log1p(-x), LOG_CLAMP)
    values = (y - 1.0) * log_1mx - y * log_x
    # The derivative of the unclamped loss, (x - y) / (x (1 - x)), with its denominator floored,
    # as torch's backward writes it (it ignores the clamps of the forward pass).
    slope = (x - y) / np.maximum((1.0 - x) * x, BCE_GRAD_EPSILON)
    if "weight" in arrays:
        values = values * arrays["weight"]
        slope = slope * arrays["weight"]
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_bce_compute)
def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy between probabilities and targets, ``torch.nn.functional.binary_cross_entropy``.

    Unreduced: :math:`\ell_i = -w_i\,[\,y_i \max(\log x_i, -100) + (1 - y_i)\max(\log(1 - x_i), -100)\,]`
    (``w_i = 1`` without a weight).  The clamp at -100 is torch's: a probability of exactly 0 or 1
    on the wrong side costs 100 instead of infinity.
    'mean': :math:`\sum_i \ell_i / n` (a plain mean: the weights are not normalised);
    'sum': :math:`\sum_i \ell_i`.

    Both input and target must lie in [0, 1], as torch 2.13 requires (NaN is refused too):
    the notes' 2×2 example, target [[0, 1], [2, 3]], is refused.  (The notes' printed -13.8155
    comes from an old torch that computed log(x + 1e-12) and checked nothing.)

    Shape: input ``(*)``, target the same shape, weight broadcastable to it; output ``(*)``
    for 'none', else a scalar.
    Gradient: :math:`w\,(x - y) / \max(x(1 - x), \epsilon)` with torch's
    :math:`\epsilon = 10^{-12}` (a float32 constant); it is the derivative of the unclamped loss,
    so at x = 0 or 1 it is about :math:`\pm 10^{12}` where the target disagrees and 0 where it
    agrees, exactly as torch's.
    """
    problem = prepare_pointwise(input, target, reduction, to_input={"weight": weight}, same_shape=True)
    # After the shapes, as torch checks: the same-shape target is the canonical one, element for element.
    check_interval("input", problem.arrays["input"], 0.0, 1.0)
    check_interval("target", problem.arrays["target"], 0.0, 1.0)
    return problem


# --- binary_cross_entropy_with_logits ------------------------------------------------------

def _bce_logits_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    # -[y log s(x) + (1 - y) log(1 - s(x))] = (1 - y) x - log s(x), since log(1 - s(x)) =
    # log s(x) - x; log s(x) is taken in its overflow-free form (log-sum-exp / softplus),
    # so logits of +-800 give 800, not inf or NaN.
    log_s = log_sigmoid(x)
    if "pos_weight" in arrays:
        pos_weight = arrays["pos_weight"]
        # The positive term y log s(x) is scaled by pos_weight: l = (1 - y) x - (1 + (p - 1) y) log s(x).
        values = (1.0 - y) * x - (1.0 + (pos_weight - 1.0) * y) * log_s
    else:
        values = (1.0 - y) * x - log_s
    s = stable_sigmoid(x)
    if "pos_weight" in arrays:
        weighted_target = pos_weight * y
        slope = (weighted_target + 1.0 - y) * s - weighted_target
    else:
        slope = s - y
    if "weight" in arrays:
        values = values * arrays["weight"]
        slope = slope * arrays["weight"]
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_bce_logits_compute)
def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    r"""Sigmoid and binary cross-entropy in one stable step, ``torch.nn.functional.binary_cross_entropy_with_logits``.

    Unreduced, with :math:`\sigma` the sigmoid and :math:`p` the pos_weight (1 without one):
    :math:`\ell_i = -w_i\,[\,p\,y_i \log\sigma(x_i) + (1 - y_i)\log(1 - \sigma(x_i))\,]
    = w_i\,[\,(1 - y_i)\,x_i - (1 + (p - 1)\,y_i)\log\sigma(x_i)\,]`,
    with :math:`\log\sigma(x) = \min(x, 0) - \log(1 + e^{-|x|})` (no overflow, no clamp needed).
    'mean': :math:`\sum_i \ell_i / n`; 'sum': :math:`\sum_i \ell_i`.

    Targets outside [0, 1] are accepted, as torch accepts them, and give torch's number (the
    formula above, which is then no longer a cross-entropy and can be negative).  An infinite
    logit gives NaN (0 · inf), as in torch.

    Shape: input ``(*)``, target the same shape; weight and pos_weight broadcastable to it.  A
    pos_weight of shape ``(C,)`` broadcasts along the last (class) dimension: one weight per class
    for the positive examples.  Output ``(*)`` for 'none', else a scalar.
    Gradient: :math:`w\,[(p\,y + 1 - y)\,\sigma(x) - p\,y]` (:math:`w(\sigma(x) - y)` without
    pos_weight), torch's formula; smooth everywhere, 0 at infinite logits.
    """
    return prepare_pointwise(input, target, reduction, to_input={"weight": weight, "pos_weight": pos_weight},
                             same_shape=True)


# --- multilabel_soft_margin_loss -----------------------------------------------------------

def _prepare_multilabel(input, target, weight, reduction) -> Problem:
    """Broadcast like torch's Python code, then view as (A, K, R) with K the summed axis.

    torch sums over dim ``input.dim() - 1`` of the broadcast product: the class dim when target
    and weight do not add dimensions (every row is a unit then), and whatever axis has that
    index, counted from the front, when they do.  The sum is divided by ``input.size(-1)``.
    """
    check_reduction(reduction)
    arrays = {"input": as_float("input", input), "target": as_float("target", target)}
    if weight is not None:
        arrays["weight"] = as_float("weight", weight)
    check_ndim("input", arrays["input"], tuple(range(1, 33)), "at least 1-D, (C) or (N, C)")
    shape = check_broadcast("target", arrays["target"], "input", arrays["input"])
    if "weight" in arrays:
        shape = check_broadcast("weight", arrays["weight"], "input", np.empty(shape))
    axis = arrays["input"].ndim - 1
    canonical_shape = (int(np.prod(shape[:axis], dtype=np.int64)), shape[axis],
                       int(np.prod(shape[axis + 1:], dtype=np.int64)))
    canonical, layouts = broadcast_canonical(arrays, shape, canonical_shape)
    return Problem.from_canonical(canonical, arrays, reduction=reduction,
                                  none_shape=tuple(shape[:axis]) + tuple(shape[axis + 1:]),
                                  params={"classes": arrays["input"].shape[-1]}, layouts=layouts)


def _multilabel_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    classes = params["classes"]
    # log(1 - s(x)) = log s(-x): both terms use the overflow-free log-sigmoid.
    terms = -(y * log_sigmoid(x) + (1.0 - y) * log_sigmoid(-x))
    if "weight" in arrays:
        terms = terms * arrays["weight"]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = terms.sum(axis=1) / classes

    def backward(g):
        per_term = g[:, None, :] / classes
        if "weight" in arrays:
            per_term = per_term * arrays["weight"]
        # d log s(x)/dx = s(-x) and d log s(-x)/dx = -s(x); kept as two terms (not s(x) - y) so that
        # an infinite logit gives torch's gradient 0 while its value is NaN.
        return {"input": -(per_term * y) * stable_sigmoid(-x) + (per_term * (1.0 - y)) * stable_sigmoid(x)}

    return Unreduced(values, backward)


@loss_function(_multilabel_compute)
def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    r"""One-versus-all logistic loss per sample, ``torch.nn.functional.multilabel_soft_margin_loss``.

    Unreduced, per sample n over its C classes:
    :math:`\ell_n = -\frac{1}{C}\sum_c w_c\,[\,y_{nc}\log\sigma(x_{nc}) + (1 - y_{nc})\log\sigma(-x_{nc})\,]`,
    the mean over classes of the BCE-with-logits terms (each class is its own yes/no question).
    'mean': :math:`\sum_n \ell_n / N`; 'sum': :math:`\sum_n \ell_n`.

    Shape: input ``(N, C)`` or unbatched ``(C)`` (any ``(*, C)`` works: the last dim is the class
    dim), target broadcastable to it (normally the same shape, 0/1 labels), weight broadcastable
    (typically ``(C,)``).  Output ``(N)`` (``(*)``) for 'none', a scalar for ``(C)`` input or
    other reductions.  torch sums over dim ``input.dim() - 1`` of the broadcast product, so a
    target that adds leading dims moves that sum; this mirrors it.
    Gradient: :math:`\frac{w}{C}(\sigma(x) - y)`, smooth; 0 at infinite logits (where the value is
    NaN), as in torch.
    """
    return _prepare_multilabel(input, target, weight, reduction)


# --- sigmoid_focal_loss --------------------------------------------------------------------

def _check_alpha(alpha) -> float:
    # torchvision (since v0.22, pytorch/vision#8882) allows [0, 1] and -1, the 'off' value.
    alpha = float(alpha)
    if not (0.0 <= alpha <= 1.0) and alpha != -1.0:
        raise LossInputError("range", "alpha", alpha, "[0, 1] or -1",
                             f"alpha={alpha} is outside [0, 1]; use -1 to turn the class weighting off")
    return alpha


def _focal_compute(arrays: dict, params: dict) -> Unreduced:
    x, y = arrays["input"], arrays["target"]
    alpha, gamma = params["alpha"], params["gamma"]
    p = stable_sigmoid(x)
    ce = (1.0 - y) * x - log_sigmoid(x)  # binary_cross_entropy_with_logits, stable form
    p_t = p * y + (1.0 - p) * (1.0 - y)
    easiness = 1.0 - p_t
    modulation = easiness ** gamma
    values = ce * modulation
    alpha_t = alpha * y + (1.0 - alpha) * (1.0 - y) if alpha >= 0 else None
    if alpha_t is not None:
        values = alpha_t * values

    def backward(g):
        # The chain rule step by step in torchvision's order, so that 0 · inf gives NaN exactly
        # where torch's autograd does (0 < gamma < 1 with a saturated sigmoid).
        g_loss = g * alpha_t if alpha_t is not None else g
        g_ce = g_loss * modulation
        g_mod = g_loss * ce
        if gamma == 0:
            g_easy = np.zeros_like(g_mod)  # torch's pow backward returns zeros for exponent 0
        else:
            g_easy = g_mod * gamma * easiness ** (gamma - 1.0)
        g_pt = -g_easy
        g_p = g_pt * y - g_pt * (1.0 - y)
        return {"input": g_ce * (p - y) + g_p * (1.0 - p) * p}

    return Unreduced(values, backward)


@loss_function(_focal_compute)
def sigmoid_focal_loss(input, target, alpha=0.25, gamma=2.0, reduction="none"):
    r"""Focal loss of RetinaNet (Lin et al. 2017), as ``torchvision.ops.sigmoid_focal_loss`` defines it.

    Unreduced, with :math:`p = \sigma(x)` and :math:`p_t = p\,y + (1 - p)(1 - y)` the probability
    given to the true label: :math:`\ell_i = \alpha_t\,(1 - p_t)^\gamma\,\mathrm{BCE}(x_i, y_i)`,
    where BCE is the stable binary_cross_entropy_with_logits term and
    :math:`\alpha_t = \alpha y + (1 - \alpha)(1 - y)`.  :math:`(1 - p_t)^\gamma` shrinks the loss of
    well-classified (easy) elements; gamma = 0 and alpha = -1 give plain BCE with logits.
    alpha must be in [0, 1], or -1 to turn the class weighting off (torchvision's rule).
    'none' (the default, unlike torch's losses): the elementwise values; 'mean': their mean;
    'sum': their sum.

    Shape: input ``(*)`` logits, target the same shape (0/1 labels); output ``(*)`` for 'none'.
    Gradient: torch's autograd through torchvision's expression, reproduced step by step; for
    0 < gamma < 1 it is NaN where the sigmoid saturates to exactly 0 or 1 (0 · inf), as in torch.
    """
    alpha = _check_alpha(alpha)
    return prepare_pointwise(input, target, reduction, params={"alpha": alpha, "gamma": float(gamma)},
                             same_shape=True)


# --- registry ------------------------------------------------------------------------------

PROBABILITIES = Argument("input", "prediction", "float", "(*)", domain="probability")
LOGITS = Argument("input", "prediction", "float", "(*)")
PROBABILITY_TARGET = Argument("target", "target", "float", "(*), same shape as input", domain="probability")
BINARY_TARGET = Argument("target", "target", "float", "(*), same shape as input", domain="binary")
WEIGHT = Argument("weight", "weight", "float", "broadcastable to input", domain="nonnegative", optional=True)
POS_WEIGHT = Argument("pos_weight", "weight", "float", "(C,), broadcastable to input", domain="nonnegative",
                      optional=True)

SPECS = (
    LossSpec(
        id="binary_cross_entropy",
        family="classification",
        title={"en": "Binary cross-entropy (BCE)", "zh": "二元交叉熵损失（BCE）"},
        torch_class="BCELoss",
        reference="torch.nn.functional.binary_cross_entropy",
        sources=("zh-examples", "zh-reference", "zh-concepts", "en-summary"),
        arguments=(PROBABILITIES, PROBABILITY_TARGET, WEIGHT),
        parameters=(reduction_parameter(),),
        # The notes' 2×2 target [[0, 1], [2, 3]] is not a probability; here two samples, two labels
        # each: the first sample leans the right way (0.7 for a 1, 0.3 for a 0) and costs little,
        # the second leans the wrong way (0.4 for a 1, 0.8 for a 0) and costs much more.
        example={"input": [[0.7, 0.3], [0.4, 0.8]], "target": [[1.0, 0.0], [1.0, 0.0]]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("binary_target", "prob", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.binary_cross_entropy",
        torch_class_tensors=("weight",),
        worked=Worked("binary_cross_entropy"),
        notes_order=3,
        function=binary_cross_entropy,
    ),
    LossSpec(
        id="binary_cross_entropy_with_logits",
        family="classification",
        title={"en": "Binary cross-entropy with logits", "zh": "带 logits 的二元交叉熵损失（BCEWithLogits）"},
        torch_class="BCEWithLogitsLoss",
        reference="torch.nn.functional.binary_cross_entropy_with_logits",
        sources=("zh-reference", "zh-concepts"),
        arguments=(LOGITS, PROBABILITY_TARGET, WEIGHT, POS_WEIGHT),
        parameters=(reduction_parameter(),),
        # Raw scores: sigmoid(2) = 0.88 for a positive is good, sigmoid(1.5) = 0.82 for a negative is
        # bad; a soft target 0.5 is allowed.
        example={"input": [[2.0, -1.0], [1.5, 0.0]], "target": [[1.0, 0.0], [0.0, 0.5]]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("binary_target", "logit", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.binary_cross_entropy_with_logits",
        torch_class_tensors=("weight", "pos_weight",),
        worked=Worked("binary_cross_entropy_logits"),
        notes_order=None,
        function=binary_cross_entropy_with_logits,
    ),
    LossSpec(
        id="multilabel_soft_margin_loss",
        family="classification",
        title={"en": "Multi-label soft margin loss", "zh": "多标签软间隔损失（one-versus-all）"},
        torch_class="MultiLabelSoftMarginLoss",
        reference="torch.nn.functional.multilabel_soft_margin_loss",
        sources=("zh-reference",),
        arguments=(
            Argument("input", "prediction", "float", "(N, C) or (C)"),
            Argument("target", "target", "float", "(N, C) or (C), same shape as input", domain="binary"),
            Argument("weight", "weight", "float", "(C,), broadcastable to input", domain="nonnegative",
                     optional=True),
        ),
        parameters=(reduction_parameter(),),
        # Two images, three tags each; an image may carry several tags (the first has two) or none.
        example={"input": [[2.0, -1.0, 0.5], [-0.5, -2.0, 1.0]], "target": [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]},
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("binary_target", "logit", ("input",)),
        gradient="derivative",
        torch_function="torch.nn.functional.multilabel_soft_margin_loss",
        torch_class_tensors=("weight",),
        worked=Worked("multilabel_soft_margin"),
        notes_order=None,
        function=multilabel_soft_margin_loss,
    ),
    LossSpec(
        id="sigmoid_focal_loss",
        family="classification",
        title={"en": "Sigmoid focal loss", "zh": "Sigmoid Focal 损失（焦点损失）"},
        torch_class=None,
        reference="torchvision.ops.sigmoid_focal_loss",
        sources=("beyond",),
        arguments=(LOGITS, BINARY_TARGET),
        parameters=(
            # -1 is also allowed (it turns the class weighting off) but lies outside the slider's range.
            Parameter("alpha", "float", 0.25, low=0.0, high=1.0),
            Parameter("gamma", "float", 2.0, ui_high=5.0),
            Parameter("reduction", "choice", "none", choices=("none", "mean", "sum")),
        ),
        # The same logits as the BCE-with-logits example: the easy element (2.0 for a 1) is damped
        # far more than the hard one (1.5 for a 0).
        example={"input": [[2.0, -1.0], [1.5, 0.0]], "target": [[1.0, 0.0], [0.0, 1.0]]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=CurveAxis("binary_target", "logit", ("input",)),
        gradient="derivative",
        torch_function=None,
        torch_class_tensors=(),
        worked=Worked("focal"),
        notes_order=None,
        function=sigmoid_focal_loss,
    ),
)
