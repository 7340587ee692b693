"""/train: race up to four runs (loss + optimizer) on one preset's data from the same start, step through them,
and check every step against torch.optim."""

import functools

import numpy as np
import pandas as pd
import streamlit as st

import losses
import train
from losses import LossInputError
from train.optim import OPTIMIZERS
from ui.compute.runner import torch_version
from ui.figures import train as figures
from ui.figures.common import short
from ui.state import narrow, trainstate
from ui.state.page import arrived_with_link, lang, query, require_shell, show_error, sync_url, t
from ui.state.share import share_control
from ui.text import content
from ui.text.errors import describe
from ui.text.i18n import translate

require_shell()

RUN_COLORS = ("blue", "red", "green", "orange")  # st.markdown's names for the first four of figures.color(i)
PLAY_EVERY = 0.6  # seconds between frames while playing
PLAY_FRAMES = 40  # a played race takes about this many frames


# --- state -------------------------------------------------------------------------------------------------------

def open_state() -> tuple[dict, list]:
    """The session's race, or the one a followed link describes."""
    q = query()
    linked = any(k == "preset" or trainstate.RUN_KEY.fullmatch(k) for k in q)
    if "tr" in st.session_state and not (arrived_with_link() and linked):
        return st.session_state.tr, []
    state, errors = trainstate.read_link(q) if linked else (trainstate.fresh(trainstate.PRESETS[0]), [])
    state["ver"] = st.session_state.get("tr", {}).get("ver", 0) + 1
    st.session_state.tr = state
    return state, errors


def renew(state: dict) -> None:
    """New widget keys, so every widget shows the state's values again (after a preset change or a removal)."""
    state["ver"] += 1


def show_link_errors(errors: list) -> None:
    for exc in errors:
        message = describe(exc, lang())
        if getattr(exc, "run", None):
            message = t("train.run_error", k=exc.run[1:], message=message)
        icon = "🔗"
        if exc.code == "unknown_key":
            st.warning(message, icon=icon)
        else:
            st.warning(t("error.link", message=message), icon=icon)


def data_of(state: dict):
    chosen = train.PRESETS[state["preset"]]
    return chosen.dataset(state["seed"], state.get("text") if state["preset"] == "your_data" else None)


def labeller(prefix: str):
    """A widget's format_func in the current language, bound now: AppTest calls it outside the script's run,
    where the session (and so lang()) is not at hand."""
    return functools.partial(translate_under, lang(), prefix)


def translate_under(language: str, prefix: str, value) -> str:
    return translate(language, f"{prefix}.{value}")


def loss_title(language: str, loss_id: str) -> str:
    return losses.get_spec(loss_id).title[language]


# --- the setup ---------------------------------------------------------------------------------------------------

def preset_picker(state: dict) -> None:
    chosen = st.pills(t("train.preset"), trainstate.PRESETS, default=state["preset"],
                      format_func=labeller("train.presets"), key=f"tr_preset_v{state['ver']}")
    if chosen and chosen != state["preset"]:
        fresh = trainstate.fresh(chosen, state["seed"])
        fresh["ver"] = state["ver"] + 1
        state.clear()
        state.update(fresh)
        st.rerun()


