"""The /curves page's parts: its view settings (the element swept, the losses overlaid, their sliders) read
from and written to the URL, the suggestions of losses to overlay, the cached curves, and the chart below
the form (``explore``, an ``st.fragment``: its widgets rerun only that part).

pages/curves.py is the script that lays them out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import losses
from losses import LossInputError
from ui.compute import visual
from ui.compute.export import state_slug
from ui.figures.curves import curves_figure
from ui.state import lossform, viewstate
from ui.state.charts import show_chart
from ui.state.page import lang, show_error, sync_url, t
from ui.state.session_keys import FormKeys
from ui.state.share import share_control
from ui.state.urlstate import example_parameters, format_parameter, parse_parameter
from ui.text.errors import describe
from ui.text.limits import LIMITS
from ui.text.numbers import format_number, short
from ui.text.tensors import TensorInputError, to_json

PREFIX = "cv"
KEYS = FormKeys(PREFIX)
SPANS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)
POINTS = (101, 201, 401, 801, LIMITS.curve_points)
DEFAULTS = {"el": None, "with": None, "span": 3.0, "points": 401}
MAX_SUGGESTED = 4


def slider_parameters(spec) -> list:
    """The float parameters a compared loss gets a slider for (numerical guards such as eps left out)."""
    return [p for p in spec.parameters if p.kind == "float" and p.name != "eps"
            and (p.high is not None or p.ui_high is not None)]


OVERLAY_PARAM_KEYS = frozenset(f"{s.id}.{p.name}" for s in losses.SPECS for p in slider_parameters(s))
VIEW_KEYS = frozenset(DEFAULTS) | OVERLAY_PARAM_KEYS


def same_meaning(spec, other) -> bool:
    """Every argument the two losses share has the same domain (logits with logits, class indices with class
    indices), so one x axis means the same thing for both."""
    def domain(s, name):
        d = s.argument(name).domain
        return "probability" if d == "binary" else d

    def required(s):
        return {a.name for a in s.arguments if not a.optional}

    shared = {a.name for a in spec.arguments} & {a.name for a in other.arguments}
    return required(spec) == required(other) and all(domain(spec, n) == domain(other, n) for n in shared)


@st.cache_data(show_spinner=False, max_entries=128)
def suggestions(loss_id, tensors, params) -> list:
    """Losses (its own family first) that read these tensors the same way and take them as they are
    (L1 → MSE, SmoothL1, Huber, L0; cross-entropy → multi-margin)."""
    spec = losses.get_spec(loss_id)
    found = []
    for other in sorted(losses.SPECS, key=lambda s: s.family != spec.family):
        if other.id == loss_id or len(found) == MAX_SUGGESTED:
            continue
        if not same_meaning(spec, other):
            continue
        if visual.accepts(other.id, tensors, overlay_params(other, params, {})) is None:
            found.append(other.id)
    return found


@st.cache_resource(show_spinner=False, max_entries=256)
def refusal(loss_id, tensors, params):
    """The backend's refusal of this call, or None (kept as the object itself: errors do not pickle)."""
    return visual.accepts(loss_id, tensors, params)


@st.cache_data(show_spinner=False, max_entries=256)
def compute_curve(loss_id, tensors, params, element, scale, shift, span, points):
    axis = visual.Axis(scale, shift, "", {})
    return visual.loss_curve(loss_id, tensors, params, element, axis, span, points)


def overlay_params(spec, main_params: dict, view: dict) -> dict:
    params = example_parameters(spec)
    reduction = main_params.get("reduction")
    if "reduction" in params and reduction in spec.parameter("reduction").choices:
        params["reduction"] = reduction
    for p in slider_parameters(spec):
        params[p.name] = view.get(f"{spec.id}.{p.name}", params[p.name])
    return params


def slider_range(p) -> tuple[float, float, float]:
    high = float(p.high if p.high is not None else p.ui_high)
    step = 0.01 if high <= 1 else 0.05
    low = float(p.low) if p.low is not None else 0.0
    return (low + step if p.low_open else low), high, step


