"""/reference: the explanation of every loss and concept, beside a live example; /reference alone is the index."""

import numpy as np
import pandas as pd
import streamlit as st

import losses
from losses import LossInputError
from losses.spec import FAMILIES
from ui.compute.runner import largest_gap, run_backend, run_torch, torch_version
from ui.figures.reference import curve_figure, example_curve
from ui.state.charts import show_chart
from ui.state.page import lang, require_shell, show_error, show_link_problems, sync_url, t
from ui.state.share import share_control
from ui.state.urlstate import PAGE_KEYS, example_arrays, example_parameters, format_parameter, loss_query
from ui.text import content
from ui.text.errors import describe
from ui.text.numbers import difference, format_number, short
from ui.text.tensors import TensorInputError

require_shell()

PAGE = "pages/reference.py"
QUERY_KEYS = {"loss", "concept"} | PAGE_KEYS


@st.cache_data(show_spinner=False, max_entries=256)
def live_example(loss_id: str):
    """The registry example's value and torch's, computed when the page runs (cached per loss)."""
    spec = losses.get_spec(loss_id)
    tensors, params = example_arrays(spec), example_parameters(spec)
    return tensors, params, run_backend(loss_id, tensors, params), run_torch(loss_id, tensors, params)


@st.cache_data(show_spinner=False, max_entries=256)
def live_curve(loss_id: str):
    spec = losses.get_spec(loss_id)
    try:
        return example_curve(spec, example_arrays(spec), example_parameters(spec)), None
    except LossInputError as exc:
        return None, exc


def tensor_text(arr, number=format_number) -> str:
    """A tensor as a nested list, one row per line, as it could be pasted into the playground."""
    arr = np.asarray(arr)

    def walk(a, depth):
        if a.ndim == 0:
            return number(a)
        sep = ", " if a.ndim == 1 else ",\n" + " " * (depth + 1)
        return "[" + sep.join(walk(x, depth + 1) for x in a) + "]"

    return walk(arr, 0)


