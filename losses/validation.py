"""Input checks shared by every loss.

Every refusal raises :class:`LossInputError`, a ``ValueError`` whose message names
the argument, what was found and what is allowed.  The structured fields
(``code``, ``argument``, ``found``, ``allowed``) let a user interface translate the
message without parsing it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

REDUCTIONS = ("none", "mean", "sum")


class LossInputError(ValueError):
    """An input that the loss (and torch) refuses.

    ``code`` is a short stable identifier of the kind of problem:

    ``not_numeric``, ``not_finite``, ``ragged``, ``dtype``, ``ndim``, ``shape``,
    ``choice``, ``range``, ``class_index``, ``lengths``, ``unsupported``.
    """

    def __init__(self, code: str, argument: str, found, allowed, message: str | None = None):
        self.code = code
        self.argument = argument
        self.found = found
        self.allowed = allowed
        super().__init__(message or f"{argument}: found {found}, allowed {allowed}")


def fmt_shape(shape: Iterable[int]) -> str:
    shape = tuple(int(s) for s in shape)
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def as_float(name: str, value) -> np.ndarray:
    """A float64 array from ``value``; refuses strings and ragged lists.

    NaN and infinities are accepted, as torch accepts them (the app's editors refuse them earlier,
    in the learner's language).
    """
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64, copy=False)
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise LossInputError("ragged", name, "ragged nested lists", "a rectangular array",
                             f"{name} is ragged: its rows have different lengths") from exc
    if arr.dtype == object:
        raise LossInputError("ragged", name, "ragged nested lists", "a rectangular array",
                             f"{name} is ragged: its rows have different lengths")
    if arr.dtype.kind not in "biuf":
        raise LossInputError("not_numeric", name, repr(value) if arr.size < 8 else arr.dtype.name,
                             "numbers", f"{name} must contain numbers, found {arr.dtype.name} values")
    return arr.astype(np.float64)


def as_int(name: str, value) -> np.ndarray:
    """An int64 array of class indices, lengths or CTC targets; refuses fractions."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return value.astype(np.int64, copy=False)
    arr = as_float(name, value)
    if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise LossInputError("dtype", name, "non-integer values", "integers",
                             f"{name} must hold integers (class indices or lengths), found fractions")
    return arr.astype(np.int64)


def check_reduction(reduction, allowed: tuple[str, ...] = REDUCTIONS) -> str:
    if reduction not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise LossInputError("choice", "reduction", repr(reduction), allowed,
                             f"reduction={reduction!r} is not one of {listed}")
    return reduction


def check_choice(name: str, value, allowed: tuple) -> None:
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise LossInputError("choice", name, repr(value), allowed, f"{name}={value!r} is not one of {listed}")


def check_range(name: str, value: float, low=None, high=None, *, low_open=False, high_open=False) -> None:
    """Refuse a scalar parameter outside [low, high] (ends open where asked)."""
    bad = (low is not None and (value < low or (low_open and value == low))) or (
        high is not None and (value > high or (high_open and value == high))
    ) or (isinstance(value, float) and np.isnan(value))
    if bad:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise LossInputError("range", name, value, interval, f"{name}={value} is outside {interval}")


def check_same_shape(name: str, arr: np.ndarray, ref_name: str, ref: np.ndarray) -> None:
    if arr.shape != ref.shape:
        raise LossInputError("shape", name, fmt_shape(arr.shape), fmt_shape(ref.shape),
                             f"{name} shape {fmt_shape(arr.shape)} does not match "
                             f"{ref_name} shape {fmt_shape(ref.shape)}")


def check_broadcast(name: str, arr: np.ndarray, ref_name: str, ref: np.ndarray) -> tuple[int, ...]:
    """The broadcast shape of two arrays, or an error naming both shapes."""
    try:
        return np.broadcast_shapes(arr.shape, ref.shape)
    except ValueError as exc:
        raise LossInputError("shape", name, fmt_shape(arr.shape), f"broadcastable to {fmt_shape(ref.shape)}",
                             f"{name} shape {fmt_shape(arr.shape)} cannot be broadcast with "
                             f"{ref_name} shape {fmt_shape(ref.shape)}") from exc


def check_ndim(name: str, arr: np.ndarray, allowed: tuple[int, ...], what: str | None = None) -> None:
    if arr.ndim not in allowed:
        dims = " or ".join(f"{d}-D" for d in allowed)
        raise LossInputError("ndim", name, f"{arr.ndim}-D {fmt_shape(arr.shape)}", what or dims,
                             f"{name} must be {what or dims}, found a {arr.ndim}-D tensor of shape "
                             f"{fmt_shape(arr.shape)}")


def check_interval(name: str, arr: np.ndarray, low: float, high: float) -> None:
    """Refuse tensor elements outside [low, high] (NaN counts as outside)."""
    ok = (arr >= low) & (arr <= high)
    if not np.all(ok):
        bad = arr[~ok].flat[0]
        raise LossInputError("range", name, float(bad), f"[{low:g}, {high:g}]",
                             f"all elements of {name} should be between {low:g} and {high:g}, found {bad:g}")


def check_class_indices(name: str, target: np.ndarray, num_classes: int, ignore_index: int | None = None) -> None:
    valid = (target >= 0) & (target < num_classes)
    if ignore_index is not None:
        valid |= target == ignore_index
    if not np.all(valid):
        bad = int(target[~valid].flat[0])
        raise LossInputError("class_index", name, bad, f"[0, {num_classes - 1}]",
                             f"{name} holds class index {bad}, outside [0, {num_classes - 1}] "
                             f"for {num_classes} classes")



def as_scalar(name: str, value) -> float:
    """A real scalar parameter (beta, delta, eps, gamma, ...) as a float; torch refuses strings, None and arrays."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    raise LossInputError("dtype", name, repr(value), "a real number",
                         f"{name} must be a real number, found {value!r}")


def check_flag(name: str, value) -> bool:
    """A boolean option (log_target, log_input, full, ...): torch refuses anything but a bool."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise LossInputError("dtype", name, repr(value), "True or False",
                         f"{name} must be True or False, found {value!r}")
