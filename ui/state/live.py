"""A loss call's live numbers, as the lesson page shows them: value beside torch, the arithmetic, the gradient.

The state is a query mapping like the pages' links (``ui.state.urlstate``); everything shown is computed here,
on this run, through ``ui.compute.runner`` (looked up as a module attribute, so tests can watch the calls).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import losses
from losses import LossInputError
from ui.compute import runner, visual
from ui.figures.common import matrix_heatmap, short
from ui.figures.curves import CONFIG, curves_figure
from ui.state.page import lang, show_error, show_link_problems, t
from ui.state.urlstate import example_parameters, read_loss_state
from ui.text.calltext import call_text
from ui.worked.lines import worked_lines

CURVE_SPAN, CURVE_POINTS = 3.0, 201  # the curves page's default window, at half its default resolution


def aligned(lines: list[str]) -> str:
    """Worked lines as one LaTeX block aligned on each line's first '='."""
    return r"\begin{aligned}" + r"\\ ".join(line.replace("=", "&=", 1) for line in lines) + r"\end{aligned}"


def scalar(value) -> float:
    """The one number a page shows for a value: itself, or the sum of a tensor (reduction='none')."""
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else float(arr.sum())


def read_state(state: dict, view_keys: frozenset = frozenset()):
    """``(spec, tensors, params, errors)`` of a step's state; an unknown loss falls back to the registry's first."""
    loss_id, tensors, params, errors = read_loss_state(state, losses.SPECS[0].id, set(view_keys))
    return losses.get_spec(loss_id), tensors, params, errors


def panel(state: dict, key: str, view_keys: frozenset = frozenset()) -> runner.Outcome:
    """Compute and show one state; returns the backend's outcome (what the tests compare the page with)."""
    spec, tensors, params, errors = read_state(state, view_keys)
    if errors:
        show_link_problems(errors)
    extra = f" · `{spec.torch_class}`" if spec.torch_class else ""
    call, numbers = st.columns([3, 2], gap="medium")
    call.markdown(f"**{spec.title[lang()]}**{extra}")
    call.code(call_text(spec, tensors, params), language=None)
    ours = runner.run_backend(spec.id, tensors, params)
    theirs = runner.run_torch(spec.id, tensors, params)
    if not ours.ok:
        show_error(ours.error, where=numbers)
        if theirs.available and theirs.error:
            numbers.caption(t("playground.torch_refuses", message=theirs.error))
        return ours
    note = f" ({t('playground.sum_note')})" if np.ndim(ours.value) > 0 else ""
    numbers = numbers.container(horizontal=True, gap="medium")
    numbers.metric(t("playground.backend_value") + note, short(scalar(ours.value), 6))
    if theirs.available:
        torch_text = t("playground.refused") if theirs.error else short(scalar(theirs.value), 6)
        numbers.metric(t("playground.torch_value", version=runner.torch_version()), torch_text)
    lines = worked_lines(spec.id, tensors, params, ours.elements, ours.value)
    if lines:
        st.markdown(f"**{t('playground.worked')}**")
        st.latex(aligned(lines))
    grads = list(ours.grads.items())
    for column, (name, grad) in zip(st.columns(len(grads)) if grads else [], grads):
        column.plotly_chart(matrix_heatmap(grad, t("playground.gradient_of", name=name)), key=f"{key}_grad_{name}",
                            config={"displayModeBar": False})
    if "el" in state or "with" in state:
        curve_panel(spec, tensors, params, state, key)
    return ours


def curve_panel(spec, tensors: dict, params: dict, state: dict, key: str) -> None:
    """For a curves step: the loss (and the ones ``with`` names) along the element ``el``, drawn now."""
    options = visual.tensor_elements(spec, tensors, prediction_only=True)
    try:
        element = visual.check_element("el", visual.parse_element("el", state.get("el", ""), options), options)
    except LossInputError:
        element = visual.default_curve_element(spec, tensors)
    if element is None:
        return
    try:
        span = float(state.get("span", CURVE_SPAN))
    except ValueError:
        span = CURVE_SPAN
    axis = visual.curve_axis(spec, tensors, element)
    overlays = [i.strip() for i in state.get("with", "").split(",") if i.strip() in losses.REGISTRY]
    drawn, names = [], {}
    for loss_id in [spec.id] + [i for i in overlays if i != spec.id]:
        other = losses.get_spec(loss_id)
        own = params if loss_id == spec.id else example_parameters(other)
        if element[0] not in other.differentiable or visual.accepts(loss_id, tensors, own) is not None:
            continue
        drawn.append(visual.loss_curve(loss_id, tensors, own, element, axis, span, CURVE_POINTS))
        names[loss_id] = other.title[lang()]
    if drawn:
        labels = {"x": t(f"curves.axis.{axis.kind}", **axis.values), "value": t("curves.value"),
                  "slope": t("curves.slope"), "here": t("curves.here")}
        st.plotly_chart(curves_figure(drawn, names, labels, height=480), key=f"{key}_curves", config=CONFIG)
