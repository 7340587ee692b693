"""kl_div, poisson_nll_loss and gaussian_nll_loss against torch 2.13 (float64, values and autograd gradients)."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import losses
from tests.backend.shapes import random_input
from tests.backend.torch_check import assert_close, check, torch_refuses

RNG = np.random.default_rng(3)
LOGITS = RNG.normal(size=(3, 4))
LOG_Q = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))  # log-softmax rows
P = np.exp(RNG.normal(size=(3, 4)))
P /= P.sum(axis=1, keepdims=True)
P_ZERO = P.copy()
P_ZERO[0, 1] = 0.0  # 0 · log 0 = 0 (torch's xlogy)
P_ZERO[2, :] = [0.0, 0.0, 1.0, 0.0]  # a one-hot row

KL_CASES = [
    ({"input": LOG_Q, "target": P}, {}),
    ({"input": LOG_Q, "target": P_ZERO}, {}),
    ({"input": LOG_Q, "target": np.log(P)}, {"log_target": True}),
    ({"input": LOG_Q, "target": LOG_Q[::-1].copy()}, {"log_target": True}),
    # input (4,) against target (3, 4): batchmean divides by input.size(0) = 4, not by the output's 3
    ({"input": LOG_Q[0], "target": P}, {}),
    ({"input": LOG_Q[:1], "target": P}, {}),  # input (1, 4): batchmean divides by 1
    ({"input": np.float64(-0.7), "target": P[0]}, {}),  # 0-d input: batchmean does not divide
    ({"input": np.float64(-0.7), "target": np.float64(0.4)}, {}),
    ({"input": LOG_Q, "target": np.linspace(-0.5, 2.0, 12).reshape(3, 4)}, {}),  # negative target: nan
    # -inf log-probability: inf where the target is positive, 0·inf = nan where it is 0
    ({"input": np.array([-np.inf, -np.inf, -1.0]), "target": np.array([0.0, 0.5, np.nan])}, {}),
]


@pytest.mark.parametrize("reduction", ["none", "batchmean", "sum", "mean"])
@pytest.mark.parametrize("case", range(len(KL_CASES)))
def test_kl_div_against_torch(case, reduction):
    args, kwargs = KL_CASES[case]
    check("kl_div", args, dict(kwargs, reduction=reduction))


def test_kl_div_reductions_by_hand():
    # 'none' summed is sum; 'batchmean' divides by N = 3 rows; 'mean' by all 12 elements.
    none = losses.functional.kl_div(LOG_Q, P, reduction="none")
    assert losses.functional.kl_div(LOG_Q, P, reduction="batchmean") == pytest.approx(none.sum() / 3)
    assert losses.functional.kl_div(LOG_Q, P, reduction="mean") == pytest.approx(none.sum() / 12)
    # per row, batchmean is the mean over rows of KL(p || q) = Σ p log(p/q), which is >= 0
    kl_rows = (P * (np.log(P) - LOG_Q)).sum(axis=1)
    assert losses.functional.kl_div(LOG_Q, P, reduction="batchmean") == pytest.approx(kl_rows.mean())
    assert np.all(kl_rows > 0)
    # log_target gives the same numbers
    np.testing.assert_allclose(losses.functional.kl_div(LOG_Q, np.log(P), reduction="none", log_target=True),
                               none, rtol=1e-12)


def test_kl_div_zero_target_costs_nothing():
    value, grads = losses.value_and_grad("kl_div", np.array([-3.0, -0.1]), np.array([0.0, 1.0]), reduction="none")
    # by hand: xlogy(0, 0) - 0·(-3) = 0 and 1·log 1 - 1·(-0.1) = 0.1; gradient -target.
    np.testing.assert_allclose(value, [0.0, 0.1])
    np.testing.assert_array_equal(grads["input"], [-0.0, -1.0])


def test_kl_div_grad_output():
    check("kl_div", {"input": LOG_Q, "target": P}, {"reduction": "none"}, grad_output=RNG.normal(size=(3, 4)))


X = RNG.normal(size=(3, 4))
RATE = RNG.uniform(0.05, 4.0, size=(3, 4))
COUNTS = RNG.poisson(2.0, size=(3, 4)).astype(float)
COUNTS[0, :] = [0.0, 1.0, 1.5, 2.0]  # around the Stirling mask target > 1

POISSON_CASES = [
    ({"input": X, "target": COUNTS}, {"log_input": True}),
    ({"input": RATE, "target": COUNTS}, {"log_input": False}),
    ({"input": X[:1], "target": COUNTS}, {"log_input": True}),  # broadcast
    ({"input": RATE, "target": COUNTS[0]}, {"log_input": False}),
    ({"input": np.float64(0.4), "target": np.float64(3.0)}, {}),
    # rate 0 with count 0 (value 0, gradient 1), rate -eps (log 0), a negative rate (nan, finite gradient)
    ({"input": np.array([0.0, -1e-8, -1.0, 2.0]), "target": np.array([0.0, 1.0, 1.0, np.nan])}, {"log_input": False}),
    ({"input": np.array([800.0, -800.0, 0.0]), "target": np.array([1.0, 2.0, -1.0])}, {}),
]
POISSON_OPTIONS = [{}, {"full": True}, {"eps": 0.5}, {"full": True, "eps": 0.0}]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("option", range(len(POISSON_OPTIONS)))
@pytest.mark.parametrize("case", range(len(POISSON_CASES)))
def test_poisson_against_torch(case, option, reduction):
    args, kwargs = POISSON_CASES[case]
    check("poisson_nll_loss", args, dict(kwargs, **POISSON_OPTIONS[option], reduction=reduction))


def test_poisson_stirling_term_only_above_one():
    x, t = np.zeros(4), np.array([0.0, 1.0, 1.5, 2.0])
    plain = losses.functional.poisson_nll_loss(x, t, reduction="none")
    full = losses.functional.poisson_nll_loss(x, t, full=True, reduction="none")

    def stirling(k):  # by hand: k log k - k + 0.5 log(2πk)
        return k * math.log(k) - k + 0.5 * math.log(2 * math.pi * k)

    np.testing.assert_allclose(full - plain, [0.0, 0.0, stirling(1.5), stirling(2.0)], rtol=1e-12)


def test_poisson_notes_example():
    # log-rate 1: e - y·1 for y = 0..3, mean = e - 1.5
    assert check("poisson_nll_loss", {"input": np.ones((2, 2)), "target": np.array([[0.0, 1.0], [2.0, 3.0]])},
                 {}) == pytest.approx(math.e - 1.5)


# gaussian_nll_loss: var in every shape torch accepts
G_IN = RNG.normal(size=(4, 3))
G_T = RNG.normal(size=(4, 3))
G3_IN = RNG.normal(size=(2, 3, 5))
G3_T = RNG.normal(size=(2, 3, 5))

GAUSS_CASES = [
    ({"input": G_IN, "target": G_T, "var": RNG.uniform(0.1, 2.0, size=(4, 3))}, {}),  # heteroscedastic
    ({"input": G_IN, "target": G_T, "var": RNG.uniform(0.1, 2.0, size=(4, 1))}, {}),  # one per row
    ({"input": G_IN, "target": G_T, "var": RNG.uniform(0.1, 2.0, size=(4,))}, {}),  # unsqueezed to (4, 1)
    ({"input": G_IN, "target": G_T, "var": RNG.uniform(0.1, 2.0, size=(1, 3))}, {}),  # one per column
    ({"input": G3_IN, "target": G3_T, "var": RNG.uniform(0.1, 2.0, size=(2, 1, 5))}, {}),  # middle dim 1
    ({"input": G3_IN, "target": G3_T, "var": RNG.uniform(0.1, 2.0, size=(2, 3))}, {}),  # (2, 3) -> (2, 3, 1)
    ({"input": G_IN[0], "target": G_T[0], "var": np.array(0.7)}, {}),  # 0-d var, 1-D input
    ({"input": np.float64(0.2), "target": np.float64(1.0), "var": np.array(0.3)}, {}),
    ({"input": G_IN[:1], "target": G_T, "var": RNG.uniform(0.1, 2.0, size=(1, 3))}, {}),  # target broadcasts
    # var at, below and far below eps, and 0: clamped to eps, gradient evaluated at eps (not 0)
    ({"input": np.array([0.5, 1.0, 2.0, 0.0, 1e-4]), "target": np.array([0.0, 0.0, 1.0, 0.0, 0.0]),
      "var": np.array([1e-6, 1e-8, 0.0, 1e-7, 0.5])}, {}),
    ({"input": G_IN, "target": G_T, "var": np.full((4, 3), np.inf)}, {}),
    ({"input": G_IN[0], "target": G_T[0], "var": np.array([np.nan, 1.0, 2.0])}, {}),
]
GAUSS_OPTIONS = [{}, {"full": True}, {"eps": 0.5}, {"eps": 1e-3, "full": True}]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("option", range(len(GAUSS_OPTIONS)))
@pytest.mark.parametrize("case", range(len(GAUSS_CASES)))
def test_gaussian_against_torch(case, option, reduction):
    args, kwargs = GAUSS_CASES[case]
    check("gaussian_nll_loss", args, dict(kwargs, **GAUSS_OPTIONS[option], reduction=reduction))


def test_gaussian_var_below_eps_gradient_passes_the_clamp():
    x, y, var = np.array([0.5, 2.0]), np.array([0.0, 0.0]), np.array([1e-9, 0.0])
    eps = 1e-6
    value, grads = losses.value_and_grad("gaussian_nll_loss", x, y, var, reduction="none")
    d = x - y
    # by hand with v = eps: 0.5 (log v + d²/v); d/dvar = 0.5 (1/v - d²/v²), as torch's clamp under no_grad gives
    np.testing.assert_allclose(value, 0.5 * (np.log(eps) + d * d / eps), rtol=1e-12)
    np.testing.assert_allclose(grads["var"], 0.5 * (1 / eps - d * d / eps**2), rtol=1e-12)
    np.testing.assert_allclose(grads["input"], d / eps, rtol=1e-12)
    check("gaussian_nll_loss", {"input": x, "target": y, "var": var}, {"reduction": "none"})


def torch_gaussian_with_float_var(x, y, var, **kwargs):
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = F.gaussian_nll_loss(tx, torch.tensor(y, dtype=torch.float64), var, **kwargs)
    (grad,) = torch.autograd.grad(out.sum(), tx)
    return out.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("var", [0.7, 2.0, 0.0, 1e-9, np.float64(0.3)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gaussian_float_var_is_a_constant(var, reduction):
    """A Python float var is the same variance everywhere and not differentiable: only input's gradient."""
    value, grads = losses.value_and_grad("gaussian_nll_loss", G_IN, G_T, var, full=True, reduction=reduction)
    torch_value, torch_grad = torch_gaussian_with_float_var(G_IN, G_T, var, full=True, reduction=reduction)
    assert set(grads) == {"input"}
    assert_close(value, torch_value, "value")
    assert_close(grads["input"], torch_grad, "d/dinput")


