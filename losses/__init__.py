"""Loss Lab's numpy backend: the losses of deep learning with analytic gradients.

>>> import numpy as np, losses
>>> float(losses.functional.l1_loss(np.ones((2, 2)), np.array([[0., 1.], [2., 3.]])))
1.0
"""

from . import functional
from .gradient import value_and_grad
from .landscape import Landscape, landscape
from .registry import DEFAULT_SPEC, REGISTRY, SPECS, by_family, get_spec
from .validation import LossInputError

__all__ = ["functional", "value_and_grad", "landscape", "Landscape", "REGISTRY", "SPECS", "DEFAULT_SPEC", "by_family",
           "get_spec", "LossInputError"]
