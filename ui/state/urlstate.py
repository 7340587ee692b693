"""The state of a page as URL query parameters, and back.

A loss's tensors travel as compact JSON nested lists under torch's argument
names (``input=[[1,1],[1,1]]``), its parameters under their own names
(``reduction=sum``), the loss under ``loss``.  Reading never raises: every bad
value becomes a message and the default stands in for it.
"""

from __future__ import annotations

import math

import numpy as np

from losses import LossInputError, get_spec
from losses.spec import LossSpec, Parameter
from losses.validation import check_range
from ui.text.numbers import format_number
from ui.text.tensors import TensorInputError, check_total, parse_json, read_dtype, settle_targets, to_json

PAGE_KEYS = {"lang", "present"}


def parse_parameter(param: Parameter, text: str):
    """A parameter's value from URL text, checked against the spec's allowed values."""
    text = str(text).strip()
    if param.kind == "choice":
        if text not in param.choices:
            raise TensorInputError("choice", param.name, repr(text), param.choices,
                                   f"{param.name}={text!r} is not one of " + ", ".join(map(repr, param.choices)))
        return text
    if param.kind == "bool":
        lowered = text.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise TensorInputError("choice", param.name, repr(text), ("true", "false"),
                                   f"{param.name}={text!r} is not true or false")
        return lowered in ("true", "1")
    try:
        value = float(text)
    except ValueError:
        if param.kind == "int":  # a whole-number parameter hints whole numbers, not "0.5 or -2"
            raise TensorInputError("not_whole", param.name, repr(text), _interval(param),
                                   f"{param.name}={text!r} is not a whole number") from None
        raise TensorInputError("not_numeric", param.name, repr(text), "a number",
                               f"{param.name}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise TensorInputError("not_finite", param.name, text, "a finite number",
                               f"{param.name}={text!r} is not a finite number")
    if param.kind == "int":
        if not value.is_integer():
            raise TensorInputError("dtype", param.name, text, "an integer", f"{param.name}={text!r} is not an integer")
        value = int(value)
    check_parameter_range(param, value)
    return value


def check_parameter_range(param: Parameter, value) -> None:
    """The backend's own range check (``losses.validation.check_range``) with the spec's bounds; its refusal
    comes back as an input error of ours, like every other refusal of what the learner typed or linked."""
    try:
        check_range(param.name, value, param.low, param.high, low_open=param.low_open)
    except LossInputError as exc:
        raise TensorInputError(exc.code, exc.argument, exc.found, exc.allowed, str(exc)) from None


def _interval(param: Parameter) -> str:
    return f"{'(' if param.low_open else '['}{'-inf' if param.low is None else param.low}, " \
           f"{'inf' if param.high is None else param.high}]"


def format_parameter(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.floating, np.integer)):
        return format_number(value)
    return str(value)


def example_arrays(spec: LossSpec) -> dict:
    names = {a.name: a for a in spec.arguments}
    arrays = {}
    for k, v in spec.example.items():
        if k in names:
            natural = np.asarray(v)
            integer = names[k].dtype == "int" and not (names[k].also_probabilities and natural.dtype.kind == "f")
            arrays[k] = natural.astype(np.int64 if integer else np.float64)
    return arrays


def example_parameters(spec: LossSpec) -> dict:
    values = spec.defaults()
    values.update({k: v for k, v in spec.example.items() if k in values})
    return values


def _read_each(query: dict, declared, parse, defaults: dict, errors: list) -> dict:
    """``defaults`` with each declared argument or parameter the query names read by ``parse(item, text)``;
    one that does not read keeps its default and its error joins ``errors``."""
    for item in declared:
        if item.name in query:
            try:
                defaults[item.name] = parse(item, query[item.name])
            except LossInputError as exc:
                errors.append(exc)
    return defaults


def read_loss_state(query: dict, default_loss: str, extra_keys: set = frozenset()):
    """``(loss_id, tensors, parameters, errors)`` from a query mapping.

    ``tensors`` holds every required argument and the optional ones present in
    the query; absent or invalid values fall back to the registry example.
    """
    errors: list[LossInputError] = []
    loss = query.get("loss", default_loss)
    try:
        spec = get_spec(loss)
    except LossInputError as exc:
        errors.append(exc)
        spec = get_spec(default_loss)
    tensors = _read_each(query, spec.arguments, lambda arg, text: parse_json(arg.name, text, read_dtype(arg)),
                         example_arrays(spec), errors)
    try:
        tensors = settle_targets(spec, tensors)
    except LossInputError as exc:
        errors.append(exc)
        tensors.update({k: v for k, v in example_arrays(spec).items() if k == exc.argument})
    try:
        check_total(tensors)
    except LossInputError as exc:
        errors.append(exc)
        tensors = example_arrays(spec)
    parameters = _read_each(query, spec.parameters, parse_parameter, example_parameters(spec), errors)
    known = {"loss"} | {a.name for a in spec.arguments} | {p.name for p in spec.parameters} | PAGE_KEYS | set(
        extra_keys)
    for key in query:
        if key not in known:
            errors.append(TensorInputError("unknown_key", key, repr(key), sorted(known),
                                           f"the link names {key!r}, which {spec.id} does not take"))
    return spec.id, tensors, parameters, errors


def loss_query(spec: LossSpec, tensors: dict, parameters: dict) -> dict:
    """Query parameters describing a loss call; parameters at the example's value are left out."""
    query = {"loss": spec.id}
    for arg in spec.arguments:
        if arg.name in tensors and tensors[arg.name] is not None:
            query[arg.name] = to_json(tensors[arg.name])
    defaults = example_parameters(spec)
    for name, value in parameters.items():
        if name in defaults and value != defaults[name]:
            query[name] = format_parameter(value)
    return query
