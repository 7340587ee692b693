"""A loss call written out for a learner: each tensor as a nested list, then the parameters that differ
from torch's defaults, in Python's spelling (``reduction='sum'``, ``log_target=True``)."""

from __future__ import annotations

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


def call_text(spec, tensors: dict, params: dict) -> str:
    """One line per tensor (``input = [[1,1],[1,1]]``), then one per non-default parameter."""
    lines = [f"{arg.name} = {to_json(tensors[arg.name])}" for arg in spec.arguments
             if tensors.get(arg.name) is not None]
    defaults = spec.defaults()
    lines += [f"{name} = {python_value(value)}" for name, value in params.items()
              if name in defaults and value != defaults[name]]
    return "\n".join(lines)
