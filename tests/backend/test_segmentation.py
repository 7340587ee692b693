"""dice_loss and jaccard_loss against torch re-implementations (torch_extras), by hand, and refusals.

torch has neither loss: ui/compute/torch_extras.py writes both with plain torch ops, so values and
autograd gradients are compared with those at rtol 1e-6.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from losses.functional import dice_loss, jaccard_loss
from tests.backend.torch_check import check

NAMES = ["dice_loss", "jaccard_loss"]
RNG = np.random.default_rng(7)
EXAMPLE = losses.get_spec("dice_loss").example
X = np.array(EXAMPLE["input"])
Y = np.array(EXAMPLE["target"])
PROBS = RNG.uniform(size=(4, 3, 5))
MASKS = (RNG.uniform(size=(4, 3, 5)) < 0.4).astype(float)

CASES = {
    "example": {"input": X, "target": Y},
    "random masks": {"input": PROBS, "target": MASKS},
    "N C H W": {"input": RNG.uniform(size=(2, 3, 4, 4)), "target": (RNG.uniform(size=(2, 3, 4, 4)) < 0.5) * 1.0},
    "flat samples": {"input": PROBS.reshape(4, 15), "target": MASKS.reshape(4, 15)},
    "one sample": {"input": PROBS[:1], "target": MASKS[:1]},
    "soft targets": {"input": PROBS, "target": RNG.uniform(size=(4, 3, 5))},
    "perfect": {"input": MASKS, "target": MASKS},
    # Empty masks predicted empty: only smooth keeps this defined (loss 0; NaN with smooth = 0, as in torch).
    "all zero": {"input": np.zeros((2, 3, 3)), "target": np.zeros((2, 3, 3))},
    "empty mask, faint prediction": {"input": np.full((2, 4), 0.05), "target": np.zeros((2, 4))},
}


@pytest.mark.parametrize("smooth", [0.0, 1e-5, 1.0, 10.0])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", NAMES)
def test_against_torch(name, case, reduction, smooth):
    check(name, CASES[case], {"smooth": smooth, "reduction": reduction})


@pytest.mark.parametrize("name", NAMES)
def test_grad_output_with_reduction_none(name):
    check(name, CASES["random masks"], {"reduction": "none"}, grad_output=RNG.normal(size=4))


def test_example_by_hand():
    # Sample 0: sum xy = 0.9 + 0.8 + 0.7 = 2.4, sum x = 2.8, sum y = 3; sample 1: sum x = 0.8, the rest 0.
    # Dice: 1 - (4.8 + 1)/(5.8 + 1) = 1/6.8 and 1 - 1/1.8; Jaccard: union 3.4, 1 - 3.4/4.4 = 1/4.4, and 1 - 1/1.8.
    np.testing.assert_allclose(dice_loss(X, Y, reduction="none"), [1 / 6.8, 1 - 1 / 1.8], rtol=1e-12)
    np.testing.assert_allclose(jaccard_loss(X, Y, reduction="none"), [1 / 4.4, 1 - 1 / 1.8], rtol=1e-12)
    np.testing.assert_allclose(dice_loss(X, Y), (1 / 6.8 + 1 - 1 / 1.8) / 2, rtol=1e-12)


def test_smooth_keeps_empty_masks_defined():
    zeros = np.zeros((2, 3, 3))
    for fn in (dice_loss, jaccard_loss):
        assert np.array_equal(fn(zeros, zeros, reduction="none"), [0.0, 0.0])
        _, grads = losses.value_and_grad(fn.__name__, zeros, zeros)
        # d/dx_i = num/den^2 = 1/1 with s = 1: raising any pixel of an empty prediction costs, with mean over 2.
        np.testing.assert_allclose(grads["input"], np.full((2, 3, 3), 0.5))
        assert np.isnan(fn(zeros, zeros, smooth=0.0, reduction="none")).all()


def test_jaccard_is_dice_over_two_minus_dice():
    """No torch: with smooth = 0, IoU J and the Dice coefficient D satisfy J = D / (2 - D)."""
    d = 1 - dice_loss(PROBS, MASKS, smooth=0.0, reduction="none")
    j = 1 - jaccard_loss(PROBS, MASKS, smooth=0.0, reduction="none")
    np.testing.assert_allclose(j, d / (2 - d), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_gradient_by_finite_differences(name):
    """No torch: central differences of the 'sum' value for a 4-D input and a small smooth."""
    args = CASES["N C H W"]
    fn = losses.get_spec(name).function
    _, grads = losses.value_and_grad(name, **args, smooth=0.3, reduction="sum")
    x, h = args["input"], 1e-6
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (fn(up, args["target"], 0.3, "sum") - fn(down, args["target"], 0.3, "sum")) / (2 * h)
    np.testing.assert_allclose(grads["input"], numeric, rtol=1e-6, atol=1e-9)


REFUSED = [
    ("1-D input", {"input": np.ones(3), "target": np.ones(3)}, {}, "ndim", "input"),
    ("0-D input", {"input": np.float64(0.5), "target": np.float64(1.0)}, {}, "ndim", "input"),
    ("shape mismatch", {"input": np.ones((2, 3)), "target": np.ones((2, 4))}, {}, "shape", "target"),
    ("broadcastable target", {"input": np.ones((2, 3)), "target": np.ones((1, 3))}, {}, "shape", "target"),
    ("negative smooth", CASES["example"], {"smooth": -0.5}, "range", "smooth"),
    ("NaN smooth", CASES["example"], {"smooth": float("nan")}, "range", "smooth"),
    ("string smooth", CASES["example"], {"smooth": "1"}, "dtype", "smooth"),
    ("unknown reduction", CASES["example"], {"reduction": "batchmean"}, "choice", "reduction"),
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("what,args,kwargs,code,argument", REFUSED, ids=[r[0] for r in REFUSED])
def test_refusals(name, what, args, kwargs, code, argument):
    # No torch function to mirror: these are our own rules (a batch axis first, the same shape, smooth >= 0).
    with pytest.raises(losses.LossInputError) as info:
        losses.get_spec(name).function(**args, **kwargs)
    assert info.value.code == code and info.value.argument == argument
    assert argument in str(info.value)


def test_refusal_messages():
    with pytest.raises(losses.LossInputError, match=r"target shape \(2, 4\) does not match input shape \(2, 3\)"):
        dice_loss(np.ones((2, 3)), np.ones((2, 4)))
    with pytest.raises(losses.LossInputError, match=r"input must be at least 2-D \(N, \*\)"):
        jaccard_loss(np.ones(3), np.ones(3))
    with pytest.raises(losses.LossInputError, match=r"smooth=-0.5 is outside \[0, inf\]"):
        dice_loss(X, Y, smooth=-0.5)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=4, max_side=4))
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1, width=64)))
    if data.draw(st.booleans()):
        y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0])))
    else:
        y = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1, width=64)))
    kwargs = {"smooth": data.draw(st.sampled_from([0.5, 1.0, 3.0])),
              "reduction": data.draw(st.sampled_from(["none", "mean", "sum"]))}
    check(data.draw(st.sampled_from(NAMES)), {"input": x, "target": y}, kwargs)
