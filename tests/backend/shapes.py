"""The start the property tests share: a random shape and a float64 input of that shape."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def random_input(data, bound: float):
    """``(shape, x, floats)``: a shape of 0 to 3 dimensions of up to 4, an input of that shape with finite
    values in [-bound, bound], and that value strategy, for the test's other arrays of the same kind."""
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    floats = st.floats(-bound, bound, allow_nan=False, width=64)
    return shape, data.draw(hnp.arrays(np.float64, shape, elements=floats)), floats
