"""Value and analytic gradient of any registered loss or activation."""

from __future__ import annotations

import numpy as np

from ._core import evaluate, gradients


def value_and_grad(name: str, *args, grad_output=None, **kwargs) -> tuple[np.ndarray, dict]:
    """The loss value and the gradient of ``sum(value * grad_output)``.

    Returns ``(value, grads)`` where ``grads`` maps each prediction-side argument
    (input, input1, input2, anchor, positive, negative, log_probs, var) to an
    array of that argument's shape.  ``grad_output`` defaults to ones.
    """
    from .registry import get_spec

    function = get_spec(name).function
    problem = function.prepare(*args, **kwargs)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        value, unreduced = evaluate(problem, function.compute)
        grads = gradients(problem, unreduced, grad_output)
    return value, grads
