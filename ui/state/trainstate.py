"""The /train page's state: a race (preset, runs, steps, seed, model, pasted rows, the step shown) in the session
and in the URL, and its cached training.

A run travels in the URL as one readable string per run, ``r1`` to ``r4``::

    huber_loss(delta=0.5)~adam(lr=0.05,betas=0.9:0.999)~cosine(eta_min=0)

the loss and its options, the optimizer and its options, then optionally the lr schedule.  In the loss's part
``gamma=2:0`` anneals a parameter from 2 to 0 over the run, ``head=sigmoid`` puts a sigmoid between the model and
the loss, and a tensor option is written as a list (``pos_weight=[19]``); in the optimizer's part ``a:b`` is a
pair (Adam's betas).  Reading never raises: every bad value becomes a message naming the run, and the page goes
on with what it could read.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import streamlit as st

import losses
import train
from losses import LossInputError
from train.optim import OPTIMIZERS
from ui.text.tensors import TensorInputError, format_number

PRESETS = tuple(train.PRESETS)
MAX_RUNS = train.MAX_RUNS
MAX_STEPS = train.MAX_STEPS
RUN_KEY = re.compile(r"r(\d+)")
SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?")
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-6)
PAGE_KEYS = {"lang", "preset", "steps", "seed", "model", "data", "t", "tol"}
# Options a learner does not race with: the reduction is the mean (the page compares curves per step), and
# 'maximize' only turns descent into ascent.
HIDDEN_LOSS_OPTIONS = {"reduction", "ignore_index"}
HIDDEN_OPTIMIZER_OPTIONS = {"maximize"}


# --- one run as text ---------------------------------------------------------------------------------------------

def _number_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ";".join(_number_text(v) for v in value) + "]"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_number(float(value)) if isinstance(value, (float, np.floating)) else str(int(value))
    return str(value)


def format_run(spec: train.RunSpec) -> str:
    loss_parts = [f"{k}={_number_text(v)}" for k, v in spec.loss_options.items()]
    loss_parts += [f"{k}={_number_text(a)}:{_number_text(b)}" for k, (a, b) in spec.anneal.items()]
    if spec.head:
        loss_parts.append(f"head={spec.head}")
    opt_parts = []
    for k, v in spec.optimizer_options.items():
        opt_parts.append(f"{k}={':'.join(_number_text(x) for x in v)}" if isinstance(v, (tuple, list))
                         else f"{k}={_number_text(v)}")
    text = spec.loss + (f"({','.join(loss_parts)})" if loss_parts else "")
    text += f"~{spec.optimizer}" + (f"({','.join(opt_parts)})" if opt_parts else "")
    schedule = train.schedules.check_lr_schedule(spec.lr_schedule)
    if schedule[0] == "step":
        text += f"~step(step_size={schedule[1]},gamma={_number_text(float(schedule[2]))})"
    elif schedule[0] == "cosine":
        text += f"~cosine(eta_min={_number_text(float(schedule[1]))})"
    return text


def _fail(code: str, argument: str, found, allowed, message: str):
    raise TensorInputError(code, argument, found, allowed, message)


def _read_number(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        _fail("not_numeric", name, repr(text[:40]), "a number", f"{name}={text!r} is not a number")
    if not math.isfinite(value):
        _fail("not_finite", name, text, "a finite number", f"{name}={text!r} is not finite")
    return value


def _read_bool(name: str, text: str) -> bool:
    if text.lower() not in ("true", "false", "1", "0"):
        _fail("choice", name, repr(text), ("true", "false"), f"{name}={text!r} is not true or false")
    return text.lower() in ("true", "1")


def _pairs(name: str, inside: str | None) -> list[tuple[str, str]]:
    if not inside:
        return []
    out = []
    for item in inside.split(","):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail("json", name, item[:40], "key=value", f"{name}: {item!r} is not key=value")
        out.append((key.strip(), value.strip()))
    return out


def _loss_value(spec, key: str, text: str):
    if text.startswith("["):
        if not text.endswith("]"):
            _fail("json", key, text[:40], "[a;b;...]", f"{key}={text!r} is not a list [a;b;...]")
        return [_read_number(key, part) for part in text[1:-1].split(";") if part.strip()]
    param = next((p for p in spec.parameters if p.name == key), None)
    if param is not None and param.kind == "choice":
        if text not in param.choices:
            _fail("choice", key, repr(text), param.choices, f"{key}={text!r} is not one of {param.choices}")
        return text
    if param is not None and param.kind == "bool":
        return _read_bool(key, text)
    value = _read_number(key, text)
    if param is not None and param.kind == "int":
        if not value.is_integer():
            _fail("dtype", key, text, "an integer", f"{key}={text!r} is not an integer")
        return int(value)
    return value


def parse_run(text: str) -> train.RunSpec:
    """A RunSpec from its URL string; raises TensorInputError (a LossInputError) naming what is wrong."""
    segments = str(text).strip().split("~")
    if len(segments) not in (2, 3):
        _fail("json", "run", repr(str(text)[:40]), "loss(...)~optimizer(...)",
              f"{text!r} is not loss(...)~optimizer(...)[~schedule(...)]")
    parsed = []
    for segment in segments:
        match = SEGMENT.fullmatch(segment.strip())
        if not match:
            _fail("json", "run", repr(segment[:40]), "name(key=value,...)", f"{segment!r} is not name(key=value,...)")
        parsed.append((match.group(1), match.group(2)))
    (loss_id, loss_inside), (optimizer, opt_inside) = parsed[:2]
    spec = losses.get_spec(loss_id)  # an unknown loss raises the registry's own message
    loss_options, anneal, head = {}, {}, None
    for key, value in _pairs("loss", loss_inside):
        if key == "head":
            head = value
        elif ":" in value and not value.startswith("["):
            start, _, end = value.partition(":")
            anneal[key] = (_read_number(key, start), _read_number(key, end))
        else:
            loss_options[key] = _loss_value(spec, key, value)
    if optimizer not in OPTIMIZERS:
        _fail("choice", "optimizer", repr(optimizer), tuple(OPTIMIZERS), f"optimizer={optimizer!r} is unknown")
    kinds = {o.name: o.kind for o in OPTIMIZERS[optimizer].OPTIONS}
    options = {}
    for key, value in _pairs("optimizer", opt_inside):
        if key not in kinds:
            _fail("choice", "option", repr(key), tuple(sorted(kinds)), f"{optimizer} has no option {key!r}")
        if kinds[key] == "bool":
            options[key] = _read_bool(key, value)
        elif kinds[key] == "pair":
            parts = value.split(":")
            if len(parts) != 2:
                _fail("json", key, repr(value), "a:b", f"{key}={value!r} is not a pair a:b")
            options[key] = tuple(_read_number(key, p) for p in parts)
        else:
            options[key] = _read_number(key, value)
    schedule = "constant"
    if len(parsed) == 3:
        kind, inside = parsed[2]
        values = dict(_pairs("lr_schedule", inside))
        if kind == "step":
            size = _read_number("step_size", values.get("step_size", "100"))
            gamma = _read_number("gamma", values.get("gamma", "0.5"))
            schedule = ("step", int(size) if size.is_integer() else size, gamma)
        elif kind == "cosine":
            schedule = ("cosine", _read_number("eta_min", values.get("eta_min", "0")))
        elif kind != "constant":
            _fail("choice", "lr_schedule", repr(kind), train.schedules.LR_SCHEDULES, f"lr_schedule={kind!r} is unknown")
    return train.RunSpec(loss_id, loss_options, optimizer, options, schedule, anneal, head)


# --- the session's race ----------------------------------------------------------------------------------------

def default_text() -> str:
    """The rows the 'your data' box starts with: a noisy line, written as a learner would paste it."""
    rng = np.random.default_rng(3)
    x = np.round(np.sort(rng.uniform(0.0, 10.0, 12)), 1)
    y = np.round(0.5 * x + 2.0 + rng.normal(0.0, 0.4, x.shape), 2)
    return "x,y\n" + "\n".join(f"{a:g},{b:g}" for a, b in zip(x, y))


def fresh(preset: str, seed: int = 0, text: str | None = None) -> dict:
    """A race state with the preset's defaults."""
    chosen = train.PRESETS[preset]
    text = text if text is not None else (default_text() if preset == "your_data" else None)
    try:
        data = chosen.dataset(seed, text)
        runs = list(chosen.default_runs(data))
        model = chosen.model_names(data)[0]
    except LossInputError:
        runs, model = [], None
    return {"preset": preset, "runs": runs, "steps": chosen.steps, "seed": seed, "model": model, "text": text,
            "t": chosen.steps, "tol": 1e-3}


