"""l1_loss and mse_loss against torch 2.13 (float64, values and autograd gradients)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from tests.backend.torch_reference import check

SAMPLE = np.ones((2, 2))
TARGET = np.array([[0.0, 1.0], [2.0, 3.0]])
RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
W = RNG.uniform(0.1, 2.0, size=(3, 4))

CASES = [
    ({"input": SAMPLE, "target": TARGET}, {}),
    ({"input": X, "target": Y}, {}),
    ({"input": X, "target": Y, "weight": W}, {}),
    ({"input": X, "target": X.copy()}, {}),  # kink everywhere: torch's gradient is 0 there
    ({"input": X[:, :1], "target": Y}, {}),  # input broadcast against target (torch warns)
    ({"input": X[0], "target": Y}, {}),
    ({"input": np.float64(0.3), "target": np.float64(-1.2)}, {}),
]


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_against_torch(name, reduction, case):
    args, kwargs = CASES[case]
    check(name, args, dict(kwargs, reduction=reduction))


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
def test_grad_output_with_reduction_none(name):
    check(name, {"input": X, "target": Y}, {"reduction": "none"}, grad_output=RNG.normal(size=X.shape))


def test_notes_example():
    # The notes' 2×2 example: |0-1|+|1-1|+|2-1|+|3-1| = 4, 4/4 = 1; squares 1+0+1+4 = 6, 6/4 = 1.5.
    assert losses.functional.l1_loss(SAMPLE, TARGET) == pytest.approx(1.0)
    assert losses.functional.mse_loss(SAMPLE, TARGET) == pytest.approx(1.5)


def test_weight_must_match_input_shape():
    with pytest.raises(losses.LossInputError, match=r"weight shape \(2,\) does not match input shape \(2, 2\)"):
        losses.functional.l1_loss(SAMPLE, TARGET, weight=np.ones(2))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    floats = st.floats(-50, 50, allow_nan=False, width=64)
    x = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    y = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    name = data.draw(st.sampled_from(["l1_loss", "mse_loss"]))
    reduction = data.draw(st.sampled_from(["none", "mean", "sum"]))
    check(name, {"input": x, "target": y}, {"reduction": reduction})
