"""The /examples page's parts: each notes' example as a card (quotes, the three values, the code beside the
verdict, and the card's own explanation), the note filter (``?note=``) and the summary table.

pages/examples.py is the script that lays them out.  The computations are cached here, once per process,
not in the page file whose decorators would run again on every rerun.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import losses
from ui.compute import examples as ex
from ui.compute.examples import CODE, NOTES
from ui.figures.examples import pixel_heatmaps
from ui.state.charts import show_chart
from ui.state.codeview import reproduce
from ui.state.page import arrived_with_link, lang, query, show_link_problems, t
from ui.state.urlstate import PAGE_KEYS, loss_query
from ui.text.errors import describe
from ui.text.i18n import translate
from ui.text.numbers import difference as gap_text
from ui.text.numbers import significant as sig
from ui.text.numbers import torch_print as fmt
from ui.text.numbers import torch_print_tensor as tensor_text
from ui.text.tensors import TensorInputError
from ui.worked.lines import worked_lines

NOTE_KEY = "ex_note"
NOTE_CHOICES = ("all",) + NOTES


# --- cached computations (pure: the same every run) ----------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def run_card(card_id: str) -> ex.Result:
    return ex.run(ex.card(card_id).call)


@st.cache_data(show_spinner=False, max_entries=64)
def worked(card_id: str) -> list[str]:
    call = ex.card(card_id).call
    spec = losses.get_spec(call.loss)
    params = {**spec.defaults(), **call.params}
    arrays = call.arrays()
    function = getattr(losses.functional, call.loss)
    elements = function(**arrays, **{**params, "reduction": "none"})
    value = function(**arrays, **params)
    return worked_lines(call.loss, arrays, params, elements, value)


cached = {name: st.cache_data(show_spinner=False, max_entries=64)(getattr(ex, name))
          for name in ("old_bce", "probability_reading", "nll2d_deprecation", "pixel_loss", "two_routes",
                       "saturation", "reductions", "two_readings", "nll_log_probabilities")}


@st.cache_data(show_spinner=False, max_entries=64)
def run_extra(name: str) -> ex.Result:
    calls = {"bce_clamp": ex.bce_clamp_call(), "bce_valid": ex.bce_valid_call(), "ce_index": ex.ce_index_call(),
             "nll_correct": ex.nll_correct_call(),
             "ce_logits": ex.ce_logits_call()}
    return ex.run(calls[name])


def torch_label() -> str:
    version = ex.about_torch()
    return t("examples.torch", version=version) if version else t("examples.torch_missing_short")


def ours_text(result: ex.Result) -> str:
    if not result.ok:
        return t("examples.refused")
    return fmt(result.value) if np.ndim(result.value) == 0 else tensor_text(result.value)


def torch_text(result: ex.Result) -> str:
    if not result.torch_available:
        return "—"
    if result.torch_error is not None:
        return t("examples.error")
    return fmt(result.torch_value) if np.ndim(result.torch_value) == 0 else tensor_text(result.torch_value)


def note_text(card: ex.Card, short: bool = False) -> str:
    """The value the notes printed (they agree where two print one), 'error', or 'no number' ('—' in a metric)."""
    printed = [q.printed for q in card.quotes if q.printed is not None]
    if printed:
        return printed[0]
    if any(q.error for q in card.quotes):
        return t("examples.error")
    return "—" if short else t("examples.no_number")


def playground_link(label_key: str, call: ex.Call) -> None:
    spec = losses.get_spec(call.loss)
    params = {**spec.defaults(), **call.params}
    query_params = {"lang": lang(), **loss_query(spec, call.arrays(), params)}
    st.page_link("pages/playground.py", label=t(label_key), icon="🧪", query_params=query_params)


def latex_lines(lines: list[str]) -> None:
    st.latex(r"\begin{aligned}" + r"\\ ".join(line.replace("=", "&=", 1) for line in lines) + r"\end{aligned}")


# --- the note filter, in the URL as ?note= --------------------------------------------------------

def note_filter() -> str | None:
    problems = []
    if NOTE_KEY not in st.session_state or arrived_with_link():
        q = query()
        requested = q.get("note", "all")
        if requested not in NOTE_CHOICES:
            problems.append(TensorInputError("choice", "note", repr(requested), NOTE_CHOICES,
                                             f"note={requested!r} is not one of {', '.join(NOTE_CHOICES)}"))
            requested = "all"
        for key in q:
            if key not in PAGE_KEYS | {"note"}:
                problems.append(TensorInputError("unknown_key", key, repr(key), ["lang", "note"],
                                                 f"the link names {key!r}, which this page does not use"))
        st.session_state[NOTE_KEY] = requested
    show_link_problems(problems)
    # labels in this run's language, so that format_func reads no session state when called later
    labels = {n: t("examples.filter_all") if n == "all" else t(f"examples.note.{n}") for n in NOTE_CHOICES}
    choice = st.selectbox(t("examples.filter"), NOTE_CHOICES, key=NOTE_KEY, format_func=labels.__getitem__)
    return None if choice == "all" else choice


# --- the parts of a card ----------------------------------------------------------------------

def quotes(card: ex.Card) -> None:
    lines = []
    for q in card.quotes:
        note = t(f"examples.note.{q.document}")
        if q.printed is not None:
            lines.append(t("examples.quote_printed", note=note, value=q.printed))
        elif q.error:
            lines.append(t("examples.quote_error", note=note))
        else:
            lines.append(t(f"examples.{card.id}.shows_{q.document.replace('-', '_')}", note=note))
    st.markdown("\n".join(f"- {line}" for line in lines))


def outcome(card: ex.Card, result: ex.Result, reason_values: dict) -> None:
    """The quotes, the three values (note, ours, torch), the code beside the verdict and its reason."""
    quotes(card)
    c1, c2, c3 = st.columns(3)
    c1.metric(t("examples.note_value"), note_text(card, short=True))
    c2.metric(t("examples.backend"), ours_text(result))
    c3.metric(torch_label(), torch_text(result))
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.code(CODE[card.id], language="python", wrap_lines=True)
    with right:
        if not result.ok:
            st.caption(t("examples.backend_says", message=describe(result.refusal.exception(), lang())))
        if result.torch_available and result.torch_error is not None:
            st.caption(t("examples.torch_says", message=result.torch_error))
        if not result.torch_available:
            st.caption(t("examples.torch_missing"))
        v = ex.verdict(card, result)
        box = {"same": st.success, "no_number_runs": st.success, "different": st.warning,
               "works_then_error_now": st.warning, "no_number_fails": st.warning, "error_then_works_now": st.info,
               "error_then_and_now": st.info}[v.kind]
        basis = "" if v.basis == "torch" else " " + t("examples.basis_backend")
        box(f"**{t('examples.verdict')}{t('punct.colon')}{t('examples.verdicts.' + v.kind)}**{basis}\n\n"
            + t(f"examples.{card.id}.reason", **reason_values), icon="⚖️")


def values_row(result: ex.Result, label: str) -> None:
    """One call's value on both sides, as a sentence."""
    st.markdown(t("examples.values_line", what=label, ours=ours_text(result), torch=torch_label(),
                  theirs=torch_text(result)))


