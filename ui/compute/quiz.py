"""Quiz questions generated from the registry and answered by the backend, the same for everyone with one seed.

:func:`generate` builds one question of each kind in :data:`KINDS`.  Which losses, tensors and options appear is
drawn from ``numpy.random.default_rng([seed, i])`` for the i-th kind, so a seed fixes the whole quiz in every
language, and a kind that redraws does not shift the others.  Every right answer is a number (or refusal) the
backend computes while the quiz is generated; which losses fit a kind is read from the registry (families,
argument roles and domains, parameter choices), never from a list of names.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np

import losses
from losses.spec import LossSpec
from ui.compute.runner import run_backend
from ui.text.calltext import call_text, python_value
from ui.text.i18n import translate
from ui.text.tensors import TensorInputError, format_number, to_json

KINDS = ("value_choice", "value_number", "outlier", "clamp", "impossible", "batchmean", "gradient_sign",
         "accepts", "reduction")
SEED_LIMIT = 2**31
PLAYGROUND = "pages/playground.py"
REFERENCE = "pages/reference.py"
TARGET_KINDS = ("class_index", "probability", "sign")
DRAWS = 40  # attempts to draw tensors a loss accepts before a kind gives up on that loss


@dataclass(frozen=True)
class Question:
    """One question in the learner's language.

    ``choices`` empty means a numeric answer: ``answer`` is then the number and ``tolerance`` the absolute
    distance accepted; otherwise ``answer`` is the index of the right choice.  ``link`` is the page and query
    of the state that explains the answer.
    """

    kind: str
    prompt: str
    call: str
    choices: tuple
    answer: float | int
    explanation: str
    link: tuple
    tolerance: float = 0.0
    shown_answer: str = ""

    @property
    def numeric(self) -> bool:
        return not self.choices

    def is_right(self, given) -> bool:
        """``given``: a choice index, or the learner's text for a numeric question (raises TensorInputError)."""
        if not self.numeric:
            return given == self.answer
        return abs(read_guess(given) - self.answer) <= self.tolerance


@dataclass
class _Context:
    lang: str
    rng: np.random.Generator
    notes: dict = field(default_factory=dict)

    def t(self, key: str, **values) -> str:
        return translate(self.lang, f"quiz.{key}", **values)


