"""A loss call written out for a learner: each tensor as a nested list, then the parameters that differ
from torch's defaults, in Python's spelling (``reduction='sum'``, ``log_target=True``)."""

from __future__ import annotations

import numpy as np

from ui.text.tensors import format_number, to_json


def python_value(value) -> str:
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    try:
        return format_number(value)
    except (TypeError, ValueError):
        return repr(value)


def tensor_text(name: str, value) -> str:
    """``name = [...]``; a tensor of two or more dimensions gets one line per row, aligned under the first,
    so it reads as a matrix in a narrow column instead of running off its edge."""
    arr = np.asarray(value)
    if arr.ndim < 2:
        return f"{name} = {to_json(arr)}"
    indent = " " * (len(name) + 4)
    return f"{name} = [" + (",\n" + indent).join(to_json(row) for row in arr) + "]"


def call_text(spec, tensors: dict, params: dict) -> str:
    """One entry per tensor (``input = [[1,1],[1,1]]``), then one line per non-default parameter."""
    lines = [tensor_text(arg.name, tensors[arg.name]) for arg in spec.arguments if tensors.get(arg.name) is not None]
    defaults = spec.defaults()
    lines += [f"{name} = {python_value(value)}" for name, value in params.items()
              if name in defaults and value != defaults[name]]
    return "\n".join(lines)
