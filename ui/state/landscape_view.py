"""The /landscape page's parts: its view settings (the two elements, the window, the descent) read from and
written to the URL, the learner's-words reasons a pair of elements makes no landscape, and the three nested
fragments below the form (``explore`` → ``window`` → ``descent``), each rerun alone by its own widgets.

pages/landscape.py is the script that lays them out.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from losses import LossInputError
from ui.compute import visual
from ui.compute.export import state_slug
from ui.figures.landscape import descent_figure, surface_figure
from ui.state import cached, lossform, viewstate
from ui.state.cachekey import fingerprint
from ui.state.charts import show_chart
from ui.state.page import lang, show_error, sync_url, t
from ui.state.session_keys import FormKeys
from ui.state.share import share_control
from ui.text.limits import LIMITS
from ui.text.numbers import format_number, short
from ui.text.tensors import TensorInputError

PREFIX = "ls"
KEYS = FormKeys(PREFIX)
GRIDS = (21, 31, 41, 51, 61, 81, 101, 151, LIMITS.grid_points)
SPANS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)
RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)
MAX_STEPS = LIMITS.descent_steps
PATH_CHUNK = 50
DEFAULTS = {"x": None, "y": None, "grid": 61, "span": 2.0, "lr": 0.5, "steps": 30}
VIEW_KEYS = frozenset(DEFAULTS)


def compute_path(loss_id, key, tensors, params, x_el, y_el, lr, steps, span, frame):
    """The path computed in chunks of PATH_CHUNK steps, so moving the steps slider reuses the cached run."""
    horizon = max(PATH_CHUNK, -(-steps // PATH_CHUNK) * PATH_CHUNK)
    iterates = cached.landscape_iterates(loss_id=loss_id, key=key, x_el=x_el, y_el=y_el, lr=lr, horizon=horizon,
                                         span=span, _tensors=tensors, _params=params)
    return visual.path_from(loss_id, iterates, x_el, y_el, steps, span, frame)


def read_view(q: dict, spec, tensors: dict) -> tuple[dict, list]:
    """The view settings a link carries; a bad value is reported and the current one stays."""
    found, errors = {}, []
    options = visual.tensor_elements(spec, tensors)
    for key in ("x", "y"):
        if key in q:
            try:
                found[key] = visual.check_element(key, visual.parse_element(key, q[key], options), options)
            except TensorInputError as exc:
                errors.append(exc)
    # Each slider's own stops bound what a link may ask for (one range for the check, the widget and the
    # message); a value between stops goes to the nearest one.
    numbers = {"grid": (GRIDS, min(GRIDS), max(GRIDS), True), "span": (SPANS, min(SPANS), max(SPANS), False),
               "lr": (RATES, min(RATES), max(RATES), False), "steps": (None, 0, MAX_STEPS, True)}
    for key, (stops, low, high, integer) in numbers.items():
        if key in q:
            try:
                value = viewstate.read_number(key, q[key], low, high, integer)
                found[key] = viewstate.nearest(stops, value) if stops else value
            except TensorInputError as exc:
                errors.append(exc)
    return found, errors


def element_label(spec, element) -> str:
    arg = spec.argument(element[0])
    text = visual.element_text(element)
    return text if arg.differentiable else f"{text} · {t('role.' + arg.role)}"


def why_not(spec, tensors: dict, x_el, y_el) -> str | None:
    """In the learner's words, why this pair of elements cannot make a landscape (None when it can)."""
    prediction = ", ".join(f"`{name}`" for name in spec.differentiable if name in tensors)
    for name, _ in (x_el, y_el):
        arg = spec.argument(name)
        if arg.differentiable:
            continue
        integer = np.asarray(tensors[name]).dtype.kind in "iu"
        if arg.role == "lengths":
            key = "why_lengths"
        elif arg.role == "weight":
            key = "why_weight"
        elif integer:
            key = "why_class_index"
        else:
            key = "why_target"
        return t(f"landscape.{key}", name=name, prediction=prediction)
    if len(visual.tensor_elements(spec, tensors, prediction_only=True)) < 2:
        return t("landscape.single", loss=spec.title[lang()])
    if x_el == y_el:
        return t("landscape.same", el=visual.element_text(x_el))
    return None