def setup(state: dict) -> None:
    """Steps, seed, the model, and the learner's rows for 'your data'.  A bad value is reported; the race keeps
    the last good one."""
    ver = state["ver"]
    chosen = train.PRESETS[state["preset"]]
    c1, c2, c3 = st.columns(3)
    steps = c1.number_input(t("train.steps"), min_value=1, value=int(state["steps"]), step=50,
                            key=f"tr_steps_v{ver}", help=t("train.steps_help", max=trainstate.MAX_STEPS))
    try:
        state["steps"] = train.run.check_steps(int(steps))
        state["t"] = min(state["t"], state["steps"])
    except LossInputError as exc:
        c1.error(describe(exc, lang()), icon="⚠️")
    seed = c2.number_input(t("train.seed"), min_value=0, max_value=2 ** 32 - 1, value=int(state["seed"]), step=1,
                           key=f"tr_seed_v{ver}", help=t("train.seed_help"))
    state["seed"] = int(seed)
    if state["preset"] == "your_data":
        text = st.text_area(t("train.data"), value=state.get("text") or "", height=160, key=f"tr_data_v{ver}",
                            help=t("train.data_help", max=train.MAX_ROWS))
        try:
            data = chosen.dataset(state["seed"], text)
            if state.get("text") != text:
                state["text"] = text
                names = chosen.model_names(data)
                if state.get("model") not in names or not state["runs"] or \
                        any(r.loss not in chosen.losses(data) for r in state["runs"]):
                    state["model"] = names[0]
                    state["runs"] = list(chosen.default_runs(data))
                    renew(state)
                    st.rerun()
        except LossInputError as exc:
            st.error(t("train.data_problem", message=describe(exc, lang())), icon="⚠️")
            st.info(t("train.unchanged"), icon="ℹ️")
    try:
        names = chosen.model_names(data_of(state))
    except LossInputError:
        names = ()
    if len(names) > 1:
        if state.get("model") not in names:
            state["model"] = names[0]
        state["model"] = c3.selectbox(t("train.model"), names, index=names.index(state["model"]),
                                      format_func=labeller("train.models"), key=f"tr_model_v{ver}")
    elif names:
        state["model"] = names[0]
        c3.text_input(t("train.model"), t(f"train.models.{names[0]}"), disabled=True, key=f"tr_model_v{ver}")


def short_loss(loss_id: str) -> str:
    spec = losses.get_spec(loss_id)
    if spec.torch_class:
        return spec.torch_class.removesuffix("Loss") or spec.torch_class
    return spec.title["en"].split(" (")[0]


def run_label(k: int, spec: train.RunSpec) -> str:
    extra = [f"{name}={trainstate._number_text(v)}" for name, v in spec.loss_options.items()][:1]
    extra += [f"{name} {a:g}→{b:g}" for name, (a, b) in spec.anneal.items()]
    if spec.head:
        extra.append(spec.head)
    name = " ".join([short_loss(spec.loss), *extra])
    # the first option besides lr tells two runs of one optimizer apart (SGD and SGD momentum=0.9)
    options = [f"{o}={trainstate._number_text(v) if not isinstance(v, tuple) else ':'.join(map(str, v))}"
               for o, v in spec.optimizer_options.items() if o != "lr"][:1]
    optimizer = " ".join([t("train.optimizers." + spec.optimizer), *options])
    return f"({k}) {name} · {optimizer}"  # "1." would render as a list


def _number(label: str, value, key: str, integer: bool = False, help_text: str | None = None):
    if integer:
        return int(st.number_input(label, value=int(value), step=1, key=key, help=help_text))
    return float(st.number_input(label, value=float(value), step=None, format="%g", key=key, help=help_text))


def loss_widgets(i: int, spec: train.RunSpec, data, ver: int) -> tuple[dict, dict]:
    """The loss's own options (the reduction stays the mean) and what is annealed."""
    loss_spec = losses.get_spec(spec.loss)
    options, anneal = {}, {}
    base = f"tr_r{i}_{spec.loss}"
    annealable = train.schedules.annealable(spec.loss)
    for param in loss_spec.parameters:
        if param.name in trainstate.HIDDEN_LOSS_OPTIONS:
            continue
        if param.name in annealable:
            start, end = annealable[param.name]
            if st.toggle(t("train.anneal", name=f"`{param.name}`", start=f"{start:g}", end=f"{end:g}"),
                         value=param.name in spec.anneal, key=f"{base}_anneal_{param.name}_v{ver}"):
                anneal[param.name] = spec.anneal.get(param.name, (start, end))
                continue
        value = spec.loss_options.get(param.name, param.default)
        key = f"{base}_{param.name}_v{ver}"
        label = f"`{param.name}`"
        if param.kind == "choice":
            chosen = st.selectbox(label, param.choices, index=list(param.choices).index(value), key=key)
        elif param.kind == "bool":
            chosen = st.toggle(label, value=bool(value), key=key)
        else:
            chosen = _number(label, value, key, integer=param.kind == "int")
        if chosen != param.default or param.name in spec.loss_options:
            options[param.name] = chosen
    if any(a.name == "pos_weight" for a in loss_spec.arguments) and data.n_out == 1:
        weight = spec.loss_options.get("pos_weight", [1.0])
        value = _number("`pos_weight`", weight[0] if isinstance(weight, list) else weight, f"{base}_pw_v{ver}")
        if value != 1.0 or "pos_weight" in spec.loss_options:
            options["pos_weight"] = [value]
    return options, anneal


