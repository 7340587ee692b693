"""Compare the numpy backend with torch 2.13 in float64: values and autograd gradients.

``TORCH_FUNCTIONS`` names the torch function each registry id is checked
against.  Losses that torch lacks (the notes' L0, HDR relative MSE, Dice,
Jaccard, and torchvision's focal loss, whose package cannot be installed beside
this torch) are checked against short torch re-implementations in
``ui/compute/torch_extras.py``, written from their papers and torchvision's source (the app's live check uses the
same functions).
"""

from __future__ import annotations

import numpy as np
import torch

import losses
from ui.compute.torch_reference import torch_function

RTOL = 1e-6
ATOL = 1e-9


def to_torch(name: str, value, differentiable: bool):
    arr = np.asarray(value)
    if arr.dtype.kind in "iu" or (arr.dtype.kind == "b"):
        return torch.tensor(arr, dtype=torch.int64)
    t = torch.tensor(arr, dtype=torch.float64)
    if differentiable:
        t.requires_grad_(True)
    return t


def torch_value_and_grad(name: str, args: dict, kwargs: dict, grad_output=None):
    spec = losses.get_spec(name)
    targs = {k: to_torch(k, v, k in spec.differentiable) for k, v in args.items()}
    out = torch_function(name)(**targs, **kwargs)
    leaves = [k for k in targs if k in spec.differentiable and targs[k].requires_grad]
    grads = {}
    if leaves:
        go = torch.ones_like(out) if grad_output is None else torch.as_tensor(grad_output, dtype=torch.float64)
        computed = torch.autograd.grad((out * go).sum(), [targs[k] for k in leaves], allow_unused=True)
        for k, g in zip(leaves, computed):
            grads[k] = np.zeros(targs[k].shape) if g is None else g.detach().numpy()
    return out.detach().numpy(), grads


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
    """True when torch raises for this call (any exception type)."""
    spec = losses.get_spec(name)
    try:
        targs = {k: to_torch(k, v, k in spec.differentiable) for k, v in args.items()}
        torch_function(name)(**targs, **dict(kwargs or {}))
    except (RuntimeError, ValueError, IndexError, TypeError):
        return True
    return False