def render_pair_regression(card: ex.Card, result: ex.Result) -> None:
    outcome(card, result, {})
    lines = worked(card.id)
    if lines:
        st.markdown(f"**{t('examples.by_hand')}**")
        latex_lines(lines)


def render_bce(card: ex.Card, result: ex.Result) -> None:
    old = cached["old_bce"]()
    outcome(card, result, {})
    st.markdown(f"#### {t('examples.bce.old_title')}")
    st.markdown(t("examples.bce.old_body", floor=fmt(old.log_floor), cost=fmt(-old.log_floor)))
    terms = [rf"\ell({fmt(x)}, {fmt(y)}) = (1 - {fmt(y)}) \cdot {fmt(-old.log_floor)} = {fmt(v)}"
             for x, y, v in zip(old.input.ravel(), old.target.ravel(), old.terms.ravel())]
    total = " + ".join(f"({fmt(v)})" if fmt(v).startswith("-") else fmt(v) for v in old.terms.ravel())
    terms.append(rf"\text{{mean}} = \tfrac{{1}}{{{old.terms.size}}}\,[{total}] = {sig(old.mean)}")
    latex_lines(terms)
    printed = card.quotes[0].printed
    matches = abs(old.mean - float(printed)) <= ex.printed_tolerance(printed)
    st.caption(t("examples.bce.old_matches" if matches else "examples.bce.old_differs", value=printed,
                 mean=sig(old.mean)))
    st.markdown(f"#### {t('examples.bce.now_title')}")
    clamp = run_extra("bce_clamp")
    st.markdown(t("examples.bce.now_body", hypothetical=fmt(old.now_clamp_mean),
                  terms=tensor_text(old.now_clamp_terms)))
    values_row(clamp, t("examples.bce.clamp_label"))
    st.markdown(f"#### {t('examples.bce.valid_title')}")
    st.code(CODE["bce_valid"], language="python", wrap_lines=True)
    values_row(run_extra("bce_valid"), t("examples.bce.valid_label"))