def test_gaussian_var_broadcast_gradient_sums_back():
    # var (4, 1) is shared along each row: its gradient is the row sum of the per-element gradients.
    var = RNG.uniform(0.5, 1.5, size=(4, 1))
    _, grads = losses.value_and_grad("gaussian_nll_loss", G_IN, G_T, var, reduction="sum")
    _, full = losses.value_and_grad("gaussian_nll_loss", G_IN, G_T, np.repeat(var, 3, axis=1), reduction="sum")
    np.testing.assert_allclose(grads["var"], full["var"].sum(axis=1, keepdims=True), rtol=1e-12)
    _, grads = losses.value_and_grad("gaussian_nll_loss", G_IN, G_T, var[:, 0], reduction="sum")
    assert grads["var"].shape == (4,)
    np.testing.assert_allclose(grads["var"], full["var"].sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize(("xa", "xi", "ya", "yi"), [
    ("var", (1,), "var", (2,)),  # two shared variances (each touches a row of 3 elements)
    ("input", (1, 2), "var", (1,)),  # an element and the variance of its own row
    ("input", (0, 0), "var", (3,)),
])
def test_gaussian_landscape_on_broadcast_var(xa, xi, ya, yi):
    args = {"input": G_IN, "target": G_T, "var": RNG.uniform(0.5, 1.5, size=(4,))}
    xs, ys = np.array([0.3, 0.9, 1.7]), np.array([0.2, 1.1])
    land = losses.landscape("gaussian_nll_loss", args, {"reduction": "mean"}, x=(xa, xi, xs), y=(ya, yi, ys))
    for j, xv in enumerate(xs):
        for i, yv in enumerate(ys):
            point = {k: v.copy() for k, v in args.items()}
            point[xa][xi] = xv
            point[ya][yi] = yv
            value, grads = losses.value_and_grad("gaussian_nll_loss", **point, reduction="mean")
            np.testing.assert_allclose(land.z[i, j], value, rtol=1e-12)
            np.testing.assert_allclose(land.dz_dx[i, j], grads[xa][xi], rtol=1e-12)
            np.testing.assert_allclose(land.dz_dy[i, j], grads[ya][yi], rtol=1e-12)


def test_gaussian_landscape_with_float_var_refuses_var():
    args = {"input": G_IN, "target": G_T, "var": 0.5}
    land = losses.landscape("gaussian_nll_loss", args, x=("input", (0, 0), [0.0, 1.0]), y=("input", (1, 1), [0.5]))
    assert land.z.shape == (1, 2)
    with pytest.raises(losses.LossInputError, match="'var' is not a prediction-side argument"):
        losses.landscape("gaussian_nll_loss", args, x=("var", (), [0.1]), y=("input", (1, 1), [0.5]))


# Refusals torch shares.
REFUSED = [
    ("kl_div", {"input": LOG_Q, "target": P[:, :3]}, {}, r"target shape \(3, 3\) cannot be broadcast"),
    ("kl_div", {"input": LOG_Q, "target": P}, {"reduction": "avg"}, r"reduction='avg' is not one of"),
    ("kl_div", {"input": LOG_Q, "target": P}, {"log_target": 1}, r"log_target must be True or False, found 1"),
    ("poisson_nll_loss", {"input": X, "target": COUNTS[:, :2]}, {}, r"target shape \(3, 2\) cannot be broadcast"),
    ("poisson_nll_loss", {"input": X, "target": COUNTS}, {"reduction": "batchmean"}, r"reduction='batchmean'"),
    ("poisson_nll_loss", {"input": X, "target": COUNTS}, {"full": None}, r"full must be True or False"),
    ("poisson_nll_loss", {"input": X, "target": COUNTS}, {"eps": "tiny"}, r"eps must be a real number"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": -np.ones((4, 3))}, {},
     r"var has a negative entry -1; variances must be >= 0"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.array([[1.0, -0.0, -2.0]])}, {},
     r"var has a negative entry -2"),
    # numpy would broadcast (3,) against (4, 3); torch only accepts input.shape[:-1] = (4,)
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.ones(3)}, {},
     r"var shape \(3,\) is not accepted for input shape \(4, 3\); allowed: \(4, 3\), \(4,\), or \(4, 3\) with one"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.ones((1, 1))}, {}, r"var shape \(1, 1\)"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.ones((4, 2))}, {}, r"var shape \(4, 2\)"),
    ("gaussian_nll_loss", {"input": G_IN[:, :1], "target": G_T, "var": np.ones((4, 3))}, {}, r"var shape \(4, 3\)"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.array(1.0)}, {}, r"var shape \(\)"),
    ("gaussian_nll_loss", {"input": np.float64(1.0), "target": np.float64(1.0), "var": np.ones(1)}, {},
     r"var shape \(1,\)"),
    # passes torch's one-mismatch test (0 + 1) and then fails to broadcast
    ("gaussian_nll_loss", {"input": np.ones((2, 3)), "target": np.ones((2, 3)), "var": np.ones((0, 1))}, {},
     r"var shape \(0, 1\) cannot be broadcast"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T[:, :2], "var": np.ones((4, 3))}, {},
     r"target shape \(4, 2\) cannot be broadcast"),
    ("gaussian_nll_loss", {"input": G_IN, "target": G_T, "var": np.ones((4, 3))}, {"reduction": "batchmean"},
     r"reduction='batchmean' is not one of"),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "message"), REFUSED)
