"""A hypothesis strategy for whole CTC calls, shared by the value tests and the surface tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from losses.numerics import log_softmax as _log_softmax


@st.composite
def ctc_problems(draw, max_steps: int = 7, max_batch: int = 3, max_target: int = 4):
    """(args, kwargs, rng): log_probs (T, N, C) of random scale, normalised or not; padded targets (with 0
    to 2 spare columns, possibly none at all) or concatenated ones; input lengths up to T (0 included), any
    blank, every reduction, zero_infinity either way.  ``rng`` draws anything else a test needs."""
    steps = draw(st.integers(1, max_steps))
    batch = draw(st.integers(1, max_batch))
    classes = draw(st.integers(2, 5))
    blank = draw(st.integers(0, classes - 1))
    labels = [c for c in range(classes) if c != blank]
    input_lengths = np.array(draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch)))
    target_lengths = np.array(draw(st.lists(st.integers(0, max_target), min_size=batch, max_size=batch)))
    rows = [draw(st.lists(st.sampled_from(labels), min_size=int(n), max_size=int(n))) for n in target_lengths]
    if draw(st.booleans()):
        targets = np.array([label for row in rows for label in row], dtype=np.int64)
    else:
        width = int(target_lengths.max()) + draw(st.integers(0, 2))
        targets = np.array([row + [blank] * (width - len(row)) for row in rows], dtype=np.int64).reshape(batch, width)
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    log_probs = rng.normal(size=(steps, batch, classes)) * draw(st.sampled_from([0.1, 1.0, 5.0]))
    if draw(st.booleans()):
        log_probs = _log_softmax(log_probs)
    kwargs = {"blank": blank, "reduction": draw(st.sampled_from(["none", "mean", "sum"])),
              "zero_infinity": draw(st.booleans())}
    args = {"log_probs": log_probs, "targets": targets, "input_lengths": input_lengths,
            "target_lengths": target_lengths}
    return args, kwargs, rng