def render_cross_entropy(card: ex.Card, result: ex.Result) -> None:
    reading = cached["probability_reading"]()
    outcome(card, result, {})
    st.markdown(f"#### {t('examples.cross_entropy.arith_title')}")
    st.markdown(t("examples.cross_entropy.arith_body"))
    lines = []
    for r, (logp, target_row, mass, row) in enumerate(zip(reading.log_softmax, np.asarray(ex.TARGET), reading.mass,
                                                          reading.rows), start=1):
        products = " + ".join(rf"{fmt(tc)} \cdot ({fmt(lp)})" for tc, lp in zip(target_row, logp))
        lines.append(rf"\ell_{r} = -[{products}] = {fmt(mass)} \cdot {fmt(-logp[0])} = {fmt(row)}")
    lines.append(rf"\text{{mean}} = \tfrac{{{fmt(reading.rows[0])} + {fmt(reading.rows[1])}}}{{{len(reading.rows)}}}"
                 rf" = {fmt(reading.mean)}")
    latex_lines(lines)
    st.caption(t("examples.cross_entropy.log2", value=fmt(-reading.log_softmax[0, 0])))
    st.warning(t("examples.cross_entropy.not_probabilities", sums=", ".join(fmt(m) for m in reading.mass)), icon="⚠️")
    st.markdown(f"#### {t('examples.cross_entropy.index_title')}")
    st.code(CODE["ce_index"], language="python", wrap_lines=True)
    values_row(run_extra("ce_index"), t("examples.cross_entropy.index_label"))
    st.caption(t("examples.cross_entropy.playground_note"))


def render_nll(card: ex.Card, result: ex.Result) -> None:
    outcome(card, result, {})
    st.markdown(f"#### {t('examples.nll.correct_title')}")
    st.markdown(t("examples.nll.correct_body"))
    st.code(CODE["nll_correct"], language="python", wrap_lines=True)
    log_probs = cached["nll_log_probabilities"]()
    st.latex(r"\log\mathrm{softmax} = " + r"\begin{bmatrix}" + r"\\ ".join(
        " & ".join(fmt(v) for v in row) for row in log_probs) + r"\end{bmatrix}")
    nll, ce = run_extra("nll_correct"), run_extra("ce_logits")
    values_row(nll, "`F.nll_loss(log_probs, classes)`")
    values_row(ce, "`F.cross_entropy(logits, classes)`")
    if nll.ok and ce.ok:
        st.caption(t("examples.nll.equal", gap=gap_text(abs(float(nll.value) - float(ce.value)))))


@st.cache_resource(show_spinner=False, max_entries=4)
def nll2d_figure(language: str):
    """The pixel heatmaps depend on the cached example and the language only: built once per language (building
    the plotly figure was half of this page's rerun, bench/profile_edit.py).  Streamlit only reads it."""
    pixels = cached["pixel_loss"]()
    labels = {k: translate(language, f"examples.nll2d.fig_{k}")
              for k in ("classes", "loss", "x", "y", "row", "col", "class", "value", "colorbar")}
    return pixel_heatmaps(pixels.classes[0], pixels.per_pixel[0], labels)


