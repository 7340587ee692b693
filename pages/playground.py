"""/playground: edit a loss's tensors and parameters, see every number, checked against torch."""

import numpy as np
import pandas as pd
import streamlit as st

from ui.compute.compare import comparison_rows
from ui.compute.export import state_slug
from ui.compute.runner import largest_gap, run_backend, run_torch, torch_version
from ui.figures.common import matrix_heatmap
from ui.state import lossform, narrow, predict
from ui.state.charts import show_chart
from ui.state.codeview import reproduce
from ui.state.downloads import numbers_downloads
from ui.state.page import lang, require_shell, show_error, sync_url, t
from ui.state.present import presenting
from ui.state.session_keys import PLAYGROUND
from ui.state.share import share_control
from ui.state.urlstate import loss_query
from ui.text.numbers import difference, scientific, short
from ui.worked.lines import worked_lines

require_shell()

PREFIX = PLAYGROUND.prefix

st.title(t("playground.title"))
st.caption(t("playground.intro"))

lossform.init(PREFIX)
spec = lossform.loss_picker(PREFIX)
left, right = st.columns([5, 6], gap="large")
with left:
    params = lossform.parameter_widgets(PREFIX, spec)
    result_strip = narrow.result_box()  # on a phone the value column lands far below: the strip keeps it in view
    tensors, input_errors = lossform.tensor_editors(PREFIX, spec)

ours = run_backend(spec.id, tensors, params)
slug = state_slug(spec, tensors, params)
theirs = run_torch(spec.id, tensors, params)

with right:
    if input_errors:
        st.info(t("playground.unchanged"), icon="ℹ️")
    st.subheader(t("playground.value"))
    if not ours.ok:
        show_error(ours.error)
        if theirs.available and theirs.error:
            st.caption(t("playground.torch_refuses", message=theirs.error))
    revealed = ours.ok and predict.revealed(PREFIX, spec.id, tensors, params, ours.value)
    # guess first: until the learner's guess, the value, its arithmetic and the gradients wait
    result_strip.markdown(narrow.value_line(spec.title[lang()], ours, theirs, stale=bool(input_errors),
                                            hidden=ours.ok and not revealed))
    if revealed:
        value = ours.value
        shown = value if value.ndim == 0 else value.sum()
        c1, c2, c3 = st.columns(3)
        label_sum = "" if value.ndim == 0 else f" ({t('playground.sum_note')})"
        c1.metric(t("playground.backend_value") + label_sum, short(shown, 6))
        if theirs.available:
            if theirs.error:
                c2.metric(t("playground.torch_value", version=torch_version()), t("playground.refused"))
                st.warning(t("playground.torch_refuses", message=theirs.error))
            else:
                tv = np.asarray(theirs.value)
                torch_shown = tv if tv.ndim == 0 else tv.sum()
                c2.metric(t("playground.torch_value", version=torch_version()), short(torch_shown, 6))
                c3.metric(t("playground.difference"), difference(largest_gap(value, tv)))
        else:
            st.info(t("playground.torch_missing"))
        if value.ndim > 0:
            st.caption(t("playground.value_is_tensor"))
        if not np.all(np.isfinite(value)):
            # the entries are finite (the editor refuses inf and NaN): the loss overflowed on the way
            st.info(t("playground.overflow"), icon="ℹ️")

        st.markdown(f"**{t('playground.worked')}**")
        lines = worked_lines(spec.id, tensors, params, ours.elements, ours.value)
        if lines:
            st.latex(r"\begin{aligned}" + r"\\ ".join(line.replace("=", "&=", 1) for line in lines) + r"\end{aligned}")
        show_chart(matrix_heatmap(ours.elements, t("playground.elements")), "pg_elements", f"{slug}_elements")

        st.subheader(t("playground.gradient"))
        st.caption(t("playground.gradient_help"))
        for name, grad in ours.grads.items():
            # side by side the heatmaps' numbers would not fit a projector's 1024 px: one under the other
            g1, g2 = (st.container(), st.container()) if presenting() else st.columns(2)
            show_chart(matrix_heatmap(grad, f"{t('playground.gradient_of', name=name)} · Loss Lab"),
                       f"pg_grad_{name}", f"{slug}_{name}-grad", where=g1)
            if theirs.available and not theirs.error and name in theirs.grads:
                show_chart(matrix_heatmap(theirs.grads[name], f"{t('playground.gradient_of', name=name)} · torch"),
                           f"pg_tgrad_{name}", f"{slug}_{name}-grad_torch", where=g2)
                g2.caption(t("playground.max_abs_diff", diff=scientific(largest_gap(grad, theirs.grads[name]))))

if {"input", "target"} <= set(tensors) and not input_errors and not predict.hiding(PREFIX, spec.id, tensors, params):
    st.divider()
    st.subheader(t("playground.compare"))
    reduction = params.get("reduction", "mean")
    st.caption(t("playground.compare_help", reduction=reduction))
    comparison = comparison_rows(tensors, reduction, lang())
    frame = pd.DataFrame(comparison.rows).set_index("id")
    # keyed, so that on a phone its notes column gets room (ui/state/narrow.py) instead of tall, thin rows
    st.container(key="pg_compare").table(frame, border="horizontal", hide_index=True)
    if comparison.outside:
        # a negative row's note names the argument outside its domain; its link opens that loss on these
        # tensors, where the worked arithmetic shows the term that turns negative
        st.caption(t("compare_extra.open_negative"))
        with st.container(horizontal=True, gap="small", key="pg_negative_links"):
            pair = {"input": tensors["input"], "target": tensors["target"]}
            for other, other_params in comparison.outside:
                st.page_link("pages/playground.py", label=other.title[lang()], icon="🔎",
                             query_params={"lang": lang(), **loss_query(other, pair, other_params)})
else:
    frame = None

st.divider()
if not input_errors:
    sync_url(lossform.current_query(PREFIX))
link_query = {"lang": lang(), **lossform.current_query(PREFIX)}
with st.container(horizontal=True, gap="medium"):
    st.page_link("pages/curves.py", label=t("playground.open_curves"), icon="📈", query_params=link_query)
    st.page_link("pages/landscape.py", label=t("playground.open_landscape"), icon="⛰️", query_params=link_query)
    st.page_link("pages/reference.py", label=t("playground.open_reference"), icon="📖",
                 query_params={"lang": lang(), "loss": spec.id})
reproduce(spec, tensors, params, key="pg_code", refused=not ours.ok)
# guess first holds the gradients back from the downloads too, until the guess reveals them on the page
numbers_downloads(slug, tensors, ours.grads if revealed else None,
                  theirs.grads if revealed and theirs.available and not theirs.error else None, frame, key="pg")
share_control(link_query)
