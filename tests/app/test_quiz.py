"""/quiz under AppTest: each kind answered right and wrong in both languages, the score, seeds, bad input."""

import pytest

from tests.app.apptest import open_page, texts
from ui.compute import quiz
from ui.text.i18n import LANGS, translate

QUIZ = "pages/quiz.py"
SEED = 2024


def answer(at, seed: int, index: int, question, right: bool):
    key = f"quiz_{seed}_{index}"
    if question.numeric:
        value = question.answer if right else question.answer + 10 * question.tolerance + 1
        at.text_input(key=key).input(repr(float(value))).run()
    else:
        choice = question.answer if right else (question.answer + 1) % len(question.choices)
        at.radio(key=key).set_value(choice).run()
    assert not at.exception
    return at


def score(at) -> str:
    return at.metric[0].value


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", quiz.KINDS)
def test_each_kind_gives_the_right_feedback(kind, lang):
    questions = quiz.generate(SEED, lang)
    index = quiz.KINDS.index(kind)
    question = questions[index]
    at = open_page(QUIZ, lang, seed=str(SEED))
    assert not at.exception and not at.success and not at.error
    assert question.prompt in texts(at)
    answer(at, SEED, index, question, right=True)
    assert [s.value for s in at.success] == [f"{translate(lang, 'quiz.right')} {question.explanation}"]
    assert not at.error
    links = [link for link in at.get("page_link") if translate(lang, "quiz.explain") == link.proto.label]
    assert len(links) == 1 and question.link[1]["loss"] in links[0].proto.query_string
    answer(at, SEED, index, question, right=False)
    wrong = translate(lang, "quiz.wrong", answer=question.shown_answer)
    assert [e.value for e in at.error] == [f"{wrong} {question.explanation}"]
    assert not at.success
    # the first answer is the one that counts
    assert score(at) == translate(lang, "quiz.score_value", right=1, answered=1)


@pytest.mark.parametrize("lang", LANGS)
def test_all_right_scores_full_marks(lang):
    questions = quiz.generate(SEED + 1, lang)
    at = open_page(QUIZ, lang, seed=str(SEED + 1))
    for i, question in enumerate(questions):
        answer(at, SEED + 1, i, question, right=True)
    assert len(at.success) == len(questions) and not at.error
    assert score(at) == translate(lang, "quiz.score_value", right=len(questions), answered=len(questions))
    assert at.metric[0].label == translate(lang, "quiz.score", total=len(questions))


def test_the_same_seed_gives_the_same_questions():
    first = open_page(QUIZ, "en", seed="77")
    second = open_page(QUIZ, "en", seed="77")
    other = open_page(QUIZ, "en", seed="78")
    prompts = [m.value for m in first.markdown]
    assert prompts == [m.value for m in second.markdown]
    assert [c.value for c in first.code] == [c.value for c in second.code]
    assert [c.value for c in first.code] != [c.value for c in other.code]
    assert len(first.radio) + len(first.text_input) == len(quiz.KINDS)


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_seed_the_url_gets_one(lang):
    at = open_page(QUIZ, lang)
    assert not at.exception and not at.error
    seed = at.query_params["seed"]
    seed = seed[0] if isinstance(seed, list) else seed
    assert quiz.read_seed(seed) >= 0
    assert translate(lang, "quiz.seed", seed=seed) in texts(at)


def test_new_quiz_changes_the_seed():
    at = open_page(QUIZ, "en", seed="5")
    before = [c.value for c in at.code]
    at.button(key="quiz_new").click().run()
    assert not at.exception
    seed = at.query_params["seed"]
    assert (seed[0] if isinstance(seed, list) else seed) != "5"
    assert [c.value for c in at.code] != before


@pytest.mark.parametrize("bad", ["abc", "-3", "1.5", "99999999999", "１２"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_malformed_seed_gets_a_message_and_a_working_quiz(bad, lang):
    at = open_page(QUIZ, lang, seed=bad)
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and bad in errors[0]
    seed = at.query_params["seed"]
    seed = int(seed[0] if isinstance(seed, list) else seed)
    assert errors[0] == translate(lang, "quiz.bad_seed", found=bad, seed=seed)
    assert len(at.radio) + len(at.text_input) == len(quiz.KINDS)
    assert quiz.generate(seed, lang)[0].prompt in texts(at)


@pytest.mark.parametrize("lang", LANGS)
def test_a_non_numeric_answer_gets_a_message_and_no_verdict(lang):
    index = next(i for i, q in enumerate(quiz.generate(SEED, lang)) if q.numeric)
    at = open_page(QUIZ, lang, seed=str(SEED))
    at.text_input(key=f"quiz_{SEED}_{index}").input("one point five").run()
    assert not at.exception
    assert [w.value for w in at.warning] == [translate(lang, "quiz.not_number", found="one point five")]
    assert not at.success and not at.error
    assert score(at) == translate(lang, "quiz.score_value", right=0, answered=0)
