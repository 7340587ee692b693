"""Worked arithmetic of the overlap losses (soft Dice, soft Jaccard): one builder, the spec's options say which."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Worked, builds, each_unit
from ui.worked.latex import join, num, plain, sub


def _overlap_sum_line(call: Call, u: int, name: str) -> tuple[str, float]:
    x, y = call.arrays["input"][u], call.arrays["target"][u]
    products = join([rf"{num(a)}\cdot {num(b)}" for a, b in zip(x, y)])
    inter = float(np.sum(x * y))
    si = sub(*call.index(u))
    return rf"{name}{si} = \sum\nolimits_i x{sub(*call.index(u), 'i')}\,y{sub(*call.index(u), 'i')} = " \
           rf"{products} = {plain(inter)}", inter


@builds("overlap")
def overlap(work: Worked, call: Call) -> None:
    """``1 - (w I + s) / (sum x + sum y [- I] + s)``: Dice is w = 2 without the subtraction, Jaccard w = 1 with it."""
    s = call.params["smooth"]
    weight = float(call.options["intersection_weight"])
    subtracts = bool(call.options["union_subtracts_intersection"])
    times = "" if weight == 1 else f"{plain(weight)} "
    minus = " - I_n" if subtracts else ""
    work.add(rf"\ell_n = 1 - \frac{{{times}I_n + s}}{{\sum_i x_{{n,i}} + \sum_i y_{{n,i}}{minus} + s}},\quad s = "
             + plain(s))

    def render(u):
        line, inter = _overlap_sum_line(call, u, "I")
        sx, sy = float(np.sum(call.arrays["input"][u])), float(np.sum(call.arrays["target"][u]))
        top = (inter if weight == 1 else weight * inter) + s
        bottom = (sx + sy - inter if subtracts else sx + sy) + s
        backend = float(call.values[u])
        with np.errstate(divide="ignore", invalid="ignore"):
            work.check(f"{call.loss} unit {u}", 1 - np.float64(top) / np.float64(bottom), backend)
        shown_inter = plain(inter) if weight == 1 else rf"{plain(weight)}\cdot {num(inter)}"
        shown_minus = rf" - {num(inter)}" if subtracts else ""
        return [line, rf"\ell{sub(*call.index(u))} = 1 - \frac{{{shown_inter} + {num(s)}}}"
                      rf"{{{plain(sx)} + {num(sy)}{shown_minus} + {num(s)}}} = 1 - "
                      rf"\frac{{{plain(top)}}}{{{plain(bottom)}}} = {plain(backend)}"]

    each_unit(work, call, render, lines_per_unit=2)
