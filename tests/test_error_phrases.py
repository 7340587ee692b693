"""Every refusal reads as Chinese in Chinese: no English prose left inside a zh error message.

The corpus triggers each ``raise LossInputError`` / ``TensorInputError`` site of the backend (``losses/``) and of
the UI's parsers (``ui/text/tensors.py``, ``ui/state/urlstate.py``, ``ui/state/viewstate.py``,
``ui/compute/visual.py``, ``ui/state/editor.py``, ``ui/figures/reference.py``; the few that pages build inline are
rebuilt here as the page builds them). Each refusal is rendered with ``describe(exc, "zh")``; after removing what is
legitimately code (backticked spans, quoted literals, argument and parameter names, loss ids, shapes, numbers, dtype
names, NaN), no Latin word of three or more letters may remain.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import losses
from losses import LossInputError
from losses.functional import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    ctc_loss,
    dice_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l0_loss,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    relative_mse_loss,
    sigmoid_focal_loss,
    smooth_l1_loss,
    soft_margin_loss,
    softmax,
    triplet_margin_loss,
)
from ui.compute import visual
from ui.figures import reference
from ui.state import editor, viewstate
from ui.state.urlstate import parse_parameter, read_loss_state
from ui.text.errors import describe
from ui.text.tensors import (
    MAX_ELEMENTS,
    TensorInputError,
    check_total,
    from_cells,
    from_nested,
    parse_cell,
    parse_json,
    settle_targets,
)

X22 = np.array([[0.5, -1.0], [2.0, 0.0]])
LOGITS = np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
LP = np.log(np.full((5, 2, 4), 0.25))  # ctc log_probs (T=5, N=2, C=4)
CTC = {"targets": np.array([[1, 2], [3, 1]]), "input_lengths": np.array([5, 5]), "target_lengths": np.array([2, 2])}


def _ctc(**changes):
    return lambda: ctc_loss(**{"log_probs": LP, **CTC, **changes})


# (label, call that must raise); one or more per raise site.
BACKEND = [
    # losses/validation.py
    ("ragged list", lambda: l1_loss([[1, 2], [3]], X22)),
    ("object array", lambda: l1_loss(np.array([1, None], dtype=object), [1, 2])),
    ("strings, few", lambda: l1_loss([["a", "b"]], X22)),
    ("strings, many", lambda: l1_loss(np.array(["x"] * 9), np.zeros(9))),
    ("fractional class index", lambda: multi_margin_loss(LOGITS, [0.5, 1])),
    ("unknown reduction", lambda: mse_loss(X22, X22, reduction="avg")),
    ("unknown denominator", lambda: relative_mse_loss(X22, X22, denominator="both")),
    ("negative beta", lambda: smooth_l1_loss(X22, X22, beta=-1.0)),
    ("zero delta", lambda: huber_loss(X22, X22, delta=0.0)),
    ("negative gamma", lambda: l0_loss(X22, X22, gamma=-2.0)),
    ("shape mismatch", lambda: dice_loss(X22, np.ones((2, 3)))),
    ("shape not broadcastable", lambda: l1_loss([[1.0, 1.0, 1.0]], X22)),
    ("pos_weight not broadcastable", lambda: binary_cross_entropy_with_logits(X22, X22, pos_weight=[1.0, 2.0, 3.0])),
    ("multilabel target not broadcastable", lambda: multilabel_soft_margin_loss(LOGITS, np.ones((2, 2)))),
    ("multilabel 0-D input", lambda: multilabel_soft_margin_loss(1.0, 1.0)),
    ("BCE target above 1", lambda: binary_cross_entropy([[0.5, 0.5]], [[0.0, 2.0]])),
    ("BCE NaN input", lambda: binary_cross_entropy([[0.5, np.nan]], [[0.0, 1.0]])),
    ("class index out of range", lambda: cross_entropy(LOGITS, [0, 7])),
    ("negative class index", lambda: multi_margin_loss(LOGITS, [-1, 0])),
    ("beta is text", lambda: smooth_l1_loss(X22, X22, beta="a")),
    ("log_target not a bool", lambda: kl_div(X22, X22, log_target="yes")),
    ("eps is None", lambda: poisson_nll_loss(X22, X22, eps=None)),
    # losses/_core.py
    ("grad_output shape", lambda: losses.value_and_grad("l1_loss", X22, X22, reduction="none",
                                                        grad_output=np.ones(3))),
    # losses/activations.py
    ("dim not an integer", lambda: softmax(X22, dim=1.5)),
    ("dim out of range", lambda: softmax(X22, dim=5)),
    # losses/binary.py
    ("weight enlarges the output", lambda: binary_cross_entropy([0.5, 0.5], [0.0, 1.0], weight=np.ones((2, 2)))),
    ("focal alpha", lambda: sigmoid_focal_loss(X22, X22, alpha=2.0)),
    # losses/classification.py
    ("0-D logits", lambda: cross_entropy(1.0, 0)),
    ("boolean target", lambda: nll_loss(LOGITS, np.array([True, False]))),
    ("class-index target shape", lambda: cross_entropy(LOGITS, [0, 1, 2])),
    ("class weight shape", lambda: cross_entropy(LOGITS, [0, 1], weight=[1.0, 2.0])),
    ("ignore_index not an integer", lambda: nll_loss(LOGITS, [0, 1], ignore_index=1.5)),
    ("nll float target of the input's shape", lambda: nll_loss(X22, X22)),
    ("nll float target", lambda: nll_loss(LOGITS, [0.0, 1.0])),
    ("label_smoothing above 1", lambda: cross_entropy(LOGITS, [0, 1], label_smoothing=2.0)),
    ("integer probabilities", lambda: cross_entropy(X22, np.array([[1, 0], [0, 1]]))),
    ("probabilities with ignore_index", lambda: cross_entropy(X22, np.array([[1.0, 0.0], [0.0, 1.0]]),
                                                              ignore_index=1)),
    ("cross_entropy float indices", lambda: cross_entropy(LOGITS, [0.5, 1.0])),
    ("smoothing an unbatched (1,) target", lambda: cross_entropy([1.0, 2.0], np.array([1]), label_smoothing=0.1)),
    # losses/distribution.py
    ("negative float var", lambda: gaussian_nll_loss(X22, X22, -1.0)),
    ("integer var", lambda: gaussian_nll_loss(X22, X22, 1)),
    ("negative var entry", lambda: gaussian_nll_loss(X22, X22, np.array([[1.0, -0.5], [1.0, 1.0]]))),
    ("var shape", lambda: gaussian_nll_loss(X22, X22, np.ones((3, 3)))),
    # losses/landscape.py
    ("landscape index outside", lambda: losses.landscape("l1_loss", {"input": X22, "target": X22}, {},
                                                         x=("input", (5, 5), [0.0]), y=("input", (0, 0), [0.0]))),
    ("landscape target element", lambda: losses.landscape("l1_loss", {"input": X22, "target": X22}, {},
                                                          x=("target", (0, 0), [0.0]), y=("input", (0, 0), [0.0]))),
    ("landscape same element", lambda: losses.landscape("l1_loss", {"input": X22, "target": X22}, {},
                                                        x=("input", (0, 0), [0.0]), y=("input", (0, 0), [0.0]))),
    # losses/pointwise.py
    ("weight shape", lambda: l1_loss(X22, X22, weight=[1.0, 2.0])),
    # losses/ranking.py
    ("margin is text", lambda: hinge_embedding_loss(X22, X22, margin="wide")),
    ("ranking shapes clash", lambda: margin_ranking_loss([1.0, 2.0], [1.0, 2.0, 3.0], [1.0, 1.0])),
    ("ranking ndim differ", lambda: margin_ranking_loss([1.0, 2.0], [[1.0, 2.0]], [1.0, 1.0])),
    ("hinge target shape", lambda: hinge_embedding_loss(X22, np.ones((3, 3)))),
    ("soft margin target larger than input", lambda: soft_margin_loss([1.0, 2.0], X22)),
    ("multilabel_margin 3-D input", lambda: multilabel_margin_loss(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))),
    ("multilabel_margin unbatched target", lambda: multilabel_margin_loss([1.0, 2.0, 3.0], [0, 1])),
    ("multilabel_margin target shape", lambda: multilabel_margin_loss(LOGITS, [[0, 1]])),
    ("multilabel_margin label index", lambda: multilabel_margin_loss(LOGITS, [[0, 5, -1], [1, -1, 0]])),
    ("cosine 2-D target", lambda: cosine_embedding_loss(X22, X22, np.ones((2, 2)))),
    ("cosine input ndim", lambda: cosine_embedding_loss([1.0, 2.0], [1.0, 2.0], [1.0, 1.0])),
    ("cosine batch", lambda: cosine_embedding_loss(X22, X22, [1.0, 1.0, 1.0])),
    ("multi_margin p", lambda: multi_margin_loss(LOGITS, [0, 1], p=3)),
    ("multi_margin target shape", lambda: multi_margin_loss(LOGITS, [0, 1, 2])),
    ("multi_margin weight shape", lambda: multi_margin_loss(LOGITS, [0, 1], weight=[1.0, 1.0])),
    ("triplet margin", lambda: triplet_margin_loss(X22, X22, X22, margin=0.0)),
    # losses/registry.py
    ("unknown loss", lambda: losses.get_spec("l3_loss")),
    # losses/segmentation.py
    ("dice 1-D input", lambda: dice_loss([0.5, 0.5], [1.0, 0.0])),
    ("dice smooth is text", lambda: dice_loss(X22, X22, smooth="a")),
    ("dice negative smooth", lambda: dice_loss(X22, X22, smooth=-1.0)),
    # losses/sequence.py (CTC)
    ("fractional lengths", _ctc(input_lengths=np.array([5.0, 4.5]))),
    ("length count", _ctc(input_lengths=np.array([5, 5, 5]))),
    ("negative length", _ctc(target_lengths=np.array([2, -1]))),
    ("targets rows", _ctc(targets=np.array([[1, 2]]))),
    ("target_lengths above columns", _ctc(target_lengths=np.array([3, 2]))),
    ("concatenated targets", _ctc(targets=np.array([1, 2, 3]))),
    ("empty log_probs", lambda: ctc_loss(np.zeros((0, 2, 4)), **CTC)),
    ("blank not an integer", _ctc(blank=0.5)),
    ("blank out of range", _ctc(blank=9)),
    ("zero_infinity not a bool", _ctc(zero_infinity="yes")),
    ("input_lengths above T", _ctc(input_lengths=np.array([7, 5]))),
    ("1-D log_probs", lambda: ctc_loss(np.zeros(4), **CTC)),
    ("3-D targets", _ctc(targets=np.ones((2, 2, 1), dtype=int))),
    ("CTC label out of range", _ctc(targets=np.array([[1, 9], [3, 1]]))),
    ("CTC blank in targets", _ctc(targets=np.array([[1, 0], [3, 1]]))),
]

CE = losses.get_spec("cross_entropy")
HUBER = losses.get_spec("huber_loss")
L1 = losses.get_spec("l1_loss")
OPTIONS = visual.tensor_elements(L1, {"input": X22, "target": X22})

UI = [
    # ui/text/tensors.py
    ("JSON boolean", lambda: parse_json("input", "[true]")),
    ("JSON string", lambda: parse_json("input", '[[1, "a"]]')),
    ("JSON NaN", lambda: parse_json("input", "[[1, NaN]]")),
    ("JSON Infinity", lambda: parse_json("input", "[[1, Infinity]]")),
    ("JSON fraction for indices", lambda: parse_json("target", "[0, 1.5]", "int")),
    ("JSON ragged", lambda: parse_json("input", "[[1, 2], [3]]")),
    ("JSON too large", lambda: parse_json("input", "[" + ",".join(["1"] * (MAX_ELEMENTS + 1)) + "]")),
    ("JSON too many dims", lambda: parse_json("input", "[[[[[1]]]]]")),
    ("JSON empty", lambda: parse_json("input", "[]")),
    ("JSON broken", lambda: parse_json("input", "[[1,")),
    ("JSON word", lambda: parse_json("input", "hello")),
    ("nested, not numbers", lambda: from_nested("input", [[None, 1]])),
    ("empty cell", lambda: parse_cell("input", "", 2, 1)),
    ("word in a cell", lambda: parse_cell("input", "abc", 1, 2)),
    ("NaN in a cell", lambda: parse_cell("input", "nan", 1, 1)),
    ("fraction in an index cell", lambda: parse_cell("target", "1.5", 1, None, "int")),
    ("cells, too many", lambda: from_cells("input", [[0] * 40] * 30)),
    ("fractional class index target", lambda: settle_targets(CE, {"input": LOGITS, "target": np.array([0.5, 1.0])})),
    # ui/state/urlstate.py
    ("URL reduction", lambda: parse_parameter(HUBER.parameter("reduction"), "avg")),
    ("URL bool", lambda: parse_parameter(losses.get_spec("kl_div").parameter("log_target"), "maybe")),
    ("URL number", lambda: parse_parameter(HUBER.parameter("delta"), "big")),
    ("URL infinite number", lambda: parse_parameter(HUBER.parameter("delta"), "inf")),
    ("URL integer", lambda: parse_parameter(CE.parameter("ignore_index"), "1.5")),
    ("URL range", lambda: parse_parameter(HUBER.parameter("delta"), "-1")),
    # ui/state/viewstate.py (numbers of the curves and landscape links)
    ("view number", lambda: viewstate.read_number("grid", "lots", 2, 201, True)),
    ("view infinite", lambda: viewstate.read_number("lr", "nan", 1e-6, 1e3)),
    ("view integer", lambda: viewstate.read_number("steps", "2.5", 0, 100, True)),
    ("view range", lambda: viewstate.read_number("steps", "5000", 0, 100, True)),
    # ui/compute/visual.py (element names of the landscape and curves links)
    ("element syntax", lambda: visual.parse_element("x", "banana(", OPTIONS)),
    ("element outside", lambda: visual.check_element("x", ("input", (5, 5)), OPTIONS)),
    ("element of another argument", lambda: visual.check_element("y", ("weight", (0,)), OPTIONS)),
    # ui/state/editor.py (the shape picker)
    ("shape text", lambda: editor._parse_shape("two, three")),
    ("shape size 0", lambda: editor._parse_shape("2, 0")),
    ("shape too large", lambda: editor._parse_shape("64, 64")),
    ("shape rank", lambda: editor._parse_shape("1, 1, 1, 1, 1")),
    # ui/figures/reference.py
    ("a single prediction element", lambda: reference._partner(L1, {"input": np.ones(1)}, "input", (0,))),
    # the hardening pass: request limits, numbers beyond float64, whole-number fields
    ("cell beyond float64", lambda: parse_cell("input", "1e400", 0, 1)),
    ("tensors too large together", lambda: check_total({"input": np.ones(MAX_ELEMENTS), "target": np.ones(MAX_ELEMENTS),
                                                        "weight": np.ones(1)})),
    ("view not a whole number", lambda: viewstate.read_number("points", "many", 101, 1001, integer=True)),
]


# Refusals that are returned or built inline rather than raised by a function we can call alone.
BUILT = [
    ("missing tensor", lambda: visual.accepts("l1_loss", {"input": X22}, {})),
    ("unknown URL key", lambda: read_loss_state({"loss": "l1_loss", "reductoin": "sum"}, "l1_loss")[3][0]),
    ("unknown loss in a link", lambda: read_loss_state({"loss": "l3_loss"}, "l1_loss")[3][0]),
    # pages/curves.py, pages/examples.py and pages/reference.py build these as shown there
    ("curves 'with'", lambda: TensorInputError("choice", "with", repr("l3_loss"), list(losses.REGISTRY), "")),
    ("examples 'note'", lambda: TensorInputError("choice", "note", repr("n9"), ("all", "n1", "n2"), "")),
    ("examples unknown key", lambda: TensorInputError("unknown_key", "x", repr("x"), ["lang", "note"], "")),
]


def _refusal(label, call) -> LossInputError:
    try:
        result = call()
    except LossInputError as exc:
        return exc
    assert isinstance(result, LossInputError), f"{label}: nothing was refused"
    return result


CORPUS = BACKEND + UI + BUILT

# Names that are code wherever they appear: every argument, parameter, loss id and URL key.
CODE_NAMES = (
    {a.name for s in losses.SPECS for a in s.arguments}
    | {p.name for s in losses.SPECS for p in s.parameters}
    | set(losses.REGISTRY)
    | {"loss", "lang", "note", "with", "el", "span", "points", "grid", "lr", "steps", "shape", "dim", "grad_output"}
    | {"none", "mean", "sum", "true", "false", "True", "False", "None", "NaN", "nan", "inf", "Infinity"}
    | {"JSON", "Loss", "Lab", "PyTorch"}
)


def english_left(text: str, exc: LossInputError) -> list[str]:
    """Latin words of three or more letters that are not code."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", " ", text)  # quoted literals: 'avg', 'l3_loss'
    for item in exc.allowed if isinstance(exc.allowed, (list, tuple)) else ():
        text = text.replace(str(item), " ")  # listed choices are code (element names, keys, values)
    text = re.sub(r"[A-Za-z_]\w*\(|[A-Za-z_]\w*\[[^\]]*\]", " ", text, flags=re.ASCII)  # calls, elements
    text = re.sub(r"\b\w*[_\d]\w*\b", " ", text, flags=re.ASCII)  # identifiers, numbers, dtype names
    words = re.findall(r"[A-Za-z]{3,}", text)
    return [w for w in words if w not in CODE_NAMES and w != exc.argument]


