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
