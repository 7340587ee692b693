"""State shared by the curves and landscape pages: the playground's tensors, view settings from links, links out.

A page keeps its loss form in ``st.session_state[prefix]`` (ui.state.lossform) and its view settings (chosen elements,
grid, sliders) in ``st.session_state[FormKeys(prefix).view]`` with a version that renews the widgets' keys when a
link loads new values; every key is declared in :mod:`ui.state.session_keys`.
"""

from __future__ import annotations

import math

import streamlit as st

import losses
from ui.compute import visual
from ui.compute.runner import run_backend, run_torch
from ui.state import editor, lossform, narrow
from ui.state.page import arrived_with_link, lang, query, t
from ui.state.session_keys import PLAYGROUND, FormKeys, widget_stamp
from ui.state.urlstate import loss_query
from ui.text.numbers import format_number, short
from ui.text.tensors import TensorInputError


def adopt_playground(prefix: str) -> bool:
    """Hold the other elements at the playground's tensors when they changed since this page last looked.

    A link (``?loss=...``) wins; otherwise the playground's loss, tensors and parameters are taken over
    whenever the learner edited them there, so "open in playground", edit, and back shows the edit.
    """
    pg = st.session_state.get(PLAYGROUND.state)
    if pg is None:
        return False
    stamp = repr(sorted(lossform.current_query(PLAYGROUND.prefix).items()))
    seen_key = FormKeys(prefix).playground_seen
    seen = st.session_state.get(seen_key)
    st.session_state[seen_key] = stamp
    if (arrived_with_link() and "loss" in query()) or stamp == seen:
        return False
    spec = losses.get_spec(pg["loss"])
    lossform.load(prefix, spec, pg["tensors"], pg["params"])
    return True


def open_page(prefix: str, area: str, view_keys: frozenset) -> tuple:
    """How the curves and landscape pages begin: title and intro, the playground's state when it changed,
    the loss picker and the collapsible form.  Returns (spec, params, tensors, input_errors, view_is_new),
    ``view_is_new`` telling whether this session had no view on the page yet."""
    st.title(t(f"{area}.title"))
    st.caption(t(f"{area}.intro"))
    adopt_playground(prefix)
    view_is_new = FormKeys(prefix).view not in st.session_state
    lossform.init(prefix, extra_keys=view_keys)
    spec = lossform.loss_picker(prefix)
    params, tensors, input_errors = loss_form(prefix, spec, t(f"{area}.form"))
    return spec, params, tensors, input_errors, view_is_new


def from_link() -> bool:
    return arrived_with_link() and "loss" in query()


def _reload_editors(prefix: str) -> None:
    """The editors were not drawn while the form was hidden, so Streamlit dropped what they held: start them
    again from the tensors the page has been using."""
    keys = FormKeys(prefix)
    if st.session_state.get(keys.form_open):
        for name, value in st.session_state[keys.state]["tensors"].items():
            editor.load(keys.editor(name).key, value)


def loss_form(prefix: str, spec, label: str) -> tuple[dict, dict, list]:
    """The loss's parameters and tensors behind a toggle: ``(params, tensors, input_errors)``.

    Hidden, the form costs nothing (its editors are the heaviest part of a rerun) and the page computes with
    the last valid tensors and parameters.
    """
    keys = FormKeys(prefix)
    state = st.session_state[keys.state]
    if not st.toggle(label, key=keys.form_open, on_change=_reload_editors, args=(prefix,)):
        return dict(state["params"]), dict(state["tensors"]), []
    with st.container(border=True):
        left, right = st.columns([2, 3], gap="large")
        with left:
            params = lossform.parameter_widgets(prefix, spec, columns=2)
        with right:
            result_strip = narrow.result_box()  # on a phone: the loss's value stays in view while the cells scroll
            tensors, input_errors = lossform.tensor_editors(prefix, spec)
        result_strip.markdown(narrow.value_line(spec.title[lang()], run_backend(spec.id, tensors, params),
                                                run_torch(spec.id, tensors, params), stale=bool(input_errors)))
    if input_errors:
        st.info(t("playground.unchanged"), icon="ℹ️")
    return params, tensors, input_errors


def view_state(prefix: str, defaults: dict) -> dict:
    view = st.session_state.setdefault(FormKeys(prefix).view, {"ver": 0})
    for key, value in defaults.items():
        view.setdefault(key, value)
    return view


def bump(view: dict) -> None:
    view["ver"] = view.get("ver", 0) + 1


def bind(view: dict, name: str, key: str, options=None, default=None) -> None:
    """Let widget ``key`` show ``view[name]``: restored after a visit to another page (Streamlit drops the
    state of widgets a run does not draw) and replaced when a link loaded the view; kept otherwise, so the
    learner's own change survives the rerun it triggers."""
    stamp = widget_stamp(key)
    if key not in st.session_state or st.session_state.get(stamp) != view["ver"]:
        st.session_state[key] = view[name]
        st.session_state[stamp] = view["ver"]
    if options is not None and st.session_state[key] not in options:
        st.session_state[key] = default


def read_number(key: str, text: str, low: float, high: float, integer: bool = False):
    """A number from URL text inside [low, high]; raises TensorInputError naming the key."""
    interval = f"[{format_number(low)}, {format_number(high)}]"
    try:
        value = float(str(text).strip())
    except ValueError:
        if integer:  # a whole-number control hints whole numbers, within its own range
            raise TensorInputError("not_whole", key, repr(str(text)[:40]), interval,
                                   f"{key}={text!r} is not a whole number") from None
        raise TensorInputError("not_numeric", key, repr(str(text)[:40]), "a number",
                               f"{key}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise TensorInputError("not_finite", key, str(text), "a finite number", f"{key}={text!r} is not finite")
    if integer and not value.is_integer():
        raise TensorInputError("dtype", key, str(text), "an integer", f"{key}={text!r} is not an integer")
    if not low <= value <= high:
        raise TensorInputError("range", key, format_number(value), interval, f"{key}={value} is outside {interval}")
    return int(value) if integer else value


def nearest(options: list, value: float):
    """The option closest to ``value`` (URL numbers snap to a slider's stops)."""
    return min(options, key=lambda o: abs(math.log(o / value)) if o > 0 and value > 0 else abs(o - value))


def page_links(prefix: str, others: list[tuple[str, str]]) -> None:
    """"Open in the playground" (and the sibling page) with the same loss, tensors and parameters."""
    state = st.session_state[FormKeys(prefix).state]
    spec = losses.get_spec(state["loss"])
    params = {"lang": lang(), **loss_query(spec, state["tensors"], state["params"])}
    cols = st.columns(len(others) + 1)
    cols[0].page_link("pages/playground.py", label=t("curves.open_playground"), icon="🧪", query_params=params)
    for col, (page, label) in zip(cols[1:], others):
        col.page_link(page, label=label, icon="📈", query_params=params)


def window_problem(tensors: dict, element, span: float, points: int) -> str | None:
    """Why no chart can resolve ``span`` around this element's value (it is too large), in the learner's words;
    None when one can.  The landscape page asks the same of both its elements."""
    value = visual.element_value(tensors, element)
    gap = visual.unresolved(value, span, points)
    if gap is None:
        return None
    names = {"element": visual.element_text(element), "value": short(value)}
    if math.isinf(gap):
        return t("window.beyond", **names)
    return t("window.unresolved", **names, span=format_number(span), gap=short(gap),
             step=short(2 * span / (points - 1)), points=points)
