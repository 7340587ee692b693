"""A loss added to the registry alone reaches every page, the worked arithmetic and the content check.

The throwaway spec is the L1 loss under a new id, title and reference (its numpy function is L1's, so the
numbers are known), added by monkeypatching the registry: no page, ui module or locale file is touched.  Its
two content pages are written into a copy of content/ for the reference page; the content check then passes
for it, and fails once a page is missing, so a new loss cannot skip its explanation.
"""

from __future__ import annotations

import dataclasses
import shutil

import numpy as np
import pytest
import streamlit as st

import losses
import losses.registry
from tests.app.apptest import open_page, texts
from ui.compute.runner import run_backend
from ui.state.lossform import loss_label
from ui.state.urlstate import example_arrays, example_parameters
from ui.text import content
from ui.text.numbers import short

THROWAWAY = "throwaway_loss"


@pytest.fixture
def throwaway(monkeypatch, tmp_path):
    base = losses.DEFAULT_SPEC
    spec = dataclasses.replace(base, id=THROWAWAY, title={"en": "Throwaway loss", "zh": "临时损失"},
                               reference="tests/test_throwaway_spec.py", notes_order=None)
    specs = (*losses.SPECS, spec)
    registry = {s.id: s for s in specs}
    for module in (losses, losses.registry):
        monkeypatch.setattr(module, "SPECS", specs)
        monkeypatch.setattr(module, "REGISTRY", registry)
    # its explanation, in a copy of content/, as a writer would add it (the base loss's text, retitled)
    copy = tmp_path / "content"
    shutil.copytree(content.CONTENT, copy)
    for lang in ("en", "zh"):
        text = content.path_for("loss", base.id, lang).read_text(encoding="utf-8")
        title = spec.title[lang]
        (copy / lang / f"{THROWAWAY}.md").write_text(f"# {title}\n" + text.split("\n", 1)[1], encoding="utf-8")
    monkeypatch.setattr(content, "CONTENT", copy)
    content.load.cache_clear()
    yield spec
    # nothing computed while the throwaway existed may outlive it (the pages' caches are per process)
    content.load.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    loss_label.cache_clear()


def no_exception(at):
    assert not at.exception, at.exception[0].message if at.exception else ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_playground_computes_and_writes_it_out(throwaway, lang):
    at = open_page("pages/playground.py", lang=lang, loss=THROWAWAY)
    no_exception(at)
    picker = at.selectbox(key="pg__loss_widget")
    assert picker.value == THROWAWAY
    assert any(throwaway.title[lang] in option for option in picker.options)  # listed under its family
    expected = run_backend(THROWAWAY, example_arrays(throwaway), example_parameters(throwaway))
    assert expected.ok
    assert r"\ell_i" in texts(at)  # the worked arithmetic, found through spec.worked
    assert short(expected.value) in [m.value for m in at.metric]


@pytest.mark.parametrize("page", ["pages/curves.py", "pages/landscape.py"])
def test_curves_and_landscape_draw_it(throwaway, page):
    at = open_page(page, loss=THROWAWAY)
    no_exception(at)
    assert at.get("plotly_chart"), f"{page} drew no chart for the throwaway loss"
    prefix = {"pages/curves.py": "cv", "pages/landscape.py": "ls"}[page]
    assert at.selectbox(key=f"{prefix}__loss_widget").value == THROWAWAY


def test_the_curves_page_can_overlay_it(throwaway):
    at = open_page("pages/curves.py", loss=losses.DEFAULT_SPEC.id)
    no_exception(at)
    assert throwaway.title["en"] in at.multiselect(key="cv_with").options


def test_the_reference_shows_its_explanation(throwaway):
    at = open_page("pages/reference.py", loss=THROWAWAY)
    no_exception(at)
    assert throwaway.title["en"] in texts(at)


def test_the_content_check_covers_it(throwaway):
    import tests.test_content as check

    check.test_every_registry_id_has_a_page_in_both_languages(THROWAWAY)
    check.test_loss_pages_follow_the_skeleton_in_both_languages(THROWAWAY)
    (content.CONTENT / "zh" / f"{THROWAWAY}.md").unlink()
    with pytest.raises(AssertionError, match=THROWAWAY):
        check.test_every_registry_id_has_a_page_in_both_languages(THROWAWAY)


def test_the_worked_arithmetic_adds_up(throwaway):
    from ui.worked.lines import explain

    arrays, params = example_arrays(throwaway), example_parameters(throwaway)
    outcome = run_backend(THROWAWAY, arrays, params)
    work = explain(THROWAWAY, arrays, params, outcome.elements, outcome.value)
    for what, ours, backend in work.checks:
        np.testing.assert_allclose(ours, backend, err_msg=what)