def render_nll2d(card: ex.Card, result: ex.Result) -> None:
    outcome(card, result, {})
    present, warning = cached["nll2d_deprecation"]()
    if present:
        st.markdown(t("examples.nll2d.deprecated", warning=warning or "—"))
    elif ex.about_torch():
        st.markdown(t("examples.nll2d.removed"))
    st.markdown(f"#### {t('examples.nll2d.working_title')}")
    pixels = cached["pixel_loss"]()
    st.markdown(t("examples.nll2d.working_body", input=str(pixels.log_probs.shape), target=str(pixels.classes.shape),
                  out=str(pixels.per_pixel.shape)))
    st.code(CODE["nll2d_working"], language="python", wrap_lines=True)
    st.caption(t("examples.nll2d.code_note"))
    st.markdown(t("examples.values_line", what=t("examples.nll2d.mean_label"), ours=fmt(pixels.value),
                  torch=torch_label(), theirs="—" if pixels.torch_value is None else fmt(pixels.torch_value)))
    if pixels.torch_per_pixel is not None:
        st.caption(t("examples.nll2d.per_pixel_gap",
                     gap=gap_text(np.max(np.abs(pixels.per_pixel - pixels.torch_per_pixel)))))
    show_chart(nll2d_figure(lang()), "ex_nll2d_heatmap", f"examples_{card.id}_per_pixel")
    worst = np.unravel_index(int(np.argmax(pixels.per_pixel[0])), pixels.per_pixel[0].shape)
    st.caption(t("examples.nll2d.worst", row=int(worst[0]), col=int(worst[1]),
                 value=fmt(pixels.per_pixel[0][worst]), cls=int(pixels.classes[0][worst])))


def render_criterion(card: ex.Card, result: ex.Result) -> None:
    results = cached["reductions"]()
    outcome(card, result, {"mean": ours_text(results["mean"]), "sum": ours_text(results["sum"])})
    rows = [{t("examples.criterion.col_reduction"): f"'{r}'", t("examples.backend"): ours_text(res),
             torch_label(): torch_text(res)} for r, res in results.items()]
    st.table(pd.DataFrame(rows).set_index(t("examples.criterion.col_reduction")))
    none = np.asarray(results["none"].value)
    st.caption(t("examples.criterion.check", total=fmt(none.sum()), count=none.size,
                 mean=fmt(none.sum() / none.size)))


def render_sigmoid_bce(card: ex.Card, result: ex.Result) -> None:
    routes = cached["two_routes"]()
    outcome(card, result, {"gap": gap_text(routes.largest_gap)})
    frame = pd.DataFrame({
        t("examples.sigmoid_bce.col_logit"): [fmt(v) for v in routes.logits.ravel()],
        t("examples.sigmoid_bce.col_target"): [fmt(v) for v in routes.target.ravel()],
        t("examples.sigmoid_bce.col_grad_composed"): [sig(v) for v in routes.composed_grad.ravel()],
        t("examples.sigmoid_bce.col_grad_fused"): [sig(v) for v in routes.fused_grad.ravel()],
    })
    if routes.torch_composed_grad is not None:
        frame[t("examples.sigmoid_bce.col_grad_torch")] = [sig(v) for v in routes.torch_composed_grad.ravel()]
    values = [(t("examples.sigmoid_bce.composed"), routes.composed_value, routes.torch_composed_value),
              (t("examples.sigmoid_bce.fused"), routes.fused_value, routes.torch_fused_value)]
    for label, ours, theirs in values:
        st.markdown(t("examples.values_line", what=label, ours=sig(ours), torch=torch_label(),
                      theirs="—" if theirs is None else sig(theirs)))
    st.table(frame)
    st.caption(t("examples.sigmoid_bce.agree", gap=gap_text(routes.largest_gap)))

    st.markdown(f"#### {t('examples.sigmoid_bce.stable_title')}")
    st.markdown(t("examples.sigmoid_bce.stable_body"))
    rows = cached["saturation"]()
    table = []
    for row in rows:
        entry = {
            t("examples.sigmoid_bce.col_dtype"): row.dtype,
            t("examples.sigmoid_bce.col_logit"): fmt(row.logit),
            "σ(x)": sig(row.sigmoid, 10),
            "1 − σ(x)": sig(row.one_minus, 10),
            t("examples.sigmoid_bce.col_composed_value"): sig(row.composed_value, 10),
            t("examples.sigmoid_bce.col_composed_grad"): sig(row.composed_grad, 10),
            t("examples.sigmoid_bce.col_fused_value"): sig(row.fused_value, 10),
            t("examples.sigmoid_bce.col_fused_grad"): sig(row.fused_grad, 10),
        }
        if row.torch_composed_value is not None:
            composed = f"{sig(row.torch_composed_value, 10)} / {sig(row.torch_composed_grad, 10)}"
            fused = f"{sig(row.torch_fused_value, 10)} / {sig(row.torch_fused_grad, 10)}"
            entry[t("examples.sigmoid_bce.col_torch")] = f"{composed} · {fused}"
        table.append(entry)
    st.table(pd.DataFrame(table))
    at_100 = [r for r in rows if r.logit == 100.0]
    first32 = next((r for r in rows if r.dtype == "float32" and r.one_minus == 0.0), None)
    st.markdown(t("examples.sigmoid_bce.stable_read", composed=sig(at_100[0].composed_value),
                  grad=sig(at_100[0].composed_grad), fused=sig(at_100[0].fused_value),
                  fused_grad=sig(at_100[0].fused_grad),
                  small=fmt(first32.logit) if first32 else "—",
                  small_value=sig(first32.composed_value) if first32 else "—"))


