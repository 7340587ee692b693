"""Segmentation losses: overlap between a predicted soft mask and a target mask, one number per sample."""

from __future__ import annotations

import numbers

import numpy as np

from ._core import Problem, Unreduced, loss_function
from .spec import ELEMENT_AXIS, Argument, LossSpec, Parameter, Worked, reduction_parameter
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
    return Problem.from_canonical({"input": x.reshape(batch, pixels), "target": y.reshape(batch, pixels)},
                                  {"input": x, "target": y}, reduction=reduction, none_shape=(batch,),
                                  params={"smooth": float(smooth)})


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


def _overlap_surface(problem: Problem, unit: int, first, second, coef, jaccard: bool):
    r"""Two pixels x, y of one sample: the loss is one minus a ratio of two affine functions of (x, y).

    With the rest of the sample summed once (I' = sum x_k t_k and X' = sum x_k over the other pixels,
    T = sum t_k over all) and t_x, t_y the targets of the two pixels,

    * Dice: num = 2 I' + s + 2 t_x x + 2 t_y y, den = X' + T + s + x + y;
    * Jaccard: num = I' + s + t_x x + t_y y, den = X' + T - I' + s + (1 - t_x) x + (1 - t_y) y;

    so num = a + b x + g y and den = e + m x + n y, and the unit contributes c (1 - num/den).  The
    derivatives have numerators that depend on one variable only:

        dz/dx = c (m num - b den) / den^2 = c ((m a - b e) + (m g - b n) y) / den^2,
        dz/dy = c (n num - g den) / den^2 = c ((n a - g e) + (n b - g m) x) / den^2.

    The value uses num = k den + (n num - g den) / n with k = g/n (likewise with x's coefficients): one
    product on the grid instead of building num.  That split is used only when |k| is small, so that
    the constant c (1 - k) does not cancel with the rest (it would for a Jaccard target near 1).
    """
    x, t, s = problem.arrays["input"][unit], problem.arrays["target"][unit], problem.params["smooth"]
    if not (np.isfinite(x).all() and np.isfinite(t).all()):
        return None  # inf * 0 and inf / inf make the loss nan: the generic path reproduces it
    i, j = first.index[1], second.index[1]
    others = np.ones(len(x), dtype=bool)
    others[[i, j]] = False
    inter = float(x[others] @ t[others])
    total = float(x[others].sum() + t.sum()) + s
    ti, tj = float(t[i]), float(t[j])
    if jaccard:
        a, b, g, e, m, n = inter + s, ti, tj, total - inter, 1.0 - ti, 1.0 - tj
    else:
        a, b, g, e, m, n = 2.0 * inter + s, 2.0 * ti, 2.0 * tj, total, 1.0, 1.0
    xs, ys = first.values, second.values
    # the numerators of dz/dx and dz/dy: 1-D, each a function of the other pixel only
    top_dx = (m * a - b * e) + (m * g - b * n) * ys
    top_dy = (n * a - g * e) + (n * b - g * m) * xs
    # Fresh grids are costly here (each new one is page-faulted in), so the surface makes exactly the
    # three it returns and does the rest in place: den becomes 1/den and then 1/den^2.
    inv = (e + m * xs) + n * ys
    np.divide(1.0, inv, out=inv)
    if n and abs(g / n) <= 2.0:
        k = g / n
        z = (coef / n * top_dy) * inv
    elif m and abs(b / m) <= 2.0:
        k = b / m
        z = (coef / m * top_dx) * inv
    else:
        k = 0.0
        z = (coef * (a + b * xs)) + (coef * g) * ys
        z *= inv
    np.subtract(coef * (1.0 - k), z, out=z)
    inv *= inv
    d_first = (coef * top_dx) * inv
    d_second = np.multiply(inv, coef * top_dy, out=inv)
    return z, d_first, d_second


def _dice_surface(problem: Problem, unit: int, first, second, coef):
    return _overlap_surface(problem, unit, first, second, coef, jaccard=False)


def _jaccard_surface(problem: Problem, unit: int, first, second, coef):
    return _overlap_surface(problem, unit, first, second, coef, jaccard=True)


@loss_function(_dice_compute, _dice_surface)
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


@loss_function(_jaccard_compute, _jaccard_surface)
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
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function=None,
        torch_class_tensors=(),
        worked=Worked("overlap", {"intersection_weight": 2.0, "union_subtracts_intersection": False}),
        notes_order=None,
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
        reduction_unit="sample",
        mean_denominator="count",
        kinks=(),
        curvature_breaks=(),
        curve=ELEMENT_AXIS,
        gradient="derivative",
        torch_function=None,
        torch_class_tensors=(),
        worked=Worked("overlap", {"intersection_weight": 1.0, "union_subtracts_intersection": True}),
        notes_order=None,
        function=jaccard_loss,
    ),
)