def optimizer_widgets(i: int, spec: train.RunSpec, ver: int) -> tuple[dict, object]:
    cls = OPTIMIZERS[spec.optimizer]
    defaults = {o.name: o for o in cls.OPTIONS}
    base = f"tr_r{i}_{spec.optimizer}"
    options = {"lr": _number(t("train.lr"), spec.optimizer_options.get("lr", defaults["lr"].default),
                             f"{base}_lr_v{ver}")}
    with st.expander(t("train.options")):
        for option in cls.OPTIONS:
            if option.name == "lr" or option.name in trainstate.HIDDEN_OPTIMIZER_OPTIONS:
                continue
            value = spec.optimizer_options.get(option.name, option.default)
            key = f"{base}_{option.name}_v{ver}"
            if option.kind == "bool":
                chosen = st.toggle(f"`{option.name}`", value=bool(value), key=key)
            elif option.kind == "pair":
                a, b = st.columns(2)
                with a:
                    first = _number(f"`{option.name}[0]`", value[0], key + "_0")
                with b:
                    second = _number(f"`{option.name}[1]`", value[1], key + "_1")
                chosen = (first, second)
            else:
                chosen = _number(f"`{option.name}`", value, key)
            if chosen != option.default or option.name in spec.optimizer_options:
                options[option.name] = chosen
        schedule = train.schedules.check_lr_schedule(spec.lr_schedule)
        kinds = train.schedules.LR_SCHEDULES
        kind = st.selectbox(t("train.schedule"), kinds, index=kinds.index(schedule[0]),
                            format_func=labeller("train.schedules"), key=f"tr_r{i}_schedule_v{ver}")
        if kind == "step":
            size = schedule[1] if schedule[0] == "step" else 100
            gamma = schedule[2] if schedule[0] == "step" else 0.5
            a, b = st.columns(2)
            with a:
                size = _number("`step_size`", size, f"tr_r{i}_step_size_v{ver}", integer=True)
            with b:
                gamma = _number("`gamma`", gamma, f"tr_r{i}_step_gamma_v{ver}")
            schedule = ("step", size, gamma)
        elif kind == "cosine":
            eta_min = schedule[1] if schedule[0] == "cosine" else 0.0
            schedule = ("cosine", _number("`eta_min`", eta_min, f"tr_r{i}_eta_min_v{ver}"))
        else:
            schedule = "constant"
    return options, schedule


def run_editor(i: int, spec: train.RunSpec, state: dict, data) -> train.RunSpec:
    """One run's widgets; returns the run they describe (not yet checked)."""
    ver = state["ver"]
    choices = list(train.PRESETS[state["preset"]].losses(data))
    if spec.loss not in choices:
        choices.append(spec.loss)
    loss_id = st.selectbox(t("train.loss"), choices, index=choices.index(spec.loss),
                           format_func=functools.partial(loss_title, lang()), key=f"tr_r{i}_loss_v{ver}")
    if loss_id != spec.loss:
        spec = train.RunSpec(loss_id, {}, spec.optimizer, spec.optimizer_options, spec.lr_schedule,
                             train.schedules.annealable(loss_id), None)
    loss_options, anneal = loss_widgets(i, spec, data, ver)
    if spec.head:
        st.caption(t("train.head_note", head=f"`{spec.head}`"))
    names = list(OPTIMIZERS)
    optimizer = st.selectbox(t("train.optimizer"), names, index=names.index(spec.optimizer),
                             format_func=labeller("train.optimizers"), key=f"tr_r{i}_optimizer_v{ver}")
    if optimizer != spec.optimizer:
        spec = train.RunSpec(spec.loss, spec.loss_options, optimizer,
                             {"lr": spec.optimizer_options.get("lr", OPTIMIZERS[optimizer].OPTIONS[0].default)},
                             spec.lr_schedule, spec.anneal, spec.head)
    optimizer_options, schedule = optimizer_widgets(i, spec, ver)
    return train.RunSpec(spec.loss, loss_options, spec.optimizer, optimizer_options, schedule, anneal, spec.head)