def read_view(q: dict, spec, tensors: dict) -> tuple[dict, list]:
    found, errors = {}, []
    options = visual.tensor_elements(spec, tensors, prediction_only=True)
    if "el" in q:
        try:
            found["el"] = visual.check_element("el", visual.parse_element("el", q["el"], options), options)
        except TensorInputError as exc:
            errors.append(exc)
    if "with" in q:
        ids = [i.strip() for i in str(q["with"]).split(",") if i.strip()]
        unknown = [i for i in ids if i not in losses.REGISTRY]
        if unknown:
            errors.append(TensorInputError("choice", "with", repr(unknown[0]), list(losses.REGISTRY),
                                           f"with={unknown[0]!r} is not a loss"))
        found["with"] = [i for i in ids if i in losses.REGISTRY and i != spec.id]
    if len(found.get("with", ())) > LIMITS.overlays:
        errors.append(TensorInputError("too_large", "with", len(found["with"]), LIMITS.overlays,
                                       f"with names {len(found['with'])} losses; at most {LIMITS.overlays}"))
        found["with"] = found["with"][:LIMITS.overlays]
    # The slider's own stops bound what a link may ask for, so the message names the slider's range.
    for key, stops, integer in (("span", SPANS, False), ("points", POINTS, True)):
        if key in q:
            try:
                value = viewstate.read_number(key, q[key], min(stops), max(stops), integer)
                found[key] = viewstate.nearest(stops, value)
            except TensorInputError as exc:
                errors.append(exc)
    for key in OVERLAY_PARAM_KEYS & set(q):
        loss_id, name = key.split(".", 1)
        param = losses.get_spec(loss_id).parameter(name)
        try:
            low, high, _ = slider_range(param)
            parse_parameter(param, q[key])  # the registry's refusal (not a number, outside its domain) first
            found[key] = viewstate.read_number(key, q[key], low, high)
        except LossInputError as exc:
            errors.append(exc)
    return found, errors


def legend_name(spec, params: dict, sliders: bool) -> str:
    name = spec.title[lang()]
    if sliders:
        shown = [f"{p.name} = {format_number(params[p.name])}" for p in slider_parameters(spec)]
        name += f" · {', '.join(shown)}" if shown else ""
    return name


def value_label(spec, params) -> str:
    if spec.family == "activation":
        return t("curves.value_activation")
    return t("curves.value_none") if params.get("reduction") == "none" else t("curves.value")


def view_query(view: dict, spec) -> dict:
    out = {"el": visual.element_text(view["el"], compact=True), "with": ",".join(view["with"]),
           "span": format_number(view["span"]), "points": view["points"]}
    for loss_id in view["with"]:
        other = losses.get_spec(loss_id)
        defaults = example_parameters(other)
        for p in slider_parameters(other):
            key = f"{loss_id}.{p.name}"
            if key in view and view[key] != defaults[p.name]:
                out[key] = format_parameter(view[key])
    return out


