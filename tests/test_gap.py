"""largest_gap: how far two computations of the same tensor are apart, as the pages print it."""

import math

import numpy as np
import pytest

from ui.compute.runner import largest_gap

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize("ours, theirs, gap", [
    (1.0, 1.0, 0.0),
    ([1.0, 2.0], [1.0, 2.5], 0.5),
    (INF, INF, 0.0),              # the same overflow on both sides is agreement
    ([-INF, 1.0], [-INF, 1.25], 0.25),
    (NAN, NAN, 0.0),
    (INF, -INF, INF),
    (INF, 5e307, INF),            # only one side overflowed
    (NAN, 1.0, INF),              # only one side is NaN: as far apart as can be
    ([], [], 0.0),
])
def test_largest_gap(ours, theirs, gap):
    assert largest_gap(np.asarray(ours), np.asarray(theirs)) == gap


def test_largest_gap_raises_no_numpy_warning():
    with np.errstate(all="raise"):
        assert largest_gap(np.array([INF, NAN, 1.0]), np.array([-INF, 0.0, 1.0])) == INF


@pytest.mark.parametrize("value, span, points, expected", [
    (1.0, 3.0, 401, None),
    (1e4, 3.0, 401, None),           # float32 numbers near 1e4 are 0.001 apart: the 0.015 steps are fine
    (1e6, 3.0, 401, 0.0625),         # 0.0625 apart, the steps 0.015: a staircase
    (-1e6, 3.0, 401, 0.0625),
    (1e200, 3.0, 401, INF),          # past float32's range altogether
    (NAN, 1.0, 101, INF),
])
def test_unresolved_windows(value, span, points, expected):
    from ui.compute.visual import unresolved

    assert unresolved(value, span, points) == expected


def test_figures_keep_float64_past_float32s_range():
    from ui.figures.landscape import f32

    assert f32([1.0, 2.0]).dtype == np.float32
    big = f32([1.0, np.exp(100.0)])
    assert big.dtype == np.float64 and np.isfinite(big).all()
    assert f32([np.nan, np.inf]).dtype == np.float32