def runs_editor(state: dict, data) -> list:
    """The run cards; returns each card's result strip (shown on phones, where the race is far below)."""
    st.subheader(t("train.runs"))
    strips = []
    runs = state["runs"]
    if not runs:
        st.info(t("train.no_runs"))
    cols = st.columns(max(len(runs), 1), gap="small")
    for i, spec in enumerate(list(runs)):
        with cols[i].container(border=True):
            st.markdown(f"**:{RUN_COLORS[i]}[{t('train.run', k=i + 1)}]**")
            strips.append(narrow.result_box(f"strip_run{i}"))
            edited = run_editor(i, spec, state, data)
            if edited != spec:
                problem = trainstate.check_run(state, edited)
                if problem is None:
                    runs[i] = edited
                else:
                    st.error(t("train.run_error", k=i + 1, message=describe(problem, lang())), icon="⚠️")
                    st.caption(t("train.run_kept", k=i + 1))
            if len(runs) > 1 and st.button(t("train.remove"), key=f"tr_r{i}_remove_v{state['ver']}", icon="✖️"):
                del runs[i]
                renew(state)
                st.rerun()
    if st.button(t("train.add"), icon="➕", key=f"tr_add_v{state['ver']}", disabled=len(runs) >= trainstate.MAX_RUNS,
                 help=t("train.max_runs", max=trainstate.MAX_RUNS)):
        template = runs[-1] if runs else train.PRESETS[state["preset"]].default_runs(data)[0]
        runs.append(template)
        renew(state)
        st.rerun()
    return strips


# --- the race at step t ------------------------------------------------------------------------------------------

def chart_labels() -> dict:
    names = ("data", "outlier", "negative", "positive", "two", "step", "loss", "grad_norm", "metric", "log_loss",
             "start")
    return {name: t(f"train.labels.{name}") for name in names}


def at(run, step: int) -> int:
    return min(step, run.last_step)


def params_text(race, run, step: int) -> str:
    parts = []
    values = run.params_at(step)
    for name, value in zip(race.model.parameter_names, values):
        if value.size <= 2:
            parts.append(f"{name} = " + ", ".join(short(v) for v in value.ravel()))
    if len(parts) < len(values):
        flat = np.concatenate([v.ravel() for v in values])
        return f"‖θ‖ = {short(float(np.linalg.norm(flat)))} ({flat.size})"
    return "; ".join(parts)


def metric_names(race) -> list[str]:
    names = list(race.runs[0].metrics)
    return names[:2]


def data_chart(race, labels: dict, names: list[str], step: int, shown_run: int):
    data = race.data
    if data.task == "regression":
        log = race.preset.id == "long_tail" and bool(np.all(data.x > 0)) and bool(np.all(data.y > 0))
        lo, hi = float(np.min(data.x)), float(np.max(data.x))
        xs = np.geomspace(lo, hi, 80) if log else np.linspace(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 2)
        lines = [{"name": names[i], "xs": xs, "ys": race.predict(i, at(run, step), xs)}
                 for i, run in enumerate(race.runs)]
        return figures.fit_figure(data.x, data.y, data.marks.get("outlier"), lines,
                                  {**labels, "x": "x", "y": "y"}, log=log)
    lo, hi = data.x.min(axis=0), data.x.max(axis=0)
    pad = 0.1 * (hi - lo)
    gx = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 60)
    gy = np.linspace(lo[1] - pad[1], hi[1] + pad[1], 60)
    grid = np.column_stack([np.repeat(gx[None, :], len(gy), 0).ravel(), np.repeat(gy[:, None], len(gx), 1).ravel()])
    if data.task == "binary":
        boundaries = [{"name": names[i], "gx": gx, "gy": gy, "color": figures.color(i),
                       "p": race.predict(i, at(run, step), grid).reshape(len(gy), len(gx))}
                      for i, run in enumerate(race.runs)]
        return figures.boundary_figure(data.x, (data.y >= 0.5).astype(int), boundaries, labels)
    run = race.runs[shown_run]
    p = race.predict(shown_run, at(run, step), grid).reshape(len(gy), len(gx), -1)
    classes = [t("train.labels.class", k=k) for k in range(data.n_classes)]
    boundaries = [{"name": f"{classes[k]} · p = 0.5", "gx": gx, "gy": gy, "p": p[:, :, k],
                   "color": figures.color(4 + k), "dash": "dash", "legend": True} for k in range(data.n_classes)]
    home = np.argmax(data.y, axis=1) if data.y.ndim == 2 else data.y
    return figures.boundary_figure(data.x, home, boundaries,
                                   {**labels, "two_mask": data.marks.get("two_labels")}, classes=classes)


