"""ctc_loss against torch 2.13 (float64, values and autograd gradients), a brute-force path sum, and refusals."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings

import losses
from losses.functional import ctc_loss
from losses.numerics import log_softmax
from tests.backend.ctc_strategies import ctc_problems
from tests.backend.torch_check import check, torch_refuses

RNG = np.random.default_rng(3)




def normalised(*shape):
    return log_softmax(RNG.normal(size=shape) * 1.5)


LP = normalised(5, 2, 3)
LP_BIG = normalised(12, 4, 5)
PAD = np.array([[1, 2], [1, 1]])

CASES = {
    "padded": ({"log_probs": LP, "targets": PAD, "input_lengths": np.array([5, 4]),
                "target_lengths": np.array([2, 2])}),
    # torch does not require normalised log-probabilities; its gradient is still exp(lp) - posterior.
    "unnormalised": ({"log_probs": RNG.normal(size=(5, 2, 3)), "targets": PAD, "input_lengths": np.array([5, 5]),
                      "target_lengths": np.array([2, 1])}),
    "concatenated": ({"log_probs": LP, "targets": np.array([1, 2, 1, 1]), "input_lengths": np.array([5, 4]),
                      "target_lengths": np.array([2, 2])}),
    "concatenated uneven": ({"log_probs": LP_BIG, "targets": np.array([1, 2, 3, 4, 4, 2, 1]),
                             "input_lengths": np.array([12, 7, 9, 3]), "target_lengths": np.array([3, 2, 0, 2])}),
    "unbatched": ({"log_probs": LP[:, 0], "targets": np.array([1, 2]), "input_lengths": np.array(5),
                   "target_lengths": np.array(2)}),
    "unbatched padded row": ({"log_probs": LP[:, 0], "targets": np.array([[2, 2, 1]]),
                              "input_lengths": np.array(4), "target_lengths": np.array(2)}),
    # Repeated labels need a blank between them: "aa" fits exactly in 3 frames, "aab" in 4.
    "repeats tight": ({"log_probs": LP[:3], "targets": np.array([[1, 1, 0], [1, 1, 2]]),
                       "input_lengths": np.array([3, 3]), "target_lengths": np.array([2, 2])}),
    "repeats tight 4": ({"log_probs": LP[:4], "targets": np.array([[1, 1, 2], [2, 2, 2]]),
                         "input_lengths": np.array([4, 4]), "target_lengths": np.array([3, 1])}),
    # Impossible: "aa" in 2 frames, "ab" in 1 frame; a possible sample beside them stays finite.
    "impossible": ({"log_probs": LP_BIG[:4, :3], "targets": np.array([[1, 1], [1, 2], [3, 4]]),
                    "input_lengths": np.array([2, 1, 4]), "target_lengths": np.array([2, 2, 2])}),
    # Zero frames: an empty target costs 0, a non-empty one is impossible.
    "no frames": ({"log_probs": LP_BIG[:, :3], "targets": np.array([[1, 2], [3, 3], [1, 1]]),
                   "input_lengths": np.array([0, 0, 6]), "target_lengths": np.array([0, 1, 2])}),
    "blank last class": ({"log_probs": LP, "targets": np.array([[1, 0], [0, 0]]), "input_lengths": np.array([5, 5]),
                          "target_lengths": np.array([2, 2])}),
    "blank middle": ({"log_probs": LP_BIG, "targets": np.array([[0, 4, 3], [3, 3, 0], [4, 4, 4], [0, 1, 0]]),
                      "input_lengths": np.array([12, 10, 12, 2]), "target_lengths": np.array([3, 2, 3, 1])}),
    # Entries past target_lengths are never read: torch accepts any integer there.
    "garbage padding": ({"log_probs": LP, "targets": np.array([[2, -1, 99], [1, 0, 0]]),
                         "input_lengths": np.array([5, 3]), "target_lengths": np.array([1, 1])}),
    "empty targets 1-D": ({"log_probs": LP, "targets": np.zeros(0, dtype=np.int64), "input_lengths": np.array([5, 2]),
                           "target_lengths": np.array([0, 0])}),
    "empty targets 2-D": ({"log_probs": LP, "targets": np.zeros((2, 0), dtype=np.int64),
                           "input_lengths": np.array([5, 2]), "target_lengths": np.array([0, 0])}),
    "lengths as a column": ({"log_probs": LP, "targets": PAD, "input_lengths": np.array([[5], [4]]),
                             "target_lengths": np.array([[2], [1]])}),
    "float targets": ({"log_probs": LP, "targets": np.array([[1.0, 2.0], [1.0, 1.0]]),
                       "input_lengths": np.array([5, 4]), "target_lengths": np.array([2, 2])}),
    "big": ({"log_probs": LP_BIG, "targets": RNG.integers(1, 5, size=(4, 4)), "input_lengths": np.array([12, 11, 8, 9]),
             "target_lengths": np.array([4, 3, 4, 1])}),
    # A -inf log-probability (a class that never fires): torch gives NaN gradients where its log-sum is empty.
    "minus infinity": ({"log_probs": np.where(np.arange(30).reshape(5, 2, 3) % 7 == 3, -np.inf, LP),
                        "targets": PAD, "input_lengths": np.array([5, 4]), "target_lengths": np.array([2, 2])}),
}
BLANKS = {"blank last class": 2, "blank middle": 2}


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("case", list(CASES))
def test_against_torch(case, reduction, zero_infinity):
    kwargs = {"reduction": reduction, "zero_infinity": zero_infinity}
    if case in BLANKS:
        kwargs["blank"] = BLANKS[case]
    check("ctc_loss", CASES[case], kwargs)


def test_grad_output_with_reduction_none():
    check("ctc_loss", CASES["big"], {"reduction": "none"}, grad_output=RNG.normal(size=4))


def test_impossible_alignments_give_inf_and_nan_gradients_like_torch():
    value, grads = losses.value_and_grad("ctc_loss", **CASES["impossible"], reduction="none")
    assert np.isinf(value[:2]).all() and np.isfinite(value[2])
    g = grads["log_probs"]
    # Inside each impossible sample's frames the gradient is NaN (torch's inf - inf), past them 0.
    assert np.isnan(g[:2, 0]).all() and np.isnan(g[:1, 1]).all()
    assert (g[2:, 0] == 0).all() and (g[1:, 1] == 0).all()
    value, grads = losses.value_and_grad("ctc_loss", **CASES["impossible"], reduction="mean", zero_infinity=True)
    assert np.isfinite(value) and (grads["log_probs"][:, :2] == 0).all()


def brute_force_nll(log_probs, target, blank):
    """-log of the summed probability of every frame-by-frame path that collapses to ``target``."""
    steps, classes = log_probs.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == list(target):
            total += np.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
    return -np.log(total) if total > 0 else np.inf


@pytest.mark.parametrize("target,blank", [([1, 2], 0), ([1, 1], 0), ([2], 1), ([0, 2, 0], 1), ([], 0), ([1, 1, 1], 0)])
def test_value_equals_the_sum_over_paths(target, blank):
    """No torch: enumerate all 3^5 paths of 5 frames and collapse them (repeats merged, then blanks dropped)."""
    lp = normalised(5, 3)
    expected = brute_force_nll(lp, target, blank)
    ours = ctc_loss(lp, np.array(target, dtype=np.int64), np.array(5), np.array(len(target)), blank=blank,
                    reduction="sum")
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_example_value_by_enumeration():
    spec = losses.get_spec("ctc_loss")
    lp = np.array(spec.example["log_probs"])
    expected = [brute_force_nll(lp[:5, 0], [1, 2], 0), brute_force_nll(lp[:4, 1], [1, 1], 0)]
    ours = ctc_loss(lp, np.array(spec.example["targets"]), np.array([5, 4]), np.array([2, 2]), reduction="none")
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    # 'mean' divides each loss by its target length (2 and 2) before averaging over the batch of 2.
    np.testing.assert_allclose(ctc_loss(lp, np.array(spec.example["targets"]), np.array([5, 4]), np.array([2, 2])),
                               (expected[0] / 2 + expected[1] / 2) / 2, rtol=1e-12)


def numerical(fn, x, h=1e-6):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (fn(up) - fn(down)) / (2 * h)
    return grad


@pytest.mark.parametrize("case", ["padded", "unnormalised", "repeats tight 4", "blank last class", "garbage padding"])
def test_gradient_convention_by_finite_differences(case):
    """No torch.  The returned gradient is exp(lp) - posterior, torch's convention: it is the derivative of the
    value in log_probs plus exp(log_probs) (inside each sample's frames), and for normalised log_probs it is the
    derivative in the logits z of log_probs = log_softmax(z)."""
    args = dict(CASES[case])
    kwargs = {"reduction": "sum", "blank": BLANKS.get(case, 0)}
    lp = np.asarray(args.pop("log_probs"), dtype=np.float64)
    _, grads = losses.value_and_grad("ctc_loss", lp, **args, **kwargs)
    frames = np.arange(lp.shape[0])[:, None, None] < np.reshape(args["input_lengths"], (1, -1, 1))
    in_lp = numerical(lambda a: float(ctc_loss(a, **args, **kwargs)), lp)
    np.testing.assert_allclose(grads["log_probs"], in_lp + np.where(frames, np.exp(lp), 0.0), rtol=1e-5, atol=1e-7)
    if case != "unnormalised":
        in_logits = numerical(lambda z: float(ctc_loss(log_softmax(z), **args, **kwargs)), lp)
        np.testing.assert_allclose(grads["log_probs"], in_logits, rtol=1e-5, atol=1e-7)


def test_frames_past_the_input_length_get_zero_gradient():
    _, grads = losses.value_and_grad("ctc_loss", **CASES["concatenated uneven"])
    g = grads["log_probs"]
    for n, length in enumerate([12, 7, 9, 3]):
        assert (g[length:, n] == 0).all() and (g[:length, n] != 0).all()


def test_landscape_over_a_frame_of_one_sample():
    spec = losses.get_spec("ctc_loss")
    args = {k: np.asarray(v) for k, v in spec.example.items()}
    xs, ys = np.linspace(-3, -0.1, 7), np.linspace(-2, -0.5, 5)
    land = losses.landscape("ctc_loss", args, x=("log_probs", (1, 0, 1), xs), y=("log_probs", (2, 0, 0), ys))
    for (j, xv), (i, yv) in itertools.product(enumerate(xs), enumerate(ys)):
        lp = args["log_probs"].astype(np.float64)
        lp[1, 0, 1], lp[2, 0, 0] = xv, yv
        value, grads = losses.value_and_grad("ctc_loss", lp, args["targets"], args["input_lengths"],
                                             args["target_lengths"])
        np.testing.assert_allclose(land.z[i, j], value, rtol=1e-12)
        np.testing.assert_allclose(land.dz_dx[i, j], grads["log_probs"][1, 0, 1], rtol=1e-10, atol=1e-14)
    # Frame 4 of sequence 1 is past its input length 4: the surface ignores it.
    flat = losses.landscape("ctc_loss", args, x=("log_probs", (4, 1, 0), xs), y=("log_probs", (4, 1, 2), ys))
    assert np.ptp(flat.z) == 0 and (flat.dz_dx == 0).all() and (flat.dz_dy == 0).all()


BASE = CASES["padded"]
REFUSED = [
    ("input length > T", dict(BASE, input_lengths=np.array([6, 4])), {}, "lengths", "input_lengths"),
    ("negative input length", dict(BASE, input_lengths=np.array([-1, 4])), {}, "lengths", "input_lengths"),
    ("negative target length", dict(BASE, target_lengths=np.array([2, -1])), {}, "lengths", "target_lengths"),
    ("target length > S", dict(BASE, target_lengths=np.array([3, 2])), {}, "lengths", "target_lengths"),
    ("3 input lengths for 2 sequences", dict(BASE, input_lengths=np.array([5, 4, 3])), {}, "shape", "input_lengths"),
    ("1 target length for 2 sequences", dict(BASE, target_lengths=np.array([2])), {}, "shape", "target_lengths"),
    ("concatenated too short", dict(BASE, targets=np.array([1, 2, 1])), {}, "lengths", "targets"),
    ("concatenated too long", dict(BASE, targets=np.array([1, 2, 1, 1, 2])), {}, "lengths", "targets"),
    ("unbatched 1-D targets longer than the length", dict(CASES["unbatched"], targets=np.array([1, 2, 2])), {},
     "lengths", "targets"),
    ("padded targets with 3 rows", dict(BASE, targets=np.array([[1, 2], [1, 1], [2, 2]])), {}, "shape", "targets"),
    ("3-D targets", dict(BASE, targets=PAD[None]), {}, "ndim", "targets"),
    ("1-D log_probs", dict(CASES["unbatched"], log_probs=LP[:, 0, 0]), {}, "ndim", "log_probs"),
    ("4-D log_probs", dict(BASE, log_probs=LP[:, :, None]), {}, "ndim", "log_probs"),
    ("empty log_probs", dict(BASE, log_probs=np.zeros((0, 2, 3)), input_lengths=np.array([0, 0]),
                             target_lengths=np.array([0, 0]), targets=np.zeros((2, 0), dtype=np.int64)), {},
     "shape", "log_probs"),
    ("blank = C", BASE, {"blank": 3}, "range", "blank"),
    ("blank = -1", BASE, {"blank": -1}, "range", "blank"),
    ("float input lengths", dict(BASE, input_lengths=np.array([5.0, 4.0])), {}, "dtype", "input_lengths"),
    ("unknown reduction", BASE, {"reduction": "batchmean"}, "choice", "reduction"),
]


@pytest.mark.parametrize("what,args,kwargs,code,argument", REFUSED, ids=[r[0] for r in REFUSED])
def test_refusals_mirror_torch(what, args, kwargs, code, argument):
    with pytest.raises(losses.LossInputError) as info:
        ctc_loss(**args, **kwargs)
    assert info.value.code == code and info.value.argument == argument
    assert argument in str(info.value)
    assert torch_refuses("ctc_loss", args, kwargs), f"torch accepts {what}"


def test_bool_lengths_are_refused_like_torch():
    # The shared torch_refuses turns bool arrays into int64 tensors, so torch is called directly here.
    with pytest.raises(losses.LossInputError) as info:
        ctc_loss(**dict(BASE, target_lengths=np.array([True, True])))
    assert info.value.code == "dtype" and info.value.argument == "target_lengths"
    with pytest.raises(RuntimeError, match="target_lengths must be integral"):
        F.ctc_loss(torch.tensor(LP), torch.tensor(PAD), torch.tensor([5, 4]), torch.tensor([True, True]))


def test_refusal_messages_name_what_was_found():
    with pytest.raises(losses.LossInputError, match=r"input_lengths holds 6, longer than the 5 frames"):
        ctc_loss(**dict(BASE, input_lengths=np.array([6, 4])))
    with pytest.raises(losses.LossInputError, match=r"must hold sum\(target_lengths\) = 4 labels"):
        ctc_loss(**dict(BASE, targets=np.array([1, 2, 1])))
    with pytest.raises(losses.LossInputError, match=r"blank=3 is outside the class range \[0, 2\]"):
        ctc_loss(**BASE, blank=3)


@pytest.mark.parametrize("targets", [np.array([[3, 1], [1, 1]]), np.array([[1, 2], [-2, 1]])], ids=["C", "negative"])
def test_labels_outside_the_classes_are_refused(targets):
    # torch does not check these: its CPU kernel reads outside log_probs (garbage, or a crash), so it is
    # not called here.  A label must index a class.
    with pytest.raises(losses.LossInputError, match=r"outside the class range") as info:
        ctc_loss(**dict(BASE, targets=targets))
    assert info.value.code == "class_index"


@pytest.mark.parametrize("blank,targets", [(0, [[1, 0], [1, 1]]), (2, [[1, 2], [1, 1]]), (1, [1, 2, 1, 1])])
def test_targets_equal_to_blank_are_refused(blank, targets):
    # torch's documentation forbids it ("the target index cannot be blank") but does not check it.
    with pytest.raises(losses.LossInputError, match=r"blank label, which a target may not contain") as info:
        ctc_loss(**dict(BASE, targets=np.array(targets)), blank=blank)
    assert info.value.code == "class_index"


def test_why_blank_targets_are_refused_torch_gradient_disagrees_with_its_value():
    """With the blank as the last label, torch's kernel overwrites (instead of adding) one of the two
    end-state terms of its gradient, so its gradient is no longer exp(lp) + d(value)/d(lp).  With any other
    label it is.  If this test fails, torch has fixed it and the refusal can be reconsidered."""
    lp = torch.tensor(normalised(4, 1, 3), requires_grad=True)

    def defect(target):
        def loss(x):
            return F.ctc_loss(x, torch.tensor([target]), torch.tensor([4]), torch.tensor([2]), reduction="sum")

        (grad,) = torch.autograd.grad(loss(lp), lp)
        numeric = numerical(lambda a: float(loss(torch.tensor(a))), lp.detach().numpy())
        return np.abs(grad.numpy() - np.exp(lp.detach().numpy()) - numeric).max()

    assert defect([1, 2]) < 1e-6
    assert defect([1, 0]) > 1e-2


def test_fractional_targets_are_refused():
    # torch truncates float targets to integers; a fractional label is a mistake, so we refuse it.
    with pytest.raises(losses.LossInputError) as info:
        ctc_loss(**dict(BASE, targets=np.array([[1.5, 2.0], [1.0, 1.0]])))
    assert info.value.code == "dtype"


@settings(max_examples=40, deadline=None)
@given(ctc_problems())
def test_random_problems(problem):
    args, kwargs, _ = problem
    check("ctc_loss", args, kwargs)


def test_ctc_scaled_path_agrees_with_log_space_row_by_row():
    """The probability-domain path (per-frame rescaling) and the log-space fallback agree on every row,
    with odd rows (-inf, huge or very negative log-probabilities, no frames, impossible targets) mixed
    into a batch: those rows take the log-space path without changing the others."""
    from losses.ctc_log_space import ctc_log_space
    from losses.ctc_scaled import needs_log_space
    from losses.sequence import _ctc_compute

    rng = np.random.default_rng(11)
    fast_rows = 0
    for trial in range(120):
        steps, batch, classes, longest = (int(rng.integers(1, 12)), int(rng.integers(1, 6)),
                                          int(rng.integers(2, 6)), int(rng.integers(0, 4)))
        blank = int(rng.integers(0, classes))
        lp = log_softmax(rng.normal(size=(steps, batch, classes)) * rng.choice([0.5, 2.0, 30.0]))
        odd = int(rng.integers(0, batch))
        if trial % 5 == 0:
            lp[int(rng.integers(0, steps)), odd, int(rng.integers(0, classes))] = -np.inf
        elif trial % 5 == 1:
            lp[:, odd] += 400.0
        elif trial % 5 == 2:
            lp[int(rng.integers(0, steps)), odd] = -800.0
        target_lengths = rng.integers(0, longest + 1, size=batch)
        input_lengths = rng.integers(0, steps + 1, size=batch)
        targets = rng.choice([c for c in range(classes) if c != blank], size=(batch, longest))
        for zero_infinity in (False, True):
            problem = ctc_loss.prepare(lp, targets, input_lengths, target_lengths, blank=blank, reduction="none",
                                       zero_infinity=zero_infinity)
            g = rng.uniform(0.5, 1.5, size=batch)
            with np.errstate(all="ignore"):
                ours, reference = _ctc_compute(problem.arrays, problem.params), ctc_log_space(problem.arrays,
                                                                                               problem.params)
                pairs = [(ours.values, reference.values),
                         (ours.backward(g)["log_probs"], reference.backward(g)["log_probs"])]
            for got, want in pairs:
                np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)  # also inf and NaN in place
            fast_rows += int((~needs_log_space(problem.arrays["log_probs"], input_lengths)).sum())
    assert fast_rows > 200


def test_ctc_long_high_contrast_against_torch():
    """Long sequences with sharp log-probabilities, where scaled probabilities may leave the normal doubles:
    such rows are recomputed in log space, so torch's values and gradients still hold."""
    steps, batch = 80, 6
    lp = log_softmax(RNG.normal(size=(steps, batch, 5)) * np.array([1.0, 3.0, 10.0, 30.0, 60.0, 2.0])[:, None])
    target_lengths = np.array([10, 20, 5, 8, 3, 30])
    targets = RNG.integers(1, 5, size=(batch, 30))
    check("ctc_loss", {"log_probs": lp, "targets": targets, "input_lengths": np.array([80, 80, 70, 80, 40, 75]),
                       "target_lengths": target_lengths}, {"reduction": "none"})


@pytest.mark.parametrize("second", [(2, 0, 2), (2, 1, 1)])  # the same sequence, then another one
def test_generic_landscape_with_targets_of_no_columns(second):
    """All-empty targets come as an (N, 0) array; the generic path once failed to tile it."""
    from tests.backend.surface_check import generic_landscape

    rng = np.random.default_rng(3)
    log_probs = np.log(rng.dirichlet(np.ones(3), size=(4, 2)))
    args = {"log_probs": log_probs, "targets": np.zeros((2, 0), dtype=np.int64),
            "input_lengths": np.array([4, 3]), "target_lengths": np.array([0, 0])}
    xs, ys = np.linspace(-3, -0.1, 4), np.linspace(-2, -0.5, 3)
    land = generic_landscape("ctc_loss", args, {"reduction": "sum"}, ("log_probs", (2, 0, 1), xs),
                             ("log_probs", second, ys))
    for (j, xv), (i, yv) in itertools.product(enumerate(xs), enumerate(ys)):
        lp = log_probs.copy()
        lp[2, 0, 1], lp[second] = xv, yv
        value, grads = losses.value_and_grad("ctc_loss", lp, args["targets"], args["input_lengths"],
                                             args["target_lengths"], reduction="sum")
        np.testing.assert_allclose(land.z[i, j], value, rtol=1e-12)
        np.testing.assert_allclose(land.dz_dy[i, j], grads["log_probs"][second], rtol=1e-10, atol=1e-14)