def shape_text(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def link_to(label: str, icon: str | None = None, **target) -> None:
    st.page_link(PAGE, label=label, icon=icon, query_params={**target, "lang": lang()})


def keep_in_url(query: dict) -> None:
    """sync_url, and write the URL even when it already holds this state.

    A page link from /reference to /reference runs the page with the new query parameters, but the browser's
    address bar can keep the old ones; writing them again puts the page the learner sees into the address bar.
    """
    sync_url(query)
    st.query_params.from_dict(st.session_state._written_query)


def render_index() -> None:
    st.title(t("reference.title"))
    st.caption(t("reference.intro"))
    st.header(t("reference.families"))
    groups = losses.by_family()
    cols, filled = st.columns(2, gap="large"), [0, 0]
    for family in FAMILIES:
        side = filled.index(min(filled))  # two columns of about equal length; wide enough for the long names
        filled[side] += len(groups[family]) + 1
        with cols[side]:
            st.markdown(f"**{t('family.' + family)}**")
            for spec in groups[family]:
                cls = spec.torch_class or t("reference.not_in_torch")
                link_to(f"{spec.title[lang()]} · {cls}", loss=spec.id)
    st.header(t("reference.concepts"))
    st.caption(t("reference.concepts_intro"))
    cols = st.columns(2)
    for i, concept in enumerate(content.CONCEPTS):
        doc = content.load("concept", concept, lang())
        with cols[i % 2]:
            link_to(doc.title if doc else concept, icon="📖", concept=concept)
    st.header(t("reference.glossary"))
    st.caption(t("reference.glossary_intro"))
    rows = [{t("reference.col_en"): term["en"], t("reference.col_zh"): term["zh"],
             t("reference.col_note"): term.get(f"note_{lang()}", "")} for term in content.glossary()]
    st.table(pd.DataFrame(rows), hide_index=True)


def show_value(spec, value: np.ndarray, theirs) -> None:
    """The backend's value beside torch's; a tensor value (activations, reduction='none') is listed in full."""
    torch_ok = theirs.available and not theirs.error
    if value.ndim == 0:
        st.markdown(f"**{t('reference.value')}**")
        c1, c2 = st.columns(2)
        c1.metric(t("reference.ours"), short(value, 6))
        if torch_ok:
            c2.metric(t("reference.torch", version=torch_version()), short(np.asarray(theirs.value), 6))
    else:
        st.markdown(f"**{t('reference.output', shape=shape_text(value.shape))}**")
        st.caption(t("reference.output_values") if spec.family == "activation" else t("reference.elements"))
        st.code(tensor_text(value, short), language=None)
        if torch_ok:
            st.metric(t("reference.difference", version=torch_version()),
                      difference(largest_gap(value, theirs.value)))
    if not theirs.available:
        st.info(t("reference.torch_missing"))
    elif theirs.error:
        st.warning(t("reference.torch_refuses", message=theirs.error))


def render_example(spec) -> None:
    tensors, params, ours, theirs = live_example(spec.id)
    st.subheader(t("reference.live"))
    st.caption(t("reference.live_help"))
    st.markdown(f"**{t('reference.tensors')}**")
    for name, arr in tensors.items():
        st.caption(f"`{name}` · {t('reference.shape', shape=shape_text(np.shape(arr)))}")
        st.code(tensor_text(arr), language=None)
    shown = {k: v for k, v in params.items() if k in spec.defaults()}
    if shown:
        values = ", ".join(f"`{k}={format_parameter(v)!r}`" if isinstance(v, str) else f"`{k}={format_parameter(v)}`"
                           for k, v in shown.items())
        st.caption(t("reference.parameters", values=values))
    else:
        st.caption(t("reference.no_parameters"))

    if not ours.ok:
        show_error(ours.error)
    else:
        show_value(spec, np.asarray(ours.value), theirs)

    query = {**loss_query(spec, tensors, params), "lang": lang()}
    curve, problem = live_curve(spec.id)
    st.page_link("pages/playground.py", label=t("reference.open_playground"), icon="🧪", query_params=query)
    element = {"el": f"{curve.argument}[{','.join(map(str, curve.index))}]"} if curve else {}
    st.page_link("pages/curves.py", label=t("reference.open_curves"), icon="📈", query_params={**query, **element})
    st.page_link("pages/landscape.py", label=t("reference.open_landscape"), icon="⛰️", query_params=query)

    st.subheader(t("reference.curve"))
    if curve is None:
        st.caption(t("reference.no_curve", message=describe(problem, lang())))
        return
    help_key = {"loss": "curve_help", "loss_sum": "curve_help_sum", "activation": "curve_help_activation"}[curve.kind]
    position = ", ".join(map(str, curve.index))
    st.caption(t(f"reference.{help_key}", element=f"`{curve.element}`", output=f"`output[{position}]`"))
    y_label = {"loss": t("reference.axis_loss"), "loss_sum": t("reference.axis_loss_sum"),
               "activation": f"output[{position}]"}[curve.kind]
    labels = {"y": y_label, "slope": t("reference.axis_slope"), "point": t("reference.example_point")}
    show_chart(curve_figure(curve, labels), "ref_curve", f"{spec.id}_example_curve_{curve.argument}")


def render_loss(spec) -> None:
    doc = content.load("loss", spec.id, lang())
    text_col, example_col = st.columns([2, 1], gap="medium")
    with text_col:
        link_to(t("reference.back"), icon="⬅️")
        st.title(doc.title if doc else spec.title[lang()])
        notes = [t("reference.torch_class", name=spec.torch_class)] if spec.torch_class else []
        if not spec.torch_class or not spec.reference.startswith("torch.nn.functional"):
            notes.append(t("reference.origin", reference=spec.reference))
        st.caption(" · ".join(notes))
        if doc is None:
            st.info(t("reference.missing", name=spec.title[lang()]))
        else:
            st.markdown(doc.rendered(), unsafe_allow_html=True)
    with example_col:
        render_example(spec)


def render_concept(concept: str) -> None:
    doc = content.load("concept", concept, lang())
    text_col, side_col = st.columns([4, 1], gap="medium")
    with text_col:
        link_to(t("reference.back"), icon="⬅️")
        if doc is None:
            st.info(t("reference.missing", name=concept))
        else:
            st.title(doc.title)
            st.markdown(doc.rendered(), unsafe_allow_html=True)
    with side_col:
        # markdown links wrap in a narrow column, where page-link pills would cut long titles
        lines = [f"**{t('reference.other_concepts')}**", ""]
        for other in content.CONCEPTS:
            if other != concept:
                other_doc = content.load("concept", other, lang())
                lines.append(f"- [{other_doc.title if other_doc else other}](/reference?concept={other})")
        st.markdown(content.localise_links("\n".join(lines), lang(), same_tab=True), unsafe_allow_html=True)


params = st.query_params.to_dict()
loss_id, concept = params.get("loss"), params.get("concept")
unknown = [key for key in params if key not in QUERY_KEYS]
if unknown:
    show_link_problems([TensorInputError("unknown_key", key, repr(key), sorted(QUERY_KEYS), f"unknown key {key!r}")
                        for key in unknown])

if loss_id is not None and loss_id in losses.REGISTRY:
    render_loss(losses.get_spec(loss_id))
    keep_in_url({"loss": loss_id})
    share_control(key="ref_share")
elif loss_id is None and concept is not None and concept in content.CONCEPTS:
    render_concept(concept)
    keep_in_url({"concept": concept})
    share_control(key="ref_share")
else:
    if loss_id is not None:
        st.warning(t("reference.unknown_loss", found=f"`{loss_id}`"), icon="🔗")
    elif concept is not None:
        st.warning(t("reference.unknown_concept", found=f"`{concept}`"), icon="🔗")
    render_index()
    keep_in_url({})
