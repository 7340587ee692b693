"""The computation written out by hand (ui/worked/lines.py) adds up to what the backend computes.

For every registry id on its example, on each of its reductions, and on variants
(weights, ignore_index, label smoothing, probability targets, broadcasting,
zero_infinity, overflow), every term's written-out formula is recomputed in
numpy and compared with the backend's element, and the reduction with the
backend's value.  The LaTeX is checked for what pages rely on: balanced braces,
and a first '=' at the top level (pages align the lines there).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import losses
from ui.compute.runner import run_backend
from ui.state.urlstate import example_arrays, example_parameters
from ui.worked.latex_layout import COLUMN_EM, estimate, split_top
from ui.worked.lines import BUILDERS, builder_for, explain, plain, worked_lines

IDS = [spec.id for spec in losses.SPECS]


def run(loss: str, tensors: dict | None = None, **params):
    """Backend value and elements, and the written-out computation, for the example with changes."""
    spec = losses.get_spec(loss)
    arrays = example_arrays(spec)
    arrays.update({k: np.asarray(v) for k, v in (tensors or {}).items()})
    parameters = {**example_parameters(spec), **params}
    outcome = run_backend(loss, arrays, parameters)
    assert outcome.ok, outcome.error
    return outcome, explain(loss, arrays, parameters, outcome.elements, outcome.value)


def balanced(line: str) -> bool:
    depth = 0
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            i += 2  # \{ and \} are literal braces
            continue
        depth += {"{": 1, "}": -1}.get(line[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def first_equals_at_top(line: str) -> bool:
    """The first '=' is outside braces and environments, so '&=' there keeps the LaTeX valid."""
    if "=" not in line:
        return True
    head = line[: line.index("=")]
    return balanced(head) and r"\begin" not in head


def logical(lines: list[str]) -> list[str]:
    """The lines with their continuations ('= ...', broken off to fit the column) joined back on."""
    out: list[str] = []
    for line in lines:
        if line.startswith("= ") and out:
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def assert_well_formed(lines: list[str]) -> None:
    assert lines
    for line in lines:
        assert line.strip()
        assert balanced(line), line
        assert first_equals_at_top(line), line
        assert not re.search(r"(?<![\\a-zA-Z])(nan|inf|None)(?![a-zA-Z])", line), line  # Python's spellings


def assert_checks(work) -> None:
    assert work.checks
    for what, ours, backend in work.checks:
        np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(backend, dtype=float),
                                   rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=what)


def assert_ends_with_value(work, value) -> None:
    value = np.asarray(value)
    if value.ndim == 0:
        assert work.lines[-1].endswith(f"= {plain(value)}"), (work.lines[-1], plain(value))


def test_every_spec_has_a_builder_and_every_builder_a_spec():
    kinds = {spec.worked.kind for spec in losses.SPECS}
    assert kinds <= set(BUILDERS)
    assert set(BUILDERS) <= kinds  # no builder left behind by a removed loss


def test_a_failing_builder_is_logged_once(monkeypatch, caplog):
    spec = losses.get_spec(IDS[0])

    def broken(work, call):
        raise RuntimeError("a bug in a builder")

    monkeypatch.setitem(BUILDERS, spec.worked.kind, broken)
    outcome = run_backend(spec.id, example_arrays(spec), example_parameters(spec))
    with caplog.at_level("WARNING", logger="ui.worked.lines"):
        for _ in range(3):
            assert worked_lines(spec.id, example_arrays(spec), example_parameters(spec), outcome.elements,
                                outcome.value) == []
    logged = [r for r in caplog.records if "a bug in a builder" in str(r.exc_info[1])]
    assert len(logged) == 1 and spec.id in logged[0].getMessage()


@pytest.mark.parametrize("loss", IDS)
def test_example_adds_up_to_the_backend(loss):
    outcome, work = run(loss)
    assert_well_formed(work.lines)
    assert_checks(work)
    assert_ends_with_value(work, outcome.value)
    reduction = example_parameters(losses.get_spec(loss)).get("reduction")
    if reduction not in (None, "none"):
        assert any(what == reduction for what, _, _ in work.checks)


REDUCTIONS = [(spec.id, r) for spec in losses.SPECS for p in spec.parameters if p.name == "reduction"
              for r in p.choices]


@pytest.mark.parametrize("loss, reduction", REDUCTIONS)
def test_every_reduction(loss, reduction):
    outcome, work = run(loss, reduction=reduction)
    assert_well_formed(work.lines)
    assert_checks(work)
    assert_ends_with_value(work, outcome.value)
    last = logical(work.lines)[-1]
    if reduction == "none":
        assert last.startswith(r"\ell = (") and last.endswith(r"(\text{none})")
    else:
        assert last.startswith(rf"\text{{{reduction}}}")


def test_the_notes_l1_example_reads_as_by_hand():
    _, work = run("l1_loss")
    assert r"\ell_{0,0} = |1 - 0| = 1" in work.lines
    assert logical(work.lines)[-1] == (r"\text{mean} = \frac{\sum_i \ell_i}{n} = \frac{1 + 0 + 1 + 2}{4} = "
                                       r"\frac{4}{4} = 1")


CLASS_WEIGHT = [0.5, 2.0, 1.0]
PROBABILITIES = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]

VARIANTS = [
    ("l1_loss", {"weight": [[1.0, 2.0], [0.5, 0.0]]}, {}),
    ("l1_loss", {"weight": [[1.0, 2.0], [0.5, 0.0]]}, {"reduction": "sum"}),
    ("mse_loss", {"weight": [[1.0, 2.0], [0.5, 3.0]]}, {}),
    ("mse_loss", {"input": [[0.5, -1.5]], "target": [[0.0, 1.0], [2.0, 3.0]]}, {}),  # broadcast input
    ("huber_loss", {"weight": [[1.0, 2.0], [0.5, 3.0]]}, {"delta": 1.5}),
    ("smooth_l1_loss", {}, {"beta": 0.0}),
    ("smooth_l1_loss", {}, {"beta": 2.5}),
    ("l0_loss", {}, {"gamma": 0.0, "eps": 0.1}),
    ("relative_mse_loss", {}, {"denominator": "input"}),
    ("cross_entropy", {"weight": CLASS_WEIGHT}, {}),
    ("cross_entropy", {"weight": CLASS_WEIGHT, "target": [0, 1, 1]}, {"ignore_index": 1}),
    ("cross_entropy", {"target": [0, -100, 2]}, {}),
    ("cross_entropy", {}, {"label_smoothing": 0.1}),
    ("cross_entropy", {"weight": CLASS_WEIGHT}, {"label_smoothing": 0.2, "reduction": "sum"}),
    ("cross_entropy", {"weight": CLASS_WEIGHT, "target": [2, 0, 0]}, {"label_smoothing": 0.3, "ignore_index": 0}),
    ("cross_entropy", {"target": np.asarray(PROBABILITIES)}, {}),
    ("cross_entropy", {"target": np.asarray(PROBABILITIES), "weight": CLASS_WEIGHT}, {"label_smoothing": 0.1}),
    ("cross_entropy", {"input": [[2.0, 0.5, -1.0, 0.0], [0.1, 1.5, 0.3, 9.0]], "target": [3, 0]},
     {"reduction": "none"}),
    ("cross_entropy", {"input": [[[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]], "target": [[2, 0]]}, {}),  # (N, C, d)
    ("cross_entropy", {"input": [1.0, 2.0, 800.0], "target": np.asarray(1)}, {}),  # unbatched, huge logit
    ("cross_entropy", {"input": np.arange(30, dtype=float).reshape(2, 15) / 7, "target": [14, 3]}, {}),
    ("nll_loss", {"weight": CLASS_WEIGHT}, {}),
    ("nll_loss", {"weight": CLASS_WEIGHT, "target": [0, 1, 1]}, {"ignore_index": 1}),
    ("nll_loss", {"target": [1, 1, 1]}, {"ignore_index": 1}),  # all ignored: nan
    ("nll_loss", {"target": [0, 2, 1]}, {"ignore_index": 2, "reduction": "sum"}),
    ("binary_cross_entropy", {"weight": [[1.0, 2.0], [0.5, 3.0]]}, {}),
    ("binary_cross_entropy", {"input": [[0.0, 1.0], [1.0, 0.5]], "target": [[1.0, 1.0], [0.0, 0.5]]}, {}),
    ("binary_cross_entropy", {"weight": [2.0, 0.5]}, {"reduction": "sum"}),  # broadcast weight
    ("binary_cross_entropy_with_logits", {"weight": [[1.0, 2.0], [0.5, 3.0]], "pos_weight": [3.0, 0.5]}, {}),
    ("binary_cross_entropy_with_logits", {"pos_weight": [2.0, 1.0]}, {"reduction": "none"}),
    ("multilabel_soft_margin_loss", {"weight": [1.0, 2.0, 0.5]}, {}),
    ("multilabel_soft_margin_loss", {"target": [[0.3, 1.0, 0.0], [0.0, 0.5, 1.0]], "weight": [1.0, 2.0, 0.5]}, {}),
    ("sigmoid_focal_loss", {}, {"alpha": -1.0, "gamma": 0.0, "reduction": "mean"}),
    ("sigmoid_focal_loss", {"target": [[0.5, 0.0], [1.0, 0.2]]}, {"gamma": 1.5, "reduction": "sum"}),
    ("margin_ranking_loss", {}, {"margin": 0.0}),
    ("hinge_embedding_loss", {"target": [1.0, -1.0, 0.0]}, {"margin": 2.0}),
    ("multilabel_margin_loss", {"input": [0.1, 0.2, 0.4, 0.8], "target": [3, 0, -1, 1]}, {}),
    ("multilabel_margin_loss", {"target": [[-1, 0, 1, 2], [0, 1, 2, 3]]}, {}),  # no labels; all labels
    ("soft_margin_loss", {"input": [800.0, -800.0, 0.0], "target": [-1.0, -1.0, 1.0]}, {}),  # inf
    ("cosine_embedding_loss", {"target": [1.0, 0.0]}, {"margin": 0.5}),
    ("cosine_embedding_loss", {"input1": [1.0, 2.0, 3.0], "input2": [0.0, 0.0, 0.0], "target": np.asarray(-1.0)},
     {"margin": -0.5}),
    ("cosine_embedding_loss", {"input1": [[1.0, 2.0]], "input2": [[1.0, 0.0], [0.0, 1.0]]}, {}),  # broadcast N
    ("multi_margin_loss", {"weight": [1.0, 2.0, 0.5, 3.0]}, {"p": 2, "margin": 0.5}),
    ("multi_margin_loss", {"input": [0.1, 0.2, 0.4, 0.8], "target": np.asarray(1)}, {}),
    ("triplet_margin_loss", {}, {"swap": True}),
    ("triplet_margin_loss", {}, {"p": 1.0, "margin": 2.0}),
    ("triplet_margin_loss", {}, {"p": math.inf}),
    ("triplet_margin_loss", {"anchor": [0.0, 0.0], "positive": [0.0, 1.0], "negative": [3.0, 4.0]}, {}),
    ("ctc_loss", {"input_lengths": [5, 2], "targets": [[1, 2], [1, 1]]}, {"zero_infinity": True}),
    ("ctc_loss", {"input_lengths": [5, 2], "targets": [[1, 2], [1, 1]]}, {}),  # inf
    ("ctc_loss", {"targets": [1, 2, 1], "target_lengths": [2, 1]}, {}),  # concatenated targets
    ("ctc_loss", {"target_lengths": [2, 0]}, {}),  # an empty target
    ("dice_loss", {}, {"smooth": 0.0}),
    ("jaccard_loss", {}, {"smooth": 0.0, "reduction": "sum"}),
    ("dice_loss", {"input": np.full((1, 3, 4), 0.3), "target": np.eye(3, 4)[None]}, {}),
    ("kl_div", {}, {"log_target": True}),
    ("kl_div", {}, {"reduction": "mean"}),
    ("kl_div", {"target": [0.25, 0.75]}, {"reduction": "batchmean"}),  # target broadcast over rows
    ("poisson_nll_loss", {}, {"log_input": False}),
    ("poisson_nll_loss", {}, {"full": True}),
    ("poisson_nll_loss", {"input": [[0.0, 1.0], [2.0, 0.5]]}, {"log_input": False, "full": True}),
    ("gaussian_nll_loss", {}, {"full": True}),
    ("gaussian_nll_loss", {"var": [0.5, 2.0]}, {}),  # one variance per row
    ("gaussian_nll_loss", {"var": [[0.0, 1e-9], [2.0, 4.0]]}, {"eps": 0.01}),  # clamped at eps
    ("sigmoid", {"input": [800.0, -800.0, 0.5]}, {}),
    ("tanh", {"input": np.linspace(-3, 3, 12).reshape(3, 4)}, {}),
    ("softmax", {}, {"dim": 0}),
    ("softmax", {"input": [[1.0, 800.0, 3.0]]}, {"dim": 1}),  # overflow: shifted by the maximum
    ("softmax", {"input": np.arange(24, dtype=float).reshape(2, 3, 4) / 5}, {"dim": 1}),
    ("softmax", {"input": [1.0, 2.0]}, {"dim": 0}),
    ("log_softmax", {"input": [[1.0, 800.0, 3.0]]}, {"dim": -1}),
    ("log_softmax", {"input": np.arange(24, dtype=float).reshape(2, 3, 4) / 5}, {"dim": 2}),
    ("l1_loss", {"input": np.ones((10, 10)), "target": np.arange(100.0).reshape(10, 10)}, {}),
]


@pytest.mark.parametrize("loss, tensors, params", VARIANTS,
                         ids=[f"{v[0]}-{i}" for i, v in enumerate(VARIANTS)])
def test_variants_add_up_to_the_backend(loss, tensors, params):
    outcome, work = run(loss, tensors, **params)
    assert_well_formed(work.lines)
    assert_checks(work)
    assert_ends_with_value(work, outcome.value)


def reduction_line(work) -> str:
    return logical(work.lines)[-1]


def test_weighted_means_divide_by_the_weights():
    _, work = run("cross_entropy", {"weight": CLASS_WEIGHT})
    assert r"\sum\nolimits_{n} w_{y_n}" in reduction_line(work) and "{0.5 + 2 + 1}" in reduction_line(work)
    _, work = run("nll_loss", {"weight": CLASS_WEIGHT, "target": [0, 1, 1]}, ignore_index=1)
    assert r"y_n \ne 1" in reduction_line(work) and r"\frac{0.1206}{0.5}" in reduction_line(work)
    assert any(r"\texttt{ignore\_index}" in line for line in work.lines)
    _, work = run("cross_entropy", {"target": [0, -100, 2]})
    assert r"\#\{n : y_n \ne -100\}" in reduction_line(work) and r"\frac{1.393}{2}" in reduction_line(work)
    _, work = run("l1_loss", {"weight": [[1.0, 2.0], [0.5, 0.0]]})
    assert r"{\sum_i w_i}" in reduction_line(work) and r"\frac{1.5}{3.5}" in reduction_line(work)
    _, work = run("huber_loss", {"weight": [[1.0, 2.0], [0.5, 3.0]]})
    assert r"\frac{\sum_i \ell_i}{n}" in reduction_line(work) and r"\frac{5.25}{4}" in reduction_line(work)
    _, work = run("binary_cross_entropy", {"weight": [[1.0, 2.0], [0.5, 3.0]]})
    assert r"\frac{\sum_i \ell_i}{n}" in reduction_line(work)  # BCE's weights are not normalised either
    _, work = run("cross_entropy", {"target": np.asarray(PROBABILITIES), "weight": CLASS_WEIGHT})
    assert r"\frac{\sum_n \ell_n}{N}" in reduction_line(work)  # probability targets: N, not the weights
    _, work = run("kl_div")
    assert reduction_line(work).startswith(r"\text{batchmean} = \frac{\sum_i \ell_i}{N}")
    _, work = run("kl_div", reduction="mean")
    assert r"{4} = \frac{0.2877}{4}" in reduction_line(work)  # N·C elements
    _, work = run("ctc_loss")
    assert r"\frac{\ell_n}{L_n}" in reduction_line(work) and r"\frac{0.6257}{2}" in reduction_line(work)


def test_long_tensors_are_elided():
    _, work = run("l1_loss", {"input": np.ones((10, 10)), "target": np.arange(100.0).reshape(10, 10)})
    assert r"\vdots" in work.lines
    assert len(logical(work.lines)) <= 7
    assert reduction_line(work).count("+") <= 8 and r"\cdots" in reduction_line(work)
    _, work = run("cross_entropy", {"input": np.arange(30, dtype=float).reshape(2, 15) / 7, "target": [14, 3]})
    assert all(line.count("e^{") <= 8 for line in work.lines)


def test_lines_fit_the_column_estimate():
    """Every registry example fits the width estimate, except a single term wider than the column."""
    for loss in IDS:
        _, work = run(loss)
        left = max(estimate(split_top(line, "=")[0]) for line in work.lines if "=" in line)
        for line in work.lines:
            parts = split_top(line, "=")
            if len(parts) > 2:  # a line that holds more than one step was packed to fit
                assert left + estimate(" = ".join(parts[1:])) <= COLUMN_EM + 1.5, line


def test_zero_infinity_is_named():
    _, work = run("ctc_loss", {"input_lengths": [5, 2], "targets": [[1, 2], [1, 1]]}, zero_infinity=True)
    assert any(r"\infty \to 0" in line and "zero\\_infinity" in line for line in work.lines)


def test_worked_lines_never_raises():
    # elements that do not belong to the call, a call the backend refuses, an unknown id
    assert worked_lines("l1_loss", {"input": [[1.0]], "target": [[1.0, 2.0, 3.0]]}, {}, np.zeros(1), 0.0) == []
    assert worked_lines("l1_loss", {"input": [[1.0, 2.0]], "target": [[1.0, 2.0, 3.0]]}, {}, np.zeros(2), 0.0) == []
    assert worked_lines("no_such_loss", {}, {}, np.zeros(1), 0.0) == []


SCALARS = [
    ("l1_loss", {"input": np.asarray(2.0), "target": np.asarray(-1.0)}, {}),
    ("binary_cross_entropy", {"input": np.asarray(0.25), "target": np.asarray(1.0)}, {}),
    ("sigmoid", {"input": np.asarray(0.5)}, {}),
    ("softmax", {"input": np.asarray(0.5)}, {"dim": 0}),
    ("log_softmax", {"input": [3.0, -1.0, 0.5, 2.0, 7.0, 1.0, 0.0, 4.0, -2.0, 5.0]}, {"dim": 0}),
    ("ctc_loss", {"log_probs": np.log([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]]), "targets": [1],
                  "input_lengths": np.asarray(3), "target_lengths": np.asarray(1)}, {}),  # unbatched (T, C)
]


@pytest.mark.parametrize("loss, tensors, params", SCALARS, ids=[s[0] for s in SCALARS])
def test_unbatched_and_zero_dimensional(loss, tensors, params):
    outcome, work = run(loss, tensors, **params)
    assert_well_formed(work.lines)
    assert_checks(work)


def perturbed(spec, seed: int) -> dict:
    """The example with noise on its float tensors, kept inside each argument's domain."""
    rng = np.random.default_rng(seed)
    arrays = example_arrays(spec)
    for arg in spec.arguments:
        if arg.name not in arrays or arrays[arg.name].dtype.kind != "f" or arg.domain in ("sign", "binary"):
            continue
        value = arrays[arg.name] + rng.normal(0.0, 0.4, arrays[arg.name].shape)
        if arg.domain == "probability":
            value = np.clip(value, 0.0, 1.0)
        elif arg.domain in ("positive", "nonnegative"):
            value = np.abs(value)
        elif arg.domain == "log_probability":
            value = np.minimum(value, 0.0)
        arrays[arg.name] = value
    return arrays


