"""The playground's guess-first switch under AppTest, in both languages: hidden until a guess, then the value,
the gap, the arithmetic and the gradients; a non-numeric guess reveals nothing; a new state asks again."""

import pytest

import losses
from tests.app.apptest import open_page
from ui.compute.quiz import show, signed
from ui.compute.runner import run_backend
from ui.state.urlstate import example_arrays, example_parameters
from ui.text.i18n import LANGS, translate

PG = "pages/playground.py"


def guess_box(at):
    boxes = [w for w in at.text_input if w.key.startswith("pg__guess_")]
    assert len(boxes) <= 1
    return boxes[0] if boxes else None


def charts(at) -> int:
    return len(at.get("plotly_chart"))


def downloads(at) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def backend_metric(at, lang):
    label = translate(lang, "playground.backend_value")
    return [m.value for m in at.metric if m.label.startswith(label)]


@pytest.fixture(autouse=True)
def widget_labels_in_the_pages_language(request, monkeypatch):
    """AppTest formats each selectbox's value with the widget's own format_func between runs, outside the
    script, where the session's language cannot be read (ui.state.page.lang falls back to English); the
    editors' fill picker translates its labels through it, so a rerun in Chinese would not find its option."""
    lang = request.node.callspec.params.get("lang", "en") if hasattr(request.node, "callspec") else "en"
    from ui.state import page

    monkeypatch.setattr(page, "lang", lambda: lang)


def switch_on(lang, **query):
    at = open_page(PG, lang, **query)
    assert backend_metric(at, lang) and at.latex and charts(at) and at.table
    at.toggle(key="pg__guess_first_widget").set_value(True).run()
    assert not at.exception
    return at


def assert_hidden(at, lang):
    assert not backend_metric(at, lang)
    assert not at.latex and charts(at) == 0 and not at.table
    assert guess_box(at) is not None
    # the gradients' CSV and the comparison table's would give the answer away before the guess
    assert translate(lang, "download.tensors") in downloads(at)
    assert translate(lang, "download.gradients") not in downloads(at)
    assert translate(lang, "download.comparison") not in downloads(at)


@pytest.mark.parametrize("lang", LANGS)
def test_the_switch_hides_value_and_gradients_until_a_guess(lang):
    at = switch_on(lang)
    assert_hidden(at, lang)
    assert translate(lang, "predict.waiting") in [i.value for i in at.info]
    guess_box(at).input("0.5").run()
    assert not at.exception
    spec = losses.SPECS[0]
    value = float(run_backend(spec.id, example_arrays(spec), example_parameters(spec)).value)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate(lang, "predict.guess")] == "0.5"
    assert metrics[translate(lang, "predict.gap")] == signed(0.5 - value)
    assert backend_metric(at, lang) and at.latex and charts(at) and at.table
    assert translate(lang, "download.gradients") in downloads(at)
    assert translate(lang, "predict.far", value=show(value)) in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", LANGS)
def test_a_close_guess_is_praised(lang):
    spec = losses.SPECS[0]
    value = float(run_backend(spec.id, example_arrays(spec), example_parameters(spec)).value)
    at = switch_on(lang)
    guess_box(at).input(repr(value * 1.01)).run()
    assert translate(lang, "predict.close", value=show(value)) in [c.value for c in at.caption]


@pytest.mark.parametrize("bad", ["abc", "1/2"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_non_numeric_guess_gets_a_message_and_reveals_nothing(bad, lang):
    at = switch_on(lang)
    editors_before = [(e.key, e.value) for e in at.text_input if not e.key.startswith("pg__guess_")]
    guess_box(at).input(bad).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [translate(lang, "predict.not_number", found=bad)]
    assert_hidden(at, lang)
    assert [(e.key, e.value) for e in at.text_input if not e.key.startswith("pg__guess_")] == editors_before
    assert at.selectbox(key="pg__loss_widget").value == losses.SPECS[0].id


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_state_asks_for_a_new_guess(lang):
    at = switch_on(lang)
    guess_box(at).input("1").run()
    assert backend_metric(at, lang)
    other = next(s for s in losses.SPECS[1:] if s.family == losses.SPECS[0].family)
    at.selectbox(key="pg__loss_widget").set_value(other.id).run()
    assert not at.exception
    assert_hidden(at, lang)
    assert guess_box(at).value == ""


@pytest.mark.parametrize("lang", LANGS)
def test_switch_off_shows_everything_as_before(lang):
    at = switch_on(lang)
    at.toggle(key="pg__guess_first_widget").set_value(False).run()
    assert backend_metric(at, lang) and at.latex and charts(at) and at.table
    assert guess_box(at) is None


def test_guessing_stays_on_through_a_refused_state():
    at = switch_on("en")
    at.query_params["target"] = "[[1,1,1]]"  # a link to a state the backend refuses: no value to guess
    at.run()
    assert not at.exception
    assert at.error and not backend_metric(at, "en") and guess_box(at) is None
    at.query_params["target"] = "[[0,1],[2,4]]"
    at.run()
    assert not at.exception
    assert_hidden(at, "en")
