"""The closed-form surfaces of cross_entropy and log_softmax (two logits of one sample or slab)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .surface_check import check_surface

RNG = np.random.default_rng(7)
LOGITS = RNG.normal(size=(4, 5))
WEIGHT = np.array([0.5, 2.0, 1.0, 0.0, 1.5])
PROBS = RNG.dirichlet(np.ones(5), size=4)
XS = np.linspace(-3.0, 4.0, 9)
YS = np.linspace(-2.0, 5.0, 7)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("target", ["index", "probabilities"])
def test_cross_entropy_two_logits_of_one_sample(reduction, weighted, smoothing, target):
    args = {"input": LOGITS, "target": np.array([1, 0, 4, 2]) if target == "index" else PROBS}
    if weighted:
        args["weight"] = WEIGHT
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    # the target class against another, and two classes that are not the target
    for first, second in (((2, 4), (2, 0)), ((0, 0), (0, 3))):
        check_surface("cross_entropy", args, kwargs, ("input", first, XS), ("input", second, YS))


def test_cross_entropy_ignored_sample_and_spatial_input():
    x = RNG.normal(size=(2, 3, 2, 2))
    target = np.array([[[0, 2], [1, -100]], [[2, 2], [0, 1]]])
    # an ignored position contributes nothing: its surface is flat at the rest of the loss
    land = check_surface("cross_entropy", {"input": x, "target": target}, {},
                         ("input", (0, 0, 1, 1), XS), ("input", (0, 2, 1, 1), YS))
    assert np.ptp(land.z) == 0 and not land.dz_dx.any() and not land.dz_dy.any()
    check_surface("cross_entropy", {"input": x, "target": target}, {"reduction": "sum", "label_smoothing": 0.1},
                  ("input", (1, 0, 0, 1), XS), ("input", (1, 1, 0, 1), YS))


def test_cross_entropy_two_classes_and_unbatched():
    check_surface("cross_entropy", {"input": np.array([[0.3, -0.2]]), "target": np.array([1])}, {},
                  ("input", (0, 0), XS), ("input", (0, 1), YS))
    check_surface("cross_entropy", {"input": np.array([0.3, -0.2, 1.0]), "target": np.array(2)},
                  {"label_smoothing": 0.2}, ("input", (1,), XS), ("input", (0,), YS))


def test_extreme_logits_fall_back_or_stay_exact():
    args = {"input": np.array([[800.0, -800.0, 0.0]]), "target": np.array([0])}
    # logits of +-800 within one grid: too wide for one shift, the generic path runs
    wide = np.array([-800.0, 0.0, 800.0])
    check_surface("cross_entropy", args, {}, ("input", (0, 0), wide), ("input", (0, 1), wide), expect="grid")
    # a row holding +-800 with a narrow grid still has its closed form
    check_surface("cross_entropy", args, {}, ("input", (0, 2), XS), ("input", (0, 1), YS), torch_points=2)


def test_infinite_logit_gives_torch_nan_through_the_generic_path():
    args = {"input": np.array([[np.inf, 0.0, 1.0]]), "target": np.array([0])}
    check_surface("cross_entropy", args, {}, ("input", (0, 1), XS), ("input", (0, 2), YS), expect="grid",
                  torch_points=1)


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_log_softmax_two_entries_of_one_slab(dim):
    x = RNG.normal(size=(3, 4))
    # same softmax slice for dim=-1/1 (row 1); for dim=0 the two entries lie in different columns
    # of the single (3, 4) slab, and the other columns stay constant
    check_surface("log_softmax", {"input": x}, {"dim": dim}, ("input", (1, 0), XS), ("input", (1, 2), YS))
    if dim == 0:
        check_surface("log_softmax", {"input": x}, {"dim": 0}, ("input", (0, 1), XS), ("input", (2, 1), YS))


def test_log_softmax_of_a_3d_input_along_the_middle():
    x = RNG.normal(size=(2, 3, 4))
    check_surface("log_softmax", {"input": x}, {"dim": 1}, ("input", (1, 0, 2), XS), ("input", (1, 2, 3), YS))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_cross_entropy_random_rows(data):
    n = data.draw(st.integers(1, 4))
    c = data.draw(st.integers(2, 6))
    seed = data.draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=data.draw(st.sampled_from([0.1, 1.0, 20.0])), size=(n, c))
    target = rng.integers(0, c, size=n)
    args = {"input": x, "target": target}
    if data.draw(st.booleans()):
        args["weight"] = rng.uniform(0.0, 2.0, size=c)
    kwargs = {"reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
              "label_smoothing": data.draw(st.sampled_from([0.0, 0.05, 0.5]))}
    u = data.draw(st.integers(0, n - 1))
    i, j = data.draw(st.lists(st.integers(0, c - 1), min_size=2, max_size=2, unique=True))
    xs = np.sort(rng.normal(scale=5.0, size=6))
    ys = np.sort(rng.normal(scale=5.0, size=5))
    check_surface("cross_entropy", args, kwargs, ("input", (u, i), xs), ("input", (u, j), ys), torch_points=1)