def contour_chart(race, key: str, labels: dict, names: list[str], step: int, shown_run: int):
    points = [np.column_stack([p.reshape(len(p), -1) for p in run.params])
              for run in race.runs if run.diverged_at is None]
    start = np.concatenate([p.ravel() for p in race.init])
    cloud = np.vstack([start[None, :], *points]) if points else start[None, :]
    lo, hi = cloud.min(axis=0), cloud.max(axis=0)
    span = np.maximum(hi - lo, 0.5)
    frame = (float(lo[0] - 0.2 * span[0]), float(hi[0] + 0.2 * span[0]),
             float(lo[1] - 0.2 * span[1]), float(hi[1] + 0.2 * span[1]))
    w, b, z = trainstate.contour_grid(key=key, run=shown_run, frame=tuple(round(v, 6) for v in frame), grid=41,
                                      _race=race)
    paths = []
    for i, run in enumerate(race.runs):
        flat = run.flat_params[: at(run, step) + 1]
        paths.append({"name": names[i], "w": flat[:, 0], "b": flat[:, 1]})
    return figures.contour_figure(w, b, z, paths, labels)


def superscript(n: int) -> str:
    return str(n).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def extra_chart(race, names: list[str], step: int):
    """The long-tail preset's error per decade, the multi-label preset's probabilities of two-label points."""
    data = race.data
    if race.preset.id == "long_tail":
        per_run = [train.relative_error_per_decade(data, race.predict(i, at(run, step), data.x))
                   for i, run in enumerate(race.runs)]
        decades = sorted(per_run[0])
        groups = [f"10{superscript(k)} – 10{superscript(k + 1)}" for k in decades]
        series = [{"name": names[i], "values": [values[k] for k in decades]} for i, values in enumerate(per_run)]
        return t("train.chart_decades", t=step), figures.bars_figure(
            groups, series, {"x": t("train.labels.decade"), "y": t("train.labels.relative_error")}, log=True)
    if data.task == "multilabel" and "two_labels" in data.marks and data.marks["two_labels"].any():
        two = data.marks["two_labels"]
        order = np.argsort(-data.y[two], axis=1, kind="stable")[:, :2]
        series = []
        for i, run in enumerate(race.runs):
            p = race.predict(i, at(run, step), data.x[two])
            first = np.take_along_axis(p, order[:, :1], axis=1).mean()
            second = np.take_along_axis(p, order[:, 1:2], axis=1).mean()
            series.append({"name": names[i], "values": [first, second, p.sum(axis=1).mean()]})
        groups = [t("train.labels.first_label"), t("train.labels.second_label"), t("train.labels.sum")]
        return t("train.chart_probabilities", t=step), figures.bars_figure(
            groups, series, {"x": "", "y": t("train.labels.probability")}, reference=1.0)
    return None


def step_table(race, names: list[str], metrics: list[str], step: int) -> pd.DataFrame:
    rows = []
    for i, run in enumerate(race.runs):
        k = at(run, step)
        row = {t("train.table.run"): names[i], t("train.table.loss"): short(run.loss[k])}
        for name in metrics:
            row[t(f"train.metrics.{name}")] = short(run.metrics[name][k])
        row[t("train.table.parameters")] = params_text(race, run, k)
        rows.append(row)
    return pd.DataFrame(rows)