def test_refusals_shared_with_torch(name, args, kwargs, message):
    assert torch_refuses(name, args, kwargs)
    with pytest.raises(losses.LossInputError, match=message):
        losses.get_spec(name).function(**args, **kwargs)


@pytest.mark.parametrize(("var", "message"), [
    (-0.5, r"var=-0.5 is negative; a variance must be >= 0"),
    (1, r"var must be a float \(e.g. 1.0\) or an array of variances, found int 1"),
    (True, r"found bool True"),
    (np.float32(1.0), r"found float32 1.0"),
])
def test_gaussian_scalar_var_refusals(var, message):
    """torch takes only a Python float as a scalar var: refuses negatives, and ints (TypeError from torch.any)."""
    with pytest.raises((ValueError, TypeError)):
        F.gaussian_nll_loss(torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64), var)
    with pytest.raises(losses.LossInputError, match=message):
        losses.functional.gaussian_nll_loss(np.zeros(3), np.zeros(3), var)


def test_gaussian_accepts_negative_zero_and_nan_var():
    # -0.0 is not < 0 and nan is not < 0: torch accepts both (nan gives nan)
    check("gaussian_nll_loss", {"input": G_IN[0], "target": G_T[0], "var": np.array([-0.0, np.nan, 1.0])},
          {"reduction": "none"})


