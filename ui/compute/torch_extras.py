"""torch re-implementations of the losses torch.nn.functional lacks.

Each is written from its source (named in the docstring) with plain torch ops,
so autograd supplies the reference gradient.  The tests check the backend
against them, and the app's live check calls them for these losses.
"""

import torch  # noqa: E402


def _reduce(values, reduction):
    """torch's reductions of unreduced values (per element, or per sample for dice and jaccard)."""
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


def sigmoid_focal_loss(input, target, alpha: float = 0.25, gamma: float = 2, reduction: str = "none"):
    """torchvision.ops.sigmoid_focal_loss, whose package cannot be installed beside this torch.

    Re-typed from pytorch/vision torchvision/ops/focal_loss.py (the version with the alpha check added
    by pytorch/vision#8882, torchvision >= 0.22), with torchvision's ``inputs``/``targets`` renamed to
    the registry's ``input``/``target`` and its API-usage logging left out.  Same operations in the same
    order, so autograd gives torchvision's gradient.
    """
    import torch.nn.functional as F

    if not (0 <= alpha <= 1) and alpha != -1:
        raise ValueError(f"Invalid alpha value: {alpha}. alpha must be in the range [0,1] or -1 for ignore.")
    p = torch.sigmoid(input)
    ce_loss = F.binary_cross_entropy_with_logits(input, target, reduction="none")
    p_t = p * target + (1 - p) * (1 - target)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * target + (1 - alpha) * (1 - target)
        loss = alpha_t * loss
    if reduction == "none":
        pass
    elif reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    else:
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction}'")
    return loss


def dice_loss(input, target, smooth=1.0, reduction="mean"):
    """Soft Dice loss per sample, 1 - (2 sum xy + s) / (sum x + sum y + s) (Milletari et al. 2016, V-Net,
    in the plain-sum form of segmentation_models_pytorch and MONAI), summed over all non-batch dims."""
    dims = tuple(range(1, input.dim()))
    intersection = (input * target).sum(dim=dims)
    total = input.sum(dim=dims) + target.sum(dim=dims)
    return _reduce(1 - (2 * intersection + smooth) / (total + smooth), reduction)


def jaccard_loss(input, target, smooth=1.0, reduction="mean"):
    """Soft Jaccard (IoU) loss per sample, 1 - (I + s) / (U + s) with I = sum xy and U = sum x + sum y - I
    (Rahman & Wang 2016), summed over all non-batch dims."""
    dims = tuple(range(1, input.dim()))
    intersection = (input * target).sum(dim=dims)
    union = input.sum(dim=dims) + target.sum(dim=dims) - intersection
    return _reduce(1 - (intersection + smooth) / (union + smooth), reduction)
