"""Predict first: the playground's switch that hides a loss's value and gradients until the learner guesses.

The guess belongs to one state: its widget key carries the loss and a fingerprint of the tensors and
parameters, so editing a cell asks for a new guess instead of revealing the new value under the old one.
"""

from __future__ import annotations

import streamlit as st

from ui.compute.quiz import read_guess, show, signed
from ui.state.cachekey import fingerprint
from ui.state.live import scalar
from ui.state.page import t
from ui.text.tensors import TensorInputError


def _switch_key(prefix: str) -> str:
    return f"{prefix}__guess_first"


def _guess_key(prefix: str, loss_id: str, tensors: dict, params: dict) -> str:
    return f"{prefix}__guess_{loss_id}_{fingerprint(tensors, params)}"


def _valid_guess(text) -> float | None:
    try:
        return read_guess(text) if str(text or "").strip() else None
    except TensorInputError:
        return None


def hiding(prefix: str, loss_id: str, tensors: dict, params: dict) -> bool:
    """True while the switch is on and this state has no usable guess yet."""
    if not st.session_state.get(_switch_key(prefix)):
        return False
    return _valid_guess(st.session_state.get(_guess_key(prefix, loss_id, tensors, params))) is None


def revealed(prefix: str, loss_id: str, tensors: dict, params: dict, value) -> bool:
    """The switch, and when it is on the guess box; True when the page may show the value and gradients.

    After a guess, the guess and its gap to the backend's value are shown here; the page then shows the
    value, the worked arithmetic and the gradients as usual."""
    # The switch's value lives outside the widget: a refused state draws no switch, and Streamlit forgets the
    # state of a widget a run does not draw, which would turn guessing off behind the learner's back.
    persistent, widget = _switch_key(prefix), _switch_key(prefix) + "_widget"
    if widget not in st.session_state:
        st.session_state[widget] = bool(st.session_state.get(persistent, False))
    st.session_state[persistent] = st.toggle(t("predict.switch"), key=widget, help=t("predict.help"))
    if not st.session_state[persistent]:
        return True
    text = st.text_input(t("predict.label"), key=_guess_key(prefix, loss_id, tensors, params),
                         placeholder=t("predict.placeholder"))
    if not text.strip():
        st.info(t("predict.waiting"), icon="🤔")
        return False
    guess = _valid_guess(text)
    if guess is None:
        st.warning(t("predict.not_number", found=text.strip()[:40]), icon="⚠️")
        return False
    actual = scalar(value)
    gap = guess - actual
    c1, c2 = st.columns(2)
    c1.metric(t("predict.guess"), show(guess))
    c2.metric(t("predict.gap"), signed(gap))
    relative = abs(gap) / abs(actual) if actual else abs(gap)
    st.caption(t("predict.close" if relative <= 0.05 else "predict.far", value=show(actual)))
    return True