def toggle_play(slider_key: str, steps: int) -> None:
    """Start or stop playing; a race played to its end starts again from step 0.  A callback, because it runs
    before the slider is drawn, the only time its value may be set."""
    playing = not st.session_state.get("tr_playing", False)
    st.session_state.tr_playing = playing
    if playing and st.session_state.get(slider_key, 0) >= steps:
        st.session_state[slider_key] = 0


def scrub(race, state: dict, key: str) -> None:
    """The step scrubber and everything drawn at that step.  Moving it reruns this part only; the race itself
    comes from the cache."""
    ver = state["ver"]
    slider_key = f"tr_t_v{ver}"
    playing = st.session_state.get("tr_playing", False)
    if slider_key not in st.session_state:
        st.session_state[slider_key] = min(state["t"], race.steps)
    if playing:
        stride = max(1, race.steps // PLAY_FRAMES)
        st.session_state[slider_key] = min(st.session_state[slider_key] + stride, race.steps)
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    step = left.slider(t("train.step"), 0, race.steps, key=slider_key, help=t("train.step_help"))
    if right.button(t("train.pause") if playing else t("train.play"), icon="⏸️" if playing else "▶️",
                    key="tr_play", width="stretch", on_click=toggle_play, args=(slider_key, race.steps)):
        st.rerun()  # a full run: the fragment is set up again with (or without) its timer
    if playing and step >= race.steps:
        st.session_state.tr_playing = False
        st.rerun()
    state["t"] = step
    sync_url(trainstate.to_query(state))

    names = [run_label(i + 1, run.spec) for i, run in enumerate(race.runs)]
    labels = chart_labels()
    metrics = metric_names(race)
    shown_run = 0
    if race.data.task in ("multiclass", "multilabel") or race.model.name == "line":
        shown_run = st.session_state.get("tr_shown", 0)
        shown_run = shown_run if shown_run < len(race.runs) else 0
    c1, c2 = st.columns(2, gap="medium")
    with c1:
        st.markdown(f"**{t('train.chart_data', t=step)}**")
        if race.data.task in ("multiclass", "multilabel"):
            shown_run = st.selectbox(t("train.show_run"), range(len(race.runs)), index=shown_run,
                                     format_func=names.__getitem__, key="tr_shown")
        st.plotly_chart(data_chart(race, labels, names, step, shown_run), key="tr_data_chart",
                        config=figures.CONFIG)
    with c2:
        metric_text = " / ".join(t(f"train.metrics.{m}") for m in metrics)
        st.markdown(f"**{t('train.chart_curves', metric=metric_text)}**")
        losses_all = np.concatenate([run.loss for run in race.runs])
        positive = losses_all[losses_all > 0]
        log_loss = bool(np.all(losses_all > 0)) and positive.size and \
            np.log10(positive.max()) - np.log10(positive.min()) > 1.3  # more than a factor 20
        curves = [{"name": names[i], "loss": run.loss, "grad_norm": run.grad_norm, "metrics": run.metrics}
                  for i, run in enumerate(race.runs)]
        labels_curves = {**labels, "metric": metric_text,
                         **{f"metric_{k}": t(f"train.metrics.{m}") for k, m in enumerate(metrics)}}
        st.plotly_chart(figures.curves_figure(curves, step, labels_curves, metrics, log_loss), key="tr_curves_chart",
                        config=figures.CONFIG)
    extra = extra_chart(race, names, step)
    table = step_table(race, names, metrics, step)
    if race.model.name == "line" or extra:
        c3, c4 = st.columns(2, gap="medium")
        if race.model.name == "line":
            with c3:
                st.markdown(f"**{t('train.chart_contour', k=shown_run + 1)}**")
                shown_run = st.selectbox(t("train.contour_of"), range(len(race.runs)), index=shown_run,
                                         format_func=names.__getitem__, key="tr_shown")
                st.plotly_chart(contour_chart(race, key, labels, names, step, shown_run), key="tr_contour_chart",
                                config=figures.CONFIG)
                st.caption(t("train.contour_note", k=shown_run + 1))
        if extra:
            with c4 if race.model.name == "line" else c3:
                st.markdown(f"**{extra[0]}**")
                st.plotly_chart(extra[1], key="tr_extra_chart", config=figures.CONFIG)
            if race.model.name != "line":
                c4.caption(t("train.probabilities_note"))
        if race.model.name == "line" and not extra:  # a line's two parameters fit in half the page
            with c4:
                st.markdown(f"**{t('train.at_step', t=step)}**")
                st.table(table, border="horizontal", hide_index=True)
            return
    # Otherwise the table spans the page: in half of it, its parameter column would be cut off.
    st.markdown(f"**{t('train.at_step', t=step)}**")
    st.table(table, border="horizontal", hide_index=True)


def final_table(race, state: dict, key: str) -> None:
    st.subheader(t("train.final"))
    tol = st.select_slider(t("train.tolerance"), trainstate.TOLERANCES, value=state.get("tol", 1e-3),
                           format_func=lambda v: f"{v:g}", key=f"tr_tol_v{state['ver']}",
                           help=t("train.tolerance_help"))
    state["tol"] = tol
    version = torch_version()
    differences = trainstate.checked_in_torch(key=key, _race=race) if version else None
    names = [run_label(i + 1, run.spec) for i, run in enumerate(race.runs)]
    metrics = metric_names(race)
    rows = []
    for i, run in enumerate(race.runs):
        k = run.last_step
        row = {t("train.table.run"): names[i], t("train.table.loss"): short(run.loss[k]) if k >= 0 else "—"}
        for name in metrics:
            row[t(f"train.metrics.{name}")] = short(run.metrics[name][k]) if k >= 0 else "—"
        row[t("train.table.parameters")] = params_text(race, run, k) if k >= 0 else "—"
        reached = run.steps_to(tol)
        row[t("train.table.steps_to")] = str(reached) if reached is not None else t("train.table.never")
        if any(r.diverged_at is not None for r in race.runs):  # otherwise every run finished: no column for it
            row[t("train.table.status")] = (t("train.table.finished") if run.diverged_at is None else
                                            t("train.table.diverged", step=run.diverged_at))
        if differences is not None:
            row[t("train.table.torch")] = f"{differences[i]:.1e}" if np.isfinite(differences[i]) else "∞"
        rows.append(row)
    st.table(pd.DataFrame(rows), border="horizontal", hide_index=True)
    st.caption(t("train.torch_check", version=version) if version else t("train.torch_missing"))


# --- the page ----------------------------------------------------------------------------------------------------

st.title(t("train.title"))
st.caption(t("train.intro"))
state, link_errors = open_state()
show_link_errors(link_errors)
preset_picker(state)
lesson = content.load("train", state["preset"], lang())
if lesson:
    with st.expander(t("train.lesson", title=lesson.title), expanded=False):
        st.markdown(lesson.rendered(), unsafe_allow_html=True)
setup(state)

race = None
try:
    data = data_of(state)
except LossInputError:
    data = None
if data is not None:
    strips = runs_editor(state, data)
    if state["runs"]:
        key = trainstate.race_key(state)
        try:
            race = trainstate.trained(key=key, _state=state)
        except LossInputError as exc:
            show_error(exc)
        else:
            gaps = trainstate.checked_in_torch(key=key, _race=race) if torch_version() else None
            for i, (run, strip) in enumerate(zip(race.runs, strips)):
                k = run.last_step
                strip.markdown(narrow.run_line(run_label(i + 1, run.spec), run.loss[k] if k >= 0 else None, k,
                                               None if gaps is None else gaps[i]))

if race is not None:
    for i, run in enumerate(race.runs):
        if run.diverged_at is not None:
            st.warning(t("train.diverged", k=i + 1, step=run.diverged_at, last=run.last_step), icon="💥")
    st.divider()
    if st.session_state.get("tr_playing"):
        st.fragment(scrub, run_every=PLAY_EVERY)(race, state, key)
    else:
        st.fragment(scrub)(race, state, key)
    st.divider()
    final_table(race, state, key)
else:
    sync_url(trainstate.to_query(state))

st.divider()
st.caption(t("train.share_help"))
share_control(trainstate.to_query(state), key="tr_share")
