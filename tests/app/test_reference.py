"""/reference in AppTest: every loss and concept page in both languages, the index, and bad links."""

from urllib.parse import parse_qs

import pytest

import losses
from tests.app.apptest import open_page, texts
from ui.text import content
from ui.text.i18n import LANGS, translate

REFERENCE = "pages/reference.py"
IDS = [spec.id for spec in losses.SPECS]


def metric_labels(at) -> list[str]:
    return [m.label for m in at.metric]


def links(at) -> list:
    return [el.proto for el in at.get("page_link")]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("loss_id", IDS)
def test_every_loss_page_renders(loss_id, lang):
    at = open_page(REFERENCE, lang, loss=loss_id)
    assert not at.exception, at.exception
    spec = losses.get_spec(loss_id)
    doc = content.load("loss", loss_id, lang)
    assert doc.title in [el.value for el in at.title]
    shown = texts(at)
    first_section = content.SECTIONS[lang][0]
    assert f"## {first_section}" in shown
    # the live value: a metric computed by the backend, and torch's beside it
    labels = metric_labels(at)
    scalar = spec.family != "activation" and spec.example.get("reduction", spec.defaults().get("reduction")) != "none"
    if scalar:
        assert translate(lang, "reference.value") in shown
        assert labels[0] == translate(lang, "reference.ours")
        assert at.metric[0].value == at.metric[1].value  # torch agrees to the digits shown
    else:
        assert translate(lang, "reference.output", shape="\0").split("\0")[0] in shown
    assert any("PyTorch" in label for label in labels), labels
    assert not at.error, [e.value for e in at.error]
    # open in the playground, with the example and the language
    playground = [p for p in links(at) if p.page.endswith("playground")]
    assert len(playground) == 1
    query = parse_qs(playground[0].query_string)
    assert query["loss"] == [loss_id] and query["lang"] == [lang]
    assert {p.page.rsplit("/", 1)[-1] for p in links(at)} >= {"playground", "curves", "landscape"}
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("concept", content.CONCEPTS)
def test_every_concept_page_renders(concept, lang):
    at = open_page(REFERENCE, lang, concept=concept)
    assert not at.exception, at.exception
    doc = content.load("concept", concept, lang)
    assert doc.title in [el.value for el in at.title]
    body = "\n".join(str(el.value) for el in at.markdown)
    assert f"&amp;lang={lang}\" target=\"_self\"" in body or "/reference?" not in doc.body
    for other in content.CONCEPTS:
        if other != concept:
            assert f'href="/reference?concept={other}&amp;lang={lang}"' in body


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_lists_every_loss_concept_and_term(lang):
    at = open_page(REFERENCE, lang)
    assert not at.exception
    assert translate(lang, "reference.title") in [el.value for el in at.title]
    labels = [p.label for p in links(at)]
    for spec in losses.SPECS:
        assert any(spec.title[lang] in label for label in labels), spec.id
        if spec.torch_class:
            assert any(spec.torch_class in label for label in labels), spec.id
    for concept in content.CONCEPTS:
        assert content.load("concept", concept, lang).title in labels
    assert all(parse_qs(p.query_string)["lang"] == [lang] for p in links(at))
    table = at.get("table")
    assert len(table) == 1
    shown = str(table[0].proto)
    for term in content.glossary()[:5]:
        assert term["en"] in shown


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key, value, message", [("loss", "l2_loss", "reference.unknown_loss"),
                                                 ("concept", "entropy", "reference.unknown_concept")])
def test_an_unknown_page_says_so_and_shows_the_index(lang, key, value, message):
    at = open_page(REFERENCE, lang, **{key: value})
    assert not at.exception
    assert translate(lang, message, found=f"`{value}`") in [w.value for w in at.warning]
    assert translate(lang, "reference.title") in [el.value for el in at.title]
    assert len(links(at)) >= len(IDS)


def test_an_unknown_link_key_is_reported_and_the_page_still_renders():
    at = open_page(REFERENCE, "en", loss="mse_loss", colour="red")
    assert not at.exception
    assert any("colour" in w.value for w in at.warning)
    assert translate("en", "reference.ours") in metric_labels(at)


def test_the_language_switch_keeps_the_page():
    at = open_page(REFERENCE, "en", loss="kl_div")
    at.sidebar.segmented_control(key="lang_widget").set_value("zh").run()
    assert not at.exception
    assert content.load("loss", "kl_div", "zh").title in [el.value for el in at.title]
    assert at.query_params["lang"] in ("zh", ["zh"])
    assert at.query_params["loss"] in ("kl_div", ["kl_div"])


def test_the_home_page_links_every_concept():
    for lang in LANGS:
        at = open_page("pages/home.py", lang)
        assert not at.exception
        concept_links = [p for p in links(at) if "concept=" in p.query_string]
        assert sorted(parse_qs(p.query_string)["concept"][0] for p in concept_links) == sorted(content.CONCEPTS)
        assert translate(lang, "home.concepts_title") in texts(at)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("concept", ["class-imbalance", "pairs-and-triplets"])
def test_concept_pages_show_numbers_computed_on_this_run(concept, lang, monkeypatch):
    """The live calls of a page are replaced by the backend's numbers when the page runs, not stored."""
    at = open_page(REFERENCE, lang, concept=concept)
    assert not at.exception, at.exception
    shown = texts(at)
    assert "{{" not in shown and "<!-- let" not in shown
    real = losses.value_and_grad
    monkeypatch.setattr(losses, "value_and_grad", lambda name, **kw: (real(name, **kw)[0] * 0 + 123.25,
                                                                      real(name, **kw)[1]))
    again = texts(open_page(REFERENCE, lang, concept=concept))
    assert "123.2" in again and "123.2" not in shown
