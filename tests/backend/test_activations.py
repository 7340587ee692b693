"""sigmoid, tanh, softmax and log_softmax against torch 2.13 (float64, values and autograd gradients).

Activations have no reduction: the gradient checked is that of sum(output * grad_output).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from tests.backend.torch_check import check, torch_refuses

F = losses.functional
RNG = np.random.default_rng(5)
X3 = RNG.normal(scale=2.0, size=(2, 3, 4))
EXTREME = np.array([-800.0, -740.0, -40.0, -1e-8, 0.0, 1e-8, 40.0, 740.0, 800.0])
NONFINITE = np.array([np.inf, -np.inf, np.nan, 1.0])

ELEMENTWISE_INPUTS = [
    np.array([[-4.0, -1.0], [0.0, 2.0]]),
    X3,
    EXTREME,
    NONFINITE,
    np.float64(0.7),
    np.zeros((0, 2)),
]


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
@pytest.mark.parametrize("case", range(len(ELEMENTWISE_INPUTS)))
def test_elementwise_against_torch(name, case):
    x = ELEMENTWISE_INPUTS[case]
    check(name, {"input": x}, {})
    check(name, {"input": x}, {}, grad_output=RNG.normal(size=np.shape(x)))


def test_sigmoid_is_stable_and_saturates():
    out = F.sigmoid(EXTREME)
    assert np.isfinite(out).all() and out[0] == 0.0 and out[-1] == 1.0
    # sigma(-x) = 1 - sigma(x) (hand identity), and sigma(0) = 1/2.
    np.testing.assert_allclose(F.sigmoid(-X3), 1 - F.sigmoid(X3), rtol=1e-12)
    assert F.sigmoid(np.float64(0.0)) == 0.5


# Rows with -inf (probability 0), all -inf, +inf or NaN (NaN rows in torch), and huge scores.
SPECIAL_ROWS = np.array([
    [-np.inf, 0.0, 1.0],
    [-np.inf, -np.inf, -np.inf],
    [np.inf, 1.0, 2.0],
    [np.nan, 1.0, 2.0],
    [1000.0, 999.0, -1000.0],
    [-1000.0, -1000.0, -1000.0],
])


def along_dim_cases():
    cases = [(X3, d) for d in range(-3, 3)]
    cases += [
        (np.array([[1.0, 2.0, 3.0], [11.0, 12.0, 13.0], [0.5, 0.5, 0.5]]), 1),
        (RNG.normal(size=5), 0),
        (RNG.normal(size=5), -1),
        (np.float64(0.3), 0),            # a 0-d tensor counts as 1-D: the output is 1
        (np.float64(0.3), -1),
        (SPECIAL_ROWS, 1),
        (SPECIAL_ROWS[[0, 4, 5]], 0),
        (np.zeros((2, 0)), 1),
        (np.zeros((2, 0)), 0),
        (RNG.normal(size=(2, 1, 3, 2)), 2),
    ]
    return cases


CASES = along_dim_cases()


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_along_dim_against_torch(name, case):
    x, dim = CASES[case]
    check(name, {"input": x}, {"dim": dim})
    check(name, {"input": x}, {"dim": dim}, grad_output=RNG.normal(size=np.shape(x)))


def test_softmax_rows_are_distributions_and_shift_invariant():
    p = F.softmax(X3, 1)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(F.softmax(X3 + 1000.0, 1), p, rtol=1e-12)
    # Equal scores give the uniform distribution (hand value 1/3).
    np.testing.assert_allclose(F.softmax(np.zeros(3), 0), [1 / 3] * 3, rtol=1e-15)


def test_log_softmax_is_finite_where_log_of_softmax_is_not():
    x = np.array([1000.0, 0.0])
    # Hand value: log_softmax = x - logsumexp(x) = [0 - log(1 + e^-1000), -1000 - ...] = [0, -1000].
    np.testing.assert_allclose(F.log_softmax(x, 0), [0.0, -1000.0])
    with np.errstate(divide="ignore"):
        assert np.log(F.softmax(x, 0))[1] == -np.inf


REFUSALS = [
    (X3, 3, "range"),
    (X3, -4, "range"),
    (np.float64(0.3), 1, "range"),
    (X3, 1.0, "dtype"),
    (X3, True, "dtype"),
]


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("case", range(len(REFUSALS)))
def test_dim_refusals(name, case):
    x, dim, code = REFUSALS[case]
    assert torch_refuses(name, {"input": x}, {"dim": dim})
    with pytest.raises(losses.LossInputError, match="dim") as info:
        getattr(F, name)(x, dim)
    assert (info.value.code, info.value.argument) == (code, "dim")


def test_dim_is_required():
    # torch's dim=None (an implicit, deprecated guess) is not mirrored: dim must be given.
    with pytest.raises(TypeError):
        F.softmax(X3)
    with pytest.raises(losses.LossInputError, match="dim must be an integer, found None"):
        F.log_softmax(X3, None)


def test_landscape_with_dim_not_last():
    # dim=0 of a (3, 2) input: both columns are softmaxes; the landscape must follow torch's layout.
    x = RNG.normal(size=(3, 2))
    xs, ys = np.array([-1.0, 0.5]), np.array([0.2, 2.0, 3.0])
    land = losses.landscape("softmax", {"input": x}, {"dim": 0}, x=("input", (0, 1), xs), y=("input", (2, 1), ys))
    for (i, yv) in enumerate(ys):
        for (j, xv) in enumerate(xs):
            point = x.copy()
            point[0, 1], point[2, 1] = xv, yv
            value, grads = losses.value_and_grad("softmax", point, dim=0)
            np.testing.assert_allclose(land.z[i, j], value.sum(), rtol=1e-12)
            np.testing.assert_allclose([land.dz_dx[i, j], land.dz_dy[i, j]], [grads["input"][0, 1],
                                       grads["input"][2, 1]], rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-100, 100, width=64)))
    name = data.draw(st.sampled_from(["sigmoid", "tanh", "softmax", "log_softmax"]))
    kwargs = {}
    if name in ("softmax", "log_softmax"):
        rank = max(len(shape), 1)
        kwargs["dim"] = data.draw(st.integers(-rank, rank - 1))
    grad_output = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, width=64)))
    check(name, {"input": x}, kwargs, grad_output=grad_output)
