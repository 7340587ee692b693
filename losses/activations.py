"""Activations that turn scores into probabilities (or their logarithms) before a loss.

They have no reduction: the output has the input's shape, and ``value_and_grad``
gives the gradient of ``sum(output * grad_output)``.  The sigmoid helpers here
are also what the binary losses build on.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._core import Problem, Unreduced, loss_function
from ._surface import lse_linear
from .numerics import log_softmax as log_softmax_along
from .numerics import log_softmax_backward
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked
from .validation import LossInputError, as_float

__all__ = ["sigmoid", "tanh", "softmax", "log_softmax"]


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow.

    exp is only ever taken of -|x| <= 0, so it cannot overflow: for x < 0 the
    equal form exp(x) / (1 + exp(x)) is used.  +-inf give 1 and 0, NaN stays NaN.
    """
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


# --- element-wise activations -------------------------------------------------------------

def _prepare_elementwise(input) -> Problem:
    x = as_float("input", input)
    return Problem.from_canonical({"input": x.reshape(-1)}, {"input": x}, reduction="none", none_shape=x.shape)


def _sigmoid_compute(arrays: dict, params: dict) -> Unreduced:
    out = stable_sigmoid(arrays["input"])
    # torch's sigmoid backward uses the output: g * (1 - s) * s, which is 0 (not NaN) at +-inf.
    return Unreduced(out, lambda g: {"input": g * (1.0 - out) * out})


@loss_function(_sigmoid_compute)
def sigmoid(input):
    r"""Logistic sigmoid, ``torch.sigmoid`` (``torch.nn.Sigmoid``).

    Output: :math:`\sigma(x) = 1 / (1 + e^{-x})`, element-wise, in (0, 1) (exactly 0 or 1 once
    :math:`e^{-|x|}` underflows).  No reduction.

    Shape: input ``(*)``; output ``(*)``, same shape.
    Gradient: :math:`\sigma(x)(1 - \sigma(x))`, computed from the output as torch does, so it is
    exactly 0 where the output saturates.
    """
    return _prepare_elementwise(input)


def _tanh_compute(arrays: dict, params: dict) -> Unreduced:
    out = np.tanh(arrays["input"])
    return Unreduced(out, lambda g: {"input": g * (1.0 - out * out)})


@loss_function(_tanh_compute)
def tanh(input):
    r"""Hyperbolic tangent, ``torch.tanh`` (``torch.nn.Tanh``).

    Output: :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x}) = 2\sigma(2x) - 1`, element-wise,
    in (-1, 1).  No reduction.

    Shape: input ``(*)``; output ``(*)``, same shape.
    Gradient: :math:`1 - \tanh^2(x)`, from the output as torch computes it.
    """
    return _prepare_elementwise(input)


# --- activations along one dimension -------------------------------------------------------

def _check_dim(dim, ndim: int) -> int:
    """torch's rule: an int in [-max(ndim, 1), max(ndim, 1) - 1]; a 0-d tensor counts as 1-D."""
    rank = max(ndim, 1)
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, numbers.Integral):
        raise LossInputError("dtype", "dim", repr(dim), "an integer",
                             f"dim must be an integer, found {dim!r}")
    if not -rank <= dim < rank:
        raise LossInputError("range", "dim", int(dim), f"[{-rank}, {rank - 1}]",
                             f"dim={int(dim)} is outside [{-rank}, {rank - 1}] for a {ndim}-D input")
    return int(dim) % rank


def _prepare_along_dim(input, dim) -> Problem:
    """View the input as (A, C, B): A = the dims before ``dim``, C = ``dim``, B = the dims after.

    This is a reshape, not a transpose, so the output keeps torch's element order
    and the 'none' output is a plain reshape.  Units are the A slabs (axis 0): for
    the usual ``dim=-1`` (or dim=1 of an (N, C) input) every row is its own unit.
    """
    x = as_float("input", input)
    axis = _check_dim(dim, x.ndim)
    shape = x.shape if x.ndim else (1,)
    before = int(np.prod(shape[:axis], dtype=np.int64))
    after = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return Problem.from_canonical({"input": x.reshape(before, shape[axis], after)}, {"input": x},
                                  reduction="none", none_shape=x.shape)


