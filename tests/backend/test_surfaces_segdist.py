"""The closed-form surfaces of dice_loss, jaccard_loss (two pixels of one sample) and gaussian_nll_loss
(the mean and the variance of one element).

Every case goes through ``check_surface``: the surface path must run (or, for the fallbacks, the generic
one), agree with the generic per-grid-point path to rtol 1e-9 and with torch (value and autograd
gradient) at a few grid points.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses

from .surface_check import check_surface

RNG = np.random.default_rng(11)
XS = np.linspace(0.0, 1.0, 9)
YS = np.linspace(0.0, 1.0, 7)
WIDE_XS = np.linspace(-1.0, 2.0, 8)
WIDE_YS = np.linspace(-0.5, 1.5, 6)
OVERLAP = ["dice_loss", "jaccard_loss"]

SEG_EXAMPLE = losses.get_spec("dice_loss").example
PROBS = RNG.uniform(size=(3, 2, 4))
MASKS = (RNG.uniform(size=(3, 2, 4)) < 0.5).astype(float)
# pixel (0, 0, 0) has target 1 and (0, 1, 2) target 0 in every sample of MASKS_FIXED
MASKS_FIXED = MASKS.copy()
MASKS_FIXED[:, 0, 0], MASKS_FIXED[:, 1, 2] = 1.0, 0.0


# ----------------------------------------------------------------------------- dice and jaccard


@pytest.mark.parametrize("name", OVERLAP)
def test_benchmark_case(name):
    # bench/landscape.py: the registry example, input[0, 0, 0] against input[0, 1, 1] over [0, 1]
    grid = np.linspace(0.0, 1.0, 21)
    check_surface(name, SEG_EXAMPLE, {}, ("input", (0, 0, 0), grid), ("input", (0, 1, 1), grid))


@pytest.mark.parametrize("smooth", [0.0, 1e-5, 1.0, 10.0])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", OVERLAP)
def test_overlap_reductions_and_smooth(name, reduction, smooth):
    kwargs = {"reduction": reduction, "smooth": smooth}
    args = {"input": PROBS, "target": MASKS_FIXED}
    # target 1 against target 0, in the first and in the last sample, and the pair in reverse order
    check_surface(name, args, kwargs, ("input", (0, 0, 0), XS), ("input", (0, 1, 2), YS))
    check_surface(name, args, kwargs, ("input", (2, 1, 2), WIDE_XS), ("input", (2, 0, 0), WIDE_YS))


@pytest.mark.parametrize("name", OVERLAP)
@pytest.mark.parametrize(("ti", "tj"), [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (0.3, 0.9), (0.95, 0.999),
                                        (0.2, 1 - 1e-9), (1 - 1e-9, 1 - 1e-9)])
def test_overlap_target_pairs(name, ti, tj):
    # Every pair of target values of the two pixels: for Jaccard (1, 1) leaves the denominator without
    # either pixel, and soft targets near 1 take the form without a split constant (splitting off
    # t/(1 - t) = 1e9 would lose about 7 digits).
    target = RNG.uniform(size=(2, 6))
    target[1, 1], target[1, 4] = ti, tj
    args = {"input": RNG.uniform(size=(2, 6)), "target": target}
    check_surface(name, args, {"smooth": 0.5}, ("input", (1, 1), XS), ("input", (1, 4), WIDE_YS))


@pytest.mark.parametrize("name", OVERLAP)
@pytest.mark.parametrize(("ti", "tj"), [(1.5, 0.0), (0.0, 3.0), (2.5, 3.0), (-1.0, 0.5)])
def test_overlap_targets_outside_zero_one(name, ti, tj):
    # targets are used as given: large ones move the value to another of the closed form's branches
    target = RNG.uniform(size=(1, 5))
    target[0, 0], target[0, 3] = ti, tj
    args = {"input": RNG.uniform(size=(1, 5)), "target": target}
    check_surface(name, args, {"reduction": "sum"}, ("input", (0, 3), XS), ("input", (0, 0), YS))


@pytest.mark.parametrize("name", OVERLAP)
def test_overlap_shapes(name):
    # N C H W, flat (N, P) samples, a batch of one and the smallest sample of two pixels
    x4 = RNG.uniform(size=(2, 3, 2, 2))
    t4 = (RNG.uniform(size=(2, 3, 2, 2)) < 0.5) * 1.0
    check_surface(name, {"input": x4, "target": t4}, {}, ("input", (1, 2, 1, 0), XS), ("input", (1, 0, 0, 1), YS))
    check_surface(name, {"input": PROBS.reshape(3, 8), "target": MASKS.reshape(3, 8)}, {"reduction": "sum"},
                  ("input", (1, 7), XS), ("input", (1, 0), YS))
    check_surface(name, {"input": PROBS[:1], "target": MASKS_FIXED[:1]}, {"reduction": "none"},
                  ("input", (0, 1, 2), XS), ("input", (0, 0, 0), YS))
    check_surface(name, {"input": np.array([[0.2, 0.7]]), "target": np.array([[0.0, 1.0]])}, {},
                  ("input", (0, 0), XS), ("input", (0, 1), YS))


def test_overlap_values_match_the_formula_by_hand():
    # Example sample 0 (see test_segmentation): sum xy = 2.4, sum x = 2.8, sum y = 3.  Setting pixel (0, 0, 0)
    # (target 1, was 0.9) to x and (0, 1, 1) (target 1, was 0.7) to y gives
    # Dice 1 - (2 (0.8 + x + y) + 1) / (1.2 + x + y + 3 + 1); sample 1 adds the constant 1 - 1/1.8; mean of two.
    land = check_surface("dice_loss", SEG_EXAMPLE, {}, ("input", (0, 0, 0), XS), ("input", (0, 1, 1), YS))
    x, y = XS[None, :], YS[:, None]
    expected = 0.5 * (1 - (2 * (0.8 + x + y) + 1) / (5.2 + x + y)) + 0.5 * (1 - 1 / 1.8)
    np.testing.assert_allclose(land.z, expected, rtol=1e-12)
    # d/dx of 1 - (2s + 2.6)/(s + 5.2) with s = x + y: -(2 (s + 5.2) - (2s + 2.6)) / (s + 5.2)^2 = -7.8 / den^2
    np.testing.assert_allclose(land.dz_dx, 0.5 * -7.8 / (5.2 + x + y) ** 2, rtol=1e-12)
    np.testing.assert_allclose(land.dz_dy, land.dz_dx, rtol=1e-12)


@pytest.mark.parametrize("name", OVERLAP)
def test_overlap_fallbacks(name):
    # smooth = 0 on empty masks: the denominator is 0 where both pixels are 0, so the grid holds nan there
    empty = {"input": np.zeros((1, 2, 2)), "target": np.zeros((1, 2, 2))}
    check_surface(name, empty, {"smooth": 0.0}, ("input", (0, 0, 0), XS), ("input", (0, 1, 1), YS),
                  expect="grid", torch_points=2)
    # an infinite input elsewhere in the sample makes the loss nan; another sample keeps its surface
    x = RNG.uniform(size=(2, 4))
    x[0, 3] = np.inf
    args = {"input": x, "target": (RNG.uniform(size=(2, 4)) < 0.5) * 1.0}
    check_surface(name, args, {"reduction": "none"}, ("input", (0, 0), XS), ("input", (0, 1), YS), expect="grid",
                  torch_points=1)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_overlap_random(data):
    name = data.draw(st.sampled_from(OVERLAP))
    n = data.draw(st.integers(1, 3))
    inner = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    pixels = int(np.prod(inner))
    if pixels < 2:
        inner, pixels = inner + (2,), pixels * 2
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    x = rng.uniform(size=(n,) + inner)
    if data.draw(st.booleans()):
        target = (rng.uniform(size=x.shape) < 0.5) * 1.0
    else:
        target = rng.uniform(size=x.shape)
    kwargs = {"reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
              "smooth": data.draw(st.sampled_from([1e-5, 0.1, 1.0, 5.0]))}
    u = data.draw(st.integers(0, n - 1))
    i, j = data.draw(st.lists(st.integers(0, pixels - 1), min_size=2, max_size=2, unique=True))
    first = (u,) + np.unravel_index(i, inner)
    second = (u,) + np.unravel_index(j, inner)
    xs = np.sort(rng.uniform(0.0, 1.0, size=6))
    ys = np.sort(rng.uniform(0.0, 1.0, size=5))
    check_surface(name, {"input": x, "target": target}, kwargs, ("input", tuple(int(k) for k in first), xs),
                  ("input", tuple(int(k) for k in second), ys), torch_points=1)


# ----------------------------------------------------------------------------- gaussian_nll_loss

GAUSS_EXAMPLE = losses.get_spec("gaussian_nll_loss").example
MEANS = np.linspace(-1.0, 3.0, 9)
VARS = np.linspace(0.05, 3.0, 7)
# across the default eps = 1e-6 (and 0): the clamp's kink lies inside the grid
SMALL_VARS = np.array([0.0, 1e-9, 1e-7, 1e-6, 5e-6, 1e-3, 0.4])
GAUSS_OPTIONS = [{}, {"full": True}, {"eps": 0.5}, {"eps": 1e-3, "full": True}]


def test_gaussian_benchmark_case():
    # bench/landscape.py: the registry example, input[0, 1] against var[0, 1]
    check_surface("gaussian_nll_loss", GAUSS_EXAMPLE, {}, ("input", (0, 1), np.linspace(-1.0, 3.0, 21)),
                  ("var", (0, 1), np.linspace(0.05, 3.0, 17)))


@pytest.mark.parametrize("option", range(len(GAUSS_OPTIONS)))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gaussian_options_and_reductions(reduction, option):
    kwargs = dict(GAUSS_OPTIONS[option], reduction=reduction)
    args = {"input": RNG.normal(size=(3, 4)), "target": RNG.normal(size=(3, 4)), "var": RNG.uniform(0.1, 2, (3, 4))}
    # the mean first, and the variance first
    check_surface("gaussian_nll_loss", args, kwargs, ("input", (2, 1), MEANS), ("var", (2, 1), VARS))
    check_surface("gaussian_nll_loss", args, kwargs, ("var", (0, 3), VARS), ("input", (0, 3), MEANS))


@pytest.mark.parametrize("eps", [1e-6, 1e-8, 1e-3, 0.5])
def test_gaussian_var_below_eps(eps):
    # below eps the value uses eps and the variance's gradient is taken at eps (torch's clamp under no_grad)
    land = check_surface("gaussian_nll_loss", GAUSS_EXAMPLE, {"eps": eps}, ("var", (1, 0), SMALL_VARS),
                         ("input", (1, 0), MEANS))
    clamped = SMALL_VARS <= eps
    assert clamped.any()
    # by hand with v = eps, d = m - 2, mean over four elements
    d = MEANS[:, None] - 2.0
    np.testing.assert_allclose(land.dz_dx[:, clamped], np.broadcast_to(0.25 * 0.5 * (1 / eps - d * d / eps**2),
                                                                       (len(MEANS), clamped.sum())), rtol=1e-12)


def test_gaussian_unbatched_and_broadcast_shapes():
    name = "gaussian_nll_loss"
    x, t = RNG.normal(size=(4, 1)), RNG.normal(size=(4, 1))
    # unbatched (3,) input with its own variance
    check_surface(name, {"input": x[:3, 0], "target": t[:3, 0], "var": np.array([0.5, 1.0, 2.0])}, {},
                  ("input", (1,), MEANS), ("var", (1,), VARS))
    # var (4,) against input (4, 1): unsqueezed to (4, 1), still one variance per element
    check_surface(name, {"input": x, "target": t, "var": RNG.uniform(0.1, 2.0, size=4)}, {"reduction": "sum"},
                  ("var", (2,), VARS), ("input", (2, 0), MEANS))
    # a 0-d var against a one-element input
    check_surface(name, {"input": np.array([0.3]), "target": np.array([1.0]), "var": np.array(0.7)}, {"full": True},
                  ("input", (0,), MEANS), ("var", (), VARS))
    # a target that broadcasts to the input's shape
    args = {"input": RNG.normal(size=(2, 3)), "target": RNG.normal(size=(3,)), "var": RNG.uniform(0.1, 2.0, (2, 3))}
    check_surface(name, args, {}, ("input", (1, 2), MEANS), ("var", (1, 2), VARS))


def test_gaussian_fallbacks():
    name = "gaussian_nll_loss"
    x, t = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    # a variance shared by a row touches three elements (three units): the generic path
    check_surface(name, {"input": x, "target": t, "var": RNG.uniform(0.1, 2.0, size=(4, 1))}, {},
                  ("input", (1, 2), MEANS), ("var", (1, 0), VARS), expect="grid", torch_points=1)
    # an input shared by two rows of the target: its element is two units
    check_surface(name, {"input": x[:1], "target": t[:2], "var": RNG.uniform(0.1, 2.0, size=(1, 3))}, {},
                  ("input", (0, 1), MEANS), ("var", (0, 1), VARS), expect="grid", torch_points=1)
    # var = 0 with eps = 0: log 0 = -inf and d / 0 in that column send the grid to the generic path
    # (torch's nan and inf); without the column the surface runs and the rest of the grid is the same
    land = losses.landscape(name, GAUSS_EXAMPLE, {"eps": 0.0}, x=("input", (0, 0), MEANS),
                            y=("var", (0, 0), SMALL_VARS))
    assert land.method == "grid" and np.isnan(land.z[0]).all() and np.isfinite(land.z[1:]).all()
    positive = check_surface(name, GAUSS_EXAMPLE, {"eps": 0.0}, ("input", (0, 0), MEANS),
                             ("var", (0, 0), SMALL_VARS[1:]))
    for what in ("z", "dz_dx", "dz_dy"):
        np.testing.assert_allclose(getattr(land, what)[1:], getattr(positive, what), rtol=1e-9)
    # a nan target: nan everywhere
    nan_at = tuple(int(i) for i in np.argwhere(t > 0)[0])
    check_surface(name, {"input": x, "target": np.where(t > 0, np.nan, t), "var": np.ones((4, 3))}, {},
                  ("input", nan_at, MEANS), ("var", nan_at, VARS),
                  expect="grid", torch_points=1)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_gaussian_random(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x = rng.normal(scale=2.0, size=shape)
    t = rng.normal(size=shape)
    per_row = len(shape) > 1 and shape[-1] == 1 and data.draw(st.booleans())
    var = rng.uniform(0.0, 2.0, size=shape[:-1] if per_row else shape)
    kwargs = {"reduction": data.draw(st.sampled_from(["mean", "sum", "none"])),
              "full": data.draw(st.booleans()),
              "eps": data.draw(st.sampled_from([1e-6, 1e-3, 0.3]))}
    index = tuple(int(rng.integers(0, s)) for s in shape)
    var_index = index[:-1] if per_row else index
    means = np.sort(rng.normal(scale=3.0, size=6))
    variances = np.sort(np.concatenate([rng.uniform(0.0, 3.0, size=4), [kwargs["eps"] / 2]]))
    pair = [("input", index, means), ("var", var_index, variances)]
    if data.draw(st.booleans()):
        pair.reverse()
    check_surface("gaussian_nll_loss", {"input": x, "target": t, "var": var}, kwargs, *pair, torch_points=1)