def render_tensorflow(card: ex.Card, result: ex.Result) -> None:
    readings = cached["two_readings"]()
    res = readings.results
    outcome(card, result, {})
    classes = [f"{t('examples.tensorflow.class')} {j}" for j in range(readings.logits.shape[1])]
    for title, probs, target in ((t("examples.tensorflow.sigmoid_title"), readings.sigmoid, readings.multilabel),
                                 (t("examples.tensorflow.softmax_title"), readings.softmax, readings.onehot)):
        st.markdown(f"**{title}**")
        frame = pd.DataFrame([[fmt(v) for v in row] + [fmt(row.sum())] + [tensor_text(tr)]
                              for row, tr in zip(probs, target)],
                             columns=classes + [t("examples.tensorflow.row_sum"), t("examples.tensorflow.target")],
                             index=[f"{t('examples.tensorflow.sample')} {i}" for i in range(len(probs))])
        st.table(frame)
    values_row(res["multilabel"], t("examples.tensorflow.multilabel_label"))
    values_row(res["multiclass"], t("examples.tensorflow.multiclass_label"))
    values_row(res["multiclass_index"], t("examples.tensorflow.index_label"))
    values_row(res["onehot_sigmoid"], t("examples.tensorflow.onehot_sigmoid_label"))
    st.markdown(t("examples.tensorflow.when"))


RENDER = {"l1": render_pair_regression, "smooth_l1": render_pair_regression, "mse": render_pair_regression,
          "bce": render_bce, "cross_entropy": render_cross_entropy, "nll": render_nll, "nll2d": render_nll2d,
          "criterion": render_criterion, "sigmoid_bce": render_sigmoid_bce, "tensorflow": render_tensorflow}


def render_card(card: ex.Card) -> None:
    with st.container(border=True, key=f"ex_card_{card.id}"):
        st.subheader(t(f"examples.{card.id}.title"), anchor=card.id)
        st.markdown(t(f"examples.{card.id}.what"))
        result = run_card(card.id)
        RENDER[card.id](card, result)
        st.markdown(f"**{t('examples.open')}**")
        for label_key, call in card.links:
            playground_link(label_key, call)
        spec = losses.get_spec(card.call.loss)
        reproduce(spec, card.call.arrays(), {**spec.defaults(), **card.call.params}, key=f"ex_{card.id}_code",
                  refused=result.refusal is not None)


def summary(cards: list) -> None:
    rows = []
    for card in cards:
        result = run_card(card.id)
        rows.append({t("examples.col_example"): t(f"examples.{card.id}.title"),
                     t("examples.note_value"): note_text(card),
                     t("examples.backend"): ours_text(result),
                     torch_label(): torch_text(result),
                     t("examples.verdict"): t("examples.verdicts." + ex.verdict(card, result).kind)})
    st.table(pd.DataFrame(rows).set_index(t("examples.col_example")))
