"""Worked arithmetic of the activations: per element, or per slice along ``dim`` for (log-)softmax."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Worked, builds, each_unit, log_sigmoid, shown_units
from ui.worked.latex import join, num, plain, sub, vector


def _each_element(work: Worked, call: Call, header: str, ours, line) -> None:
    """The formula, then per element ``line(x, backend)``, checked against ``ours(x)``."""
    work.add(header)

    def render(u):
        x = float(call.arrays["input"][u])
        backend = float(call.values[u])
        with np.errstate(over="ignore"):
            work.check(f"{call.loss} unit {u}", ours(x), backend)
        return [line(x, backend)]

    each_unit(work, call, render)


@builds("sigmoid")
def sigmoid(work: Worked, call: Call) -> None:
    _each_element(work, call, r"\sigma(x) = \frac{1}{1 + e^{-x}}", lambda x: float(np.exp(log_sigmoid(x))),
                  lambda x, v: rf"\sigma({plain(x)}) = \frac{{1}}{{1 + e^{{{plain(-x)}}}}} = {plain(v)}")


@builds("tanh")
def tanh(work: Worked, call: Call) -> None:
    _each_element(work, call, r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", lambda x: float(np.tanh(x)),
                  lambda x, v: rf"\tanh({plain(x)}) = \frac{{e^{{{plain(x)}}} - e^{{{plain(-x)}}}}}"
                               rf"{{e^{{{plain(x)}}} + e^{{{plain(-x)}}}}} = {plain(v)}")


@builds("softmax")
def softmax(work: Worked, call: Call) -> None:
    """One slice along ``dim`` per unit: its sum of exponentials, then the slice; ``log`` for log_softmax."""
    log = bool(call.options.get("log", False))
    x_all = call.arrays["input"]  # (A, C, B)
    before, classes, after = x_all.shape
    values = call.values.reshape(x_all.shape)
    shape = call.none_shape if call.none_shape else (1,)
    axis = int(call.kwargs["dim"]) % len(shape)  # the backend checked dim; a 0-d input counts as 1-D
    s = r"\log s" if log else "s"
    work.add(rf"{s}_j = " + (r"x_j - \log\sum\nolimits_k e^{x_k}" if log else r"\frac{e^{x_j}}{\sum_k e^{x_k}}")
             + rf",\quad \texttt{{dim}} = {call.kwargs['dim']}")

    def label(a: int, b: int, inner: str) -> str:
        if len(shape) <= 1:
            return sub(inner) if inner != ":" else ""
        outer = np.unravel_index(a, shape[:axis]) if axis else ()
        rest = np.unravel_index(b, shape[axis + 1:]) if axis + 1 < len(shape) else ()
        return sub(*[int(i) for i in outer], inner, *[int(i) for i in rest])

    def render(u):
        a, b = divmod(u, after)
        x = x_all[a, :, b]
        m = float(np.max(x))
        with np.errstate(over="ignore"):
            total = float(np.sum(np.exp(x)))
        shift = not np.isfinite(total) and np.isfinite(m)
        shifted = x - m if shift else x
        total = float(np.sum(np.exp(shifted)))
        lse = (m if shift else 0.0) + float(np.log(total))
        exps = [rf"e^{{{plain(v)}}}" for v in shifted]
        k = label(a, b, "k")
        minus_m = rf" - {num(m)}" if shift else ""
        sum_line = rf"\textstyle\sum_k e^{{x{k}{minus_m}}} = {join(exps)} = {plain(total)}"
        if shift:
            sum_line += rf",\quad m = {plain(m)}"
        out = values[a, :, b]
        ours = (x - lse) if log else np.exp(shifted) / total
        for c in range(classes):
            work.check(f"{call.loss} unit {u} class {c}", float(ours[c]), float(out[c]))
        whole = label(a, b, ":")
        if log:
            if shift:
                sum_line += rf",\quad \log\textstyle\sum_k e^{{x{k}}} = {plain(m)} + \log {plain(total)} = {plain(lse)}"
            else:
                sum_line = (rf"\log\textstyle\sum_k e^{{x{k}}} = \log({join(exps)}) = \log {plain(total)} = "
                            rf"{plain(lse)}")
            diffs = join([rf"{plain(v)} - {num(lse)}" for v in x], ", ")
            return [sum_line, rf"\log s{whole} = ({diffs}) = {vector(out)}"]
        return [sum_line, rf"s{whole} = \frac{{({join(exps, ', ')})}}{{{plain(total)}}} = {vector(out)}"]

    for unit in shown_units(before * after, lines_per_unit=2):
        work.add(*([r"\vdots"] if unit is None else render(unit)))
