"""Reading tensors that a learner typed (editor cells or JSON in the URL), and writing them back.

Every refusal is a :class:`TensorInputError` (a :class:`losses.LossInputError`)
so the pages translate backend and input errors the same way.
"""

from __future__ import annotations

import json
import math

import numpy as np

from losses import LossInputError
from ui.text.limits import LIMITS
from ui.text.numbers import format_number

MAX_ELEMENTS = LIMITS.elements_per_tensor
MAX_RANK = LIMITS.rank


class TensorInputError(LossInputError):
    """Codes: json, not_numeric, not_finite, overflow, ragged, empty, too_large, too_large_total, ndim, dtype,
    unknown_key.

    ``location`` is the 0-based (row, column) of an editor cell (the grid's own column numbers), or the index
    path inside a nested list, when the problem sits in one element.
    """

    location: tuple | None = None
    cell: bool = False


def _at(exc: TensorInputError, location: tuple | None, cell: bool = False) -> TensorInputError:
    exc.location = location
    exc.cell = cell
    return exc


def _where(location: tuple | None) -> str:
    return f" at {list(location)}" if location else ""


def _overflow(name: str, typed: str, location: tuple | None) -> TensorInputError:
    """A finite number written too large for a float64 (``1e400``): it would silently become infinity."""
    typed = typed if len(typed) <= 24 else typed[:23] + "…"
    return _at(TensorInputError("overflow", name, typed, "finite numbers",
                                f"{name}: {typed}{_where(location)} is beyond the largest float64 (about 1.8e308)"),
               location)


class _Typed(float):
    """A float that remembers how the learner wrote it, so a refusal can echo the text instead of ``inf``."""

    text: str

    def __new__(cls, text: str):
        value = super().__new__(cls, text)
        value.text = text
        return value


def _number(name: str, value, location: tuple | None, integer: bool) -> float:
    where = _where(location)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _at(TensorInputError("not_numeric", name, repr(value), "numbers",
                                   f"{name}: {value!r}{where} is not a number"), location)
    typed = getattr(value, "text", None)
    if typed is not None and math.isinf(value) and typed.strip().lower().lstrip("+-") not in _INFINITY_WORDS:
        raise _overflow(name, typed.strip(), location)
    if not math.isfinite(value):
        raise _at(TensorInputError("not_finite", name, str(value), "finite numbers",
                                   f"{name}: {value}{where} is not a finite number"), location)
    if integer and value != int(value):
        raise _at(TensorInputError("dtype", name, str(value), "integers",
                                   f"{name}: {value}{where} is not an integer"), location)
    return value


def _check_nested(name: str, value, integer: bool, path: tuple = ()) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_nested(name, item, integer, path + (i,))
    else:
        _number(name, value, path or None, integer)


def _shape(name: str, value) -> tuple:
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = {_shape(name, item) for item in value}
    if len(shapes) != 1:
        raise TensorInputError("ragged", name, "rows of different lengths", "a rectangular array",
                               f"{name} is ragged: its rows have different lengths")
    return (len(value),) + shapes.pop()


_INFINITY_WORDS = {"inf", "infinity"}


def _check_size(name: str, shape: tuple) -> None:
    size = int(np.prod(shape, dtype=np.int64))
    if size > MAX_ELEMENTS:
        raise TensorInputError("too_large", name, size, MAX_ELEMENTS,
                               f"{name} has {size} elements; at most {MAX_ELEMENTS} are allowed")
    if len(shape) > MAX_RANK:
        raise TensorInputError("ndim", name, len(shape), f"at most {MAX_RANK}",
                               f"{name} has {len(shape)} dimensions; at most {MAX_RANK} are allowed")
    if size == 0:
        raise TensorInputError("empty", name, "", "at least one element", f"{name} is empty")


def from_nested(name: str, value, dtype: str = "float") -> np.ndarray:
    """A numpy array from a nested list (or number), refusing what a learner might mistype."""
    integer = dtype == "int"
    shape = _shape(name, value)
    _check_size(name, shape)
    _check_nested(name, value, integer)
    return np.array(value, dtype=np.int64 if integer else np.float64).reshape(shape)


