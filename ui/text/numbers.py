"""The one place numbers become text.  Each style has one function, named by where a learner meets it:

* :func:`format_number`: the shortest faithful text (``1`` rather than ``1.0``, ``0.1`` rather than
  ``0.1000000000000000055``), for what the learner may type back: editor cells, URLs, slider stops;
* :func:`short`: a compact reading, four significant figures (metrics, tables, captions, heatmap cells);
* :func:`latex`: :func:`short` written as LaTeX (``10^{-8}``, ``\\infty``) for the worked arithmetic;
* :func:`torch_print`: four decimals with trailing zeros dropped, as torch prints a scalar;
* :func:`torch_print_tensor`: a tensor written with :func:`torch_print` numbers, as nested lists;
* :func:`significant`: a fixed count of significant digits, where the digits past torch's print matter;
* :func:`scientific`: one digit and the exponent (``0.0e+00``), for the largest gap over a tensor;
* :func:`difference`: a difference between two computations, ``0`` when they agree exactly, else ``1.2e-17``.
"""

from __future__ import annotations

import math

import numpy as np

_LATEX_SPECIAL = {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}


def format_number(value) -> str:
    """Shortest faithful text for a number: 1 rather than 1.0, 0.1 rather than 0.1000000000000000055."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def short(value, digits: int = 4) -> str:
    """Compact display of a number: integers plainly, others to ``digits`` significant figures."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e9:
        return format_number(value)
    return f"{value:.{digits}g}"


def latex(value) -> str:
    """A number as LaTeX, shortened like :func:`short`; 1e-08 becomes 10^{-8}."""
    value = float(value)
    if 1e4 <= abs(value) < 1e7:
        return f"{value:.0f}"  # 10001 rather than 1e+04
    text = short(value)
    if text in _LATEX_SPECIAL:
        return _LATEX_SPECIAL[text]
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = rf"10^{{{int(exponent)}}}"
        if mantissa in ("1", "-1"):
            return ("-" if mantissa == "-1" else "") + power
        return rf"{mantissa}\times {power}"
    return text


def torch_print(value) -> str:
    """A number as torch prints a scalar: 4 decimals, trailing zeros dropped; integers plainly."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def significant(value, digits: int = 6) -> str:
    """Significant digits, for the tables where the digits beyond torch's print are the point."""
    value = float(value)
    return "0" if value == 0 else f"{value:.{digits}g}"


def scientific(value) -> str:
    """One digit and the exponent, zero included (``0.0e+00``): a bound such as the largest gradient gap."""
    return f"{float(value):.1e}"


def difference(value) -> str:
    """A difference between two computations: 0 when they agree exactly, else :func:`scientific`."""
    return "0" if not value else scientific(value)


def torch_print_tensor(values) -> str:
    """A tensor as nested lists of :func:`torch_print` numbers: ``[[1, 0.5], [0, 2]]``."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return torch_print(arr)
    return "[" + ", ".join(torch_print_tensor(a) for a in arr) + "]"
