"""Choosing a loss, its parameters and its tensors; shared by the playground, curves and landscape pages.

The state of one form lives in ``st.session_state[prefix]`` (every key the form uses is declared in
:mod:`ui.state.session_keys`): the loss id,
the last valid tensors, the parameters, which optional tensors are in use and
a version that renews the widgets' keys when the state is loaded from a link.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

import losses
from losses import LossInputError
from losses.spec import FAMILIES, LossSpec, Parameter
from ui.compute.runner import call_kwargs
from ui.state import editor
from ui.state.page import arrived_with_link, lang, query, show_error, show_link_problems, t
from ui.state.session_keys import FormKeys
from ui.state.urlstate import (
    check_parameter_range,
    example_arrays,
    example_parameters,
    format_parameter,
    loss_query,
    read_loss_state,
)
from ui.text.i18n import catalog, translate
from ui.text.tensors import check_total, settle_targets


def default_spec() -> LossSpec:
    """The loss the pages open with (``losses.DEFAULT_SPEC``)."""
    return losses.DEFAULT_SPEC


def _ordered_ids(allowed=None) -> list[str]:
    ids = []
    for family in FAMILIES:
        ids += [s.id for s in losses.SPECS if s.family == family and (allowed is None or s.id in allowed)]
    return ids


@functools.cache
def loss_label(language: str, loss_id: str) -> str:
    """The picker's label of a loss (the registry and the catalogs do not change while the app runs)."""
    spec = losses.get_spec(loss_id)
    extra = f" — {spec.torch_class}" if spec.torch_class else ""
    return f"{translate(language, 'family.' + spec.family)} · {spec.title[language]}{extra}"


def _optional_default(spec: LossSpec, name: str, tensors: dict) -> np.ndarray:
    if name in spec.example:
        return np.asarray(spec.example[name], dtype=np.float64)
    x = np.asarray(tensors.get("input", np.ones(2)))
    arg = spec.argument(name)
    if name == "pos_weight":
        return np.ones(x.shape[-1] if x.ndim else 1)
    if arg.shape.startswith("(C"):
        return np.ones(x.shape[1] if x.ndim >= 2 else x.shape[0] if x.ndim else 1)
    return np.ones(x.shape)


def load(prefix: str, spec: LossSpec, tensors: dict, params: dict) -> None:
    """Put a loss, its tensors and parameters into the form, renewing its widgets (a link, a loss switch, the
    playground's state taken over by another page)."""
    keys = FormKeys(prefix)
    state = st.session_state.setdefault(keys.state, {"ver": 0})
    state.update(loss=spec.id, tensors=dict(tensors), params=dict(params), ver=state.get("ver", 0) + 1,
                 use={a.name: a.name in tensors for a in spec.arguments if a.optional})
    for arg in spec.arguments:
        value = tensors.get(arg.name)
        if value is None and arg.optional:
            value = _optional_default(spec, arg.name, tensors)
        if value is not None:
            editor.load(keys.editor(arg.name).key, value)


def init(prefix: str, default_loss: str | None = None, allowed=None, extra_keys=frozenset()) -> dict:
    """Load the form from the URL when the learner arrives with a link, else keep the session's state."""
    default_loss = default_loss or default_spec().id
    keys = FormKeys(prefix)
    state = st.session_state.get(keys.state)
    q = query()
    if state is None or (arrived_with_link() and "loss" in q):
        loss_id, tensors, params, errors = read_loss_state(q, default_loss, set(extra_keys))
        if allowed is not None and loss_id not in allowed:
            errors.append(LossInputError("choice", "loss", repr(loss_id), tuple(allowed),
                                         f"{loss_id} cannot be shown on this page"))
            loss_id = default_loss
            tensors = example_arrays(losses.get_spec(loss_id))
            params = example_parameters(losses.get_spec(loss_id))
        # A link whose tensors the loss refuses still opens: the page shows the refusal where the results go.
        load(prefix, losses.get_spec(loss_id), tensors, params)
        st.session_state[keys.link_errors] = errors
        st.session_state[keys.sync_picker] = True
    return st.session_state[keys.state]


def _switch_loss(prefix: str, loss_id: str) -> None:
    """Keep the tensors the new loss accepts as they are; the others come from its example."""
    state = st.session_state[FormKeys(prefix).state]
    new = losses.get_spec(loss_id)
    tensors = example_arrays(new)
    kept = {k: v for k, v in state["tensors"].items() if k in tensors}
    candidate = {**tensors, **kept}
    params = example_parameters(new)
    if "reduction" in params and state["params"].get("reduction") in new.parameter("reduction").choices:
        params["reduction"] = state["params"]["reduction"]
    try:
        losses.value_and_grad(new.id, **call_kwargs(new, candidate, params))
        tensors = candidate
    except LossInputError:
        pass
    load(prefix, new, tensors, params)


