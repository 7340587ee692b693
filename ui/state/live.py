"""A loss call's live numbers, as the lesson page shows them: value beside torch, the arithmetic, the gradient.

The state is a query mapping like the pages' links (``ui.state.urlstate``); everything shown is computed here,
on this run, through ``ui.compute.runner`` (looked up as a module attribute, so tests can watch the calls).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import losses
from ui.compute import runner
from ui.figures.common import matrix_heatmap, short
from ui.state.page import lang, show_error, show_link_problems, t
from ui.state.urlstate import read_loss_state
from ui.text.calltext import call_text
from ui.worked.lines import worked_lines


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
    st.markdown(f"**{spec.title[lang()]}**{extra}")
    st.code(call_text(spec, tensors, params), language=None)
    ours = runner.run_backend(spec.id, tensors, params)
    theirs = runner.run_torch(spec.id, tensors, params)
    if not ours.ok:
        show_error(ours.error)
        if theirs.available and theirs.error:
            st.caption(t("playground.torch_refuses", message=theirs.error))
        return ours
    tensor_valued = np.ndim(ours.value) > 0
    note = f" ({t('playground.sum_note')})" if tensor_valued else ""
    c1, c2 = st.columns(2)
    c1.metric(t("playground.backend_value") + note, short(scalar(ours.value), 6))
    if theirs.available and not theirs.error:
        c2.metric(t("playground.torch_value", version=runner.torch_version()), short(scalar(theirs.value), 6))
    elif theirs.available:
        c2.metric(t("playground.torch_value", version=runner.torch_version()), t("playground.refused"))
    lines = worked_lines(spec.id, tensors, params, ours.elements, ours.value)
    if lines:
        st.markdown(f"**{t('playground.worked')}**")
        st.latex(aligned(lines))
    for name, grad in ours.grads.items():
        st.plotly_chart(matrix_heatmap(grad, t("playground.gradient_of", name=name)), key=f"{key}_grad_{name}",
                        config={"displayModeBar": False})
    return ours
