"""Running a loss for a page: the backend always, torch beside it when it is installed."""

from __future__ import annotations

import gc
import importlib
import warnings
from dataclasses import dataclass, field
from functools import cache

import numpy as np

import losses
from losses import LossInputError


@dataclass
class Outcome:
    """What a page shows for one call: value, per-element values and gradients, or the refusal."""

    value: np.ndarray | None = None
    elements: np.ndarray | None = None
    grads: dict = field(default_factory=dict)
    error: LossInputError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def call_kwargs(spec, tensors: dict, parameters: dict) -> dict:
    args = {k: v for k, v in tensors.items() if v is not None and k in {a.name for a in spec.arguments}}
    return {**args, **{k: v for k, v in parameters.items() if k in spec.defaults()}}


def run_backend(loss_id: str, tensors: dict, parameters: dict) -> Outcome:
    spec = losses.get_spec(loss_id)
    kwargs = call_kwargs(spec, tensors, parameters)
    try:
        value, grads = losses.value_and_grad(loss_id, **kwargs)
        if "reduction" in kwargs:
            elements = losses.value_and_grad(loss_id, **dict(kwargs, reduction="none"))[0]
        else:
            elements = value
    except LossInputError as exc:
        return Outcome(error=exc)
    except Exception as exc:  # a backend bug must not become a traceback on the learner's page
        return Outcome(error=LossInputError("internal", loss_id, type(exc).__name__, "", str(exc)))
    return Outcome(value=np.asarray(value), elements=np.asarray(elements), grads=grads)


def run_backend_value(loss_id: str, tensors: dict, parameters: dict) -> Outcome:
    """Only the value (no per-element terms, no gradients): for tables that show one number per loss."""
    spec = losses.get_spec(loss_id)
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value = spec.function(**call_kwargs(spec, tensors, parameters))
    except LossInputError as exc:
        return Outcome(error=exc)
    except Exception as exc:  # as in run_backend: never a traceback on the page
        return Outcome(error=LossInputError("internal", loss_id, type(exc).__name__, "", str(exc)))
    return Outcome(value=np.asarray(value))


def largest_gap(ours, theirs) -> float:
    """The largest |ours - theirs| over the elements, where two equal numbers differ by 0 even when both are
    the same infinity or both NaN (an overflow both computations share is agreement, not a NaN gap); an
    element only one side has as NaN or infinite counts as an infinite gap. 0 for empty tensors."""
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if a.size == 0 or b.size == 0:
        return 0.0
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.where(same, 0.0, np.abs(a - b))
    return float(np.max(np.where(np.isnan(gap), np.inf, gap)))


@cache
def torch_module():
    """torch, imported on first use; None when it is not installed."""
    try:
        module = importlib.import_module("torch")
    except ImportError:
        return None
    # torch brings hundreds of thousands of long-lived objects; Streamlit collects garbage after every
    # rerun, and walking them cost ~200 ms a rerun. Freezing moves them out of the collector's way.
    gc.freeze()
    return module


def torch_version() -> str | None:
    torch = torch_module()
    return None if torch is None else torch.__version__.split("+")[0]


@dataclass
class TorchOutcome:
    value: np.ndarray | None = None
    grads: dict = field(default_factory=dict)
    error: str | None = None
    available: bool = True


def run_torch(loss_id: str, tensors: dict, parameters: dict, grads: bool = True) -> TorchOutcome:
    """torch's value and autograd gradients for the same call (only the value with ``grads=False``), or the
    message torch raises."""
    torch = torch_module()
    if torch is None:
        return TorchOutcome(available=False)
    from ui.compute import torch_reference

    spec = losses.get_spec(loss_id)
    kwargs = call_kwargs(spec, tensors, parameters)
    if torch_reference.torch_function(loss_id) is None:
        return TorchOutcome(available=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation notes are not the learner's concern here
            if grads:
                value, found = torch_reference.value_and_grad(loss_id, kwargs)
            else:
                value, found = torch_reference.value(loss_id, kwargs), {}
    except Exception as exc:  # torch raises RuntimeError, ValueError, IndexError ... for refused input
        text = str(exc).strip().splitlines()
        return TorchOutcome(error=(text[0] if text else type(exc).__name__)[:300])
    return TorchOutcome(value=value, grads=found)