def loss_picker(prefix: str, allowed=None) -> LossSpec:
    keys = FormKeys(prefix)
    state = st.session_state[keys.state]
    key = keys.loss_widget
    if st.session_state.pop(keys.sync_picker, False) or key not in st.session_state:
        st.session_state[key] = state["loss"]
    label = functools.partial(loss_label, lang())
    chosen = st.selectbox(t("playground.loss"), _ordered_ids(allowed), format_func=label, key=key)
    if chosen != state["loss"]:
        _switch_loss(prefix, chosen)
    for exc in st.session_state.pop(keys.link_errors, []):
        show_link_problems([exc])
    return losses.get_spec(state["loss"])


def _allowed(param: Parameter) -> str:
    if param.kind == "choice":
        return ", ".join(f"'{c}'" for c in param.choices)
    if param.kind == "bool":
        return "True, False"
    low = "-∞" if param.low is None else format_parameter(param.low)
    high = "∞" if param.high is None else format_parameter(param.high)
    return f"{'(' if param.low_open else '['}{low}, {high}{']' if param.high is not None else ')'}"


def _parameter_widget(prefix: str, spec: LossSpec, param: Parameter, value, version: int):
    key = FormKeys(prefix).parameter(spec.id, param.name, version)
    label = f"`{param.name}`"
    help_text = t("playground.param_help", default=format_parameter(param.default), allowed=_allowed(param))
    if param.kind == "choice":
        index = list(param.choices).index(value) if value in param.choices else 0
        return st.selectbox(label, param.choices, index=index, key=key, help=help_text)
    if param.kind == "bool":
        return st.toggle(label, value=bool(value), key=key)
    if param.kind == "int":
        low = None if param.low is None else int(param.low)
        high = None if param.high is None else int(param.high)
        return int(st.number_input(label, value=int(value), min_value=low, max_value=high, step=1, key=key))
    step = 0.1 if (param.high or param.ui_high or 10) > 1 else 0.01
    low = None if param.low is None else float(param.low)
    return float(st.number_input(label, value=float(value), min_value=low,
                                 max_value=None if param.high is None else float(param.high),
                                 step=step, format="%g", key=key))


def parameter_widgets(prefix: str, spec: LossSpec, columns: int = 3) -> dict:
    state = st.session_state[FormKeys(prefix).state]
    params = dict(state["params"])
    if not spec.parameters:
        return params
    st.markdown(f"**{t('playground.parameters')}**")
    cols = st.columns(min(columns, len(spec.parameters)))
    for i, param in enumerate(spec.parameters):
        with cols[i % len(cols)]:
            value = _parameter_widget(prefix, spec, param, params.get(param.name, param.default), state["ver"])
            try:
                if param.kind in ("float", "int"):
                    check_parameter_range(param, value)
                params[param.name] = value
            except LossInputError as exc:
                show_error(exc)
    state["params"] = params
    return params


def tensor_editors(prefix: str, spec: LossSpec, columns: int = 2) -> tuple[dict, list]:
    """The editors; returns the tensors to compute with (last valid for a broken editor) and the errors."""
    keys = FormKeys(prefix)
    state = st.session_state[keys.state]
    st.markdown(f"**{t('playground.tensors')}**")
    tensors, errors = {}, []
    args = list(spec.arguments)
    cols = st.columns(min(columns, len(args)))
    for i, arg in enumerate(args):
        editor_keys = keys.editor(arg.name)
        key = editor_keys.key
        with cols[i % len(cols)]:
            role = t(f"role.{arg.role}")
            shape = catalog(lang()).get(f"shape_note.{arg.shape}", arg.shape)  # the registry's note, translated
            kind = "int | float" if arg.also_probabilities else arg.dtype
            label = f"`{arg.name}` · {role} · {kind} {shape}"
            if arg.optional:
                use = st.checkbox(t("playground.use_optional", name=f"`{arg.name}`") + f" ({t('playground.optional')})",
                                  value=state["use"].get(arg.name, False), key=editor_keys.use(state["ver"]))
                state["use"][arg.name] = use
                if not use:
                    continue
                if editor_keys.version not in st.session_state:
                    editor.load(key, _optional_default(spec, arg.name, state["tensors"]))
            value, error = editor.tensor_editor(key, arg, label)
            if error is not None:
                show_error(error)
                errors.append(error)
                if arg.name in state["tensors"]:
                    tensors[arg.name] = state["tensors"][arg.name]
            else:
                tensors[arg.name] = value
    if not errors:
        try:
            tensors = settle_targets(spec, tensors)
            check_total(tensors)
        except LossInputError as exc:
            show_error(exc)
            errors.append(exc)
            tensors = dict(state["tensors"]) if exc.code == "too_large_total" else \
                {**tensors, exc.argument: state["tensors"].get(exc.argument)}
    if not errors:
        state["tensors"] = tensors
    return tensors, errors


def current_query(prefix: str) -> dict:
    state = st.session_state[FormKeys(prefix).state]
    spec = losses.get_spec(state["loss"])
    return loss_query(spec, state["tensors"], state["params"])
