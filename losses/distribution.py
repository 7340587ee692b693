"""Distribution losses: how well a predicted distribution explains the target."""

from __future__ import annotations

import math

import numpy as np

from ._core import Problem, Unreduced, loss_function
from .pointwise import prepare_pointwise
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked, reduction_parameter
from .validation import LossInputError, as_float, as_scalar, check_flag, fmt_shape

__all__ = ["kl_div", "poisson_nll_loss", "gaussian_nll_loss"]

HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _xlogy_self(t: np.ndarray) -> np.ndarray:
    """torch.xlogy(t, t): 0 where t == 0 (so an impossible class costs nothing), nan for t < 0 or nan."""
    return np.where(t == 0, 0.0, t * np.log(t))


def _kl_div_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    if params["log_target"]:
        p = np.exp(t)
        values = p * (t - x)
        slope = -p
    else:
        values = _xlogy_self(t) - t * x
        slope = -t
    scale = None
    if params["reduction"] == "batchmean":
        scale = np.float64(1.0) / params["batch"]
    return Unreduced(values, lambda g: {"input": g * slope}, scale)


@loss_function(_kl_div_compute)
def kl_div(input, target, reduction="mean", log_target=False):
    r"""Kullback-Leibler divergence, ``torch.nn.functional.kl_div``.

    ``input`` holds log-probabilities :math:`x = \log q`; ``target`` holds
    probabilities :math:`p` (or :math:`\log p` with ``log_target=True``).
    Unreduced: :math:`\ell_i = p_i (\log p_i - x_i)`, with :math:`0 \log 0 = 0`
    (torch's xlogy); a negative target gives nan, as in torch.
    'batchmean': :math:`\sum_i \ell_i / N` with N = input.shape[0] (the KL
    divergence per sample; no division for a 0-d input); 'sum':
    :math:`\sum_i \ell_i`; 'mean': :math:`\sum_i \ell_i / n` over all n
    elements, which is *not* the KL divergence (torch warns about it).

    Shape: input ``(*)``, target broadcastable with it; output the broadcast
    shape for 'none', else scalar.
    Gradient: ``-p`` (``-exp(target)`` with log_target); no kinks.
    """
    log_target = check_flag("log_target", log_target)
    x = as_float("input", input)
    # torch divides by input.size(0), not by the broadcast output's first dimension.
    batch = x.shape[0] if x.ndim else 1
    return prepare_pointwise(x, target, reduction, params={"log_target": log_target, "batch": batch},
                             reductions=("none", "batchmean", "sum", "mean"))


def _poisson_compute(arrays: dict, params: dict) -> Unreduced:
    x, t = arrays["input"], arrays["target"]
    if params["log_input"]:
        rate = np.exp(x)
        values = rate - t * x
        slope = rate - t
    else:
        # eps keeps log away from log(0) at a zero rate; torch adds it unconditionally.
        shifted = x + params["eps"]
        values = x - t * np.log(shifted)
        slope = 1.0 - t / shifted
    if params["full"]:
        stirling = t * np.log(t) - t + 0.5 * np.log(2.0 * math.pi * t)
        # torch masks with target <= 1, so a nan target keeps its nan.
        values = values + np.where(t <= 1, 0.0, stirling)
    return Unreduced(values, lambda g: {"input": g * slope})


@loss_function(_poisson_compute)
def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    r"""Poisson negative log-likelihood, ``torch.nn.functional.poisson_nll_loss``.

    Unreduced: :math:`\ell_i = e^{x_i} - y_i x_i` with ``log_input=True``
    (input is the log-rate), else :math:`\ell_i = x_i - y_i \log(x_i + \epsilon)`.
    ``full=True`` adds Stirling's approximation of :math:`\log y_i!`,
    :math:`y_i \log y_i - y_i + \tfrac12 \log(2\pi y_i)`, only where
    :math:`y_i > 1` (as torch does).  'mean': :math:`\sum_i \ell_i / n`;
    'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(*)``, target broadcastable with it; output the broadcast
    shape for 'none', else scalar.
    Gradient: ``exp(x) - y``, or ``1 - y / (x + eps)``; no kinks (the Stirling
    term does not depend on the input).  Like torch, any eps is accepted; the
    registry's range [0, inf) is the meaningful one.
    """
    log_input = check_flag("log_input", log_input)
    full = check_flag("full", full)
    eps = as_scalar("eps", eps)
    return prepare_pointwise(input, target, reduction, params={"log_input": log_input, "full": full, "eps": eps})


def _gaussian_compute(arrays: dict, params: dict) -> Unreduced:
    d = arrays["input"] - arrays["target"]
    # torch clamps a clone of var at eps under no_grad: the value uses max(var, eps)
    # and the gradient passes straight through to var, evaluated at the clamped value
    # (not 0 below eps).  np.maximum keeps a nan var nan, like torch.clamp.
    var = np.maximum(arrays["var"], params["eps"])
    values = 0.5 * (np.log(var) + d * d / var)
    if params["full"]:
        values = values + HALF_LOG_2PI
    dinput = d / var
    dvar = 0.5 * (1.0 / var - d * d / (var * var))
    return Unreduced(values, lambda g: {"input": g * dinput, "var": g * dvar})


