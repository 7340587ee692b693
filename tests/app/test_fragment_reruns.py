"""A slider reruns only the fragment it sits in, and bench/pages.py can ask AppTest for exactly that rerun.

The page benchmark times these fragment reruns through Streamlit internals (AppTest's fragment storage and the
rerun request of its runner); these tests fail in CI, rather than in a later benchmark run, when an upgrade
changes them.
"""

from __future__ import annotations

import importlib.util

import pytest

from .apptest import ROOT

spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def widget_keys(at) -> set:
    return {w.key for kind in ("selectbox", "select_slider", "slider") for w in getattr(at, kind)}


@pytest.mark.parametrize("fragment, key, values, widgets, charts", [
    # the steps slider: the contour and the path only
    ("descent", "ls_steps", [31, 32, 33], {"ls_lr", "ls_steps"}, 1),
    # the range: the surface and the descent part, not the element pickers or the loss picker
    ("window", "ls_span", [3.0, 2.0, 3.0], {"ls_grid", "ls_span", "ls_lr", "ls_steps"}, 2),
])
def test_a_landscape_slider_reruns_its_fragment_only(fragment, key, values, widgets, charts):
    case = bench.ServerCase("app.py", "pages/landscape.py", key, values, fragment=fragment)
    assert {"ls__loss_widget", "ls_x", "ls_y"} <= widget_keys(case.at)  # the whole page ran first
    for i in range(len(values)):
        assert case.edit(i) > 0  # the edit checks that the chart was redrawn with the new value
        assert widget_keys(case.at) == widgets
        assert len(case.at.get("plotly_chart")) == charts


def test_the_steps_fragment_updates_what_it_shows():
    case = bench.ServerCase("app.py", "pages/landscape.py", "ls_steps", [7], fragment="descent")
    case.edit(0)
    assert any(m.label == "Loss after 7 steps" for m in case.at.metric)


def test_a_whole_page_rerun_draws_everything():
    case = bench.ServerCase("app.py", "pages/landscape.py", "ls_steps", [31], fragment="descent", full=True)
    case.edit(0)
    assert {"ls__loss_widget", "ls_x", "ls_y", "ls_grid", "ls_span", "ls_lr", "ls_steps"} <= widget_keys(case.at)
    assert len(case.at.get("plotly_chart")) == 2


def test_an_unknown_fragment_stops_the_bench():
    with pytest.raises(RuntimeError, match="found 0 registered fragments"):
        bench.ServerCase("app.py", "pages/landscape.py", "ls_steps", [31], fragment="no_such_fragment")


def test_a_curves_slider_reruns_the_chart_part_only():
    case = bench.ServerCase("app.py", "pages/curves.py", "cv_huber_loss_delta", [1.05, 1.1], fragment="explore")
    assert "cv__loss_widget" in widget_keys(case.at)
    for i in range(2):
        case.edit(i)
        assert "cv__loss_widget" not in widget_keys(case.at) and "cv_huber_loss_delta" in widget_keys(case.at)
        assert len(case.at.get("plotly_chart")) == 1