def _shifted(x: np.ndarray) -> np.ndarray:
    # Subtracting the maximum leaves softmax unchanged and makes the largest exponent e^0 = 1, so
    # exp cannot overflow and the sum is at least 1 (no 0/0).  initial=-inf lets an empty C
    # through; a row that is all -inf, or holds +inf or NaN, becomes NaN, as in torch.
    return x - np.max(x, axis=1, keepdims=True, initial=-np.inf)


def _softmax_compute(arrays: dict, params: dict) -> Unreduced:
    e = np.exp(_shifted(arrays["input"]))
    out = e / e.sum(axis=1, keepdims=True)

    def backward(g):
        # Jacobian diag(s) - s s^T applied to g: s * (g - <g, s>).
        return {"input": out * (g - (g * out).sum(axis=1, keepdims=True))}

    return Unreduced(out, backward)


@loss_function(_softmax_compute)
def softmax(input, dim):
    r"""Softmax along ``dim``, ``torch.nn.functional.softmax`` (``torch.nn.Softmax``).

    Output: :math:`s_i = e^{x_i} / \sum_j e^{x_j}`, the sum running along ``dim``; every slice
    along ``dim`` becomes a probability vector.  No reduction.  Computed as
    :math:`e^{x_i - m} / \sum_j e^{x_j - m}` with :math:`m = \max_j x_j` (the same value, no overflow).

    ``dim`` is required here: torch's ``dim=None`` is deprecated (it guesses 0 for 0-, 1- and
    3-D inputs and 1 otherwise, with a warning), and its ``dtype`` argument is left out because
    everything here is float64.  Negative dims count from the end, as in torch.

    Shape: input ``(*)``; output ``(*)``, same shape.
    Gradient: :math:`\partial s_i / \partial x_k = s_i(\delta_{ik} - s_k)`, so the vector-Jacobian
    product is :math:`s \odot (g - \langle g, s\rangle)`, torch's formula.
    """
    return _prepare_along_dim(input, dim)


def _log_softmax_compute(arrays: dict, params: dict) -> Unreduced:
    out = log_softmax_along(arrays["input"], axis=1)

    def backward(g):
        return {"input": log_softmax_backward(g, out, axis=1)}

    return Unreduced(out, backward)


def _log_softmax_surface(problem: Problem, unit: int, first, second, coef):
    """Two entries of one (C, B) slab: each softmax column j holds sum_c coef_c (x_c - logsumexp) =
    -sum_c coef_c (logsumexp - x_c), the form of lse_linear; the columns not chosen are constant."""
    slab = problem.arrays["input"][unit]
    if not np.isfinite(slab).all():
        return None
    (_, c1, b1), (_, c2, b2) = first.index, second.index
    fixed = np.ones(slab.shape[1], dtype=bool)
    fixed[[b1, b2]] = False
    constant = float((coef[:, fixed] * log_softmax_along(slab[:, fixed], axis=0)).sum())
    if b1 == b2:
        result = lse_linear(slab[:, b1], -coef[:, b1], [(c1, first.values), (c2, second.values)])
        if result is None:
            return None
        value, (d_first, d_second) = result
        return value + constant, d_first, d_second
    one = lse_linear(slab[:, b1], -coef[:, b1], [(c1, first.values)])
    two = lse_linear(slab[:, b2], -coef[:, b2], [(c2, second.values)])
    if one is None or two is None:
        return None
    return one[0] + two[0] + constant, one[1][0], two[1][0]