def read_link(query: dict) -> tuple[dict, list]:
    """The race a link describes, and a message for each part of it that could not be used."""
    errors: list[LossInputError] = []
    preset = query.get("preset", PRESETS[0])
    if preset not in train.PRESETS:
        errors.append(TensorInputError("choice", "preset", repr(preset), PRESETS, f"preset={preset!r} is unknown"))
        preset = PRESETS[0]
    seed = 0
    if "seed" in query:
        try:
            seed = _integer("seed", query["seed"], 0, 2 ** 32 - 1)
        except LossInputError as exc:
            errors.append(exc)
    state = fresh(preset, seed, query.get("data") if preset == "your_data" else None)
    if "steps" in query:
        try:
            state["steps"] = _integer("steps", query["steps"], 1, MAX_STEPS)
        except LossInputError as exc:
            errors.append(exc)
    state["t"] = state["steps"]
    run_keys = sorted((int(m.group(1)), k) for k in query if (m := RUN_KEY.fullmatch(k)))
    if run_keys:
        if len(run_keys) > MAX_RUNS:
            dropped = [k for _, k in run_keys[MAX_RUNS:]]
            errors.append(TensorInputError("too_many_runs", "runs", len(run_keys), MAX_RUNS,
                                           f"a race has at most {MAX_RUNS} runs; {', '.join(dropped)} ignored"))
    if "model" in query:
        state["model"] = query["model"]
    if run_keys:
        runs = []
        for _, key in run_keys[:MAX_RUNS]:
            try:
                spec = parse_run(query[key])
            except LossInputError as exc:
                exc.run = key
                errors.append(exc)
                continue
            problem = check_run(state, spec)  # a run the backend refuses is left out; the others race
            if problem is not None:
                problem.run = key
                errors.append(problem)
            else:
                runs.append(spec)
        if runs:
            state["runs"] = runs
    for key, low, high in (("t", 0, MAX_STEPS),):
        if key in query:
            try:
                state[key] = min(_integer(key, query[key], low, high), state["steps"])
            except LossInputError as exc:
                errors.append(exc)
    if "tol" in query:
        try:
            value = _read_number("tol", query["tol"])
            state["tol"] = min(TOLERANCES, key=lambda tol: abs(math.log10(tol) - math.log10(max(value, 1e-12))))
        except LossInputError as exc:
            errors.append(exc)
    known = PAGE_KEYS | {k for _, k in run_keys}
    for key in query:
        if key not in known:
            errors.append(TensorInputError("unknown_key", key, repr(key), sorted(PAGE_KEYS),
                                           f"the link names {key!r}, which /train does not take"))
    return state, errors