def axis_labels(spec, params, x_el, y_el) -> dict:
    if spec.family == "activation":
        z = t("landscape.loss_activation")
    elif params.get("reduction") == "none":
        z = t("landscape.loss_none")
    else:
        z = t("landscape.loss")
    return {"x": visual.element_text(x_el), "y": visual.element_text(y_el), "z": z, "here": t("landscape.here"),
            "path": t("landscape.path_name"), "field": t("landscape.field"), "step": t("landscape.step")}


def domain_note(spec, surf, x_el, y_el) -> str | None:
    if not surf.clipped:
        return None
    domains = {spec.argument(name).domain for name, _ in (x_el, y_el)} & set(visual.DOMAIN_BOUNDS)
    return t("landscape.clipped", domain="; ".join(t(f"landscape.domain.{d}") for d in sorted(domains)))


def path_status(spec, path) -> str:
    if path.status == "settles":
        return t("landscape.status_settles", step=path.settle_step)
    if path.status == "edge":
        return t("landscape.status_edge", step=path.settle_step, name=path.edge,
                 domain=t(f"landscape.domain.{spec.argument(path.edge).domain}"))
    if path.status == "moving":
        return t("landscape.status_moving", steps=len(path.x) - 1)
    return t(f"landscape.status_{path.status}")


def sync(view: dict) -> None:
    sync_url({**lossform.current_query(PREFIX), "x": visual.element_text(view["x"], compact=True),
              "y": visual.element_text(view["y"], compact=True), "grid": view["grid"],
              "span": format_number(view["span"]), "lr": format_number(view["lr"]), "steps": view["steps"]})


@st.fragment
def explore(spec, tensors: dict, params: dict, can_sync: bool) -> None:
    """Everything below the form: the two elements, then the window around them.  Choosing an element reruns
    this part."""
    view = st.session_state[KEYS.view]
    options = visual.tensor_elements(spec, tensors)
    dx, dy = visual.default_pair(spec, tensors)
    c1, c2 = st.columns(2)
    viewstate.bind(view, "x", "ls_x", options, dx)
    viewstate.bind(view, "y", "ls_y", options, dy)
    names = {e: element_label(spec, e) for e in options}
    view["x"] = x_el = c1.selectbox(t("landscape.x"), options, key="ls_x", help=t("landscape.element_help"),
                                    format_func=names.__getitem__)
    view["y"] = y_el = c2.selectbox(t("landscape.y"), options, key="ls_y", help=t("landscape.element_help"),
                                    format_func=names.__getitem__)
    window(spec, tensors, params, x_el, y_el, can_sync)


def sliders(view: dict) -> None:
    """The surface's grid and range sliders (their values are in the session already)."""
    g1, g2 = st.columns(2)
    view["grid"] = g1.select_slider(t("landscape.grid"), GRIDS, key="ls_grid", help=t("landscape.grid_help"))
    view["span"] = g2.select_slider(t("landscape.span"), SPANS, key="ls_span", help=t("landscape.span_help"),
                                    format_func=format_number)


