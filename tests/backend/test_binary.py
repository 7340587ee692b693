"""binary_cross_entropy, binary_cross_entropy_with_logits, multilabel_soft_margin_loss and
sigmoid_focal_loss against torch 2.13 (float64, values and autograd gradients).

The focal loss is checked against ui/torch_extras.sigmoid_focal_loss, torchvision's code.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from losses.binary import BCE_GRAD_EPSILON
from tests.backend.torch_check import check, torch_refuses

F = losses.functional
REDUCTIONS = ["none", "mean", "sum"]
RNG = np.random.default_rng(3)
P = RNG.uniform(0.02, 0.98, size=(3, 4))          # probabilities
SOFT = RNG.uniform(0.0, 1.0, size=(3, 4))         # soft targets
HARD = RNG.integers(0, 2, size=(3, 4)).astype(np.float64)
LOGITS = RNG.normal(scale=3.0, size=(3, 4))
W = RNG.uniform(0.1, 2.0, size=(3, 4))
SAMPLE = np.ones((2, 2))
NOTES_TARGET = np.array([[0.0, 1.0], [2.0, 3.0]])

# Probabilities at and next to the ends, against targets that agree, disagree or are soft:
# the -100 clamp of the value and the 1e-12 floor of the gradient's denominator both show here.
EDGE_P = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1e-20, 1 - 1e-16, 1e-13, 1e-300, 0.5])
EDGE_Y = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.7, 0.0, 0.0, 0.7, 0.2, 0.5])

BCE_CASES = [
    ({"input": [[0.7, 0.3], [0.4, 0.8]], "target": [[1.0, 0.0], [1.0, 0.0]]}, {}),
    ({"input": P, "target": SOFT}, {}),
    ({"input": P, "target": HARD}, {}),
    ({"input": P, "target": SOFT, "weight": W}, {}),
    ({"input": P, "target": SOFT, "weight": W[0]}, {}),          # weight (4,) broadcast over rows
    ({"input": P, "target": SOFT, "weight": W[:, :1]}, {}),      # weight (3, 1) broadcast over columns
    ({"input": P, "target": SOFT, "weight": np.float64(2.5)}, {}),
    ({"input": EDGE_P, "target": EDGE_Y}, {}),
    ({"input": EDGE_P, "target": EDGE_Y, "weight": np.linspace(0.5, 2, EDGE_P.size)}, {}),
    ({"input": np.float64(0.3), "target": np.float64(1.0)}, {}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(BCE_CASES)))
def test_bce_against_torch(case, reduction):
    args, kwargs = BCE_CASES[case]
    check("binary_cross_entropy", args, dict(kwargs, reduction=reduction))


def test_bce_clamp_and_gradient_at_the_ends():
    value, grads = losses.value_and_grad("binary_cross_entropy", EDGE_P[:4], EDGE_Y[:4], reduction="none")
    # Hand-computed: agreeing ends cost 0, disagreeing ends cost the clamp, 100.
    np.testing.assert_array_equal(value, [0.0, 0.0, 100.0, 100.0])
    # (x - y) / max(x (1 - x), eps) with eps = float32(1e-12): 0, 0, -1/eps, +1/eps.
    assert BCE_GRAD_EPSILON == pytest.approx(9.99999996e-13, rel=1e-9)
    np.testing.assert_allclose(grads["input"], [0.0, 0.0, -1 / BCE_GRAD_EPSILON, 1 / BCE_GRAD_EPSILON])


def test_bce_weighted_mean_is_a_plain_mean():
    # Unlike l1/mse's weighted mean, BCE's 'mean' divides by the number of elements, not the weights' sum.
    none = F.binary_cross_entropy(P, SOFT, weight=W, reduction="none")
    assert F.binary_cross_entropy(P, SOFT, weight=W) == pytest.approx(none.sum() / none.size)


def test_bce_refuses_the_notes_example():
    # The notes print -13.8155 (an old torch); torch 2.13 refuses a target outside [0, 1], and so do we.
    args = {"input": SAMPLE, "target": NOTES_TARGET}
    assert torch_refuses("binary_cross_entropy", args)
    with pytest.raises(losses.LossInputError, match="target should be between 0 and 1, found 2") as info:
        F.binary_cross_entropy(SAMPLE, NOTES_TARGET)
    assert (info.value.code, info.value.argument, info.value.found) == ("range", "target", 2.0)


BCE_REFUSALS = [
    ({"input": [0.5, 1.5], "target": [0.0, 1.0]}, {}, "range", "input"),
    ({"input": [0.5, -0.1], "target": [0.0, 1.0]}, {}, "range", "input"),
    ({"input": [0.5, np.nan], "target": [0.0, 1.0]}, {}, "range", "input"),
    ({"input": [0.5, 0.5], "target": [0.0, np.nan]}, {}, "range", "target"),
    ({"input": [0.5, 0.5], "target": [0.0, -0.5]}, {}, "range", "target"),
    ({"input": P, "target": SOFT[0]}, {}, "shape", "target"),              # torch no longer broadcasts target
    ({"input": P, "target": SOFT, "weight": np.ones(3)}, {}, "shape", "weight"),
    ({"input": P[0], "target": SOFT[0], "weight": np.ones((3, 4))}, {}, "shape", "weight"),  # would enlarge
    ({"input": P, "target": SOFT}, {"reduction": "avg"}, "choice", "reduction"),
]


@pytest.mark.parametrize("case", range(len(BCE_REFUSALS)))
def test_bce_refusals(case):
    args, kwargs, code, argument = BCE_REFUSALS[case]
    assert torch_refuses("binary_cross_entropy", args, kwargs)
    with pytest.raises(losses.LossInputError) as info:
        F.binary_cross_entropy(**args, **kwargs)
    assert (info.value.code, info.value.argument) == (code, argument)
    assert argument in str(info.value)


# --- binary_cross_entropy_with_logits ------------------------------------------------------

BIG = np.array([[800.0, -800.0, 800.0, -800.0], [40.0, -40.0, 0.0, 1e-3]])
BIG_Y = np.array([[0.0, 1.0, 1.0, 0.0], [0.5, 0.5, 1.0, 0.0]])

LOGIT_CASES = [
    ({"input": [[2.0, -1.0], [1.5, 0.0]], "target": [[1.0, 0.0], [0.0, 0.5]]}, {}),
    ({"input": LOGITS, "target": HARD}, {}),
    ({"input": LOGITS, "target": SOFT, "weight": W}, {}),
    ({"input": LOGITS, "target": SOFT, "weight": W[0]}, {}),
    ({"input": LOGITS, "target": HARD, "pos_weight": np.array([0.5, 1.0, 3.0, 10.0])}, {}),   # per class
    ({"input": LOGITS, "target": SOFT, "pos_weight": W}, {}),                               # per element
    ({"input": LOGITS, "target": SOFT, "pos_weight": W[:, :1]}, {}),
    ({"input": LOGITS, "target": SOFT, "pos_weight": np.float64(3.0), "weight": W[0]}, {}),
    ({"input": LOGITS, "target": HARD, "pos_weight": -W[0]}, {}),                           # torch accepts < 0
    ({"input": BIG, "target": BIG_Y}, {}),                                                  # logits of +-800
    ({"input": BIG, "target": BIG_Y, "pos_weight": np.array([2.0, 3.0, 0.5, 1.0])}, {}),
    ({"input": LOGITS, "target": 3.0 * SOFT - 1.0}, {}),                                    # targets outside [0, 1]
    ({"input": np.float64(-0.7), "target": np.float64(1.0)}, {}),
    ({"input": np.zeros((0, 3)), "target": np.zeros((0, 3))}, {"reduction": "sum"}),       # empty: 0
    ({"input": np.zeros((0, 3)), "target": np.zeros((0, 3))}, {"reduction": "none"}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(LOGIT_CASES)))
def test_bce_with_logits_against_torch(case, reduction):
    args, kwargs = LOGIT_CASES[case]
    check("binary_cross_entropy_with_logits", args, dict(dict(reduction=reduction), **kwargs))


def test_empty_mean_is_nan():
    # torch's mean of no elements is NaN; the shared reduction step mirrors it.
    check("binary_cross_entropy_with_logits", {"input": np.zeros((0, 3)), "target": np.zeros((0, 3))},
          {"reduction": "mean"})


def test_bce_with_logits_is_finite_at_800():
    value = F.binary_cross_entropy_with_logits(BIG[0], BIG_Y[0], reduction="none")
    # Hand-computed: wrong by a logit of 800 costs 800; right costs e^-800 = 0 in float64.
    np.testing.assert_array_equal(value, [800.0, 800.0, 0.0, 0.0])


def test_bce_with_logits_infinite_and_nan_logits():
    # torch gives NaN values (0 * inf) but gradient 0 at +-inf, NaN at NaN; we match both.
    args = {"input": np.array([np.inf, -np.inf, np.nan]), "target": np.array([1.0, 0.0, 1.0])}
    value = check("binary_cross_entropy_with_logits", args, {"reduction": "none"})
    assert np.isnan(value).all()


def test_bce_with_logits_grad_output():
    check("binary_cross_entropy_with_logits", {"input": LOGITS, "target": SOFT, "pos_weight": W[0]},
          {"reduction": "none"}, grad_output=RNG.normal(size=LOGITS.shape))


def test_bce_with_logits_equals_bce_of_sigmoid():
    # Where the sigmoid does not saturate, the fused loss is BCE of the probabilities.
    probs = 1 / (1 + np.exp(-LOGITS))
    assert F.binary_cross_entropy_with_logits(LOGITS, SOFT) == pytest.approx(
        float(F.binary_cross_entropy(probs, SOFT)), rel=1e-12)


LOGIT_REFUSALS = [
    ({"input": LOGITS, "target": SOFT[0]}, {}, "shape", "target"),
    ({"input": LOGITS, "target": SOFT, "pos_weight": np.ones(3)}, {}, "shape", "pos_weight"),
    ({"input": LOGITS, "target": SOFT, "pos_weight": np.ones((2, 3, 4))}, {}, "shape", "pos_weight"),
    ({"input": LOGITS, "target": SOFT, "weight": np.ones((2, 3, 4))}, {}, "shape", "weight"),
    ({"input": np.float64(0.3), "target": np.float64(1.0), "weight": np.ones(1)}, {}, "shape", "weight"),
    ({"input": LOGITS, "target": SOFT}, {"reduction": "batchmean"}, "choice", "reduction"),
]


@pytest.mark.parametrize("case", range(len(LOGIT_REFUSALS)))
def test_bce_with_logits_refusals(case):
    args, kwargs, code, argument = LOGIT_REFUSALS[case]
    assert torch_refuses("binary_cross_entropy_with_logits", args, kwargs)
    with pytest.raises(losses.LossInputError) as info:
        F.binary_cross_entropy_with_logits(**args, **kwargs)
    assert (info.value.code, info.value.argument) == (code, argument)


# --- multilabel_soft_margin_loss -----------------------------------------------------------

MULTILABEL_CASES = [
    ({"input": [[2.0, -1.0, 0.5], [-0.5, -2.0, 1.0]], "target": [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]}, {}),
    ({"input": LOGITS, "target": HARD}, {}),
    ({"input": LOGITS, "target": SOFT, "weight": W[0]}, {}),
    ({"input": LOGITS, "target": SOFT, "weight": W}, {}),
    ({"input": LOGITS[0], "target": HARD[0]}, {}),                        # unbatched (C)
    ({"input": LOGITS[0], "target": HARD[0], "weight": W[0]}, {}),
    ({"input": RNG.normal(size=(2, 3, 4)), "target": RNG.uniform(size=(2, 3, 4))}, {}),
    ({"input": BIG, "target": BIG_Y}, {}),
    ({"input": LOGITS, "target": 2.0 * SOFT - 0.5}, {}),                  # targets outside [0, 1]
    # torch's Python code broadcasts, then sums over dim input.dim() - 1 of the product:
    ({"input": LOGITS[0], "target": HARD}, {}),                          # (4,) vs (3, 4): sums over the rows
    ({"input": LOGITS[:, :1], "target": HARD}, {}),                      # (3, 1) vs (3, 4): divides by C = 1
    ({"input": LOGITS, "target": HARD[:, :1]}, {}),
    ({"input": LOGITS, "target": HARD, "weight": RNG.uniform(size=(2, 3, 4))}, {}),
    ({"input": np.zeros((2, 0)), "target": np.zeros((2, 0))}, {}),        # no classes: 0/0 = NaN
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(MULTILABEL_CASES)))
def test_multilabel_soft_margin_against_torch(case, reduction):
    args, kwargs = MULTILABEL_CASES[case]
    check("multilabel_soft_margin_loss", args, dict(kwargs, reduction=reduction))


def test_multilabel_soft_margin_is_the_class_mean_of_bce_with_logits():
    per_element = F.binary_cross_entropy_with_logits(LOGITS, SOFT, weight=W[0], reduction="none")
    ours = F.multilabel_soft_margin_loss(LOGITS, SOFT, weight=W[0], reduction="none")
    np.testing.assert_allclose(ours, per_element.mean(axis=1), rtol=1e-12)
    assert ours.shape == (3,)


def test_multilabel_soft_margin_grad_output():
    check("multilabel_soft_margin_loss", {"input": LOGITS, "target": SOFT}, {"reduction": "none"},
          grad_output=RNG.normal(size=3))


def test_multilabel_soft_margin_infinite_logits():
    check("multilabel_soft_margin_loss", {"input": np.array([[np.inf, -np.inf, 1.0]]),
                                          "target": np.array([[1.0, 0.0, 1.0]])}, {"reduction": "none"})


MULTILABEL_REFUSALS = [
    ({"input": np.float64(0.5), "target": np.float64(1.0)}, {}, "ndim", "input"),
    ({"input": LOGITS, "target": HARD[:, :3]}, {}, "shape", "target"),
    ({"input": LOGITS, "target": HARD, "weight": np.ones(3)}, {}, "shape", "weight"),
    ({"input": LOGITS, "target": HARD}, {"reduction": "mean "}, "choice", "reduction"),
]


@pytest.mark.parametrize("case", range(len(MULTILABEL_REFUSALS)))
def test_multilabel_soft_margin_refusals(case):
    args, kwargs, code, argument = MULTILABEL_REFUSALS[case]
    assert torch_refuses("multilabel_soft_margin_loss", args, kwargs)
    with pytest.raises(losses.LossInputError) as info:
        F.multilabel_soft_margin_loss(**args, **kwargs)
    assert (info.value.code, info.value.argument) == (code, argument)


# --- sigmoid_focal_loss --------------------------------------------------------------------

FOCAL_INPUTS = [
    {"input": [[2.0, -1.0], [1.5, 0.0]], "target": [[1.0, 0.0], [0.0, 1.0]]},
    {"input": LOGITS, "target": HARD},
    {"input": LOGITS, "target": SOFT},
    {"input": BIG, "target": BIG_Y},
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [0.25, 0.0, 1.0, -1])
@pytest.mark.parametrize("case", range(len(FOCAL_INPUTS)))
def test_sigmoid_focal_against_torchvision(case, alpha, gamma, reduction):
    check("sigmoid_focal_loss", FOCAL_INPUTS[case], {"alpha": alpha, "gamma": gamma, "reduction": reduction})


def test_sigmoid_focal_defaults():
    # torchvision's defaults: alpha 0.25, gamma 2, and reduction 'none' (unlike torch's losses).
    value = check("sigmoid_focal_loss", {"input": LOGITS, "target": HARD}, {})
    assert value.shape == LOGITS.shape


def test_sigmoid_focal_without_weighting_is_bce_with_logits():
    ours = F.sigmoid_focal_loss(LOGITS, SOFT, alpha=-1, gamma=0.0)
    np.testing.assert_allclose(ours, F.binary_cross_entropy_with_logits(LOGITS, SOFT, reduction="none"),
                               rtol=1e-12)


def test_sigmoid_focal_nan_gradient_where_torch_has_one():
    # gamma in (0, 1) and sigmoid(40) == 1.0 exactly: (1 - p_t)^(gamma - 1) = inf meets a 0, and
    # torch's autograd returns NaN; values stay finite.
    args = {"input": np.array([40.0, -40.0, 1.0]), "target": np.array([1.0, 0.0, 1.0])}
    value, grads = losses.value_and_grad("sigmoid_focal_loss", **args, gamma=0.5)
    assert np.isfinite(value).all() and np.isnan(grads["input"][:2]).all()
    check("sigmoid_focal_loss", args, {"gamma": 0.5})


def test_sigmoid_focal_grad_output():
    check("sigmoid_focal_loss", {"input": LOGITS, "target": SOFT}, {"gamma": 1.5},
          grad_output=RNG.normal(size=LOGITS.shape))


FOCAL_REFUSALS = [
    ({"input": LOGITS, "target": HARD}, {"alpha": 1.5}, "range", "alpha"),
    ({"input": LOGITS, "target": HARD}, {"alpha": -0.5}, "range", "alpha"),
    ({"input": LOGITS, "target": HARD[0]}, {}, "shape", "target"),
    ({"input": LOGITS, "target": HARD}, {"reduction": "avg"}, "choice", "reduction"),
]


@pytest.mark.parametrize("case", range(len(FOCAL_REFUSALS)))
def test_sigmoid_focal_refusals(case):
    args, kwargs, code, argument = FOCAL_REFUSALS[case]
    assert torch_refuses("sigmoid_focal_loss", args, kwargs)
    with pytest.raises(losses.LossInputError) as info:
        F.sigmoid_focal_loss(**args, **kwargs)
    assert (info.value.code, info.value.argument) == (code, argument)


# --- random shapes and values --------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_probabilities(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    unit = st.one_of(st.floats(0.0, 1.0, width=64), st.sampled_from([0.0, 1.0]))
    x = data.draw(hnp.arrays(np.float64, shape, elements=unit))
    y = data.draw(hnp.arrays(np.float64, shape, elements=unit))
    kwargs = {"reduction": data.draw(st.sampled_from(REDUCTIONS))}
    args = {"input": x, "target": y}
    if data.draw(st.booleans()):
        args["weight"] = data.draw(hnp.arrays(np.float64, shape[data.draw(st.integers(0, len(shape))):],
                                              elements=st.floats(0, 3, width=64)))
    check("binary_cross_entropy", args, kwargs)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_logits(data):
    name = data.draw(st.sampled_from(["binary_cross_entropy_with_logits", "multilabel_soft_margin_loss",
                                      "sigmoid_focal_loss"]))
    min_dims = 1 if name == "multilabel_soft_margin_loss" else 0
    shape = data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-60, 60, width=64)))
    y = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1, width=64)))
    args = {"input": x, "target": y}
    kwargs = {"reduction": data.draw(st.sampled_from(REDUCTIONS))}
    weight_shape = shape[data.draw(st.integers(0, len(shape))):]
    if name == "sigmoid_focal_loss":
        kwargs["alpha"] = data.draw(st.sampled_from([-1, 0.0, 0.25, 0.9]))
        kwargs["gamma"] = data.draw(st.sampled_from([0.0, 1.0, 2.0, 2.5]))
    elif data.draw(st.booleans()):
        args["weight"] = data.draw(hnp.arrays(np.float64, weight_shape, elements=st.floats(0, 3, width=64)))
    if name == "binary_cross_entropy_with_logits" and data.draw(st.booleans()):
        args["pos_weight"] = data.draw(hnp.arrays(np.float64, weight_shape, elements=st.floats(0, 5, width=64)))
    check(name, args, kwargs)
