"""ui/text/numbers.py: each style of number text, on the cases where styles differ (hand-written expectations:
what the pages showed before the formatters were gathered into one module)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ui.text.numbers import (
    difference,
    format_number,
    latex,
    scientific,
    short,
    significant,
    torch_print,
    torch_print_tensor,
)

CASES = [
    # value, format_number, short, latex, torch_print
    (1.0, "1", "1", "1", "1"),
    (0.1, "0.1", "0.1", "0.1", "0.1"),
    (0.625, "0.625", "0.625", "0.625", "0.625"),
    (2 / 3, "0.6666666666666666", "0.6667", "0.6667", "0.6667"),
    (-1.5, "-1.5", "-1.5", "-1.5", "-1.5"),
    (1e-8, "1e-08", "1e-08", "10^{-8}", "0"),
    (-2.5e-10, "-2.5e-10", "-2.5e-10", r"-2.5\times 10^{-10}", "0"),
    (12345.678, "12345.678", "1.235e+04", "12346", "12345.678"),
    (1e15, "1000000000000000.0", "1e+15", r"10^{15}", "1000000000000000"),
    (-13.815510557964274, "-13.815510557964274", "-13.82", "-13.82", "-13.8155"),
    (math.inf, "inf", "inf", r"\infty", "inf"),
    (-math.inf, "-inf", "-inf", r"-\infty", "-inf"),
]


@pytest.mark.parametrize("value, exact, compact, tex, torch", CASES, ids=[repr(c[0]) for c in CASES])
def test_each_style(value, exact, compact, tex, torch):
    assert format_number(value) == exact
    assert short(value) == compact
    assert latex(value) == tex
    assert torch_print(value) == torch


def test_nan_and_numpy_scalars():
    assert short(float("nan")) == "nan" and latex(float("nan")) == r"\mathrm{NaN}"
    assert format_number(np.float32(0.5)) == "0.5" and short(np.int64(3)) == "3"


def test_significant_and_difference():
    assert significant(0.0) == "0" and significant(1 / 3) == "0.333333" and significant(1 / 3, 10) == "0.3333333333"
    assert scientific(0.0) == "0.0e+00"
    assert difference(0.0) == "0" and difference(1.23e-17) == "1.2e-17" and difference(np.float64(2e-3)) == "2.0e-03"


def test_tensors_print_as_torch_does():
    assert torch_print_tensor([[1.0, 0.5], [0.0, -2.25]]) == "[[1, 0.5], [0, -2.25]]"
    assert torch_print_tensor(np.float64(0.12345)) == "0.1235"