@st.fragment
def window(spec, tensors: dict, params: dict, x_el, y_el, can_sync: bool) -> None:
    """The surface over the window (its grid and range sliders sit above it) and, beside it, the descent part.
    Moving the grid or the range reruns only this part."""
    view = st.session_state[KEYS.view]
    viewstate.bind(view, "grid", "ls_grid", GRIDS, DEFAULTS["grid"])
    viewstate.bind(view, "span", "ls_span", SPANS, DEFAULTS["span"])
    # The sliders are drawn above the surface, once it exists; their values are already in the session.
    grid, span = st.session_state["ls_grid"], st.session_state["ls_span"]
    reason = why_not(spec, tensors, x_el, y_el)
    if reason is None:
        problems = [viewstate.window_problem(tensors, el, span, grid) for el in dict.fromkeys((x_el, y_el))]
        if problems := [p for p in problems if p]:
            if can_sync:
                sync(view)
            sliders(view)  # a wider range or fewer points can be the way out: keep them at hand
            for problem in problems:
                st.warning(problem, icon="🔭")
            return
    key = fingerprint(tensors, params)
    try:
        surf, field = cached.landscape_surface(loss_id=spec.id, key=key, x_el=x_el, y_el=y_el, grid=grid, span=span,
                                                _tensors=tensors, _params=params)
    except LossInputError as exc:
        if can_sync:  # otherwise the descent part writes the URL
            sync(view)
        if reason:  # the page's own explanation says what the backend's refusal would
            st.warning(reason, icon="🧭")
        else:
            show_error(exc)
        if reason and len(visual.tensor_elements(spec, tensors, prediction_only=True)) < 2:
            st.page_link("pages/curves.py", label=t("landscape.open_curves"), icon="📈",
                         query_params={"lang": lang(), **lossform.current_query(PREFIX)})
        return
    except Exception as exc:  # a backend bug must not become a traceback on the learner's page
        if can_sync:
            sync(view)
        show_error(LossInputError("internal", spec.id, type(exc).__name__, "", str(exc)))
        return

    left, right = st.columns(2, gap="medium")
    with left:
        st.subheader(t("landscape.surface"))
        sliders(view)
    labels = axis_labels(spec, params, x_el, y_el)
    with left:
        show_chart(surface_figure(surf, labels), "ls_surface", f"{state_slug(spec, tensors, params)}_surface")
        x0, y0, z0, gx, gy = surf.point
        st.caption(t("landscape.gradient_here", z=short(z0), x=labels["x"], y=labels["y"], gx=short(gx),
                     gy=short(gy)))
        note = domain_note(spec, surf, x_el, y_el)
        if note:
            st.caption(note)
        if surf.nonfinite:
            st.caption(t("landscape.nonfinite", count=surf.nonfinite))
        if spec.gradient == "log_softmax_logits":  # the arrows follow torch's gradient, not this surface's
            st.caption(t("landscape.ctc_note"))
    with right:
        descent(spec, tensors, params, key, surf, field, labels, can_sync)


@st.fragment
def descent(spec, tensors: dict, params: dict, key: str, surf, field: str, labels: dict, can_sync: bool) -> None:
    """The contour map with the descent field and the path: the learning rate and the steps rerun only this,
    so moving them leaves the 3D surface alone."""
    view = st.session_state[KEYS.view]
    st.subheader(t("landscape.contour"))
    c1, c2 = st.columns(2)
    viewstate.bind(view, "lr", "ls_lr", RATES, DEFAULTS["lr"])
    viewstate.bind(view, "steps", "ls_steps")
    view["lr"] = lr = c1.select_slider(t("landscape.lr"), RATES, key="ls_lr", help=t("landscape.lr_help"),
                                       format_func=format_number)
    view["steps"] = steps = c2.slider(t("landscape.steps"), 0, MAX_STEPS, key="ls_steps")
    if can_sync:
        sync(view)
    path = compute_path(spec.id, key, tensors, params, view["x"], view["y"], lr, steps, view["span"], surf.frame)
    show_chart(descent_figure(surf, path, labels, field=field), "ls_descent",
               f"{state_slug(spec, tensors, params)}_descent_lr-{format_number(lr)}_steps-{steps}")
    st.caption(t("landscape.contour_help"))
    m1, m2, m3 = st.columns(3)
    distance = float(np.hypot(path.x[-1] - path.x[0], path.y[-1] - path.y[0]))
    m1.metric(t("landscape.start_loss"), short(path.z[0]))
    m2.metric(t("landscape.end_loss", steps=len(path.x) - 1), short(path.z[-1]) if np.isfinite(path.z[-1]) else "—")
    m3.metric(t("landscape.distance"), short(distance) if np.isfinite(distance) and distance < 1e4 else "—")
    (st.warning if path.status == "diverges" else st.info)(path_status(spec, path))
    if path.outside:
        st.caption(t("landscape.outside"))
    share_control(key="ls_share")  # in the fragment: its link follows the sliders this part reruns for