@pytest.mark.parametrize("label, call", CORPUS, ids=[label for label, _ in CORPUS])
def test_chinese_message_has_no_english_prose(label, call):
    exc = _refusal(label, call)
    zh = describe(exc, "zh")
    assert not english_left(zh, exc), zh


@pytest.mark.parametrize("label, call", CORPUS, ids=[label for label, _ in CORPUS])
def test_english_message_names_the_argument_and_what_was_found(label, call):
    exc = _refusal(label, call)
    en = describe(exc, "en")
    if exc.code == "unknown_key" or exc.argument == "loss":  # the link's message names only the value
        assert str(exc.found) in en, en
        return
    assert f"`{exc.argument}`" in en, en
    if exc.code not in ("empty", "ragged"):  # those two messages say what was found in their own words
        assert str(exc.found) in en, en


def test_the_corpus_covers_every_code():
    codes = {_refusal(label, call).code for label, call in CORPUS}
    assert codes == {"not_numeric", "not_finite", "ragged", "json", "empty", "too_large", "ndim", "dtype", "shape",
                     "choice", "range", "class_index", "lengths", "unsupported", "unknown_key", "overflow",
                     "too_large_total", "not_whole"}


def test_checker_sees_english():
    """The check can fail: an English phrase that no catalog entry matches is reported."""
    exc = LossInputError("shape", "target", "(3,)", "something nobody translated")
    assert english_left(describe(exc, "zh"), exc) == ["something", "nobody", "translated"]


def test_internal_errors_are_described_not_raised():
    exc = LossInputError("internal", "l1_loss", "ZeroDivisionError", "", "division by zero")
    assert "division by zero" in describe(exc, "zh")