@pytest.mark.parametrize("loss", IDS)
@pytest.mark.parametrize("seed", range(4))
def test_perturbed_examples_add_up(loss, seed):
    spec = losses.get_spec(loss)
    arrays = perturbed(spec, seed)
    parameters = example_parameters(spec)
    outcome = run_backend(loss, arrays, parameters)
    if not outcome.ok:
        pytest.skip(f"the backend refuses this draw: {outcome.error}")
    work = explain(loss, arrays, parameters, outcome.elements, outcome.value)
    assert_well_formed(work.lines)
    assert_checks(work)
    assert_ends_with_value(work, outcome.value)


MEANS = [loss for loss, reduction in REDUCTIONS if reduction == "mean"]


@pytest.mark.parametrize("loss", MEANS)
def test_the_mean_sums_the_terms_by_the_letter_they_are_written_with(loss):
    """The mean's ∑ runs over the letter each term's ℓ carries (ℓ_i: ∑_i), and that letter names nothing else
    (the triplet loss's negative is n, so its triplets count with i: no n_n)."""
    _, work = run(loss, reduction="mean")
    text = " ".join(work.lines)
    sums = set(re.findall(r"\\sum(?:\\nolimits)?_\{?([a-z])\}?\s*\\ell_\{?([a-z])", text))
    if not sums:
        pytest.skip(f"{loss}: its mean is not a sum of terms")
    assert len(sums) == 1 and all(a == b for a, b in sums), sums
    letter = next(iter(sums))[0]
    assert set(re.findall(r"\\ell_\{?([a-z])\b", text)) == {letter}, text
    assert not re.search(rf"(?<![\\a-zA-Z]){letter}_", text), f"{loss}: {letter} numbers the terms and names a tensor"


EXTREMES = (1e200, -1e200, 1e300, 1e-300, 5.0, -3.0, 0.5, 1e17, 700.0, -800.0)


@pytest.mark.parametrize("loss", [spec.id for spec in losses.SPECS if builder_for(spec) is not None])
def test_extreme_entries_are_written_out_too(loss):
    """An entry the backend accepts, however large, gets its lines: Python's own ``**`` raised OverflowError on
    (1e200 - 0)² (the page then showed a heading with nothing under it) and would turn a negative base with a
    fractional γ into a complex number; the terms now overflow to inf as the backend's do."""
    spec = losses.get_spec(loss)
    base, params = example_arrays(spec), example_parameters(spec)
    tried = 0
    for name, array in base.items():
        if np.asarray(array).dtype.kind != "f":
            continue
        for entry in EXTREMES:
            tensors = {k: np.array(v, copy=True) for k, v in base.items()}
            tensors[name].flat[0] = entry
            outcome = run_backend(loss, tensors, params)
            if not outcome.ok:
                continue
            tried += 1
            work = explain(loss, tensors, params, outcome.elements, outcome.value)
            assert work.lines, (name, entry)
    if not tried:
        pytest.skip(f"{loss}: no float entry of its example takes these values")
