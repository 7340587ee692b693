"""cross_entropy and nll_loss against torch 2.13 (float64, values and autograd gradients)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import losses
from losses.numerics import log_softmax
from tests.backend.torch_check import check, torch_refuses

REDUCTIONS = ["none", "mean", "sum"]
RNG = np.random.default_rng(3)
SAMPLE = np.ones((2, 2))
NOTES_TARGET = np.array([[0.0, 1.0], [2.0, 3.0]])




def probabilities(shape, axis=1):
    p = RNG.uniform(0.05, 1.0, size=shape)
    return p / p.sum(axis=axis, keepdims=True)


X = RNG.normal(size=(5, 4)) * 2
Y = np.array([0, 3, 1, 1, 2])
Y_IGNORED = np.array([0, -100, 1, -100, 2])
W = RNG.uniform(0.2, 2.0, size=4)
X1 = RNG.normal(size=4)
X3 = RNG.normal(size=(3, 4, 5))
Y3 = RNG.integers(0, 4, size=(3, 5))
Y3_IGNORED = np.where(RNG.uniform(size=(3, 5)) < 0.3, 2, Y3)  # class 2 ignored via ignore_index=2 below
X4 = RNG.normal(size=(2, 3, 4, 3))
Y4 = RNG.integers(0, 3, size=(2, 4, 3))
X5 = RNG.normal(size=(2, 3, 2, 2, 2))
Y5 = RNG.integers(0, 3, size=(2, 2, 2, 2))
BIG = np.array([[800.0, -800.0, 0.0], [-800.0, 800.0, 799.0], [0.0, -800.0, 800.0]])
Y_BIG = np.array([1, 2, 0])

# Class-index targets: every option, alone and combined, on every input layout.
INDEX_CASES = [
    ({"input": X, "target": Y}, {}),
    ({"input": X, "target": Y, "weight": W}, {}),
    ({"input": X, "target": Y_IGNORED}, {}),
    ({"input": X, "target": Y_IGNORED, "weight": W}, {}),
    ({"input": X, "target": Y}, {"ignore_index": 1}),  # an in-range class ignored
    ({"input": X, "target": Y, "weight": W}, {"ignore_index": 3}),
    ({"input": X, "target": np.full(5, -100)}, {}),  # every target ignored: 'mean' is nan, gradient 0
    ({"input": X, "target": np.full(5, -100), "weight": W}, {}),
    ({"input": X, "target": Y, "weight": np.array([0.0, 0.0, 0.0, 0.0])}, {}),  # weights of targets sum to 0
    ({"input": X1, "target": np.array(2)}, {}),  # unbatched (C) with a 0-D target
    ({"input": X1, "target": np.array(2), "weight": W}, {}),
    ({"input": X1, "target": np.array(-100)}, {}),
    ({"input": X3, "target": Y3}, {}),
    ({"input": X3, "target": Y3_IGNORED, "weight": W}, {"ignore_index": 2}),
    ({"input": X4, "target": Y4}, {}),  # what NLLLoss2d was
    ({"input": X4, "target": Y4, "weight": W[:3]}, {"ignore_index": 0}),
    ({"input": X5, "target": Y5}, {}),
    ({"input": BIG, "target": Y_BIG}, {}),  # logits of +-800: finite losses near 1600
    ({"input": X.astype(np.float32), "target": Y.astype(np.uint8)}, {}),
]

SMOOTHING_CASES = [
    ({"input": X, "target": Y}, {}),
    ({"input": X, "target": Y, "weight": W}, {}),
    ({"input": X, "target": Y_IGNORED, "weight": W}, {}),
    ({"input": X, "target": np.full(5, -100), "weight": W}, {}),
    ({"input": X1, "target": np.array(1), "weight": W}, {}),
    ({"input": X3, "target": Y3_IGNORED, "weight": W}, {"ignore_index": 2}),
    ({"input": X4, "target": Y4}, {"ignore_index": 1}),
    ({"input": BIG, "target": Y_BIG, "weight": W[:3]}, {}),
]

P = probabilities((5, 4))
PROB_3 = probabilities((3, 4, 5))
PROB_CASES = [
    ({"input": X, "target": P}, {}),
    ({"input": X, "target": P, "weight": W}, {}),
    ({"input": X1, "target": probabilities(4, axis=0)}, {}),
    ({"input": X1, "target": probabilities(4, axis=0), "weight": W}, {}),
    ({"input": X3, "target": probabilities((3, 4, 5)), "weight": W}, {}),
    ({"input": X4, "target": probabilities((2, 3, 4, 3))}, {}),
    ({"input": SAMPLE, "target": NOTES_TARGET}, {}),  # probabilities that are not a distribution
    ({"input": X, "target": RNG.normal(size=(5, 4))}, {"ignore_index": -1}),  # negative entries, any ignore < 0
    ({"input": BIG, "target": probabilities((3, 3)), "weight": W[:3]}, {}),
    ({"input": X, "target": np.eye(4)[Y]}, {}),  # one-hot rows
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(INDEX_CASES)))
def test_cross_entropy_index_targets(reduction, case):
    args, kwargs = INDEX_CASES[case]
    check("cross_entropy", args, dict(kwargs, reduction=reduction))


@pytest.mark.parametrize("label_smoothing", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(SMOOTHING_CASES)))
def test_cross_entropy_label_smoothing(label_smoothing, reduction, case):
    args, kwargs = SMOOTHING_CASES[case]
    check("cross_entropy", args, dict(kwargs, reduction=reduction, label_smoothing=label_smoothing))


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(PROB_CASES)))
def test_cross_entropy_probability_targets(label_smoothing, reduction, case):
    args, kwargs = PROB_CASES[case]
    check("cross_entropy", args, dict(kwargs, reduction=reduction, label_smoothing=label_smoothing))


def nll_case(args):
    """The same call with the logits turned into log-probabilities."""
    x = np.asarray(args["input"], dtype=np.float64)
    return dict(args, input=log_softmax(x, axis=0 if x.ndim == 1 else 1))


NLL_CASES = [(nll_case(args), kwargs) for args, kwargs in INDEX_CASES] + [
    ({"input": X, "target": Y}, {}),  # any reals are accepted, not only log-probabilities
    ({"input": np.array([[-np.inf, 0.0, -1.0], [-np.inf, -0.5, -2.0]]), "target": np.array([0, 1])}, {}),
    ({"input": np.array([[-np.inf, 0.0, -1.0]]), "target": np.array([0])}, {"ignore_index": 0}),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", range(len(NLL_CASES)))
def test_nll_loss(reduction, case):
    args, kwargs = NLL_CASES[case]
    check("nll_loss", args, dict(kwargs, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_infinite_logits_follow_torch(reduction):
    # -inf is a class with probability 0: fine unless the (smoothed) target puts mass on it;
    # +inf makes log_softmax nan (inf - inf), in torch too.
    x = np.array([[-np.inf, 0.0, 1.0], [np.inf, 0.0, 1.0], [0.5, -np.inf, 2.0]])
    for kwargs in ({}, {"label_smoothing": 0.1}):
        check("cross_entropy", {"input": x, "target": np.array([1, 2, 0])}, dict(kwargs, reduction=reduction))
    check("cross_entropy", {"input": x, "target": np.array([[0.0, 1.0, 0.0]] * 3)}, {"reduction": reduction})


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_grad_output_with_reduction_none(name):
    args = {"input": X3, "target": Y3_IGNORED, "weight": W}
    kwargs = {"reduction": "none", "ignore_index": 2}
    if name == "cross_entropy":
        kwargs["label_smoothing"] = 0.3
    check(name, args, kwargs, grad_output=RNG.normal(size=Y3.shape))


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_unbatched_input_with_one_element_target(name, reduction):
    # torch's forward takes a (1) target for a (C) input and returns a 0-d loss, but its backward
    # then raises "size mismatch": we give torch's value and the gradient of the 0-d target case.
    args = {"input": X1, "target": np.array([2])}
    kwargs = {"reduction": reduction, "ignore_index": 1}
    x = torch.tensor(X1, requires_grad=True)
    out = getattr(F, name)(x, torch.tensor([2]), **kwargs)
    value, grads = losses.value_and_grad(name, **args, **kwargs)
    assert value.shape == out.shape == ()
    assert value == pytest.approx(out.item(), rel=1e-12)
    with pytest.raises(RuntimeError, match="size mismatch"):
        out.backward()
    _, scalar_grads = losses.value_and_grad(name, X1, np.array(2), **kwargs)
    np.testing.assert_array_equal(grads["input"], scalar_grads["input"])


def test_big_logits_give_finite_values_and_gradients():
    value, grads = losses.value_and_grad("cross_entropy", BIG, Y_BIG, reduction="none")
    # log_softmax by hand: row 0 lse = 800 (other terms underflow), so -log p_1 = 800 + 800 = 1600;
    # row 1 lse = 800 + log(1 + e^-1), target 2 at 799; row 2 target 0 at 0: 800.
    expected = [1600.0, 1.0 + np.log1p(np.exp(-1.0)), 800.0]
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    assert np.all(np.isfinite(grads["input"]))


def test_notes_example():
    # torch 2.13 reads a float target of the input's shape as class probabilities, even with
    # index-like values: log_softmax(ones) = log(1/2) everywhere, so the losses are
    # (0 + 1) log 2 and (2 + 3) log 2, and their mean is 3 log 2 = 2.0794.
    value = check("cross_entropy", {"input": SAMPLE, "target": NOTES_TARGET})
    assert value == pytest.approx(3 * np.log(2))
    assert float(value) == pytest.approx(2.0794, abs=5e-5)
    # nll_loss has no probability reading: torch refuses the example ("multi-target not supported").
    args = {"input": SAMPLE, "target": NOTES_TARGET}
    assert torch_refuses("nll_loss", args)
    with pytest.raises(losses.LossInputError, match=r"float tensor of the input's shape \(2, 2\)") as info:
        losses.functional.nll_loss(**args)
    assert info.value.code == "dtype" and info.value.argument == "target"


def test_all_ignored_mean_is_nan_with_zero_gradient():
    for name, x in (("cross_entropy", X), ("nll_loss", log_softmax(X, 1))):
        value, grads = losses.value_and_grad(name, x, np.full(5, -100))
        assert np.isnan(value)
        assert np.array_equal(grads["input"], np.zeros_like(x))


def test_smoothing_with_weights_normalises_by_target_weights_only():
    # torch: (1 - e) * nll_mean + e / C * sum_n sum_c w_c (-log p_nc) / sum_n w_{y_n}
    eps = 0.3
    logp = log_softmax(X, 1)
    total = W[Y].sum()
    nll = -(W[Y] * logp[np.arange(5), Y]).sum() / total
    smooth = -(logp * W).sum() / total
    expected = (1 - eps) * nll + eps / 4 * smooth
    ours = losses.functional.cross_entropy(X, Y, weight=W, label_smoothing=eps)
    assert ours == pytest.approx(expected, rel=1e-12)


def test_one_hot_probabilities_equal_class_indices():
    # Without weights, smoothing or ignored targets, a one-hot row is the same target as its index.
    for x, t in ((X, Y), (X4, Y4)):
        one_hot = np.moveaxis(np.eye(x.shape[1])[t], -1, 1)
        for reduction in REDUCTIONS:
            np.testing.assert_allclose(losses.functional.cross_entropy(x, one_hot, reduction=reduction),
                                       losses.functional.cross_entropy(x, t, reduction=reduction), rtol=1e-12)


def test_probability_mean_divides_by_sample_count_not_weights():
    # torch divides the weighted sum by numel / C = N * d1 = 3 * 5, whatever the class weights.
    mean = losses.functional.cross_entropy(X3, PROB_3, weight=W * 10)
    total = losses.functional.cross_entropy(X3, PROB_3, weight=W * 10, reduction="sum")
    assert mean == pytest.approx(total / 15, rel=1e-12)


def test_non_positive_label_smoothing_is_ignored_like_torch():
    plain = losses.functional.cross_entropy(X, Y)
    for eps in (-0.5, float("nan")):
        assert losses.functional.cross_entropy(X, Y, label_smoothing=eps) == plain
        assert F.cross_entropy(torch.tensor(X), torch.tensor(Y), label_smoothing=eps).item() == pytest.approx(plain)
    check("cross_entropy", {"input": X, "target": P}, {"label_smoothing": -0.5})


def test_any_integer_dtype_is_class_indices():
    # torch takes only int64/uint8 targets; numpy's default integer is int32 on some platforms,
    # so we read every integer dtype as class indices (a documented leniency).
    assert torch_refuses_raw(lambda: F.cross_entropy(torch.tensor(X), torch.tensor(Y, dtype=torch.int32)))
    expected = losses.functional.cross_entropy(X, Y)
    for dtype in (np.int32, np.int16, np.uint16, np.uint8):
        assert losses.functional.cross_entropy(X, Y.astype(dtype)) == expected
    # Python lists decide by their element type, as np.asarray does.
    assert losses.functional.cross_entropy(X.tolist(), Y.tolist()) == expected


def torch_refuses_raw(call) -> bool:
    try:
        call()
    except (RuntimeError, ValueError, IndexError, TypeError):
        return True
    return False


# (loss, args, kwargs, code, message pattern); each is refused by torch too.
REFUSALS = [
    ("cross_entropy", {"input": X, "target": np.array([0, 4, 1, 1, 2])}, {}, "class_index",
     r"class index 4, outside \[0, 3\]"),
    ("cross_entropy", {"input": X, "target": np.array([0, -1, 1, 1, 2])}, {}, "class_index",
     r"class index -1, outside \[0, 3\]"),
    ("cross_entropy", {"input": X, "target": Y}, {"ignore_index": 0, "weight": W[:3]}, "shape",
     r"weight shape \(3,\) .* expected shape \(4,\)"),
    ("cross_entropy", {"input": X3, "target": Y3 + 4}, {}, "class_index", r"outside \[0, 3\]"),
    ("cross_entropy", {"input": X, "target": Y.astype(np.float64)}, {}, "dtype",
     r"class indices must be integers"),
    ("cross_entropy", {"input": X, "target": RNG.normal(size=(5, 3))}, {}, "dtype",
     r"float tensor of shape \(5, 3\), not the input's shape \(5, 4\)"),
    ("cross_entropy", {"input": SAMPLE, "target": NOTES_TARGET.astype(np.int64)}, {}, "dtype",
     r"read as class probabilities and must hold floats"),
    ("cross_entropy", {"input": X, "target": P}, {"ignore_index": 0}, "unsupported",
     r"ignore_index=0 cannot be used with class-probability targets"),
    ("cross_entropy", {"input": X, "target": Y}, {"label_smoothing": 1.5}, "range",
     r"label_smoothing=1.5 is outside \[0, 1\]"),
    ("cross_entropy", {"input": X, "target": P}, {"label_smoothing": 1.5}, "range", r"label_smoothing"),
    ("cross_entropy", {"input": X, "target": Y, "weight": np.ones((1, 4))}, {}, "shape", r"weight shape \(1, 4\)"),
    ("cross_entropy", {"input": X, "target": P, "weight": np.ones(3)}, {}, "shape", r"weight shape \(3,\)"),
    ("cross_entropy", {"input": X, "target": Y[:3]}, {}, "shape",
     r"target shape \(3,\) does not match the class-index shape \(5,\)"),
    ("cross_entropy", {"input": X3, "target": Y3[:, :4]}, {}, "shape", r"\(3, 5\) expected"),
    ("cross_entropy", {"input": X4, "target": Y4[:, :, 0]}, {}, "shape", r"\(2, 4, 3\) expected"),
    ("cross_entropy", {"input": X1, "target": np.array([1, 2])}, {}, "shape", r"unbatched input"),
    ("cross_entropy", {"input": X1, "target": np.array([1])}, {"label_smoothing": 0.1}, "unsupported",
     r"label_smoothing needs a 0-D target"),
    ("cross_entropy", {"input": np.float64(1.0), "target": np.array(0)}, {}, "ndim", r"class axis"),
    ("cross_entropy", {"input": X, "target": Y}, {"reduction": "avg"}, "choice", r"reduction='avg'"),
    ("cross_entropy", {"input": X, "target": Y}, {"ignore_index": 1.5}, "dtype", r"ignore_index must be an integer"),
    ("nll_loss", {"input": X, "target": np.array([0, 4, 1, 1, 2])}, {}, "class_index",
     r"class index 4, outside \[0, 3\] for 4 classes"),
    ("nll_loss", {"input": X, "target": Y.astype(np.float64)}, {}, "dtype", r"class indices must be integers"),
    ("nll_loss", {"input": X, "target": P}, {}, "dtype", r"float tensor of the input's shape"),
    ("nll_loss", {"input": X4, "target": Y4[:1]}, {}, "shape", r"target shape \(1, 4, 3\)"),
    ("nll_loss", {"input": X, "target": Y, "weight": W[:2]}, {}, "shape", r"weight shape \(2,\)"),
    ("nll_loss", {"input": X1, "target": np.array([1, 2, 3, 0])}, {}, "shape", r"unbatched input"),
    ("nll_loss", {"input": X, "target": Y}, {"reduction": "batchmean"}, "choice", r"reduction"),
]


@pytest.mark.parametrize("case", range(len(REFUSALS)))
def test_refusals(case):
    name, args, kwargs, code, pattern = REFUSALS[case]
    assert torch_refuses(name, args, kwargs)
    with pytest.raises(losses.LossInputError, match=pattern) as info:
        getattr(losses.functional, name)(**args, **kwargs)
    assert info.value.code == code


def test_boolean_targets_are_refused():
    assert torch_refuses_raw(lambda: F.cross_entropy(torch.tensor(X), torch.tensor(Y > 1)))
    assert torch_refuses_raw(lambda: F.nll_loss(torch.tensor(X), torch.tensor(Y > 1)))
    for name in ("cross_entropy", "nll_loss"):
        with pytest.raises(losses.LossInputError, match="booleans") as info:
            getattr(losses.functional, name)(X, Y > 1)
        assert info.value.code == "dtype"


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_zero_classes(reduction):
    # torch accepts an input without classes when no target needs one: 'mean' is nan, 'sum' 0.
    check("cross_entropy", {"input": np.zeros((2, 0)), "target": np.zeros((2, 0))}, {"reduction": reduction})
    check("cross_entropy", {"input": np.zeros((2, 0, 3)), "target": np.zeros((2, 0, 3))}, {"reduction": reduction})
    for name in ("cross_entropy", "nll_loss"):
        check(name, {"input": np.zeros((2, 0)), "target": np.array([-100, -100]), "weight": np.zeros(0)},
              {"reduction": reduction})


def test_ignore_index_out_of_range_is_fine():
    # An ignored target need not be a class at all (torch: "may not be in the class range").
    check("nll_loss", {"input": X, "target": np.array([0, 7, 1, 7, 2])}, {"ignore_index": 7})


@pytest.mark.parametrize(("name", "probability"), [("cross_entropy", False), ("cross_entropy", True),
                                                   ("nll_loss", False)])
def test_landscape_same_sample_and_two_samples(name, probability):
    x = X3 if name == "cross_entropy" else log_softmax(X3, 1)
    args = {"input": x, "target": PROB_3 if probability else Y3_IGNORED, "weight": W}
    kwargs = {} if probability else {"ignore_index": 2}
    if name == "cross_entropy":
        kwargs["label_smoothing"] = 0.2
    xs, ys = np.linspace(-2, 2, 4), np.linspace(-1, 3, 3)
    # two classes of one position (one unit), two positions of one sample, two samples
    for first, second in (((0, 0, 1), (0, 3, 1)), ((0, 0, 1), (0, 2, 3)), ((0, 1, 2), (2, 1, 4))):
        land = losses.landscape(name, args, kwargs, x=("input", first, xs), y=("input", second, ys))
        for i, yv in enumerate(ys):
            for j, xv in enumerate(xs):
                point = dict(args, input=x.copy())
                point["input"][first] = xv
                point["input"][second] = yv
                value, grads = losses.value_and_grad(name, **point, **kwargs)
                np.testing.assert_allclose(land.z[i, j], value, rtol=1e-10)
                np.testing.assert_allclose(land.dz_dx[i, j], grads["input"][first], rtol=1e-10, atol=1e-14)
                np.testing.assert_allclose(land.dz_dy[i, j], grads["input"][second], rtol=1e-10, atol=1e-14)


@st.composite
def classification_calls(draw):
    ndim = draw(st.integers(1, 4))
    classes = draw(st.integers(1, 5))
    batch = draw(st.integers(1, 4))
    extra = tuple(draw(st.lists(st.integers(1, 3), min_size=max(ndim - 2, 0), max_size=max(ndim - 2, 0))))
    shape = (classes,) if ndim == 1 else (batch, classes) + extra
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([0.1, 3.0, 50.0]))
    x = rng.normal(size=shape) * scale
    index_shape = () if ndim == 1 else (batch,) + extra
    args = {"input": x}
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    probability = draw(st.booleans())
    if probability:
        args["target"] = rng.uniform(0, 1, size=shape)
    else:
        t = rng.integers(0, classes, size=index_shape)
        if draw(st.booleans()):
            t = np.where(rng.uniform(size=index_shape) < 0.4, -100, t)
        args["target"] = t
    if draw(st.booleans()):
        args["weight"] = rng.uniform(0.0, 2.0, size=classes)
    smoothing = draw(st.sampled_from([0.0, 0.0, 0.25, 1.0]))
    return args, kwargs, smoothing, probability


@settings(max_examples=60, deadline=None)
@given(call=classification_calls())
def test_random_calls(call):
    args, kwargs, smoothing, probability = call
    check("cross_entropy", args, dict(kwargs, label_smoothing=smoothing))
    if not probability:
        x = args["input"]
        check("nll_loss", dict(args, input=log_softmax(x, 0 if x.ndim == 1 else 1)), kwargs)
