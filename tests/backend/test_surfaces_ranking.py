"""The closed-form surfaces of triplet_margin_loss and cosine_embedding_loss (two elements of one sample).

Every check goes through ``check_surface``: the surface path must run (or, for the cases a surface leaves
alone, the generic one), equal the generic path that evaluates the sample per grid point, and equal torch's
value and autograd gradient at a few grid points.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses

from .surface_check import check_surface

RNG = np.random.default_rng(11)
XS = np.linspace(-1.5, 2.5, 9)
YS = np.linspace(-1.0, 3.0, 7)
REDUCTIONS = ["mean", "sum", "none"]


def registry_example(name):
    spec = losses.get_spec(name)
    names = {a.name for a in spec.arguments}
    args = {k: np.asarray(v, dtype=np.float64) for k, v in spec.example.items() if k in names}
    return args, {k: v for k, v in spec.example.items() if k not in names}


# ------------------------------------------------------------------ triplet margin loss

TRIPLET = {"anchor": RNG.normal(size=(3, 4)), "positive": RNG.normal(size=(3, 4)),
           "negative": RNG.normal(size=(3, 4))}
ROLES = ("anchor", "positive", "negative")
# Every pair of elements of sample 1: two arguments at one coordinate or at two, one argument at two.
TRIPLET_PAIRS = [((a, (1, 0)), (b, (1, 0))) for a, b in itertools.combinations(ROLES, 2)] + [
    ((a, (1, 2)), (b, (1, 3))) for a, b in itertools.product(ROLES, ROLES)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_benchmark_case(reduction):
    # bench/landscape.py: the registry example, anchor[0,0] against negative[0,0]
    args, kwargs = registry_example("triplet_margin_loss")
    check_surface("triplet_margin_loss", args, dict(kwargs, reduction=reduction),
                  ("anchor", (0, 0), np.linspace(-1.5, 2.5, 21)), ("negative", (0, 0), np.linspace(-1.0, 3.0, 17)))


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 1.5, 0.5])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("pair", TRIPLET_PAIRS,
                         ids=lambda pair: f"{pair[0][0]}{pair[0][1][1]}-{pair[1][0]}{pair[1][1][1]}")
def test_triplet_every_pair_of_elements(pair, swap, p):
    (x_arg, x_index), (y_arg, y_index) = pair
    # a wide grid so that the hinge is active in part of it and not in the rest
    check_surface("triplet_margin_loss", TRIPLET, {"p": p, "swap": swap, "margin": 0.7, "reduction": "sum"},
                  (x_arg, x_index, 2.0 * XS), (y_arg, y_index, 2.0 * YS), torch_points=2)


@pytest.mark.parametrize("kwargs", [{"eps": 0.0}, {"eps": 1e-2, "p": 1}, {"eps": -1.0, "p": 3}, {"margin": 3.0},
                                    {"margin": 0.05, "swap": True, "p": 1.5}])
def test_triplet_parameters(kwargs):
    # the elements in the reverse order too: y's argument before x's
    check_surface("triplet_margin_loss", TRIPLET, dict(kwargs, reduction="mean"),
                  ("negative", (2, 1), XS), ("anchor", (2, 1), YS))
    check_surface("triplet_margin_loss", TRIPLET, kwargs, ("positive", (0, 3), XS), ("anchor", (0, 0), YS))


def test_triplet_unbatched_scalar_and_leading_dimensions():
    check_surface("triplet_margin_loss", {k: v[0] for k, v in TRIPLET.items()}, {"swap": True},
                  ("positive", (2,), XS), ("negative", (2,), YS))
    scalars = {"anchor": np.float64(0.0), "positive": np.float64(0.5), "negative": np.float64(0.7)}
    check_surface("triplet_margin_loss", scalars, {"margin": 0.5}, ("anchor", (), XS), ("negative", (), YS))
    deep = {k: RNG.normal(size=(2, 2, 3)) for k in ROLES}
    check_surface("triplet_margin_loss", deep, {"reduction": "mean"}, ("anchor", (1, 0, 2), XS),
                  ("positive", (1, 0, 2), YS))


def test_triplet_broadcast_arguments():
    # a (1, 4) anchor is shared by the three samples: two elements of the others still make a surface
    args = {"anchor": TRIPLET["anchor"][:1], "positive": TRIPLET["positive"], "negative": TRIPLET["negative"]}
    check_surface("triplet_margin_loss", args, {"swap": True}, ("positive", (1, 1), XS), ("negative", (1, 1), YS))
    # a (3, 1) positive broadcast along the features enters every coordinate of its distance
    args = {"anchor": TRIPLET["anchor"], "positive": TRIPLET["positive"][:, :1], "negative": TRIPLET["negative"]}
    check_surface("triplet_margin_loss", args, {"p": 3}, ("anchor", (0, 2), XS), ("negative", (0, 1), YS))
    # the shared anchor element lies in every sample: the generic path
    args = {"anchor": TRIPLET["anchor"][:1], "positive": TRIPLET["positive"], "negative": TRIPLET["negative"]}
    check_surface("triplet_margin_loss", args, {}, ("anchor", (0, 1), XS), ("negative", (1, 1), YS), expect="grid")


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5])
def test_triplet_zero_difference_on_the_grid(p):
    # eps = 0 and grids through x = y: d(a, p) is the zero vector on the diagonal, where torch's norm
    # gradient is 0 (and |v|^(p-1) is zeroed for p < 1)
    args = {"anchor": np.zeros((2, 2)), "positive": np.zeros((2, 2)), "negative": np.array([[0.0, 0.0], [1.0, 0.0]])}
    grid = np.linspace(-1.0, 1.0, 9)
    land = check_surface("triplet_margin_loss", args, {"eps": 0.0, "p": p}, ("anchor", (0, 0), grid),
                         ("positive", (0, 0), grid))
    assert land.dz_dx[4, 4] == land.dz_dy[4, 4] == 0.0  # x = y = 0: every difference is zero
    check_surface("triplet_margin_loss", args, {"eps": 0.0, "p": p, "swap": True}, ("anchor", (1, 1), grid),
                  ("positive", (1, 1), grid))


def test_triplet_kinks():
    # margin + d(a, p) - d(a, n) = 0 at x = 0, y = 2: clamp_min passes the gradient there
    args = {"anchor": np.array([[0.0, 0.0]]), "positive": np.array([[0.0, 1.0]]), "negative": np.array([[0.0, 2.0]])}
    land = check_surface("triplet_margin_loss", args, {"eps": 0.0}, ("anchor", (0, 1), np.array([-0.5, 0.0, 0.5])),
                         ("negative", (0, 1), np.array([1.0, 2.0, 3.0])), torch_points=2)
    # there the hinge's slope is 1 and d d(a, n)/dy = (y - x)/|y - x| = 1, so dz/dy = -1
    assert land.z[1, 1] == 0.0 and land.dz_dy[1, 1] == -1.0
    # a swap tie d(a, n) = d(p, n) at y = 1: torch's minimum gives each distance half the gradient
    args = {"anchor": np.array([[0.0, 0.0]]), "positive": np.array([[0.0, 2.0]]), "negative": np.array([[0.0, 1.0]])}
    land = check_surface("triplet_margin_loss", args, {"eps": 0.0, "swap": True, "margin": 2.0},
                         ("positive", (0, 0), np.array([-0.5, 0.0, 0.5])), ("negative", (0, 1), np.array([0.5, 1.0])))
    assert land.dz_dy[1, 1] == 0.0  # halves of d(a, n) and d(p, n) cancel at the tie


@pytest.mark.parametrize("p", [0.0, np.inf, -1.0])
def test_triplet_norms_left_to_the_generic_path(p):
    check_surface("triplet_margin_loss", TRIPLET, {"p": p, "margin": 2.0}, ("anchor", (0, 0), XS),
                  ("negative", (0, 0), YS), expect="grid", torch_points=1)


def test_triplet_non_finite_inputs_fall_back():
    args = dict(TRIPLET, negative=np.where(np.arange(4) == 3, np.inf, TRIPLET["negative"]))
    check_surface("triplet_margin_loss", args, {}, ("anchor", (0, 0), XS), ("positive", (0, 0), YS),
                  expect="grid", torch_points=1)


# ------------------------------------------------------------------ cosine embedding loss

COSINE = {"input1": RNG.normal(size=(3, 4)), "input2": RNG.normal(size=(3, 4)), "target": np.array([1.0, -1.0, 0.0])}
# Across the inputs at one coordinate or at two (either order), and two coordinates of one input.
COSINE_PAIRS = [(("input1", 2), ("input2", 2)), (("input2", 1), ("input1", 1)), (("input1", 0), ("input2", 3)),
                (("input2", 3), ("input1", 1)), (("input1", 1), ("input1", 3)), (("input2", 2), ("input2", 0))]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_benchmark_case(reduction):
    # bench/landscape.py: the registry example, input1[0,1] against input2[0,1] (target 1); sample 1 has target -1
    args, kwargs = registry_example("cosine_embedding_loss")
    for unit in (0, 1):
        check_surface("cosine_embedding_loss", args, dict(kwargs, reduction=reduction),
                      ("input1", (unit, 1), np.linspace(-2.0, 2.0, 21)),
                      ("input2", (unit, 1), np.linspace(-2.0, 2.0, 17)))


@pytest.mark.parametrize("margin", [0.0, 0.4, -0.5])
@pytest.mark.parametrize("unit", [0, 1, 2], ids=["target 1", "target -1", "target 0"])
@pytest.mark.parametrize("pair", COSINE_PAIRS, ids=lambda pair: f"{pair[0][0]}{pair[0][1]}-{pair[1][0]}{pair[1][1]}")
def test_cosine_every_pair_of_elements(pair, unit, margin):
    (x_arg, xk), (y_arg, yk) = pair
    check_surface("cosine_embedding_loss", COSINE, {"margin": margin, "reduction": "mean"},
                  (x_arg, (unit, xk), XS), (y_arg, (unit, yk), YS), torch_points=2)


def test_cosine_other_targets_are_flat():
    args = dict(COSINE, target=np.array([2.0, 0.5, -3.0]))
    land = check_surface("cosine_embedding_loss", args, {"reduction": "sum"}, ("input1", (0, 1), XS),
                         ("input2", (0, 1), YS))
    assert np.ptp(land.z) == 0 and not land.dz_dx.any() and not land.dz_dy.any()


def test_cosine_unbatched_and_broadcast():
    one = {"input1": COSINE["input1"][0], "input2": COSINE["input2"][0], "target": np.float64(-1.0)}
    check_surface("cosine_embedding_loss", one, {"margin": 0.1}, ("input2", (3,), XS), ("input1", (0,), YS))
    check_surface("cosine_embedding_loss", one, {}, ("input1", (3,), XS), ("input1", (0,), YS))
    # a (1, 4) input2 shared by the samples, a (1,) target: two elements of input1 still make a surface
    args = {"input1": COSINE["input1"], "input2": COSINE["input2"][:1], "target": np.array([-1.0])}
    check_surface("cosine_embedding_loss", args, {"margin": -0.2}, ("input1", (2, 0), XS), ("input1", (2, 3), YS))
    # the shared input2 element lies in every sample, and a (3, 1) input2 broadcasts along the features:
    # the generic path for both
    check_surface("cosine_embedding_loss", args, {}, ("input1", (2, 0), XS), ("input2", (0, 3), YS), expect="grid")
    args = {"input1": COSINE["input1"], "input2": COSINE["input2"][:, :1], "target": COSINE["target"]}
    check_surface("cosine_embedding_loss", args, {}, ("input1", (0, 0), XS), ("input1", (0, 2), YS), expect="grid")


def test_cosine_through_the_zero_vector():
    # with every other feature 0, the grid crosses a zero input, where torch's 1e-12 keeps cos = 0 and the
    # gradient huge but finite
    args = {"input1": np.array([[0.0, 0.0, 0.0]]), "input2": np.array([[0.0, 1.0, 0.0]]), "target": np.array([1.0])}
    grid = np.linspace(-1.0, 1.0, 5)
    land = check_surface("cosine_embedding_loss", args, {}, ("input1", (0, 1), grid), ("input2", (0, 1), grid))
    assert land.z[2, 2] == 1.0 and land.z[0, 0] == pytest.approx(0.0, abs=1e-9)
    check_surface("cosine_embedding_loss", args, {}, ("input1", (0, 0), grid), ("input1", (0, 2), grid))


def test_cosine_kink_at_the_margin():
    # target -1, margin 0: orthogonal vectors (x * y = -1) sit on the kink, where the gradient passes
    args = {"input1": np.array([[1.0, 0.0]]), "input2": np.array([[1.0, 0.0]]), "target": np.array([-1.0])}
    grid = np.array([-2.0, -1.0, 0.5, 1.0])
    land = check_surface("cosine_embedding_loss", args, {"reduction": "sum"}, ("input1", (0, 1), grid),
                         ("input2", (0, 1), grid))
    assert land.z[3, 1] == 0.0 and land.dz_dx[3, 1] != 0.0


@pytest.mark.parametrize("bad", [np.inf, np.nan, 1e200])
def test_cosine_extreme_inputs_fall_back(bad):
    args = dict(COSINE, input2=np.where(np.arange(4) == 3, bad, COSINE["input2"]))
    check_surface("cosine_embedding_loss", args, {}, ("input1", (0, 0), XS), ("input2", (0, 0), YS),
                  expect="grid")


# ------------------------------------------------------------------ random shapes, values and options

def draw_pair(data, names, width):
    """Two different (argument, coordinate) elements."""
    first = (data.draw(st.sampled_from(names)), data.draw(st.integers(0, width - 1)))
    second = data.draw(st.tuples(st.sampled_from(names), st.integers(0, width - 1)).filter(lambda e: e != first))
    return first, second


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_triplet_random(data):
    n, d = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 5))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    first, second = draw_pair(data, ROLES, d)
    batched = n > 1 or data.draw(st.booleans())
    lead = (n,) if batched else ()
    args = {k: rng.normal(size=lead + (d,)) for k in ROLES}
    kwargs = {"reduction": data.draw(st.sampled_from(REDUCTIONS)), "margin": data.draw(st.floats(0.1, 3.0)),
              "p": data.draw(st.sampled_from([1.0, 2.0, 3.0, 1.5, 0.7])), "swap": data.draw(st.booleans()),
              "eps": data.draw(st.sampled_from([1e-6, 0.0, 0.1]))}
    unit = (data.draw(st.integers(0, n - 1)),) if batched else ()
    xs = np.sort(rng.normal(scale=2.0, size=6))
    ys = np.sort(rng.normal(scale=2.0, size=5))
    check_surface("triplet_margin_loss", args, kwargs, (first[0], unit + (first[1],), xs),
                  (second[0], unit + (second[1],), ys), torch_points=1)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_cosine_random(data):
    n, d = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 5))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    first, second = draw_pair(data, ("input1", "input2"), d)
    batched = n > 1 or data.draw(st.booleans())
    targets = st.sampled_from([1.0, -1.0, -1.0, 1.0, 0.0])
    if batched:
        args = {"input1": rng.normal(size=(n, d)), "input2": rng.normal(size=(n, d)),
                "target": np.array(data.draw(st.lists(targets, min_size=n, max_size=n)))}
    else:
        args = {"input1": rng.normal(size=d), "input2": rng.normal(size=d), "target": np.float64(data.draw(targets))}
    kwargs = {"reduction": data.draw(st.sampled_from(REDUCTIONS)), "margin": data.draw(st.floats(-1.0, 1.0))}
    unit = (data.draw(st.integers(0, n - 1)),) if batched else ()
    xs = np.sort(rng.normal(scale=2.0, size=6))
    ys = np.sort(rng.normal(scale=2.0, size=5))
    check_surface("cosine_embedding_loss", args, kwargs, (first[0], unit + (first[1],), xs),
                  (second[0], unit + (second[1],), ys), torch_points=1)