@loss_function(_log_softmax_compute, _log_softmax_surface)
def log_softmax(input, dim):
    r"""Log of the softmax along ``dim``, ``torch.nn.functional.log_softmax`` (``torch.nn.LogSoftmax``).

    Output: :math:`x_i - \log \sum_j e^{x_j}`, computed as :math:`(x_i - m) - \log \sum_j e^{x_j - m}`
    with :math:`m = \max_j x_j` (log-sum-exp), so a score of 1000 gives a finite log-probability where
    ``log(softmax(x))`` would give log(0) = -inf for the others.  No reduction.  Followed by
    ``nll_loss`` it is ``cross_entropy``.

    ``dim`` is required, as for :func:`softmax`.

    Shape: input ``(*)``; output ``(*)``, same shape.
    Gradient: :math:`g - \mathrm{softmax}(x) \sum_j g_j`, torch's formula.
    """
    return _prepare_along_dim(input, dim)


INPUT = Argument("input", "prediction", "float", "(*)")
DIM = Parameter("dim", "int", -1)

SPECS = (
    LossSpec(
        id="sigmoid",
        family="activation",
        title={"en": "Sigmoid", "zh": "Sigmoid 激活函数"},
        torch_class="Sigmoid",
        reference="torch.sigmoid",
        sources=("zh-concepts", "zh-reference"),
        arguments=(INPUT,),
        parameters=(),
        # Symmetric scores: sigma(-x) = 1 - sigma(x), sigma(0) = 1/2, and 4 is already near saturation.
        example={"input": [[-4.0, -1.0], [0.0, 2.0]]},
        reduction_unit="element",
        mean_denominator="none",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.sigmoid",
        torch_class_tensors=(),
        worked=Worked("sigmoid"),
        notes_order=None,
        function=sigmoid,
    ),
    LossSpec(
        id="tanh",
        family="activation",
        title={"en": "Tanh (hyperbolic tangent)", "zh": "Tanh 激活函数（双曲正切）"},
        torch_class="Tanh",
        reference="torch.tanh",
        sources=("zh-concepts",),
        arguments=(INPUT,),
        parameters=(),
        example={"input": [[-2.0, -0.5], [0.0, 1.0]]},
        reduction_unit="element",
        mean_denominator="none",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.tanh",
        torch_class_tensors=(),
        worked=Worked("tanh"),
        notes_order=None,
        function=tanh,
    ),
    LossSpec(
        id="softmax",
        family="activation",
        title={"en": "Softmax", "zh": "Softmax 激活函数"},
        torch_class="Softmax",
        reference="torch.nn.functional.softmax",
        sources=("zh-concepts", "zh-reference", "zh-examples"),
        arguments=(INPUT,),
        parameters=(DIM,),
        # Two samples, three classes: adding a constant to a row (the second is the first + 10)
        # does not change its softmax; equal scores give a uniform 1/3.
        example={"input": [[1.0, 2.0, 3.0], [11.0, 12.0, 13.0], [0.5, 0.5, 0.5]], "dim": 1},
        reduction_unit="element",
        mean_denominator="none",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.softmax",
        torch_class_tensors=(),
        worked=Worked("softmax", {"log": False}),
        notes_order=None,
        function=softmax,
    ),
    LossSpec(
        id="log_softmax",
        family="activation",
        title={"en": "LogSoftmax (log of softmax)", "zh": "LogSoftmax（对数 Softmax）"},
        torch_class="LogSoftmax",
        reference="torch.nn.functional.log_softmax",
        # The notes put a LogSoftMax layer in front of NLLLoss (zh-examples, en-summary) and name
        # cross_entropy as LogSoftmax + NLLLoss (zh-concepts).
        sources=("zh-examples", "zh-concepts", "en-summary"),
        arguments=(INPUT,),
        parameters=(DIM,),
        example={"input": [[1.0, 2.0, 3.0], [0.5, 0.5, 0.5]], "dim": 1},
        reduction_unit="element",
        mean_denominator="none",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function="torch.nn.functional.log_softmax",
        torch_class_tensors=(),
        worked=Worked("softmax", {"log": True}),
        notes_order=None,
        function=log_softmax,
    ),
)