def _integer(key: str, text: str, low: int, high: int) -> int:
    value = _read_number(key, str(text).strip())
    if not value.is_integer():
        _fail("dtype", key, str(text), "an integer", f"{key}={text!r} is not an integer")
    if not low <= value <= high:
        interval = f"[{low}, {high}]"
        _fail("range", key, format_number(value), interval, f"{key}={value:g} is outside {interval}")
    return int(value)


def to_query(state: dict) -> dict:
    """The URL of a race: everything needed to train it again and show the same step."""
    query = {"preset": state["preset"], "steps": state["steps"], "seed": state["seed"]}
    for i, spec in enumerate(state["runs"], start=1):
        query[f"r{i}"] = format_run(spec)
    if state.get("model") and state["model"] != _default_model(state):
        query["model"] = state["model"]
    if state["preset"] == "your_data" and state.get("text") is not None:
        query["data"] = state["text"]
    query["t"] = state["t"]
    if state.get("tol", 1e-3) != 1e-3:
        query["tol"] = format_number(state["tol"])
    return query


def _default_model(state: dict) -> str | None:
    chosen = train.PRESETS[state["preset"]]
    try:
        return chosen.model_names(chosen.dataset(state["seed"], state.get("text")))[0]
    except LossInputError:
        return None


def race_key(state: dict) -> str:
    """What determines the training (not the step shown): the cache's key."""
    return json.dumps({"preset": state["preset"], "runs": [format_run(r) for r in state["runs"]],
                       "steps": state["steps"], "seed": state["seed"], "model": state.get("model"),
                       "text": state.get("text") if state["preset"] == "your_data" else None}, sort_keys=True)


# --- cached computations (a module, not the page file: see ui/state/cached.py) ----------------------------------

@st.cache_data(show_spinner=False, max_entries=32)
def trained(*, key: str, _state: dict):
    """The race; ``key`` (race_key) stands for the state, which Streamlit does not hash."""
    return train.race(_state["preset"], list(_state["runs"]), steps=_state["steps"], seed=_state["seed"],
                      text=_state.get("text") if _state["preset"] == "your_data" else None, model=_state.get("model"))


@st.cache_data(show_spinner=False, max_entries=32)
def checked_in_torch(*, key: str, _race) -> list[float] | None:
    """Per run, the largest parameter difference between our loop and torch's; None without torch."""
    try:
        from ui.compute.train_torch import max_parameter_difference
    except ImportError:
        return None
    return max_parameter_difference(_race)


@st.cache_data(show_spinner=False, max_entries=32)
def contour_grid(*, key: str, run: int, frame: tuple, grid: int, _race):
    """Run ``run``'s loss over a (w, b) window at the start of the run."""
    w = np.linspace(frame[0], frame[1], grid)
    b = np.linspace(frame[2], frame[3], grid)
    return w, b, _race.loss_grid(run, w, b, step=0)


def check_run(state: dict, spec: train.RunSpec) -> LossInputError | None:
    """Why ``spec`` cannot race on the state's data (None when it can): a one-step race of it alone."""
    try:
        train.race(state["preset"], [spec], steps=1, seed=state["seed"],
                   text=state.get("text") if state["preset"] == "your_data" else None, model=state.get("model"))
    except LossInputError as exc:
        return exc
    return None
