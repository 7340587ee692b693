"""Assert that the numpy backend equals torch 2.13 in float64: values and autograd gradients.

torch is run through the app's own runner (ui/compute/torch_reference.py), so the live check a learner
sees and these tests call torch the same way.  Losses torch lacks (the notes' L0, HDR relative MSE,
Dice, Jaccard, and torchvision's focal loss, whose package cannot be installed beside this torch) are
checked against the torch-ops versions in ui/compute/torch_extras.py, written from their papers and
torchvision's source.
"""

from __future__ import annotations

import numpy as np

import losses
from ui.compute.torch_reference import torch_call
from ui.compute.torch_reference import value_and_grad as _torch_value_and_grad

RTOL = 1e-6
ATOL = 1e-9


def torch_value_and_grad(name: str, args: dict, kwargs: dict | None = None, grad_output=None):
    """torch's value and gradients, with the tensors and the parameters given apart as the tests hold them."""
    return _torch_value_and_grad(name, {**args, **dict(kwargs or {})}, grad_output)


def assert_close(ours, theirs, what: str, rtol=RTOL, atol=ATOL):
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != torch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def check(name: str, args: dict, kwargs: dict | None = None, *, grad_output=None, rtol=RTOL, atol=ATOL,
          check_grad: bool = True):
    """Assert that value and gradients equal torch's; returns our value."""
    kwargs = dict(kwargs or {})
    value, grads = losses.value_and_grad(name, **args, **kwargs, grad_output=grad_output)
    torch_value, torch_grads = torch_value_and_grad(name, args, kwargs, grad_output)
    assert_close(value, torch_value, f"{name} value {kwargs}", rtol, atol)
    direct = losses.get_spec(name).function(**args, **kwargs)
    assert_close(direct, value, f"{name} functional vs value_and_grad", 0, 0)
    if check_grad:
        for arg, g in torch_grads.items():
            assert_close(grads[arg], g, f"{name} d/d{arg} {kwargs}", rtol, atol)
    return value


def torch_refuses(name: str, args: dict, kwargs: dict | None = None) -> bool:
    """True when torch raises for this call (any of the exception types torch uses for bad input)."""
    try:
        torch_call(name, {**args, **dict(kwargs or {})})
    except (RuntimeError, ValueError, IndexError, TypeError):
        return True
    return False