@st.fragment
def explore(spec, tensors: dict, params: dict, can_sync: bool) -> None:
    """Everything below the form: its widgets rerun only this part of the page."""
    view = st.session_state[KEYS.view]
    options = visual.tensor_elements(spec, tensors, prediction_only=True)
    if not options:
        st.info(t("curves.no_element"))
        return
    if view.get("for_loss") != spec.id or view["with"] is None:
        view["with"] = suggestions(spec.id, tensors, params)
        view["for_loss"] = spec.id
        viewstate.bump(view)
    others = [s.id for s in losses.SPECS if s.id != spec.id]
    c1, c2 = st.columns([1, 3])
    viewstate.bind(view, "el", "cv_el", options, visual.default_curve_element(spec, tensors))
    view["el"] = element = c1.selectbox(t("curves.element"), options, key="cv_el", help=t("curves.element_help"),
                                        format_func=visual.element_text)
    viewstate.bind(view, "with", "cv_with")
    st.session_state["cv_with"] = [i for i in st.session_state["cv_with"] if i in others]
    view["with"] = chosen = c2.multiselect(t("curves.overlay"), others, key="cv_with", help=t("curves.overlay_help"),
                                           format_func={i: losses.get_spec(i).title[lang()] for i in others}.get)
    sliders = [(losses.get_spec(i), p) for i in chosen for p in slider_parameters(losses.get_spec(i))]
    cols = st.columns(max(4, min(len(sliders) + 2, 6)))
    viewstate.bind(view, "span", "cv_span", SPANS, DEFAULTS["span"])
    viewstate.bind(view, "points", "cv_points", POINTS, DEFAULTS["points"])
    view["span"] = span = cols[0].select_slider(t("curves.span"), SPANS, key="cv_span", help=t("curves.span_help"),
                                                format_func=format_number)
    view["points"] = points = cols[1].select_slider(t("curves.points"), POINTS, key="cv_points")
    for n, (other, p) in enumerate(sliders):
        key = f"{other.id}.{p.name}"
        low, high, step = slider_range(p)
        view.setdefault(key, min(max(float(example_parameters(other)[p.name]), low), high))
        viewstate.bind(view, key, f"cv_{other.id}_{p.name}")
        label = f"{other.title[lang()]} · `{p.name}`"
        view[key] = cols[(n + 2) % len(cols)].slider(label, low, high, step=step, key=f"cv_{other.id}_{p.name}",
                                                     help=t("curves.overlay_parameters"))

    if can_sync:
        sync_url({**lossform.current_query(PREFIX), **view_query(view, spec)})

    # The loss's own refusal comes first, as on the playground and the landscape: the axis and the curves
    # read the tensors' shapes and would fail on a shape the loss refuses.
    refused = refusal(spec.id, tensors, params)
    if refused is not None:
        show_error(refused)
        return
    if (problem := viewstate.window_problem(tensors, element, span, points)) is not None:
        st.warning(problem, icon="🔭")
        return
    axis = visual.curve_axis(spec, tensors, element)
    x_label = t(f"curves.axis.{axis.kind}", **axis.values)
    drawn, names, notes = [], {}, []
    for loss_id in [spec.id] + chosen:
        other = losses.get_spec(loss_id)
        own = params if loss_id == spec.id else overlay_params(other, params, view)
        if element[0] not in other.differentiable:
            notes.append(t("curves.not_taken", loss=other.title[lang()], name=element[0]))
            continue
        refused = refusal(loss_id, tensors, own)
        if refused is not None:
            notes.append(t("curves.not_drawn", loss=other.title[lang()], message=describe(refused, lang())))
            continue
        try:
            curve = compute_curve(loss_id, tensors, own, element, axis.scale, axis.shift, span, points)
        except Exception as exc:  # a backend bug must not become a traceback on the learner's page
            notes.append(t("curves.not_drawn", loss=other.title[lang()], message=describe(exc, lang())))
            continue
        drawn.append(curve)
        names[loss_id] = legend_name(other, own, loss_id != spec.id)
        if (~pd.isna(curve.value)).sum() < len(curve.value):
            notes.append(t("curves.nonfinite", loss=other.title[lang()]))

    labels = {"x": x_label, "value": value_label(spec, params), "slope": t("curves.slope"), "here": t("curves.here")}
    if drawn:
        hidden = visual.coinciding(drawn)
        show_chart(curves_figure(drawn, names, labels, dashed=frozenset(hidden)), "cv_chart",
                   f"{state_slug(spec, tensors, params)}_curves")
        for later, earlier in hidden.items():
            notes.append(coincide_note(earlier, later, names, tensors, params, view, element, axis, span, points))
        rows = [{t("curves.table_loss"): names[c.loss_id], t("curves.table_x"): short(c.here[0]),
                 t("curves.table_value"): short(c.here[1]), t("curves.table_slope"): short(c.here[2])}
                for c in drawn]
        # a static table: the interactive data grid costs the browser more to redraw than the chart
        st.table(pd.DataFrame(rows).set_index(t("curves.table_loss")))
    for note in notes:
        st.caption(note)
    domain = spec.argument(element[0]).domain
    if domain in visual.DOMAIN_BOUNDS:
        st.caption(t("curves.clipped", name=element[0], domain=t(f"landscape.domain.{domain}")))
    if spec.family == "activation":
        st.caption(t("curves.activation_note"))
    elif params.get("reduction") == "none":
        st.caption(t("curves.reduction_none"))
    drawn_specs = [losses.get_spec(c.loss_id) for c in drawn]
    if any(not s.is_smooth for s in drawn_specs):  # a jump in the slope, or a bend in it (Huber, SmoothL1)
        st.caption(t("curves.kink_note"))
    if any(s.gradient == "log_softmax_logits" for s in drawn_specs):
        st.caption(t("curves.ctc_note"))
    share_control(key="cv_share")  # in the fragment: its link follows the sliders this part reruns for


def coincide_note(earlier: str, later: str, names: dict, tensors, params, view, element, axis, span, points) -> str:
    """Say that two curves coincide; when each has one slider parameter, also how they differ at another value
    of it (found by computing both there: SmoothL1 and Huber then differ by a factor equal to the parameter)."""
    text = t("curves_extra.coincide", first=names[earlier], second=names[later])
    specs = [losses.get_spec(earlier), losses.get_spec(later)]
    sliders = [slider_parameters(s) for s in specs]
    if not all(len(p) == 1 for p in sliders):
        return text
    own = [params if s.id == view.get("for_loss") else overlay_params(s, params, view) for s in specs]
    values = [o[p[0].name] for o, p in zip(own, sliders)]
    other = min(2 * float(values[0]) if values[0] else 1.0, *(slider_range(p[0])[1] for p in sliders))
    if other == values[0]:
        return text
    try:
        moved = [compute_curve(s.id, tensors, {**o, p[0].name: other}, element, axis.scale, axis.shift, span, points)
                 for s, o, p in zip(specs, own, sliders)]
    except Exception:  # noqa: BLE001 - the note is extra; the drawn curves stand without it
        return text
    factor = visual.constant_ratio(*moved)
    if factor is None or np.isclose(factor, 1):
        return text
    return text + t("curves_extra.sentence_gap") + t("curves_extra.factor", first=specs[0].title[lang()],
                                                     second=specs[1].title[lang()],
                                                     p=sliders[0][0].name, q=sliders[1][0].name,
                                                     value=format_number(other), factor=short(factor))


def brief(arr, limit: int = 120) -> str:
    text = to_json(arr)
    return text if len(text) <= limit else text[:limit - 1] + "…"