def _gaussian_surface(problem: Problem, unit: int, first, second, coef):
    """The mean and the variance of one element: the only pair of chosen elements that shares a unit.

    (Every element is its own unit.  A variance broadcast over several elements, or an input broadcast
    against the target, has several canonical positions and never reaches a surface.)  With m the input,
    v = max(var, eps) and d = m - target, the element contributes c/2 (log v + d^2/v) (+ c/2 log 2 pi
    when full), so with W = 1/v and D = c d^2 / 2

        z = c/2 log v [+ c/2 log 2 pi] + D W,   dz/dm = c d W,   dz/dvar = c/2 W - D W^2.

    d depends on m alone and v on var alone, so the log and the division run once per grid line and
    the grid takes five products and sums (making only the three grids it returns).  The variance's
    gradient is taken at the clamped v, as in the loss's backward (torch clamps under no_grad), so the
    surface has the same kink at var = eps.
    """
    chosen = {first.name: first, second.name: second}
    if set(chosen) != {"input", "var"}:
        return None  # cannot happen (see above); anything else is left to the generic path
    d = chosen["input"].values - problem.arrays["target"][unit]
    v = np.maximum(chosen["var"].values, problem.params["eps"])
    w = 1.0 / v
    half_c = 0.5 * coef
    log_v = np.log(v)
    if problem.params["full"]:
        log_v += 2.0 * HALF_LOG_2PI
    big_d = (half_c * d) * d
    z = big_d * w
    z += half_c * log_v
    d_input = (coef * d) * w
    d_var = big_d * (w * w)
    np.subtract(half_c * w, d_var, out=d_var)
    return (z, d_input, d_var) if first.name == "input" else (z, d_var, d_input)