def read_guess(text, name: str = "answer") -> float:
    """A learner's number: plain decimal text (a comma as decimal point is accepted), finite."""
    raw = str(text if text is not None else "").strip().replace(",", ".").replace("−", "-")
    try:
        value = float(raw)
    except ValueError:
        raise TensorInputError("not_numeric", name, repr(raw[:40]), "a number",
                               f"{name}: {raw[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise TensorInputError("not_finite", name, raw[:40], "a finite number", f"{name}: {raw!r} is not finite")
    return value


def read_seed(text) -> int:
    """A quiz seed from the URL: a whole number from 0 to 2**31 - 1."""
    raw = str(text).strip()
    if not re.fullmatch(r"[0-9]{1,10}", raw) or int(raw) >= SEED_LIMIT:  # ASCII digits only: int() reads "１２"
        raise TensorInputError("range", "seed", repr(raw[:40]), f"[0, {SEED_LIMIT - 1}]",
                               f"seed={raw[:40]!r} is not a whole number from 0 to {SEED_LIMIT - 1}")
    return int(raw)


# --- reading the registry -------------------------------------------------------------------------------------

def loss_specs() -> list[LossSpec]:
    return [s for s in losses.SPECS if s.family != "activation"]


def required(spec: LossSpec) -> set:
    return {a.name for a in spec.arguments if not a.optional}


def pair_specs(family: str | None = None) -> list[LossSpec]:
    """Losses called with exactly (input, target)."""
    return [s for s in loss_specs() if required(s) == {"input", "target"} and (family is None or s.family == family)]


def targets_of(spec: LossSpec) -> list:
    return [a for a in spec.arguments if a.role == "target"]


def target_takes(arg, kind: str) -> bool:
    """Whether a target argument accepts class indices, probabilities or ±1 values (from its domain)."""
    if kind == "class_index":
        return arg.domain == "class_index"
    if kind == "probability":
        return arg.domain in ("probability", "binary") or arg.also_probabilities
    return kind == "sign" and arg.domain == "sign"


def takes(spec: LossSpec, kind: str) -> bool:
    return any(target_takes(arg, kind) for arg in targets_of(spec))


def scalar_reductions(spec: LossSpec) -> tuple:
    if "reduction" not in spec.defaults():
        return ()
    return tuple(c for c in spec.parameter("reduction").choices if c != "none")


def name(spec: LossSpec, lang: str) -> str:
    return spec.title[lang] + (f" · {spec.torch_class}" if spec.torch_class else "")


def example_tensors(spec: LossSpec) -> dict:
    arrays = {}
    for arg in spec.arguments:
        if arg.name in spec.example:
            value = np.asarray(spec.example[arg.name])
            keep_float = arg.also_probabilities and value.dtype.kind == "f"
            arrays[arg.name] = value.astype(np.int64 if arg.dtype == "int" and not keep_float else np.float64)
    return arrays


def example_params(spec: LossSpec) -> dict:
    params = spec.defaults()
    params.update({k: v for k, v in spec.example.items() if k in params})
    return params


# --- drawing tensors ------------------------------------------------------------------------------------------

def _log_probabilities(rng, shape) -> np.ndarray:
    p = rng.uniform(0.1, 1.0, shape)
    return np.round(np.log(p / p.sum(axis=-1, keepdims=True)), 4)


def draw_value(rng, domain: str, shape, integers: bool = False) -> np.ndarray:
    """Random values for an argument's domain, rounded so a learner can read (and add) them."""
    if domain == "probability":
        return np.round(rng.uniform(0.05, 0.95, shape), 2)
    if domain == "binary":
        return rng.integers(0, 2, shape).astype(np.float64)
    if domain == "sign":
        return rng.choice([-1.0, 1.0], shape)
    if domain in ("positive", "nonnegative"):
        return rng.integers(1, 5, shape).astype(np.float64) if integers else np.round(rng.uniform(0.2, 3, shape), 1)
    if domain == "log_probability":
        return _log_probabilities(rng, shape)
    if integers:
        return rng.integers(-3, 4, shape).astype(np.float64)
    return np.round(rng.uniform(-2, 2, shape), 1)


def draw_tensors(spec: LossSpec, rng, integers: bool = False) -> dict:
    """The example's shapes with new values in each float argument's domain; indices and lengths kept."""
    tensors = example_tensors(spec)
    for arg in spec.arguments:
        if arg.optional or arg.name not in tensors or tensors[arg.name].dtype.kind != "f" or arg.role == "lengths":
            continue
        tensors[arg.name] = draw_value(rng, arg.domain, tensors[arg.name].shape, integers)
    return tensors


def accepted_draw(spec: LossSpec, rng, params: dict, integers: bool = False):
    """Tensors the backend accepts with a finite value, and its outcome; None when no draw worked."""
    for _ in range(DRAWS):
        tensors = draw_tensors(spec, rng, integers)
        outcome = run_backend(spec.id, tensors, params)
        if outcome.ok and np.all(np.isfinite(outcome.value)):
            return tensors, outcome
    return None


def _draws(rng, specs: list, params_of=example_params, integers: bool = False, scalar: bool = False,
           reduction: str | None = None):
    """Up to DRAWS tries of ``(spec, params, tensors, outcome)``: a spec chosen from ``specs``, its parameters
    ``params_of(spec)`` and tensors it accepts (:func:`accepted_draw`, run with ``reduction`` instead of the
    parameters' own when given); with ``scalar`` only draws whose value is one number.  A kind takes the first
    try that makes a good question and goes on to the next when one does not."""
    for _ in range(DRAWS):
        spec = rng.choice(specs)
        params = params_of(spec)
        drawn = accepted_draw(spec, rng, params if reduction is None else dict(params, reduction=reduction), integers)
        if drawn is None or (scalar and np.ndim(drawn[1].value)):
            continue
        yield (spec, params, *drawn)


def show(value) -> str:
    """A computed number as the quiz prints it (4 significant figures; ∞, −∞, NaN spelled out)."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    if value == int(value) and abs(value) < 1e6:
        return format_number(value)
    return f"{value:.4g}"


def signed(value: float) -> str:
    return ("+" if value > 0 else "") + show(value)


def scalar(value) -> float:
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else float(arr.sum())


def playground(spec: LossSpec, tensors: dict, params: dict) -> tuple:
    query = {"loss": spec.id}
    query.update({k: to_json(v) for k, v in tensors.items() if v is not None})
    defaults = example_params(spec)
    query.update({k: _url_value(v) for k, v in params.items() if k in defaults and v != defaults[k]})
    return PLAYGROUND, query


def _url_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return python_value(value).strip("'")


def _shuffled(rng, right: str, wrong: list[str]) -> tuple[tuple, int]:
    options = [right] + wrong
    order = rng.permutation(len(options))
    shuffled = tuple(options[i] for i in order)
    return shuffled, int(np.where(order == 0)[0][0])


def _distinct(right: str, candidates: list[str], count: int) -> list[str]:
    found = []
    for c in candidates:
        if c != right and c not in found:
            found.append(c)
        if len(found) == count:
            break
    return found


# --- the kinds ------------------------------------------------------------------------------------------------

def _value_choice(ctx: _Context) -> Question:
    """Which of four numbers is this loss on these tensors: the others are sibling losses or reductions."""
    rng = ctx.rng
    for spec, params, tensors, outcome in _draws(rng, pair_specs(), scalar=True):
        right = show(outcome.value)
        origins = {}
        for other in pair_specs():
            if other.id == spec.id:
                continue
            theirs = run_backend(other.id, tensors, example_params(other))
            if theirs.ok and np.ndim(theirs.value) == 0 and np.isfinite(theirs.value):
                origins.setdefault(show(theirs.value), ctx.t("from_loss", loss=name(other, ctx.lang)))
        for reduction in scalar_reductions(spec):
            theirs = run_backend(spec.id, tensors, dict(params, reduction=reduction))
            if theirs.ok and np.isfinite(theirs.value):
                origins.setdefault(show(theirs.value), ctx.t("from_reduction", reduction=reduction))
        keys = [k for k in origins if k != right]
        rng.shuffle(keys)
        wrong = _distinct(right, keys, 3)
        if len(wrong) < 3:
            continue
        choices, answer = _shuffled(rng, right, wrong)
        others = "; ".join(f"{w}: {origins[w]}" for w in wrong)
        return Question(
            kind="value_choice", prompt=ctx.t("value_choice.prompt", loss=name(spec, ctx.lang)),
            call=call_text(spec, tensors, params), choices=choices, answer=answer, shown_answer=right,
            explanation=ctx.t("value_choice.why", loss=name(spec, ctx.lang), value=right, others=others),
            link=playground(spec, tensors, params))
    raise RuntimeError("no loss gave four distinct values")


def _value_number(ctx: _Context) -> Question:
    """Type the value of a regression loss on small integer tensors."""
    rng = ctx.rng
    for spec, params, tensors, outcome in _draws(rng, pair_specs("regression"), LossSpec.defaults, integers=True,
                                                 scalar=True):
        value = float(outcome.value)
        tolerance = max(0.01, abs(value) * 1e-3)
        return Question(
            kind="value_number", prompt=ctx.t("value_number.prompt", loss=name(spec, ctx.lang)),
            call=call_text(spec, tensors, params), choices=(), answer=value, tolerance=tolerance,
            shown_answer=show(value), explanation=ctx.t("value_number.why", value=show(value)),
            link=playground(spec, tensors, params))
    raise RuntimeError("no regression loss accepted a draw")


def _outlier(ctx: _Context) -> Question:
    """Which of four regression losses moves least when one target becomes an outlier."""
    rng = ctx.rng
    candidates = pair_specs("regression")
    for _ in range(DRAWS):
        chosen = [candidates[i] for i in rng.choice(len(candidates), size=min(4, len(candidates)), replace=False)]
        base = {"input": np.round(rng.uniform(0, 2, (2, 2)), 1), "target": np.round(rng.uniform(0, 2, (2, 2)), 1)}
        index = tuple(int(i) for i in rng.integers(0, 2, 2))
        jump = float(rng.choice([10.0, 20.0, 50.0]))
        moved = {"input": base["input"], "target": base["target"].copy()}
        moved["target"][index] += jump
        changes = {}
        for spec in chosen:
            params = example_params(spec)
            before, after = run_backend(spec.id, base, params), run_backend(spec.id, moved, params)
            if not (before.ok and after.ok) or np.ndim(before.value):
                break
            changes[spec.id] = float(after.value) - float(before.value)
        if len(changes) < len(chosen):
            continue
        ranked = sorted(chosen, key=lambda s: abs(changes[s.id]))
        least, runner_up = abs(changes[ranked[0].id]), abs(changes[ranked[1].id])
        if runner_up - least < max(0.05 * runner_up, 1e-6):
            continue  # two losses moved (almost) alike: no single right answer
        choices = tuple(name(s, ctx.lang) for s in chosen)
        answer = chosen.index(ranked[0])
        moves = "; ".join(f"{name(s, ctx.lang)}: {signed(changes[s.id])}" for s in chosen)
        where = f"target[{index[0]}, {index[1]}]"
        return Question(
            kind="outlier", prompt=ctx.t("outlier.prompt", where=where, jump=format_number(jump)),
            call=call_text(chosen[0], base, {}), choices=choices, answer=answer, shown_answer=choices[answer],
            explanation=ctx.t("outlier.why", moves=moves),
            link=playground(ranked[0], moved, example_params(ranked[0])))
    raise RuntimeError("no set of regression losses had a single least change")


def _outcome_text(ctx: _Context, outcome, at=None) -> str:
    if not outcome.ok:
        return ctx.t("refuses")
    value = np.asarray(outcome.value)
    return show(value[at] if at is not None and value.ndim else scalar(value))


def _outcome_choices(ctx: _Context, right: str, numbers: list[str]) -> tuple[tuple, int]:
    """The computed outcome among what an edge case could plausibly give: ∞, NaN, 0, a refusal, numbers."""
    wrong = _distinct(right, ["∞", "NaN", "0", ctx.t("refuses")] + numbers, 3)
    return _shuffled(ctx.rng, right, wrong)


def _clamp(ctx: _Context) -> Question:
    """What a probability-input classification loss returns at p = 0 (or 1) for the opposite target."""
    rng = ctx.rng
    specs = [s for s in pair_specs("classification") if s.argument("input").domain == "probability"]
    spec = specs[int(rng.integers(len(specs)))]
    p = float(rng.choice([0.0, 1.0]))
    tensors = {"input": np.array([p]), "target": np.array([1.0 - p])}
    params = spec.defaults()
    outcome = run_backend(spec.id, tensors, params)
    right = _outcome_text(ctx, outcome)
    sure = run_backend(spec.id, {"input": np.array([p]), "target": np.array([p])}, params)
    mirrored = [show(-scalar(outcome.value))] if outcome.ok else []  # the clamped log itself, sign and all
    choices, answer = _outcome_choices(ctx, right, mirrored + [_outcome_text(ctx, sure)])
    grad = show(outcome.grads["input"][0]) if outcome.ok else ""
    return Question(
        kind="clamp", prompt=ctx.t("clamp.prompt", loss=name(spec, ctx.lang), p=format_number(p),
                                   y=format_number(1 - p)),
        call=call_text(spec, tensors, params), choices=choices, answer=answer, shown_answer=right,
        explanation=ctx.t("clamp.why", value=right, grad=grad), link=playground(spec, tensors, params))


def _impossible(ctx: _Context) -> Question:
    """A sequence loss whose first input is too short for its target: infinity, or 0 with zero_infinity."""
    rng = ctx.rng
    specs = [s for s in loss_specs() if s.family == "sequence" and any(a.role == "lengths" for a in s.arguments)]
    spec = specs[int(rng.integers(len(specs)))]
    tensors = example_tensors(spec)
    lengths = [a.name for a in spec.arguments if a.role == "lengths"]
    input_lengths, target_lengths = lengths[0], lengths[-1]
    tensors[input_lengths] = tensors[input_lengths].copy()
    tensors[input_lengths].flat[0] = max(1, int(tensors[target_lengths].flat[0]) - 1)
    params = example_params(spec)
    params["reduction"] = "none"
    flags = [p.name for p in spec.parameters if p.kind == "bool"]
    if flags:
        params[flags[0]] = bool(rng.integers(2))
    outcome = run_backend(spec.id, tensors, params)
    right = _outcome_text(ctx, outcome, at=0)
    other = _outcome_text(ctx, outcome, at=1) if outcome.ok and np.size(outcome.value) > 1 else "1"
    choices, answer = _outcome_choices(ctx, right, [other])
    flag_text = ", ".join(f"{f}={params[f]}" for f in flags)
    return Question(
        kind="impossible",
        prompt=ctx.t("impossible.prompt", loss=name(spec, ctx.lang), lengths=input_lengths, flags=flag_text),
        call=call_text(spec, tensors, params), choices=choices, answer=answer, shown_answer=right,
        explanation=ctx.t("impossible.why_" + ("zero" if flags and params[flags[0]] else "inf"), value=right),
        link=playground(spec, tensors, params))


def _batchmean(ctx: _Context) -> Question:
    """A loss with reduction='batchmean': given its 'mean', which number is its 'batchmean'."""
    rng = ctx.rng
    specs = [s for s in loss_specs() if "batchmean" in scalar_reductions(s)]
    spec = specs[int(rng.integers(len(specs)))]
    for _ in range(DRAWS):
        n, c = (int(v) for v in rng.choice([2, 3, 4], size=2, replace=False))
        tensors = {"input": _log_probabilities(rng, (n, c)), "target": np.round(rng.dirichlet(np.ones(c), n), 2)}
        tensors["target"][:, -1] = np.round(1 - tensors["target"][:, :-1].sum(axis=1), 2)
        if np.any(tensors["target"] < 0):
            continue
        params = example_params(spec)
        values = {}
        for reduction in ("mean", "batchmean", "sum"):
            outcome = run_backend(spec.id, tensors, dict(params, reduction=reduction))
            if outcome.ok:
                values[reduction] = float(outcome.value)
        if len(values) < 3 or values["sum"] <= 0:
            continue
        right = show(values["batchmean"])
        wrong = _distinct(right, [show(values["sum"]), show(values["mean"]), show(values["mean"] / n)], 3)
        if len(wrong) < 3:
            continue
        choices, answer = _shuffled(rng, right, wrong)
        params = dict(params, reduction="mean")
        return Question(
            kind="batchmean", prompt=ctx.t("batchmean.prompt", loss=name(spec, ctx.lang), mean=show(values["mean"])),
            call=call_text(spec, tensors, params), choices=choices, answer=answer, shown_answer=right,
            explanation=ctx.t("batchmean.why", n=n, nc=n * c, sum=show(values["sum"]), value=right),
            link=playground(spec, tensors, dict(params, reduction="batchmean")))
    raise RuntimeError("no distribution draw gave three distinct reductions")


def _gradient_sign(ctx: _Context) -> Question:
    """The sign of one gradient element of a loss on drawn tensors."""
    rng = ctx.rng
    for spec, params, tensors, outcome in _draws(rng, pair_specs()):
        grad = np.asarray(outcome.grads.get("input"))
        if grad.ndim == 0 or not np.all(np.isfinite(grad)):
            continue
        index = tuple(int(i) for i in rng.integers(0, grad.shape))
        g = float(grad[index])
        if 0 < abs(g) < 1e-9:
            continue  # too close to zero for a sign to mean anything
        signs = (ctx.t("positive"), ctx.t("negative"), ctx.t("zero"))
        answer = 0 if g > 0 else 1 if g < 0 else 2
        where = f"input[{', '.join(map(str, index))}]"
        direction = ctx.t("down" if g > 0 else "up" if g < 0 else "flat")
        return Question(
            kind="gradient_sign", prompt=ctx.t("gradient_sign.prompt", loss=name(spec, ctx.lang), where=where),
            call=call_text(spec, tensors, params), choices=signs, answer=answer, shown_answer=signs[answer],
            explanation=ctx.t("gradient_sign.why", where=where, value=show(g), direction=direction),
            link=playground(spec, tensors, params))
    raise RuntimeError("no gradient element had a clear sign")


def _accepts(ctx: _Context) -> Question:
    """Which of four losses takes class indices / probabilities / ±1 values as its target."""
    rng = ctx.rng
    kind = TARGET_KINDS[int(rng.integers(len(TARGET_KINDS)))]
    yes = [s for s in loss_specs() if takes(s, kind)]
    no = [s for s in loss_specs() if not takes(s, kind)]
    right = yes[int(rng.integers(len(yes)))]
    wrong = [no[i] for i in rng.choice(len(no), size=3, replace=False)]
    choices, answer = _shuffled(rng, name(right, ctx.lang), [name(s, ctx.lang) for s in wrong])
    arg = next(a for a in targets_of(right) if target_takes(a, kind))
    return Question(
        kind="accepts", prompt=ctx.t("accepts.prompt", kind=ctx.t(f"target_{kind}")), call="", choices=choices,
        answer=answer, shown_answer=choices[answer],
        explanation=ctx.t("accepts.why", loss=name(right, ctx.lang), argument=arg.name, shape=arg.shape),
        link=(REFERENCE, {"loss": right.id}))


def _reduction(ctx: _Context) -> Question:
    """Which reduction gives this number."""
    rng = ctx.rng
    for spec, params, tensors, _ in _draws(rng, [s for s in loss_specs() if len(scalar_reductions(s)) >= 2],
                                           reduction="none"):
        values = {}
        for reduction in scalar_reductions(spec):
            outcome = run_backend(spec.id, tensors, dict(params, reduction=reduction))
            if outcome.ok:
                values[reduction] = show(outcome.value)
        if len(set(values.values())) < len(scalar_reductions(spec)):
            continue  # two reductions give the same number here
        target = list(values)[int(rng.integers(len(values)))]
        choices = tuple(spec.parameter("reduction").choices)
        shown = {**values, "none": ctx.t("a_tensor")}
        why = "; ".join(f"'{r}': {shown[r]}" for r in choices)
        params = {k: v for k, v in params.items() if k != "reduction"}
        return Question(
            kind="reduction", prompt=ctx.t("reduction.prompt", loss=name(spec, ctx.lang), value=values[target]),
            call=call_text(spec, tensors, params), choices=choices, answer=choices.index(target),
            shown_answer=f"'{target}'", explanation=ctx.t("reduction.why", values=why),
            link=playground(spec, tensors, dict(example_params(spec), reduction=target)))
    raise RuntimeError("no loss gave distinct reductions")


BUILDERS = {
    "value_choice": _value_choice, "value_number": _value_number, "outlier": _outlier, "clamp": _clamp,
    "impossible": _impossible, "batchmean": _batchmean, "gradient_sign": _gradient_sign, "accepts": _accepts,
    "reduction": _reduction,
}


def question(seed: int, kind: str, lang: str) -> Question:
    rng = np.random.default_rng([seed, KINDS.index(kind)])
    return BUILDERS[kind](_Context(lang=lang, rng=rng))


@functools.lru_cache(maxsize=64)
def generate(seed: int, lang: str) -> tuple[Question, ...]:
    """One question of each kind, in :data:`KINDS` order (pure, so a page's reruns reuse it)."""
    return tuple(question(seed, kind, lang) for kind in KINDS)


def fresh_seed() -> int:
    return int(np.random.default_rng().integers(SEED_LIMIT))

