"""The closed-form surface of ctc_loss: two log-probabilities of one sequence.

Each case runs the landscape with the surface (asserting that it ran, or that it declined where
expected) and with the generic per-grid-point path, and compares both with torch at a few grid points
(``check_surface``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import losses
from losses.numerics import log_softmax

from .ctc_strategies import ctc_problems
from .surface_check import check_surface

RNG = np.random.default_rng(17)
XS = np.linspace(-4.0, 0.5, 9)
YS = np.linspace(-3.0, 1.0, 7)




def example():
    spec = losses.get_spec("ctc_loss")
    return {k: np.asarray(v, dtype=np.int64 if spec.argument(k).dtype == "int" else np.float64)
            for k, v in spec.example.items()}


def lp(index, values=XS):
    return ("log_probs", index, values)


# (T, N, C) = (6, 3, 4), blank 0: "abc" fills 6 frames loosely, "aa" needs a blank between its a's,
# and the third sequence has 4 frames for "b".
LP = log_softmax(RNG.normal(size=(6, 3, 4)) * 1.5)
BATCH = {"log_probs": LP, "targets": np.array([[1, 2, 3], [1, 1, 0], [2, 0, 0]]),
         "input_lengths": np.array([6, 5, 4]), "target_lengths": np.array([3, 2, 1])}

# Pairs of entries of sequence 1 ("aa", 5 frames): classes of one frame (blank and label, two labels),
# two frames (different classes, the same class), and a class that is not in its target.
PAIRS = {
    "one frame, blank and label": ((2, 1, 0), (2, 1, 1)),
    "one frame, label and absent class": ((1, 1, 1), (1, 1, 3)),
    "two frames, two classes": ((0, 1, 1), (3, 1, 0)),
    "two frames, same class": ((1, 1, 1), (3, 1, 1)),
    "two frames, adjacent": ((2, 1, 2), (3, 1, 1)),
    "two frames, absent class in both": ((0, 1, 2), (4, 1, 3)),
}


@pytest.mark.parametrize("kind", ["one frame", "two frames"])
def test_benchmark_cases(kind):
    # bench/landscape.py, CASES: ctc_loss "same unit" on the registry example
    first, second = ((2, 0, 1), (2, 0, 2)) if kind == "one frame" else ((1, 0, 1), (3, 0, 2))
    grid = np.linspace(-4.0, 0.0, 21)
    check_surface("ctc_loss", example(), {}, lp(first, grid), lp(second, grid))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("pair", list(PAIRS))
def test_pairs_and_reductions(pair, reduction):
    first, second = PAIRS[pair]
    check_surface("ctc_loss", BATCH, {"reduction": reduction}, lp(first), lp(second, YS))
    # the other order: the roles of x and y in the closed form swap
    check_surface("ctc_loss", BATCH, {"reduction": reduction}, lp(second), lp(first, YS), torch_points=1)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_first_and_last_sequence_and_zero_infinity(zero_infinity):
    kwargs = {"reduction": "mean", "zero_infinity": zero_infinity}
    check_surface("ctc_loss", BATCH, kwargs, lp((0, 0, 0)), lp((5, 0, 3), YS))
    check_surface("ctc_loss", BATCH, kwargs, lp((1, 2, 2)), lp((1, 2, 0), YS))


@pytest.mark.parametrize("blank", [1, 3])
def test_blank_other_than_zero(blank):
    targets = np.array([[2, 0, 3], [0, 0, 2], [2, 2, 0]]) if blank == 1 else np.array([[2, 0, 1], [0, 0, 1],
                                                                                        [2, 2, 0]])
    args = dict(BATCH, targets=targets, target_lengths=np.array([3, 2, 2]))
    for first, second in (((2, 0, blank), (2, 0, 2)), ((1, 2, blank), (3, 2, 2)), ((0, 1, 0), (4, 1, blank))):
        check_surface("ctc_loss", args, {"blank": blank, "reduction": "sum"}, lp(first), lp(second, YS))


def test_concatenated_targets():
    args = dict(BATCH, targets=np.array([1, 2, 3, 1, 1, 2]))
    check_surface("ctc_loss", args, {}, lp((2, 1, 1)), lp((2, 1, 0), YS))
    check_surface("ctc_loss", args, {"reduction": "none"}, lp((0, 0, 1)), lp((4, 0, 3), YS))


def test_unbatched():
    args = {"log_probs": LP[:, 0], "targets": np.array([1, 2, 3]), "input_lengths": np.array(6),
            "target_lengths": np.array(3)}
    for reduction in ("mean", "none"):
        check_surface("ctc_loss", args, {"reduction": reduction}, lp((2, 2)), lp((2, 0), YS))
        check_surface("ctc_loss", args, {"reduction": reduction}, lp((1, 1)), lp((4, 3), YS))


def test_empty_target():
    # only blanks: every alignment reads the blank in every frame, so each blank entry is a factor of P
    args = dict(BATCH, target_lengths=np.array([3, 0, 1]))
    check_surface("ctc_loss", args, {}, lp((1, 1, 0)), lp((3, 1, 0), YS))
    check_surface("ctc_loss", args, {}, lp((1, 1, 0)), lp((1, 1, 2), YS))


def test_frames_past_the_input_length_are_not_read():
    # sequence 1 has 5 frames, sequence 2 has 4: frame 5 (and 4 of sequence 2) is padding
    for first, second in (((5, 1, 1), (2, 1, 0)), ((2, 1, 0), (5, 1, 1)), ((4, 2, 0), (5, 2, 2))):
        land = check_surface("ctc_loss", BATCH, {"reduction": "sum"}, lp(first), lp(second, YS))
        for grad, index in ((land.dz_dx, first), (land.dz_dy, second)):
            if index[0] >= BATCH["input_lengths"][index[1]]:
                assert not grad.any()
    land = check_surface("ctc_loss", BATCH, {}, lp((4, 2, 0)), lp((5, 2, 2), YS))
    assert np.ptp(land.z) == 0
    # no frames at all: an empty target costs 0 whatever the log-probabilities are
    args = dict(BATCH, input_lengths=np.array([6, 5, 0]), target_lengths=np.array([3, 2, 0]))
    land = check_surface("ctc_loss", args, {}, lp((0, 2, 1)), lp((0, 2, 0), YS))
    assert np.ptp(land.z) == 0 and not land.dz_dx.any() and not land.dz_dy.any()


def test_tight_targets_where_every_alignment_reads_the_entries():
    # "aa" in 3 frames has the single alignment a, blank, a: P = u v (times the blank) for frames 0 and 2,
    # and P = A u when both entries are classes of frame 0 (only "a" can start the alignment)
    args = {"log_probs": LP[:3, :1], "targets": np.array([[1, 1]]), "input_lengths": np.array([3]),
            "target_lengths": np.array([2])}
    check_surface("ctc_loss", args, {}, lp((0, 0, 1)), lp((2, 0, 1), YS))
    check_surface("ctc_loss", args, {}, lp((0, 0, 1)), lp((1, 0, 0), YS))
    check_surface("ctc_loss", args, {}, lp((0, 0, 1)), lp((0, 0, 2), YS))
    # a class no alignment can read at that frame ("b" at frame 1): its probability only adds exp(x)
    check_surface("ctc_loss", args, {}, lp((1, 0, 2)), lp((0, 0, 1), YS))


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_target(zero_infinity):
    # "aa" cannot fit in 2 frames: inf (and NaN gradients) everywhere, left to the generic path; or 0
    args = {"log_probs": LP[:2, :2], "targets": np.array([[1, 1], [2, 0]]), "input_lengths": np.array([2, 2]),
            "target_lengths": np.array([2, 1])}
    expect = "surface" if zero_infinity else "grid"
    land = check_surface("ctc_loss", args, {"zero_infinity": zero_infinity}, lp((0, 0, 1)), lp((1, 0, 1), YS),
                         expect=expect, torch_points=1)
    assert np.isfinite(land.z).all() == zero_infinity


def test_unnormalised_and_extreme_log_probs():
    wide = BATCH["log_probs"].copy()
    wide[:, 0] = RNG.normal(size=(6, 4)) * 4.0  # torch does not renormalise
    wide[:, 1] += 400.0  # exp overflows the probability domain: the log-space reference
    wide[2, 2, 3] = -np.inf  # a class that never fires in that frame
    args = dict(BATCH, log_probs=wide)
    check_surface("ctc_loss", args, {}, lp((1, 0, 1)), lp((4, 0, 2), YS))
    check_surface("ctc_loss", args, {}, lp((1, 1, 1), XS + 400.0), lp((3, 1, 0), YS + 400.0))
    check_surface("ctc_loss", args, {}, lp((2, 2, 2)), lp((0, 2, 2), YS))


def test_a_nan_it_reads_is_left_to_the_generic_path():
    nan = BATCH["log_probs"].copy()
    nan[3, 1, 2] = np.nan  # torch's NaN through the generic path
    check_surface("ctc_loss", dict(BATCH, log_probs=nan), {}, lp((1, 1, 1)), lp((2, 1, 0), YS), expect="grid",
                  torch_points=1)


# the shared checker scales its atol by the largest |value|, inf here; the point is which path ran
@pytest.mark.filterwarnings("ignore:One of rtol or atol is not valid")
def test_probabilities_past_the_doubles_are_left_to_the_generic_path():
    # exp(750) overflows: the surface's result is not finite, so the landscape recomputes the grid
    check_surface("ctc_loss", BATCH, {}, lp((1, 1, 1), np.linspace(0.0, 750.0, 4)), lp((2, 1, 0), YS),
                  expect="grid", torch_points=1)


def test_long_sharp_sequence_stays_exact():
    # 60 frames, sharp log-probabilities: the path sums are far below the doubles' range as probabilities
    steps = 60
    args = {"log_probs": log_softmax(RNG.normal(size=(steps, 2, 5)) * 8.0), "targets": RNG.integers(1, 5, (2, 12)),
            "input_lengths": np.array([60, 55]), "target_lengths": np.array([12, 9])}
    check_surface("ctc_loss", args, {}, lp((10, 0, 2)), lp((41, 0, 2), YS))
    check_surface("ctc_loss", args, {"reduction": "sum"}, lp((20, 1, 0)), lp((20, 1, 3), YS))


def test_the_surface_matches_a_brute_force_sum_over_paths():
    # z = -log P with P the sum over all frame-by-frame paths that collapse to the target, enumerated
    import itertools

    lp3 = LP[:4, 0, :3]
    targets, xs, ys = [1, 2], np.array([-2.0, -0.5]), np.array([-1.5, 0.0])

    def collapse(path):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        return [c for c in merged if c != 0]

    land = losses.landscape("ctc_loss", {"log_probs": lp3, "targets": np.array(targets), "input_lengths": np.array(4),
                                         "target_lengths": np.array(2)}, {"reduction": "sum"},
                            x=lp((1, 1), xs), y=lp((2, 2), ys))
    assert land.method == "surface"
    for (i, yv), (j, xv) in itertools.product(enumerate(ys), enumerate(xs)):
        point = lp3.copy()
        point[1, 1], point[2, 2] = xv, yv
        total = sum(np.exp(sum(point[t, c] for t, c in enumerate(path)))
                    for path in itertools.product(range(3), repeat=4) if collapse(path) == targets)
        np.testing.assert_allclose(land.z[i, j], -np.log(total), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(ctc_problems(max_target=3), st.data())
def test_random_problems(problem, data):
    args, kwargs, rng = problem
    steps, batch, classes = args["log_probs"].shape
    unit = data.draw(st.integers(0, batch - 1))
    cells = [(t, c) for t in range(steps) for c in range(classes)]
    if len(cells) < 2:
        return
    (t1, c1), (t2, c2) = data.draw(st.lists(st.sampled_from(cells), min_size=2, max_size=2, unique=True))
    values = losses.value_and_grad("ctc_loss", **dict(args), blank=kwargs["blank"], reduction="none")[0]
    # the only decline here: an impossible target (inf on the whole grid) without zero_infinity
    expect = "grid" if np.isinf(values[unit]) and not kwargs["zero_infinity"] else "surface"
    xs = np.sort(rng.normal(scale=2.0, size=5)) - 1.0
    ys = np.sort(rng.normal(scale=2.0, size=4)) - 1.0
    check_surface("ctc_loss", args, kwargs, lp((t1, unit, c1), xs), lp((t2, unit, c2), ys), expect=expect,
                  torch_points=1)


def test_targets_without_a_column():
    # all targets empty, given as an (N, 0) array; checked point by point as well as against the generic path
    args = {"log_probs": LP[:4, :2], "targets": np.zeros((2, 0), dtype=np.int64), "input_lengths": np.array([4, 3]),
            "target_lengths": np.array([0, 0])}
    land = check_surface("ctc_loss", args, {"reduction": "sum"}, lp((1, 1, 0), XS), lp((2, 1, 0), YS))
    for (i, yv), (j, xv) in [((0, YS[0]), (0, XS[0])), ((6, YS[6]), (4, XS[4]))]:
        point = args["log_probs"].copy()
        point[1, 1, 0], point[2, 1, 0] = xv, yv
        value, grads = losses.value_and_grad("ctc_loss", **dict(args, log_probs=point), reduction="sum")
        np.testing.assert_allclose(land.z[i, j], value, rtol=1e-12)
        np.testing.assert_allclose([land.dz_dx[i, j], land.dz_dy[i, j]], grads["log_probs"][[1, 2], 1, 0],
                                   rtol=1e-10, atol=1e-14)