def _gaussian_var(var, x: np.ndarray):
    """torch's var checks, in torch's order: a float, or an array of an accepted shape; never negative.

    Returns (var array to broadcast, original shape, whether var is differentiable).
    """
    if isinstance(var, float):
        if var < 0:
            raise LossInputError("range", "var", var, "[0, inf)", f"var={var} is negative; a variance must be >= 0")
        return np.full(x.shape, var), (), False
    if isinstance(var, (bool, int, np.generic)):
        # torch takes a Python float as "the same variance everywhere" and refuses other scalars.
        raise LossInputError("dtype", "var", repr(var), "a float or an array of floats",
                             f"var must be a float (e.g. 1.0) or an array of variances, found "
                             f"{type(var).__name__} {var}")
    v = as_float("var", var)
    if np.any(v < 0):
        bad = float(v[v < 0].flat[0])
        raise LossInputError("range", "var", bad, "[0, inf)",
                             f"var has a negative entry {bad:g}; variances must be >= 0")
    shape = v.shape
    if v.shape != x.shape:
        if x.shape[:-1] == v.shape:
            # One variance per row of the last dimension: torch unsqueezes var at the end
            # (so var (2,) against input (2, 2) means one per row, not numpy's per column).
            v = v[..., None]
        elif not (v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            # torch's test: same rank and the mismatched sizes of var sum to 1 (one dimension of size 1).
            allowed = (f"{fmt_shape(x.shape)}, {fmt_shape(x.shape[:-1])}, or {fmt_shape(x.shape)} "
                       "with one dimension of size 1")
            raise LossInputError("shape", "var", fmt_shape(shape), allowed,
                                 f"var shape {fmt_shape(shape)} is not accepted for input shape {fmt_shape(x.shape)}; "
                                 f"allowed: {allowed}")
    return v, shape, True


@loss_function(_gaussian_compute, _gaussian_surface)
def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    r"""Gaussian negative log-likelihood, ``torch.nn.functional.gaussian_nll_loss``.

    Unreduced: :math:`\ell_i = \tfrac12 \left(\log v_i + (x_i - y_i)^2 / v_i\right)`
    with :math:`v_i = \max(\mathrm{var}_i, \epsilon)`; ``full=True`` adds
    :math:`\tfrac12 \log 2\pi`.  'mean': :math:`\sum_i \ell_i / n` over the
    output's elements; 'sum': :math:`\sum_i \ell_i`.

    Shape: input ``(N, *)`` or ``(*)``; target broadcastable with it; var
    either a Python float (the same variance everywhere; then it is a constant
    and ``value_and_grad`` returns only the input's gradient), or an array of
    input's shape, of input's shape with one dimension of size 1, or of
    input's shape without its last dimension (one variance per row, unsqueezed
    at the end).  Other shapes, other scalar types (such as int) and negative
    entries are refused, as torch refuses them.  Output: the broadcast shape
    for 'none', else scalar.
    Gradient: d/dx = (x - y) / v; d/dvar = (1/v - (x - y)²/v²) / 2 evaluated
    at the clamped v.  Below eps this is *not* 0: torch clamps under no_grad,
    so the gradient passes through the clamp unchanged, and so does ours.
    Like torch, any eps is accepted (a negative one clamps nothing, so var = 0
    reaches log 0 and a division by 0); the registry's range [0, inf) is the
    meaningful one.
    """
    x = as_float("input", input)
    v, var_shape, var_differentiable = _gaussian_var(var, x)
    eps = as_scalar("eps", eps)
    # torch tests `if full:`, so any truthy value works there.
    params = {"full": bool(full), "eps": eps}
    problem = prepare_pointwise(x, target, reduction, extra={"var": v}, params=params,
                                differentiable=("input", "var") if var_differentiable else ("input",))
    # prepare_pointwise recorded the unsqueezed (or filled) var; gradients go back to the original shape.
    # An unsqueeze keeps flat indices, so its broadcast layout is already right.
    problem.original_shapes["var"] = var_shape
    if not var_differentiable:
        problem.layouts["var"] = np.zeros(problem.arrays["var"].shape, dtype=np.int64)
    return problem


LOG_PROBS = [[math.log(0.25), math.log(0.75)], [math.log(0.5), math.log(0.5)]]

SPECS = (
    LossSpec(
        id="kl_div",
        family="distribution",
        title={"en": "KL divergence loss", "zh": "KL 散度损失"},
        torch_class="KLDivLoss",
        reference="torch.nn.functional.kl_div",
        sources=("zh-reference", "zh-concepts"),
        arguments=(
            Argument("input", "prediction", "float", "(*), log-probabilities", "log_probability"),
            Argument("target", "target", "float", "(*), same shape as input", "probability"),
        ),
        parameters=(reduction_parameter("batchmean"), Parameter("log_target", "bool", False)),
        # Predicted q = (1/4, 3/4) and (1/2, 1/2) against p = (0, 1) and (1/2, 1/2): the 0 shows 0·log 0 = 0.
        example={"input": LOG_PROBS, "target": [[0.0, 1.0], [0.5, 0.5]], "reduction": "batchmean"},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.kl_div",
        torch_class_tensors=(),
        worked=Worked("kl_divergence"),
        notes_order=None,
        function=kl_div,
    ),
    LossSpec(
        id="poisson_nll_loss",
        family="distribution",
        title={"en": "Poisson negative log-likelihood loss", "zh": "泊松负对数似然损失（PoissonNLL）"},
        torch_class="PoissonNLLLoss",
        reference="torch.nn.functional.poisson_nll_loss",
        sources=("zh-reference",),
        arguments=(
            Argument("input", "prediction", "float", "(*), log-rate (or rate with log_input=False)"),
            Argument("target", "target", "float", "(*), same shape as input", "nonnegative"),
        ),
        parameters=(
            Parameter("log_input", "bool", True),
            Parameter("full", "bool", False),
            Parameter("eps", "float", 1e-8, low=0.0, ui_high=1.0),
            reduction_parameter(),
        ),
        # The notes' 2×2 pair read as log-rate 1 (rate e) against counts 0..3.
        example={"input": [[1.0, 1.0], [1.0, 1.0]], "target": [[0.0, 1.0], [2.0, 3.0]]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.poisson_nll_loss",
        torch_class_tensors=(),
        worked=Worked("poisson_nll"),
        notes_order=None,
        function=poisson_nll_loss,
    ),
    LossSpec(
        id="gaussian_nll_loss",
        family="distribution",
        title={"en": "Gaussian negative log-likelihood loss", "zh": "高斯负对数似然损失（GaussianNLL）"},
        torch_class="GaussianNLLLoss",
        reference="torch.nn.functional.gaussian_nll_loss",
        sources=("beyond",),
        arguments=(
            Argument("input", "prediction", "float", "(N, *) or (*), predicted mean"),
            Argument("target", "target", "float", "(N, *) or (*), same shape as input"),
            Argument("var", "prediction", "float",
                     "(N, *) like input, or with one dimension of size 1, or input's shape without the last "
                     "dimension; or a float", "nonnegative"),
        ),
        parameters=(
            Parameter("full", "bool", False),
            Parameter("eps", "float", 1e-6, low=0.0, ui_high=1.0),
            reduction_parameter(),
        ),
        # The notes' 2×2 pair with a variance per element: a larger variance forgives a larger error.
        example={"input": [[1.0, 1.0], [1.0, 1.0]], "target": [[0.0, 1.0], [2.0, 3.0]],
                 "var": [[0.5, 1.0], [2.0, 4.0]]},
        reduction_unit="element",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.gaussian_nll_loss",
        torch_class_tensors=(),
        worked=Worked("gaussian_nll"),
        notes_order=None,
        function=gaussian_nll_loss,
    ),
)
