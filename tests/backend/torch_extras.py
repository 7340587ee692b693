"""torch re-implementations of the losses torch.nn.functional lacks.

Each is written from its source (named in the docstring) with plain torch ops,
so autograd supplies the reference gradient.  Family authors add theirs here.
"""

import torch  # noqa: E402


def _reduce(values, reduction):
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def l0_loss(input, target, gamma=2.0, eps=1e-8, reduction="mean"):
    """Noise2Noise's L0 loss (|x - y| + eps)^gamma (Lehtinen et al. 2018, section 3.3)."""
    return _reduce((torch.abs(input - target) + eps) ** gamma, reduction)


def relative_mse_loss(input, target, eps=0.01, denominator="target", detach_denominator=True, reduction="mean"):
    """HDR relative MSE (x - y)^2 / (y + eps)^2, or over (x + eps)^2 as Noise2Noise trains it.

    Noise2Noise backpropagates no gradient through the denominator: ``.detach()``.
    """
    den = (input if denominator == "input" else target) + eps
    if detach_denominator:
        den = den.detach()
    return _reduce((input - target) ** 2 / den ** 2, reduction)
