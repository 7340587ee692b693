"""Ranking and embedding losses against torch 2.13 (float64, values and autograd gradients).

margin_ranking_loss, hinge_embedding_loss, multilabel_margin_loss, soft_margin_loss,
cosine_embedding_loss, multi_margin_loss and triplet_margin_loss: every reduction x every
option, the kinks, zero vectors, overflow, broadcasting, and every refusal (torch must refuse too).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses
from losses.numerics import COSINE_EPS
from tests.backend.torch_check import check, torch_refuses, torch_value_and_grad

F = losses.functional
REDUCTIONS = ["none", "mean", "sum"]
RNG = np.random.default_rng(3)


def signs(*shape):
    return RNG.choice([-1.0, 1.0], size=shape)


def normal(*shape):
    return RNG.normal(size=shape)


def labels(n, c, rng=RNG):
    """Random multilabel targets: a few distinct labels per row, then -1, then junk that torch ignores."""
    rows = []
    for _ in range(n):
        k = int(rng.integers(0, c + 1))
        row = list(rng.permutation(c)[:k])
        if k < c:
            row.append(-1)
        row += list(rng.integers(-1, c, size=c - len(row)))
        rows.append(row)
    return np.array(rows, dtype=np.int64)


X3, Y3 = normal(3), normal(3)
A, B = normal(3, 4), normal(3, 4)

CASES = {
    "margin_ranking_loss": [
        ({"input1": X3, "input2": Y3, "target": signs(3)}, {}),
        ({"input1": X3, "input2": Y3, "target": signs(3)}, {"margin": 0.5}),
        ({"input1": X3, "input2": Y3, "target": signs(3)}, {"margin": -0.3}),
        # kinks: -y (x1 - x2) + margin is exactly 0; torch's clamp_min passes the gradient there
        ({"input1": np.array([0.5, 0.25, 1.0]), "input2": np.array([0.5, 0.75, 0.5]),
          "target": np.array([1.0, -1.0, 1.0])}, {"margin": 0.0}),
        ({"input1": np.array([1.0, 0.0]), "input2": np.array([0.5, 0.5]), "target": np.array([1.0, -1.0])},
         {"margin": 0.5}),
        # targets other than +-1 (torch does not check them)
        ({"input1": X3, "input2": Y3, "target": np.array([0.0, 2.0, 0.5])}, {"margin": 0.1}),
        # broadcasting, with the same number of dimensions
        ({"input1": X3, "input2": Y3[:1], "target": signs(3)}, {}),
        ({"input1": normal(2, 1), "input2": normal(1, 3), "target": signs(1, 1)}, {"margin": 0.2}),
        ({"input1": np.float64(0.3), "input2": np.float64(-0.2), "target": np.float64(-1.0)}, {"margin": 0.1}),
        ({"input1": np.array([np.nan, 1.0]), "input2": np.array([0.0, np.inf]), "target": np.array([1.0, 1.0])},
         {}),
    ],
    "hinge_embedding_loss": [
        ({"input": np.abs(X3), "target": signs(3)}, {}),
        ({"input": normal(2, 3), "target": signs(2, 3)}, {"margin": 0.5}),
        ({"input": normal(2, 3), "target": signs(2, 3)}, {"margin": -1.0}),
        # kink x = margin: clamp_min passes the gradient for y = -1 and for y = 0
        ({"input": np.array([1.0, 1.0, 1.0, 2.0]), "target": np.array([-1.0, 0.0, 1.0, -1.0])}, {}),
        # other targets: torch adds both branches, max(0, margin - x) + x
        ({"input": np.array([-1.0, 0.0, 0.5, 2.0]), "target": np.array([0.0, 2.0, 0.5, -3.0])}, {}),
        # broadcasting: the output takes the broadcast shape, the gradient is summed back
        ({"input": X3[:1], "target": signs(3)}, {}),
        ({"input": normal(2, 3), "target": signs(1)}, {}),
        ({"input": normal(2, 1), "target": signs(3)}, {"margin": 0.7}),
        ({"input": np.float64(0.4), "target": np.float64(-1.0)}, {}),
    ],
    "soft_margin_loss": [
        ({"input": normal(2, 3), "target": signs(2, 3)}, {}),
        ({"input": X3, "target": np.array([0.0, 0.5, 2.0])}, {}),
        # large margins: torch's log1p(exp(z)) overflows to inf above z = 709.78, its gradient to nan
        ({"input": np.array([-800.0, -709.0, -30.0, 30.0, 800.0, 710.0]),
          "target": np.array([1.0, 1.0, 1.0, -1.0, 1.0, -1.0])}, {}),
        ({"input": np.array([-800.0, 800.0]), "target": np.array([-1.0, 1.0])}, {}),
        # target broadcast to input's shape
        ({"input": normal(2, 3), "target": signs(3)}, {}),
        ({"input": normal(2, 3), "target": signs(1)}, {}),
        ({"input": np.float64(0.4), "target": np.float64(-1.0)}, {}),
    ],
    "multilabel_margin_loss": [
        ({"input": np.array([[0.1, 0.2, 0.4, 0.8], [0.3, -0.2, 0.5, 0.1]]),
          "target": np.array([[3, 0, -1, 1], [2, -1, 0, 0]])}, {}),
        ({"input": normal(4, 5), "target": labels(4, 5)}, {}),
        ({"input": normal(3, 3), "target": np.array([[-1, 2, 2], [0, 1, 2], [2, 1, -1]])}, {}),
        # a label listed twice counts twice
        ({"input": normal(2, 4), "target": np.array([[1, 1, -1, 0], [2, 2, 2, 2]])}, {}),
        # kink: x[y] - x[i] = 1 exactly, counted as inactive by torch's kernel
        ({"input": np.array([[1.0, 0.0, 0.5]]), "target": np.array([[0, -1, -1]])}, {}),
        # an infinite non-label score
        ({"input": np.array([[0.5, np.inf, 0.1]]), "target": np.array([[0, -1, 2]])}, {}),
        # unbatched (C), and a 0-d input (one class)
        ({"input": np.array([0.1, 0.2, 0.4, 0.8]), "target": np.array([3, 0, -1, 1])}, {}),
        ({"input": np.float64(0.5), "target": np.int64(0)}, {}),
        ({"input": np.array([0.5]), "target": np.int64(-1)}, {}),
    ],
    "cosine_embedding_loss": [
        ({"input1": A, "input2": B, "target": signs(3)}, {}),
        ({"input1": A, "input2": B, "target": signs(3)}, {"margin": 0.5}),
        ({"input1": A, "input2": B, "target": signs(3)}, {"margin": -0.5}),
        # zero vectors: torch's 1e-12 in each squared norm keeps cos = 0 and a huge finite gradient
        ({"input1": np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
          "input2": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
          "target": np.array([1.0, 1.0, 1.0])}, {}),
        ({"input1": np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),
          "input2": np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
          "target": np.array([-1.0, -1.0, -1.0])}, {"margin": -0.1}),
        ({"input1": np.array([[1e-7, 0.0]]), "input2": np.array([[1e-7, 0.0]]), "target": np.array([1.0])}, {}),
        # kink for y = -1: cos = margin exactly (orthogonal vectors, margin 0)
        ({"input1": np.array([[1.0, 0.0]]), "input2": np.array([[0.0, 2.0]]), "target": np.array([-1.0])}, {}),
        # other targets give 0
        ({"input1": A, "input2": B, "target": np.array([0.0, 2.0, -1.0])}, {}),
        # unbatched (D) with a 0-d target
        ({"input1": A[0], "input2": B[0], "target": np.float64(-1.0)}, {}),
        # broadcasting along N, and along D (torch then takes each norm over the unbroadcast tensor)
        ({"input1": A, "input2": B[:1], "target": signs(3)}, {}),
        ({"input1": A[:1], "input2": B[:1], "target": signs(3)}, {}),
        ({"input1": A, "input2": B, "target": signs(1)}, {}),
        ({"input1": A, "input2": B[:, :1], "target": signs(3)}, {"margin": 0.2}),
        ({"input1": A[:, :1], "input2": B[:1], "target": np.array([1.0, -1.0, 1.0])}, {}),
        ({"input1": np.zeros((2, 0)), "input2": np.zeros((2, 0)), "target": np.array([1.0, -1.0])}, {}),
    ],
    "multi_margin_loss": [
        ({"input": np.array([[0.1, 0.2, 0.4, 0.8], [0.9, 0.1, 0.5, -0.3]]), "target": np.array([3, 0])}, {}),
        ({"input": normal(4, 5), "target": np.array([0, 4, 2, 2])}, {}),
        ({"input": normal(4, 5), "target": np.array([0, 4, 2, 2])}, {"p": 2}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 4])}, {"margin": 0.3}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 4])}, {"p": 2, "margin": 2.0}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 4])}, {"margin": -0.5}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 1]), "weight": RNG.uniform(0.2, 2, 5)}, {}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 1]), "weight": RNG.uniform(0.2, 2, 5)}, {"p": 2}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 1])}, {"p": 1.0}),
        ({"input": normal(4, 5), "target": np.array([1, 3, 0, 1])}, {"p": 2.0}),
        # kink: margin - x[y] + x[i] = 0 exactly, counted as inactive by torch's kernel
        ({"input": np.array([[1.0, 0.0, 0.5]]), "target": np.array([0])}, {}),
        ({"input": np.array([[1.0, 0.0, 0.5]]), "target": np.array([0])}, {"p": 2}),
        # unbatched (C) with a 0-d or a (1,) target; a 0-d input (one class)
        ({"input": normal(4), "target": np.int64(2)}, {}),
        ({"input": normal(4), "target": np.array([2]), "weight": np.array([1.0, 2.0, 3.0, 4.0])}, {}),
        ({"input": np.float64(0.3), "target": np.int64(0), "weight": np.array([2.0])}, {}),
        ({"input": np.array([[0.5, np.nan, 0.1]]), "target": np.array([0])}, {}),
    ],
    "triplet_margin_loss": [
        ({"anchor": A, "positive": B, "negative": normal(3, 4)}, {}),
        ({"anchor": A, "positive": A + 0.1 * B, "negative": normal(3, 4)}, {"margin": 2.0}),
        *[({"anchor": A, "positive": A + 0.3 * B, "negative": A + 0.4 * normal(3, 4)}, {"p": p})
          for p in (1, 3, 0.5, 1.5, np.inf, -np.inf, 0, -1)],
        ({"anchor": A, "positive": B, "negative": normal(3, 4)}, {"eps": 0.0}),
        ({"anchor": A, "positive": B, "negative": normal(3, 4)}, {"eps": 1e-2, "p": 1}),
        ({"anchor": A, "positive": A + 0.3 * B, "negative": A + 0.4 * normal(3, 4)}, {"swap": True}),
        ({"anchor": A, "positive": A + 0.3 * B, "negative": A + 0.4 * normal(3, 4)}, {"swap": True, "p": 3}),
        # zero differences (eps = 0): the norm's gradient is 0 there, as torch defines it
        ({"anchor": np.zeros((2, 2)), "positive": np.zeros((2, 2)), "negative": np.array([[0.0, 0.0], [1.0, 0.0]])},
         {"eps": 0.0}),
        *[({"anchor": np.zeros((2, 2)), "positive": np.zeros((2, 2)), "negative": np.array([[0.0, 0.0], [1.0, 0.0]])},
           {"eps": 0.0, "p": p}) for p in (1, 3, 0.5, np.inf)],
        # kink: margin + d(a, p) - d(a, n) = 0 exactly; clamp_min passes the gradient
        ({"anchor": np.array([[0.0, 0.0]]), "positive": np.array([[0.0, 1.0]]), "negative": np.array([[0.0, 2.0]])},
         {"eps": 0.0}),
        # swap tie d(a, n) = d(p, n): torch's minimum gives each half the gradient
        ({"anchor": np.array([[0.0, 0.0]]), "positive": np.array([[0.0, 2.0]]), "negative": np.array([[0.0, 1.0]])},
         {"eps": 0.0, "swap": True}),
        # ties of the max for p = inf share its gradient
        ({"anchor": np.array([[1.0, 1.0]]), "positive": np.array([[0.0, 2.0]]), "negative": np.array([[0.0, 0.0]])},
         {"eps": 0.0, "p": np.inf, "margin": 2.0}),
        # unbatched (D), a 0-d triple, extra leading dimensions
        ({"anchor": A[0], "positive": B[0], "negative": A[1]}, {}),
        ({"anchor": np.float64(0.0), "positive": np.float64(0.5), "negative": np.float64(0.7)}, {"margin": 0.5}),
        ({"anchor": normal(2, 2, 3), "positive": normal(2, 2, 3), "negative": normal(2, 2, 3)}, {}),
        # broadcasting (same number of dimensions)
        ({"anchor": A[:1], "positive": B, "negative": normal(3, 4)}, {}),
        ({"anchor": A, "positive": B[:, :1], "negative": normal(1, 4)}, {"swap": True}),
        ({"anchor": np.zeros((2, 0)), "positive": np.zeros((2, 0)), "negative": np.zeros((2, 0))}, {}),
    ],
}

TABLE = [(name, i) for name, cases in CASES.items() for i in range(len(cases))]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,case", TABLE, ids=[f"{n}-{i}" for n, i in TABLE])
def test_against_torch(name, case, reduction):
    args, kwargs = CASES[name][case]
    check(name, args, dict(kwargs, reduction=reduction))


@pytest.mark.parametrize("name", list(CASES))
def test_grad_output_with_reduction_none(name):
    args, kwargs = CASES[name][0]
    shape = np.shape(losses.get_spec(name).function(**args, **kwargs, reduction="none"))
    check(name, args, dict(kwargs, reduction="none"), grad_output=RNG.normal(size=shape))


@pytest.mark.parametrize("name", ["multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss",
                                  "cosine_embedding_loss"])
def test_empty_batch(name):
    # torch's multilabel and multi-margin kernels return an uninitialised scalar for 'mean' and 'sum' of an
    # empty batch (seen: 0 and 6.9e-310), so only 'none' is compared with torch; we give NaN for the mean
    # (torch's mean of an empty tensor, as the other losses give) and 0 for the sum.
    args = {
        "multilabel_margin_loss": {"input": np.zeros((0, 4)), "target": np.zeros((0, 4), dtype=np.int64)},
        "multi_margin_loss": {"input": np.zeros((0, 4)), "target": np.zeros(0, dtype=np.int64)},
        "triplet_margin_loss": {"anchor": np.zeros((0, 2)), "positive": np.zeros((0, 2)),
                                "negative": np.zeros((0, 2))},
        "cosine_embedding_loss": {"input1": np.zeros((0, 2)), "input2": np.zeros((0, 2)), "target": np.zeros(0)},
    }[name]
    assert check(name, args, {"reduction": "none"}).shape == (0,)
    function = losses.get_spec(name).function
    assert np.isnan(function(**args, reduction="mean")) and function(**args, reduction="sum") == 0.0


# ------------------------------------------------------------------ worked values


def test_documented_examples():
    # torch's documentation examples, by hand.  Multilabel: labels 3 (0.8) and 0 (0.1) against
    # non-labels 0.2 and 0.4: (0.4 + 0.6 + 1.1 + 1.3) / 4 = 0.85.
    x = np.array([[0.1, 0.2, 0.4, 0.8]])
    assert F.multilabel_margin_loss(x, np.array([[3, 0, -1, 1]])) == pytest.approx(0.85)
    # Multi-margin: class 3 (0.8) against 0.1, 0.2, 0.4: (0.3 + 0.4 + 0.6) / 4 = 0.325;
    # p = 2: (0.09 + 0.16 + 0.36) / 4 = 0.1525.
    assert F.multi_margin_loss(x, np.array([3])) == pytest.approx(0.325)
    assert F.multi_margin_loss(x, np.array([3]), p=2) == pytest.approx(0.1525)


def test_hinge_embedding_other_targets_add_both_branches():
    # Found empirically in torch 2.13 and read in ATen's Loss.cpp: where(y != 1, max(0, m - x), 0)
    # + where(y != -1, x, 0), so y = 0 gives max(0, 1 - x) + x.
    x = np.array([-1.0, 0.5, 2.0])
    expected = np.maximum(0.0, 1.0 - x) + x
    np.testing.assert_allclose(F.hinge_embedding_loss(x, np.zeros(3), reduction="none"), expected)
    check("hinge_embedding_loss", {"input": x, "target": np.zeros(3)}, {"reduction": "none"})


def test_soft_margin_overflow_is_torch_s():
    x = np.array([-800.0, -700.0, 800.0])
    y = np.ones(3)
    value, grads = losses.value_and_grad("soft_margin_loss", x, y, reduction="none")
    # log(1 + e^700) = 700 to double precision; log1p(exp(800)) overflows in torch, so inf / nan.
    assert np.isinf(value[0]) and value[1] == pytest.approx(700.0) and value[2] == pytest.approx(0.0)
    assert np.isnan(grads["input"][0]) and grads["input"][1] == pytest.approx(-1.0)
    torch_value, torch_grads = torch_value_and_grad("soft_margin_loss", {"input": x, "target": y},
                                                    {"reduction": "none"})
    assert np.isinf(torch_value[0]) and np.isnan(torch_grads["input"][0])


@pytest.mark.parametrize("target", [1.0, -1.0, 0.0])
def test_cosine_overflow_is_torch_s(target):
    # 1e200 squared overflows: |a|^2 = inf, so cos = dot / inf = 0, and torch's backward meets 0 * inf = nan
    a = np.array([[1e200, 1.0], [0.5, 0.2]])
    b = np.array([[2.0, 1e200], [0.1, 0.4]])
    check("cosine_embedding_loss", {"input1": a, "input2": b, "target": np.array([target, -1.0])},
          {"reduction": "none"})
    check("cosine_embedding_loss", {"input1": a, "input2": b, "target": np.array([target, 1.0])})


def test_cosine_zero_vector_by_hand():
    # a = 0: cos = 0 / sqrt(eps (|b|^2 + eps)) = 0, so the loss is 1 for y = 1, and
    # d(1 - cos)/da = -b / sqrt(eps (|b|^2 + eps)) (the cos * a term vanishes).
    a = np.zeros((1, 3))
    b = np.array([[1.0, 2.0, 3.0]])
    value, grads = losses.value_and_grad("cosine_embedding_loss", a, b, np.array([1.0]), reduction="sum")
    assert value == pytest.approx(1.0)
    np.testing.assert_allclose(grads["input1"], -b / np.sqrt(COSINE_EPS * (14.0 + COSINE_EPS)), rtol=1e-12)
    np.testing.assert_allclose(grads["input2"], 0.0)
    # both zero: the gradient vanishes too, and y = -1 gives max(0, 0 - margin)
    value, grads = losses.value_and_grad("cosine_embedding_loss", a, a, np.array([-1.0]), margin=-0.25,
                                         reduction="sum")
    assert value == pytest.approx(0.25)
    np.testing.assert_allclose(grads["input1"], 0.0)


def test_triplet_eps_is_added_to_the_difference():
    # d(a, p) = ||a - p + eps||: with a = p the distance is eps * sqrt(D), not 0 (here D = 4, eps = 1e-6).
    a = np.zeros((1, 4))
    n = np.full((1, 4), 0.5)
    # margin 1 + 2e-6 - ||(-0.5 + 1e-6) * 1||_2 = 1 + 2e-6 - 2 (0.5 - 1e-6) = 4e-6
    value = F.triplet_margin_loss(a, a, n, reduction="sum")
    assert value == pytest.approx(4e-6, rel=1e-9)


# ------------------------------------------------------------------ refusals

REFUSALS = [
    ("margin_ranking_loss", {"input1": X3, "input2": np.float64(1.0), "target": signs(3)}, {},
     r"same number of dimensions.*input2 \(\)"),
    ("margin_ranking_loss", {"input1": X3, "input2": normal(2), "target": signs(3)}, {},
     r"input2 shape \(2,\) cannot be broadcast with input1 shape \(3,\)"),
    ("margin_ranking_loss", {"input1": X3, "input2": Y3, "target": signs(2)}, {},
     r"target shape \(2,\) cannot be broadcast with the shape \(3,\) of input1 and input2"),
    ("margin_ranking_loss", {"input1": X3, "input2": Y3, "target": signs(3)}, {"reduction": "avg"},
     r"reduction='avg'"),
    ("hinge_embedding_loss", {"input": normal(5), "target": signs(2)}, {},
     r"target shape \(2,\) cannot be broadcast with input shape \(5,\)"),
    ("soft_margin_loss", {"input": X3[:1], "target": signs(3)}, {},
     r"target shape \(3,\) cannot be broadcast to input shape \(1,\)"),
    ("soft_margin_loss", {"input": X3, "target": signs(2, 3)}, {},
     r"target shape \(2, 3\) cannot be broadcast to input shape \(3,\)"),
    ("soft_margin_loss", {"input": np.float64(1.0), "target": signs(3)}, {},
     r"target shape \(3,\) cannot be broadcast to input shape \(\)"),
    ("multilabel_margin_loss", {"input": normal(2, 4), "target": np.array([[3, 0, 1, 1]])}, {},
     r"target shape \(1, 4\) does not match input shape \(2, 4\)"),
    ("multilabel_margin_loss", {"input": normal(2, 4), "target": np.zeros(8, dtype=np.int64)}, {},
     r"target shape \(8,\) does not match input shape \(2, 4\)"),
    ("multilabel_margin_loss", {"input": normal(2), "target": np.array([[1, 0]])}, {},
     r"target shape \(1, 2\) does not match input shape \(2,\)"),
    ("multilabel_margin_loss", {"input": normal(2, 4), "target": np.array([[3, 0, 4, 1], [0, -1, 0, 0]])}, {},
     r"label index 4, outside \[-1, 3\]"),
    # every entry is checked, also those after the first -1
    ("multilabel_margin_loss", {"input": normal(2, 4), "target": np.array([[3, -1, 7, 1], [0, -1, 0, 0]])}, {},
     r"label index 7, outside \[-1, 3\]"),
    ("multilabel_margin_loss", {"input": normal(2, 4), "target": np.array([[3, 0, -2, 1], [0, -1, 0, 0]])}, {},
     r"label index -2"),
    ("multilabel_margin_loss", {"input": np.float64(0.5), "target": np.int64(1)}, {}, r"label index 1"),
    ("multilabel_margin_loss", {"input": np.zeros((2, 0)), "target": np.zeros((2, 0), dtype=np.int64)}, {},
     r"shape \(C\) or \(N, C\).*found shape \(2, 0\)"),
    ("multilabel_margin_loss", {"input": np.zeros((2, 2, 2)), "target": np.zeros((2, 2, 2), dtype=np.int64)}, {},
     r"found shape \(2, 2, 2\)"),
    ("cosine_embedding_loss", {"input1": A[0], "input2": B[0], "target": signs(1)}, {},
     r"1-D target \(1,\) wants 2-D input1 and input2, found input1 \(4,\) and input2 \(4,\)"),
    ("cosine_embedding_loss", {"input1": A, "input2": B, "target": np.float64(1.0)}, {},
     r"0-D target \(\) wants 1-D input1 and input2, found input1 \(3, 4\)"),
    ("cosine_embedding_loss", {"input1": A, "input2": B[0], "target": signs(3)}, {}, r"input2 \(4,\)"),
    ("cosine_embedding_loss", {"input1": A[None], "input2": B[None], "target": signs(1, 3)}, {},
     r"target must be 0-D .* or 1-D"),
    ("cosine_embedding_loss", {"input1": A, "input2": B, "target": signs(2)}, {},
     r"target shape \(2,\) does not match the batch of input1 \(3, 4\) and input2 \(3, 4\)"),
    ("cosine_embedding_loss", {"input1": A, "input2": normal(2, 4), "target": signs(3)}, {},
     r"input2 shape \(2, 4\) cannot be broadcast with input1 shape \(3, 4\)"),
    ("cosine_embedding_loss", {"input1": A, "input2": normal(3, 3), "target": signs(3)}, {},
     r"input2 shape \(3, 3\) cannot be broadcast with input1 shape \(3, 4\)"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0])}, {"p": 3}, r"p=3 .* only p = 1"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0])}, {"p": 1.5}, r"p=1.5"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 4])}, {},
     r"class index 4, outside \[0, 3\]"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, -1])}, {}, r"class index -1"),
    ("multi_margin_loss", {"input": np.float64(0.3), "target": np.int64(1)}, {}, r"class index 1"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3])}, {},
     r"target shape \(1,\) does not fit input shape \(2, 4\).*size 2"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([[3], [0]])}, {},
     r"target shape \(2, 1\) does not fit input shape \(2, 4\)"),
    ("multi_margin_loss", {"input": normal(4), "target": np.array([3, 1])}, {},
     r"target shape \(2,\) does not fit input shape \(4,\)"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0]), "weight": np.ones(3)}, {},
     r"weight shape \(3,\) does not fit input shape \(2, 4\)"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0]), "weight": np.ones((1, 4))}, {},
     r"weight shape \(1, 4\) .* 1-D"),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0]), "weight": np.float64(1.0)}, {},
     r"weight shape \(\)"),
    ("multi_margin_loss", {"input": np.zeros((2, 2, 2)), "target": np.array([0, 1])}, {},
     r"found shape \(2, 2, 2\)"),
    ("triplet_margin_loss", {"anchor": A, "positive": B[0], "negative": A}, {},
     r"anchor, positive, negative must have the same number of dimensions, found anchor \(3, 4\), positive \(4,\)"),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": normal(3, 3)}, {},
     r"negative shape \(3, 3\) cannot be broadcast with the shape \(3, 4\) of anchor and positive"),
    ("triplet_margin_loss", {"anchor": A, "positive": normal(2, 4), "negative": A}, {},
     r"positive shape \(2, 4\) cannot be broadcast with anchor shape \(3, 4\)"),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"margin": 0.0}, r"margin=0.0 .* \(0, inf\)"),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"margin": -1.0}, r"margin=-1.0"),
]


@pytest.mark.parametrize("name,args,kwargs,match", REFUSALS, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSALS)])
def test_refusals(name, args, kwargs, match):
    assert torch_refuses(name, args, kwargs), "torch accepts this call, so we must too"
    with pytest.raises(losses.LossInputError, match=match):
        losses.get_spec(name).function(**args, **kwargs)


# Regression: margin="1.5" was read as 1.5 and swap="no" as True (bool("no")); torch refuses both.
PARAMETER_TYPE_REFUSALS = [
    ("margin_ranking_loss", {"input1": normal(3), "input2": normal(3), "target": signs(3)}, {"margin": "1.5"}),
    ("hinge_embedding_loss", {"input": normal(3), "target": signs(3)}, {"margin": "1.5"}),
    ("cosine_embedding_loss", {"input1": A, "input2": B, "target": signs(3)}, {"margin": "0.5"}),
    ("multi_margin_loss", {"input": normal(2, 4), "target": np.array([3, 0])}, {"margin": "1.5"}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"margin": "1.5"}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"p": "2"}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"eps": None}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"swap": "no"}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"swap": 1}),
]


@pytest.mark.parametrize("name,args,kwargs", PARAMETER_TYPE_REFUSALS,
                         ids=[f"{name}-{kwargs!r}" for name, _, kwargs in PARAMETER_TYPE_REFUSALS])
def test_scalar_parameters_of_the_wrong_type_are_refused_like_torch(name, args, kwargs):
    assert torch_refuses(name, args, kwargs), "torch accepts this call, so we must too"
    (param, value), = kwargs.items()
    with pytest.raises(losses.LossInputError, match=rf"{param} must be (a real number|True or False), found {value!r}"):
        losses.get_spec(name).function(**args, **kwargs)


def test_class_targets_must_be_integers():
    # numpy has no Long dtype check like torch's; fractional indices are refused (torch refuses any float tensor)
    with pytest.raises(losses.LossInputError, match="integers"):
        F.multi_margin_loss(normal(2, 4), np.array([0.5, 1.0]))
    with pytest.raises(losses.LossInputError, match="integers"):
        F.multilabel_margin_loss(normal(1, 2), np.array([[0.5, -1.0]]))


@pytest.mark.parametrize("name,args,kwargs", [
    # torch accepts these, so must we: arbitrary targets and margins, broadcasting with equal dims
    ("cosine_embedding_loss", {"input1": A, "input2": B, "target": np.array([5.0, 0.0, -3.0])}, {"margin": -2.0}),
    ("margin_ranking_loss", {"input1": normal(2, 1), "input2": normal(1, 3), "target": signs(2, 3)}, {}),
    ("triplet_margin_loss", {"anchor": A, "positive": B, "negative": A}, {"eps": -1.0, "p": -2.0}),
])
def test_accepted_like_torch(name, args, kwargs):
    assert not torch_refuses(name, args, kwargs)
    check(name, args, kwargs)


# ------------------------------------------------------------------ random shapes and values

FLOATS = st.floats(-4, 4, allow_nan=False, width=64)


def draw_array(data, shape):
    return np.array(data.draw(st.lists(FLOATS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
                    ).reshape(shape)


def draw_signs(data, shape):
    values = data.draw(st.lists(st.sampled_from([-1.0, 1.0, 1.0, -1.0, 0.0]), min_size=int(np.prod(shape)),
                                max_size=int(np.prod(shape))))
    return np.array(values, dtype=np.float64).reshape(shape)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    name = data.draw(st.sampled_from(list(CASES)))
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    n = data.draw(st.integers(1, 3))
    d = data.draw(st.integers(1, 4))
    batched = data.draw(st.booleans())
    lead = (n,) if batched else ()
    kwargs = {"reduction": reduction}
    if name in ("margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss"):
        shape = data.draw(st.sampled_from([(), (n,), (n, d)]))
        x = draw_array(data, shape)
        y = draw_signs(data, shape)
        if name == "margin_ranking_loss":
            args = {"input1": x, "input2": draw_array(data, shape), "target": y}
        else:
            args = {"input": x, "target": y}
        if name != "soft_margin_loss":
            kwargs["margin"] = data.draw(st.floats(-1, 2))
    elif name == "cosine_embedding_loss":
        args = {"input1": draw_array(data, lead + (d,)), "input2": draw_array(data, lead + (d,)),
                "target": draw_signs(data, lead)}
        kwargs["margin"] = data.draw(st.floats(-1, 1))
    elif name == "triplet_margin_loss":
        args = {k: draw_array(data, lead + (d,)) for k in ("anchor", "positive", "negative")}
        kwargs.update(margin=data.draw(st.floats(0.1, 3)), p=data.draw(st.sampled_from([1, 2, 3, 1.5, np.inf])),
                      swap=data.draw(st.booleans()))
    elif name == "multilabel_margin_loss":
        rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
        c = d + 1
        args = {"input": draw_array(data, lead + (c,)), "target": labels(n if batched else 1, c, rng).reshape(
            lead + (c,))}
    else:
        c = d + 1
        target = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
        args = {"input": draw_array(data, (n, c)), "target": target}
        kwargs["p"] = data.draw(st.sampled_from([1, 2]))
        kwargs["margin"] = data.draw(st.floats(-1, 2))
        if data.draw(st.booleans()):
            args["weight"] = np.array(data.draw(st.lists(st.floats(0, 3), min_size=c, max_size=c)))
    check(name, args, kwargs)


@pytest.mark.parametrize("name", list(CASES))
def test_landscape_on_a_larger_case(name):
    """The landscape of a non-example case equals point-wise value_and_grad (the registry test uses the example)."""
    args, kwargs = CASES[name][1]
    spec = losses.get_spec(name)
    arg = spec.differentiable[-1]
    other = spec.differentiable[0]
    xi = (0,) * np.ndim(args[arg])
    yi = tuple(s - 1 for s in np.shape(args[other]))
    xs = np.linspace(-1.0, 1.0, 4)
    ys = np.linspace(-0.5, 1.5, 3)
    land = losses.landscape(name, args, dict(kwargs, reduction="mean"), x=(arg, xi, xs), y=(other, yi, ys))
    for j, xv in enumerate(xs):
        for i, yv in enumerate(ys):
            point = {k: np.array(v, copy=True) for k, v in args.items()}
            point[arg][xi] = xv
            point[other][yi] = yv
            value, grads = losses.value_and_grad(name, **point, **kwargs, reduction="mean")
            np.testing.assert_allclose(land.z[i, j], value, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(land.dz_dx[i, j], grads[arg][xi], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(land.dz_dy[i, j], grads[other][yi], rtol=1e-10, atol=1e-12)
