"""Regression losses against torch 2.13 (float64, values and autograd gradients).

l1_loss, mse_loss, smooth_l1_loss and huber_loss are compared with torch.nn.functional;
l0_loss and relative_mse_loss (the notes' losses torch lacks) with the torch
re-implementations in torch_extras, whose gradients come from autograd.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from tests.backend.shapes import random_input
from tests.backend.torch_check import check, torch_refuses

SAMPLE = np.ones((2, 2))
TARGET = np.array([[0.0, 1.0], [2.0, 3.0]])
RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
W = RNG.uniform(0.1, 2.0, size=(3, 4))

NAMES = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "l0_loss", "relative_mse_loss"]
WEIGHTED = {"l1_loss", "mse_loss", "huber_loss"}

CASES = [
    ({"input": SAMPLE, "target": TARGET}, {}),
    ({"input": X, "target": Y}, {}),
    ({"input": X, "target": Y, "weight": W}, {}),
    ({"input": X, "target": X.copy()}, {}),  # kink everywhere: torch's gradient is 0 there
    ({"input": X[:, :1], "target": Y}, {}),  # input broadcast against target (torch warns)
    ({"input": X[0], "target": Y}, {}),
    ({"input": np.float64(0.3), "target": np.float64(-1.2)}, {}),
    ({"input": 3.0 * X, "target": Y}, {}),  # errors on both sides of beta/delta
]

# Every option of each loss, and values of it on both sides of the default.
OPTIONS = {
    "l1_loss": [{}],
    "mse_loss": [{}],
    "smooth_l1_loss": [{}, {"beta": 0.5}, {"beta": 0.0}, {"beta": 2.5}],
    "huber_loss": [{}, {"delta": 0.5}, {"delta": 2.5}],
    "l0_loss": [{}, {"gamma": 1.0}, {"gamma": 0.5}, {"gamma": 0.0}, {"gamma": 1.5, "eps": 0.1}],
    "relative_mse_loss": [
        {},
        {"eps": 0.5},
        {"detach_denominator": False},  # no effect with the target in the denominator
        {"denominator": "input"},
        {"denominator": "input", "detach_denominator": False},
    ],
}
TABLE = [(name, case, option) for name in NAMES for case in range(len(CASES))
         for option in range(len(OPTIONS[name])) if "weight" not in CASES[case][0] or name in WEIGHTED]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("name", "case", "option"), TABLE)
def test_against_torch(name, case, option, reduction):
    args, kwargs = CASES[case]
    check(name, args, dict(kwargs, **OPTIONS[name][option], reduction=reduction))


@pytest.mark.parametrize("name", NAMES)
def test_grad_output_with_reduction_none(name):
    check(name, {"input": X, "target": Y}, {"reduction": "none"}, grad_output=RNG.normal(size=X.shape))


def test_notes_example():
    # The notes' 2×2 example: |0-1|+|1-1|+|2-1|+|3-1| = 4, 4/4 = 1; squares 1+0+1+4 = 6, 6/4 = 1.5.
    assert losses.functional.l1_loss(SAMPLE, TARGET) == pytest.approx(1.0)
    assert losses.functional.mse_loss(SAMPLE, TARGET) == pytest.approx(1.5)
    # smooth L1 (beta = 1): errors 1, 0, 1, 2 give 1-0.5, 0, 1-0.5, 2-0.5 = 2.5, 2.5/4 = 0.625 (the notes' number);
    # huber with delta = 1 is the same function.
    assert losses.functional.smooth_l1_loss(SAMPLE, TARGET) == pytest.approx(0.625)
    assert losses.functional.huber_loss(SAMPLE, TARGET) == pytest.approx(0.625)


def test_weight_must_match_input_shape():
    with pytest.raises(losses.LossInputError, match=r"weight shape \(2,\) does not match input shape \(2, 2\)"):
        losses.functional.l1_loss(SAMPLE, TARGET, weight=np.ones(2))
    args = {"input": SAMPLE, "target": TARGET, "weight": np.ones(2)}
    assert torch_refuses("huber_loss", args)
    with pytest.raises(losses.LossInputError, match=r"weight shape \(2,\) does not match input shape \(2, 2\)"):
        losses.functional.huber_loss(**args)


def test_huber_weighted_mean_is_a_plain_mean():
    """torch's huber divides the weighted sum by n, while l1/mse divide by the weights' sum."""
    x, y, w = np.array([0.0, 3.0]), np.zeros(2), np.array([1.0, 3.0])
    # by hand: huber values 0 and 1*(3 - 0.5) = 2.5; weighted 0 and 7.5; mean over 2 elements = 3.75.
    assert check("huber_loss", {"input": x, "target": y, "weight": w}, {}) == pytest.approx(3.75)
    # l1 with the same weight: (0 + 9) / (1 + 3) = 2.25.
    assert check("l1_loss", {"input": x, "target": y, "weight": w}, {}) == pytest.approx(2.25)


# Exactly representable errors of ±beta (±delta), and 0: the kinks.
KINK_T = np.array([0.0, 0.5, -1.25, 2.0, 0.75])
KINK_D = np.array([0.5, -0.5, 0.5, 0.0, 0.25])


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_smooth_l1_at_the_kinks(reduction):
    _, grads = losses.value_and_grad("smooth_l1_loss", KINK_T + KINK_D, KINK_T, reduction=reduction, beta=0.5)
    # by hand: slope ±1 at |d| = beta, d / beta = 0 at d = 0 and 0.5 inside.
    np.testing.assert_array_equal(grads["input"], [1.0, -1.0, 1.0, 0.0, 0.5])
    check("smooth_l1_loss", {"input": KINK_T + KINK_D, "target": KINK_T}, {"beta": 0.5, "reduction": reduction})


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_huber_at_the_kinks(reduction):
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0])
    args = {"input": KINK_T + KINK_D, "target": KINK_T, "weight": w}
    _, grads = losses.value_and_grad("huber_loss", **args, reduction=reduction, delta=0.5)
    # by hand: w * (±delta) at |d| = delta, w * d inside.
    np.testing.assert_array_equal(grads["input"], w * np.array([0.5, -0.5, 0.5, 0.0, 0.25]))
    check("huber_loss", args, {"delta": 0.5, "reduction": reduction})


def test_smooth_l1_beta_zero_is_l1():
    """torch calls l1_loss for beta = 0: value |d| and gradient sign(d), 0 at d = 0."""
    args = {"input": KINK_T + KINK_D, "target": KINK_T}
    value, grads = losses.value_and_grad("smooth_l1_loss", **args, beta=0.0, reduction="none")
    np.testing.assert_array_equal(value, np.abs(KINK_D))
    np.testing.assert_array_equal(grads["input"], np.sign(KINK_D))
    check("smooth_l1_loss", args, {"beta": 0.0, "reduction": "none"})


def test_huber_is_delta_times_smooth_l1():
    for delta in (0.3, 1.0, 4.0):
        huber = losses.functional.huber_loss(3 * X, Y, delta=delta, reduction="none")
        smooth = losses.functional.smooth_l1_loss(3 * X, Y, beta=delta, reduction="none")
        np.testing.assert_allclose(huber, delta * smooth, rtol=1e-12)


def test_infinite_beta_and_delta():
    # beta = inf: 0.5 z² / inf = 0 everywhere; delta = inf: pure 0.5 z²; torch agrees.
    check("smooth_l1_loss", {"input": X, "target": Y}, {"beta": float("inf"), "reduction": "none"})
    check("huber_loss", {"input": X, "target": Y}, {"delta": float("inf"), "reduction": "none"})


def test_nan_and_inf_propagate_like_torch():
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    y = np.array([0.0, 0.0, 1.0, np.inf])
    for name in NAMES:
        for option in OPTIONS[name]:
            check(name, {"input": x, "target": y}, dict(option, reduction="none"))


def test_l0_annealing_endpoints():
    """By hand from (|d| + eps)^gamma with eps = 0: gamma 2 is the squared error, 1 the absolute one."""
    np.testing.assert_allclose(losses.functional.l0_loss(X, Y, gamma=2.0, eps=0.0), losses.functional.mse_loss(X, Y))
    np.testing.assert_allclose(losses.functional.l0_loss(X, Y, gamma=1.0, eps=0.0), losses.functional.l1_loss(X, Y))
    value, grads = losses.value_and_grad("l0_loss", X, Y, gamma=0.0)
    assert value == 1.0 and not np.any(grads["input"])


def test_l0_kink_at_zero_error():
    # d = 0: the sign of 0 makes the gradient 0; with eps = 0 and gamma < 1 torch gives inf * 0 = nan there.
    args = {"input": np.array([1.0, 2.0]), "target": np.array([1.0, 0.0])}
    _, grads = losses.value_and_grad("l0_loss", **args, gamma=0.5, reduction="sum")
    assert grads["input"][0] == 0.0
    check("l0_loss", args, {"gamma": 0.5, "eps": 0.0, "reduction": "none"})
    _, grads = losses.value_and_grad("l0_loss", **args, gamma=0.5, eps=0.0, reduction="none")
    assert np.isnan(grads["input"][0])
    check("l0_loss", args, {"gamma": 0.0, "eps": 0.0, "reduction": "none"})  # exponent 0: zero gradient


def test_relative_mse_by_hand():
    x, y = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    # denominator target: (1/0.01)² = 10000 and 1/1.01²; input: 1/1.01² and 1/2.01².
    np.testing.assert_allclose(losses.functional.relative_mse_loss(x, y, reduction="none"), [1e4, 1 / 1.01**2])
    np.testing.assert_allclose(losses.functional.relative_mse_loss(x, y, denominator="input", reduction="none"),
                               [1 / 1.01**2, 1 / 2.01**2])
    # detached: 2d / (x + eps)²; attached adds -2 d² / (x + eps)³.
    _, detached = losses.value_and_grad("relative_mse_loss", x, y, denominator="input", reduction="sum")
    _, attached = losses.value_and_grad("relative_mse_loss", x, y, denominator="input", detach_denominator=False,
                                        reduction="sum")
    np.testing.assert_allclose(detached["input"], 2 / np.array([1.01, 2.01]) ** 2)
    np.testing.assert_allclose(attached["input"], 2 / np.array([1.01, 2.01]) ** 2 - 2 / np.array([1.01, 2.01]) ** 3)


def test_relative_mse_attached_gradient_matches_finite_differences():
    """No torch: only the attached denominator gives the true derivative of the value."""
    x, y, h = np.array([0.7, 2.0, -0.3]), np.array([0.2, 1.5, 0.4]), 1e-6
    _, grads = losses.value_and_grad("relative_mse_loss", x, y, denominator="input", detach_denominator=False,
                                     reduction="sum")
    for i in range(3):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric = (losses.functional.relative_mse_loss(up, y, denominator="input", detach_denominator=False,
                                                       reduction="sum")
                   - losses.functional.relative_mse_loss(down, y, denominator="input", detach_denominator=False,
                                                         reduction="sum")) / (2 * h)
        assert grads["input"][i] == pytest.approx(numeric, rel=1e-6)


# Refusals torch shares: (name, args, kwargs, message pattern)
TORCH_REFUSES = [
    ("smooth_l1_loss", {"beta": -1.0}, r"beta=-1.0 is outside \[0.0, inf\]"),
    ("smooth_l1_loss", {"beta": float("nan")}, r"beta=nan is outside"),
    ("smooth_l1_loss", {"beta": "1"}, r"beta must be a real number, found '1'"),
    ("smooth_l1_loss", {"reduction": "batchmean"}, r"reduction='batchmean' is not one of"),
    ("huber_loss", {"delta": 0.0}, r"delta=0.0 is outside \(0.0, inf\]"),
    ("huber_loss", {"delta": -2.0}, r"delta=-2.0 is outside"),
    ("huber_loss", {"reduction": "avg"}, r"reduction='avg' is not one of"),
    ("huber_loss", {"reduction": "avg", "weight": SAMPLE}, r"reduction='avg' is not one of"),
]


@pytest.mark.parametrize(("name", "kwargs", "message"), TORCH_REFUSES)
def test_refusals_shared_with_torch(name, kwargs, message):
    kwargs = dict(kwargs)
    args = {"input": SAMPLE, "target": TARGET}
    if "weight" in kwargs:
        args["weight"] = kwargs.pop("weight")
    assert torch_refuses(name, args, kwargs)
    with pytest.raises(losses.LossInputError, match=message):
        losses.get_spec(name).function(**args, **kwargs)


@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss"])
def test_unbroadcastable_shapes_are_refused(name):
    args = {"input": np.ones((2, 3)), "target": np.ones((2, 2))}
    assert torch_refuses(name, args)
    with pytest.raises(losses.LossInputError, match=r"target shape \(2, 2\) cannot be broadcast with input shape"):
        losses.get_spec(name).function(**args)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"gamma": -0.5}, r"gamma=-0.5 is outside \[0.0, inf\]"),
    ({"eps": -1e-3}, r"eps=-0.001 is outside"),
    ({"gamma": None}, r"gamma must be a real number, found None"),
    ({"reduction": "batchmean"}, r"reduction='batchmean' is not one of"),
])
def test_l0_refusals(kwargs, message):
    # torch has no l0_loss: these are the ranges this loss is defined on (gamma anneals from 2 to 0).
    with pytest.raises(losses.LossInputError, match=message):
        losses.functional.l0_loss(SAMPLE, TARGET, **kwargs)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"denominator": "prediction"}, r"denominator='prediction' is not one of 'target', 'input'"),
    ({"detach_denominator": "yes"}, r"detach_denominator must be True or False, found 'yes'"),
    ({"eps": -0.01}, r"eps=-0.01 is outside"),
    ({"reduction": "batchmean"}, r"reduction='batchmean' is not one of"),
])
def test_relative_mse_refusals(kwargs, message):
    with pytest.raises(losses.LossInputError, match=message):
        losses.functional.relative_mse_loss(SAMPLE, TARGET, **kwargs)


def random_option(data, name):
    if name == "smooth_l1_loss":
        return {"beta": data.draw(st.sampled_from([0.0, 0.25, 1.0, 3.0]))}
    if name == "huber_loss":
        return {"delta": data.draw(st.sampled_from([0.25, 1.0, 3.0]))}
    if name == "l0_loss":
        return {"gamma": data.draw(st.floats(0, 2.5)), "eps": data.draw(st.sampled_from([1e-8, 0.01, 1.0]))}
    if name == "relative_mse_loss":
        return {"denominator": data.draw(st.sampled_from(["target", "input"])),
                "detach_denominator": data.draw(st.booleans())}
    return {}


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    shape, x, floats = random_input(data, 50)
    y = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    name = data.draw(st.sampled_from(NAMES))
    reduction = data.draw(st.sampled_from(["none", "mean", "sum"]))
    args = {"input": x, "target": y}
    if name in WEIGHTED and data.draw(st.booleans()):
        args["weight"] = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0.1, 3)))
    check(name, args, dict(random_option(data, name), reduction=reduction))
