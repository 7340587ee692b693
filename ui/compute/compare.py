"""Every loss that takes (input, target) run on the same pair, as the notes do with their 2×2 example."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import losses
from losses.spec import LossSpec
from ui.compute.runner import run_backend_value, run_torch
from ui.text.errors import describe
from ui.text.i18n import translate
from ui.text.numbers import short


def pair_losses() -> list:
    """Losses whose required tensors are exactly input and target."""
    specs = []
    for spec in losses.SPECS:
        required = {a.name for a in spec.arguments if not a.optional}
        if required == {"input", "target"} and spec.family != "activation":
            specs.append(spec)
    # the notes' comparison first, in its order (spec.notes_order), then the registry's
    return sorted(specs, key=lambda s: (s.notes_order is None, s.notes_order or 0, losses.SPECS.index(s)))


def _why(lang: str, spec, tensors: dict, outcome) -> str:
    if not outcome.ok:
        exc = outcome.error
        key = f"why.{exc.code}"
        reason = translate(lang, key, argument=exc.argument) if key != "why.not_finite" else ""
        return (reason + " — " if reason and not reason.startswith("why.") else "") + describe(exc, lang)
    x, y = np.asarray(tensors["input"]), np.asarray(tensors["target"])
    if spec.argument("target").also_probabilities and y.dtype.kind == "f" and y.shape == x.shape:
        return translate(lang, "why.probability_targets")
    return ""


# Where each argument domain of the registry ends; a binary target is read as a probability here.
_BOUNDS = {"probability": (0.0, 1.0), "binary": (0.0, 1.0), "log_probability": (-np.inf, 0.0),
           "nonnegative": (0.0, np.inf), "positive": (0.0, np.inf)}


def _outside_domain(lang: str, spec, tensors: dict, outcome) -> str:
    """A negative "loss" comes from an argument outside the domain the registry gives it: name which."""
    if not outcome.ok or not np.all(np.isfinite(outcome.value)) or np.sum(outcome.value) >= 0:
        return ""
    outside = []
    for arg in spec.arguments:
        bounds = _BOUNDS.get(arg.domain)
        value = tensors.get(arg.name)
        if bounds is not None and value is not None and np.any((value < bounds[0]) | (value > bounds[1])):
            outside.append(translate(lang, "compare_extra.outside_arg", name=arg.name,
                                     domain=translate(lang, f"compare_extra.domain_{arg.domain}")))
    return translate(lang, "compare_extra.negative", args="; ".join(outside)) if outside else ""


class Comparison(NamedTuple):
    """The table's rows, and for each row whose value is negative because an argument lies outside its domain
    the loss and the parameters it ran with, so the page can link to that state, where each term shows why."""
    rows: list[dict]
    outside: list[tuple[LossSpec, dict]]


def comparison_rows(tensors: dict, reduction: str, lang: str) -> Comparison:
    pair = {"input": tensors["input"], "target": tensors["target"]}
    rows, outside = [], []
    for spec in pair_losses():
        params = spec.defaults()
        if "reduction" in params:
            choices = spec.parameter("reduction").choices
            params["reduction"] = reduction if reduction in choices else params["reduction"]
        ours = run_backend_value(spec.id, pair, params)  # one number per row: no terms, no gradients
        theirs = run_torch(spec.id, pair, params, grads=False)
        if ours.ok:
            value = ours.value
            ours_text = short(value) if value.ndim == 0 else f"{short(value.sum())} (Σ)"
        else:
            ours_text = translate(lang, "playground.refused")
        if not theirs.available:
            torch_text = "—"
        elif theirs.error is not None:
            torch_text = translate(lang, "playground.refused")
        else:
            tv = np.asarray(theirs.value)
            torch_text = short(tv) if tv.ndim == 0 else f"{short(tv.sum())} (Σ)"
        if ours.ok and theirs.error is not None:
            why = translate(lang, "playground.torch_refuses", message=theirs.error)
        else:
            why = _why(lang, spec, pair, ours)
            if not why and (why := _outside_domain(lang, spec, pair, ours)):
                outside.append((spec, params))
        rows.append({
            "id": spec.id,
            translate(lang, "playground.col_loss"): spec.title[lang],
            translate(lang, "playground.col_class"): spec.torch_class or "—",
            translate(lang, "playground.col_ours"): ours_text,
            translate(lang, "playground.col_torch"): torch_text,
            translate(lang, "playground.col_why"): why,
        })
    return Comparison(rows, outside)