def test_negative_eps_is_accepted_like_torch():
    # torch checks no eps: a negative eps leaves var = 0 unclamped (nan) and log(x + eps) may hit log 0 (inf)
    check("gaussian_nll_loss", {"input": np.ones(3), "target": np.zeros(3), "var": np.array([0.0, 1.0, 2.0])},
          {"eps": -1.0, "reduction": "none"})
    check("poisson_nll_loss", {"input": np.array([1.0, 2.0]), "target": np.array([2.0, 2.0])},
          {"eps": -1.0, "log_input": False, "reduction": "none"})


def test_gaussian_notes_example():
    # by hand: 0.5 (log v + d²/v) with d = 1, 0, -1, -2 and v = 0.5, 1, 2, 4
    d2, v = np.array([1.0, 0.0, 1.0, 4.0]), np.array([0.5, 1.0, 2.0, 4.0])
    expected = np.mean(0.5 * (np.log(v) + d2 / v))
    spec = losses.get_spec("gaussian_nll_loss")
    value = check("gaussian_nll_loss", {k: np.array(a) for k, a in spec.example.items()}, {})
    assert value == pytest.approx(expected)


def allowed_var_shape(data, shape):
    """One of the var shapes torch accepts for this input shape."""
    options = [shape]
    if shape:
        options.append(shape[:-1])
        options += [shape[:k] + (1,) + shape[k + 1:] for k in range(len(shape)) if shape[k] != 1]
    return data.draw(st.sampled_from(options))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_shapes(data):
    shape, x, floats = random_input(data, 20)
    name = data.draw(st.sampled_from(["kl_div", "poisson_nll_loss", "gaussian_nll_loss"]))
    if name == "kl_div":
        y = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 1)))
        kwargs = {"reduction": data.draw(st.sampled_from(["none", "batchmean", "sum", "mean"])),
                  "log_target": data.draw(st.booleans())}
        check(name, {"input": x, "target": y}, kwargs)
        return
    kwargs = {"reduction": data.draw(st.sampled_from(["none", "mean", "sum"])), "full": data.draw(st.booleans())}
    if name == "poisson_nll_loss":
        y = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(0, 6).map(float)))
        log_input = data.draw(st.booleans())
        if not log_input:
            x = np.abs(x)
        check(name, {"input": x, "target": y}, dict(kwargs, log_input=log_input))
        return
    y = data.draw(hnp.arrays(np.float64, shape, elements=floats))
    var = data.draw(hnp.arrays(np.float64, allowed_var_shape(data, shape), elements=st.floats(0, 5)))
    check(name, {"input": x, "target": y, "var": var}, dict(kwargs, eps=data.draw(st.sampled_from([1e-6, 0.1]))))
