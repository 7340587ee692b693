"""/lesson under AppTest: every step of every lesson in both languages, numbers from this run's backend, bad links."""

from urllib.parse import parse_qsl

import numpy as np
import pytest

from tests.app.apptest import open_page, texts
from ui.compute import runner
from ui.figures.common import short
from ui.text import lessons
from ui.text.errors import describe
from ui.text.i18n import LANGS, translate

LESSON = "pages/lesson.py"
STEPS = [(lesson.id, number) for lesson in lessons.all_lessons() for number in range(1, len(lesson.steps) + 1)]
OFFSET = 1000.125  # what the watched backend adds to every value: a stored number could not know it


def watch_backend(monkeypatch) -> list:
    """Route the page's backend calls through a wrapper that records them and shifts every value."""
    calls = []
    real = runner.run_backend

    def shifted(loss_id, tensors, params):
        outcome = real(loss_id, tensors, params)
        if outcome.ok:
            outcome.value = np.asarray(outcome.value) + OFFSET
        calls.append(outcome)
        return outcome

    monkeypatch.setattr(runner, "run_backend", shifted)
    return calls


def shown_value(outcome) -> str:
    value = np.asarray(outcome.value, dtype=np.float64)
    return short(float(value) if value.ndim == 0 else float(value.sum()), 6)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("lesson_id, number", STEPS)
def test_every_step_renders_a_number_computed_on_this_run(lesson_id, number, lang, monkeypatch):
    calls = watch_backend(monkeypatch)
    at = open_page(LESSON, lang, lesson=lesson_id, step=str(number))
    assert not at.exception
    step = lessons.find(lesson_id).steps[number - 1]
    assert at.subheader[0].value == step.title[lang]
    shown = texts(at)
    assert step.note[lang].split("$")[0][:30] in shown and step.question[lang][:30] in shown
    assert len(calls) == 1, "one backend call per step"
    outcome = calls[0]
    if step.refused:
        assert not outcome.ok
        assert describe(outcome.error, lang) in [e.value for e in at.error]
    else:
        assert outcome.ok, outcome.error
        backend_label = translate(lang, "playground.backend_value")
        value = next(m.value for m in at.metric if m.label.startswith(backend_label))
        assert value == shown_value(outcome)  # the shifted number: computed now, not stored anywhere
        assert at.latex, "the worked arithmetic is shown"
        charts = at.get("plotly_chart")
        assert len(charts) == len(outcome.grads) + (step.page == "curves"), "gradients, and a curves step's curves"
    assert not at.warning, [w.value for w in at.warning]


@pytest.mark.parametrize("lang", LANGS)
def test_previous_and_next_walk_the_lesson(lang):
    lesson = lessons.all_lessons()[0]
    at = open_page(LESSON, lang, lesson=lesson.id, step="1")
    assert at.button(key="lesson_prev").disabled
    at.button(key="lesson_next").click().run()
    assert not at.exception
    assert at.query_params["step"] in ("2", ["2"])
    assert at.subheader[0].value == lesson.steps[1].title[lang]
    at.button(key="lesson_prev").click().run()
    assert at.subheader[0].value == lesson.steps[0].title[lang]
    last = open_page(LESSON, lang, lesson=lesson.id, step=str(len(lesson.steps)))
    assert last.button(key="lesson_next").disabled


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_lesson_the_page_lists_them(lang):
    at = open_page(LESSON, lang)
    assert not at.exception and not at.error
    shown = texts(at)
    for lesson in lessons.all_lessons():
        assert lesson.title[lang] in shown
    assert len(lessons.all_lessons()) >= 4


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_lesson_gets_a_message_and_the_list(lang):
    at = open_page(LESSON, lang, lesson="no-such-lesson")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "no-such-lesson" in errors[0]
    assert errors[0].startswith(translate(lang, "lesson.unknown", found="no-such-lesson", known="")[:8])
    assert all(lesson.title[lang] in texts(at) for lesson in lessons.all_lessons())


@pytest.mark.parametrize("step", ["0", "99", "two", "1.5", "-1", ""])
@pytest.mark.parametrize("lang", LANGS)
def test_a_bad_step_gets_a_message_and_the_first_step(step, lang):
    lesson = lessons.all_lessons()[1]
    at = open_page(LESSON, lang, lesson=lesson.id, step=step)
    assert not at.exception
    expected = translate(lang, "lesson.bad_step", found=step, count=len(lesson.steps))
    assert [e.value for e in at.error] == [expected]
    assert at.subheader[0].value == lesson.steps[0].title[lang]
    assert at.metric, "the first step is computed as usual"


@pytest.mark.parametrize("lesson_id, number", STEPS[::5])
def test_the_step_link_opens_the_full_page_in_that_state(lesson_id, number):
    step = lessons.find(lesson_id).steps[number - 1]
    at = open_page(LESSON, "zh", lesson=lesson_id, step=str(number))
    links = [link for link in at.get("page_link") if link.proto.page == step.page]
    assert len(links) == 1, [link.proto.page for link in at.get("page_link")]
    assert dict(parse_qsl(links[0].proto.query_string)) == {"lang": "zh", **step.state}


@pytest.mark.parametrize("lesson_id, number", STEPS)
def test_each_step_state_opens_its_page_without_a_link_problem(lesson_id, number):
    step = lessons.find(lesson_id).steps[number - 1]
    at = open_page(step.page_path, "en", **step.state)
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    if not step.refused:
        assert not at.error, [e.value for e in at.error]
