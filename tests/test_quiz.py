"""The quiz generator: deterministic per seed, every kind well formed, right answers that torch confirms,
and no loss named by a literal in the classroom code (everything is read from the registry)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import losses
from ui.compute import quiz
from ui.compute.runner import run_backend
from ui.compute.torch_reference import value_and_grad as torch_value_and_grad
from ui.text.i18n import LANGS
from ui.text.tensors import TensorInputError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(25)
CLASSROOM_FILES = ["pages/lesson.py", "pages/quiz.py", "ui/compute/quiz.py", "ui/state/live.py",
                   "ui/state/predict.py", "ui/text/lessons.py", "ui/text/calltext.py"]


def test_a_seed_fixes_the_quiz_in_both_languages():
    for seed in (0, 7, 2**31 - 1):
        en, zh = quiz.generate(seed, "en"), quiz.generate(seed, "zh")
        assert [q.kind for q in en] == list(quiz.KINDS)
        again = [quiz.question(seed, kind, "en") for kind in quiz.KINDS]
        assert [(q.prompt, q.choices, q.answer, q.call) for q in again] == \
               [(q.prompt, q.choices, q.answer, q.call) for q in en]
        assert [(q.answer, q.call, q.link) for q in en] == [(q.answer, q.call, q.link) for q in zh]
        assert [q.prompt for q in en] != [q.prompt for q in zh]


def test_different_seeds_give_different_quizzes():
    quizzes = {tuple((q.call, q.answer) for q in quiz.generate(seed, "en")) for seed in SEEDS}
    assert len(quizzes) == len(SEEDS)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_question_is_well_formed(seed):
    for q in quiz.generate(seed, "en"):
        assert q.prompt and q.explanation and q.shown_answer
        if q.numeric:
            assert q.tolerance > 0 and np.isfinite(q.answer)
            assert q.is_right(str(q.answer)) and not q.is_right(str(q.answer + 10 * q.tolerance + 1))
        else:
            assert len(set(q.choices)) == len(q.choices) >= 3, q.choices
            assert 0 <= q.answer < len(q.choices)
            assert q.choices[q.answer] == q.shown_answer or q.shown_answer.strip("'") == q.choices[q.answer]
            assert q.is_right(q.answer) and not q.is_right((q.answer + 1) % len(q.choices))
        page, query = q.link
        assert page.startswith("pages/") and query["loss"] in losses.REGISTRY


def linked(q):
    """The backend's outcome for the state a question links to (the playground reads the same query)."""
    from ui.state.urlstate import read_loss_state

    loss_id, tensors, params, errors = read_loss_state(q.link[1], losses.SPECS[0].id)
    assert not errors, errors
    return loss_id, tensors, params, run_backend(loss_id, tensors, params)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_right_value_is_the_linked_states_value(seed):
    by_kind = {q.kind: q for q in quiz.generate(seed, "en")}
    for kind in ("value_choice", "batchmean"):
        q = by_kind[kind]
        *_, outcome = linked(q)
        assert quiz.show(outcome.value) == q.choices[q.answer]
    q = by_kind["reduction"]
    _, _, params, outcome = linked(q)
    assert params["reduction"] == q.choices[q.answer] and f"returns {quiz.show(outcome.value)}." in q.prompt
    q = by_kind["value_number"]
    *_, outcome = linked(q)
    assert abs(float(outcome.value) - q.answer) < 1e-12


def torch_outcome(loss_id, tensors, params) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, _ = torch_value_and_grad(loss_id, {**tensors, **params})
    return np.asarray(value)


@pytest.mark.parametrize("seed", range(8))
def test_torch_2_13_returns_the_edge_case_answers(seed):
    pytest.importorskip("torch")
    by_kind = {q.kind: q for q in quiz.generate(seed, "en")}
    for kind in ("clamp", "impossible", "batchmean"):
        q = by_kind[kind]
        loss_id, tensors, params, _ = linked(q)
        value = torch_outcome(loss_id, tensors, params)
        first = value.flat[0] if value.ndim else value
        assert quiz.show(first) == q.choices[q.answer], (kind, value, q.choices, q.answer)


def test_gradient_sign_answers_match_the_backend():
    for seed in SEEDS:
        q = quiz.question(seed, "gradient_sign", "en")
        _, _, _, outcome = linked(q)
        index = tuple(int(i) for i in re.findall(r"\d+", q.prompt.split("input[")[1].split("]")[0]))
        g = float(outcome.grads["input"][index])
        assert q.answer == (0 if g > 0 else 1 if g < 0 else 2)


def test_accepts_reads_the_argument_domains():
    for kind in quiz.TARGET_KINDS:
        yes = {s.id for s in quiz.loss_specs() if quiz.takes(s, kind)}
        assert yes and len(yes) < len(quiz.loss_specs())
    probability_takers = {s.id for s in quiz.loss_specs() if quiz.takes(s, "probability")}
    index_takers = {s.id for s in quiz.loss_specs() if quiz.takes(s, "class_index")}
    assert probability_takers & index_takers, "a loss that accepts both (cross-entropy since torch 1.10)"
    for seed in SEEDS:
        q = quiz.question(seed, "accepts", "en")
        kind = next(k for k in quiz.TARGET_KINDS if quiz.translate("en", f"quiz.target_{k}") in q.prompt)
        specs = {quiz.name(s, "en"): s for s in quiz.loss_specs()}
        verdicts = [quiz.takes(specs[choice], kind) for choice in q.choices]
        assert verdicts.count(True) == 1 and verdicts[q.answer]


def test_outlier_answer_moves_least():
    for seed in SEEDS:
        q = quiz.question(seed, "outlier", "en")
        moves = dict(part.rsplit(": ", 1) for part in q.explanation.split(": ", 1)[1].rstrip(".").split("; "))
        sizes = {name: abs(float(v.replace("−", "-"))) for name, v in moves.items()}
        assert min(sizes, key=sizes.get) == q.choices[q.answer]


@pytest.mark.parametrize("text", ["abc", "", "1..2", "nan", "inf", "1e999", "--1"])
def test_non_numbers_are_refused(text):
    with pytest.raises(TensorInputError):
        quiz.read_guess(text)


@pytest.mark.parametrize("text, value", [("0.75", 0.75), (" 2 ", 2.0), ("0,5", 0.5), ("−1.5", -1.5), ("1e-3", 1e-3)])
def test_numbers_are_read(text, value):
    assert quiz.read_guess(text) == value


@pytest.mark.parametrize("text", ["-1", "abc", "1.5", "2147483648", "", "1e3", " ", "１２", "٣"])
def test_malformed_seeds_are_refused(text):
    with pytest.raises(TensorInputError):
        quiz.read_seed(text)


def test_no_loss_id_literal_in_the_classroom_code():
    ids = "|".join(re.escape(i) for i in sorted(losses.REGISTRY, key=len, reverse=True))
    literal = re.compile(rf"""["']({ids})["']""")
    for path in CLASSROOM_FILES:
        found = literal.findall((ROOT / path).read_text(encoding="utf-8"))
        assert not found, f"{path} names losses {found}: read them from the registry"


def test_the_literal_check_would_catch_one():
    ids = "|".join(re.escape(i) for i in losses.REGISTRY)
    assert re.search(rf"""["']({ids})["']""", f'spec = get_spec("{losses.SPECS[0].id}")')


@pytest.mark.parametrize("lang", LANGS)
def test_every_quiz_string_exists_in_both_languages(lang):
    from ui.text.i18n import catalog

    keys = {k for k in catalog("en") if k.startswith(("quiz.", "lesson.", "predict."))}
    assert keys and keys <= set(catalog(lang))
