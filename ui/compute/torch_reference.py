"""The same call in torch, for the live check: value and autograd gradients in float64.

Each spec names torch's function in ``spec.torch_function``.  The losses torch
lacks (``torch_function`` is None) are composed from torch ops in
:mod:`ui.compute.torch_extras`, in a function named like the spec's id, so
autograd still checks our hand-written gradients.  Imported only when torch is
installed.
"""

from __future__ import annotations

import importlib

import numpy as np
import torch

import losses
from ui.compute import torch_extras


def torch_function(name: str):
    """The torch callable the registry names for this loss: torch's own, else its torch-ops version, else None."""
    spec = losses.get_spec(name)
    if spec.torch_function is None:
        return getattr(torch_extras, spec.id, None)
    module = importlib.import_module(spec.torch_module)
    return getattr(module, spec.torch_name)


def to_torch(value, differentiable: bool):
    arr = np.asarray(value)
    if arr.dtype.kind in "iub":
        return torch.tensor(arr, dtype=torch.int64)
    tensor = torch.tensor(arr, dtype=torch.float64)
    if differentiable:
        tensor.requires_grad_(True)
    return tensor


def torch_call(name: str, kwargs: dict):
    """Call torch's version of the loss on ``kwargs`` (tensors as numpy arrays, parameters as given).

    Returns torch's output and the call's keyword arguments, whose prediction-side tensors are float64
    leaves that require grad.  Raises whatever torch raises for a call it refuses.
    """
    spec = losses.get_spec(name)
    tensor_names = {a.name for a in spec.arguments}
    call = {}
    for key, value in kwargs.items():
        if key in tensor_names and value is not None and not isinstance(value, torch.Tensor):
            call[key] = to_torch(value, key in spec.differentiable)
        else:
            call[key] = value
    return torch_function(name)(**call), call


def value(name: str, kwargs: dict) -> np.ndarray:
    """torch's value alone, with autograd off."""
    with torch.no_grad():
        out, _ = torch_call(name, kwargs)
    return out.detach().numpy()


def value_and_grad(name: str, kwargs: dict, grad_output=None) -> tuple[np.ndarray, dict]:
    """torch's value and the gradient of sum(value * grad_output) for each prediction-side tensor.

    The app's live check and the backend tests (tests/backend/torch_check.py) both run torch through here.
    """
    spec = losses.get_spec(name)
    out, call = torch_call(name, kwargs)
    leaves = [k for k in spec.differentiable if isinstance(call.get(k), torch.Tensor) and call[k].requires_grad]
    grads = {}
    if leaves:
        weight = torch.ones_like(out) if grad_output is None else torch.as_tensor(grad_output, dtype=torch.float64)
        computed = torch.autograd.grad((out * weight).sum(), [call[k] for k in leaves], allow_unused=True)
        for key, grad in zip(leaves, computed):
            grads[key] = np.zeros(tuple(call[key].shape)) if grad is None else grad.detach().numpy()
    return out.detach().numpy(), grads