def _json_int(text: str):
    # Long digit strings are read as floats: int() refuses past 4300 digits, and one beyond float64's range
    # must reach the overflow message with its text rather than an OverflowError.
    return int(text) if len(text) <= 18 else _Typed(text)


def parse_json(name: str, text: str, dtype: str = "float") -> np.ndarray:
    try:
        value = json.loads(text, parse_float=_Typed, parse_int=_json_int)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise TensorInputError("json", name, text if len(text) <= 40 else text[:37] + "...",
                               "a JSON number or nested list such as [[1, 2], [3, 4]]",
                               f"{name}: {text!r} is not valid JSON") from exc
    return from_nested(name, value, dtype)


def parse_cell(name: str, text, row: int, col: int | None, dtype: str = "float") -> float:
    """One data-editor cell (a string); ``row``/``col`` count from 0, as the grid's column headers do."""
    location = (row, col) if col is not None else (row,)
    raw = "" if text is None else str(text).strip()
    if raw == "":
        raise _at(TensorInputError("empty", name, "", "a number", f"{name}: the cell{_where(location)} is empty"),
                  location, cell=True)
    try:
        value = _Typed(raw)
    except ValueError:
        raise _at(TensorInputError("not_numeric", name, repr(raw), "numbers",
                                   f"{name}: {raw!r}{_where(location)} is not a number"), location, cell=True) from None
    try:
        return _number(name, value, location, dtype == "int")
    except TensorInputError as exc:
        raise _at(exc, location, cell=True) from None


def from_cells(name: str, rows: list, dtype: str = "float", ndim: int = 2) -> np.ndarray:
    """A 1-D (one row) or 2-D tensor from rows of editor cells."""
    rows = [list(r) for r in rows]
    if ndim == 1:
        cells = rows[0] if rows else []
        _check_size(name, (len(cells),))
        values = [parse_cell(name, c, 0, j, dtype) for j, c in enumerate(cells)]
        return np.array(values, dtype=np.int64 if dtype == "int" else np.float64)
    width = len(rows[0]) if rows else 0
    _check_size(name, (len(rows), width))
    values = [[parse_cell(name, c, i, j, dtype) for j, c in enumerate(r)] for i, r in enumerate(rows)]
    return np.array(values, dtype=np.int64 if dtype == "int" else np.float64).reshape(len(rows), width)


def check_total(tensors: dict) -> None:
    """All the tensors of one call together stay within LIMITS.total_elements."""
    sizes = {name: int(np.size(value)) for name, value in tensors.items() if value is not None}
    total = sum(sizes.values())
    if total > LIMITS.total_elements:
        largest = max(sizes, key=sizes.get)
        raise TensorInputError("too_large_total", largest, total, LIMITS.total_elements,
                               f"the tensors have {total} elements together; at most {LIMITS.total_elements} "
                               "are allowed")


def to_json(arr) -> str:
    """Compact JSON of an array, e.g. ``[[1,1],[1,1]]``."""
    arr = np.asarray(arr)

    def walk(a):
        if a.ndim == 0:
            return format_number(a)
        return "[" + ",".join(walk(x) for x in a) + "]"

    return walk(arr)


def read_dtype(arg) -> str:
    """How to read an argument's cells: targets that may be probabilities are read as floats first."""
    return "float" if getattr(arg, "also_probabilities", False) else arg.dtype


def settle_targets(spec, tensors: dict) -> dict:
    """Class indices or probabilities, decided as torch decides: by whether the target has the input's shape."""
    settled = dict(tensors)
    for arg in spec.arguments:
        value = settled.get(arg.name)
        if not arg.also_probabilities or value is None or value.dtype.kind in "iu":
            continue
        reference = settled.get("input")
        if reference is not None and value.shape == np.shape(reference):
            continue
        if not np.all(value == np.round(value)):
            bad = value[value != np.round(value)].flat[0]
            raise TensorInputError("dtype", arg.name, format_number(bad), "integers",
                                   f"{arg.name}: {bad} is not a class index; class indices are integers "
                                   "(probabilities must have the input's shape)")
        settled[arg.name] = value.astype(np.int64)
    return settled
