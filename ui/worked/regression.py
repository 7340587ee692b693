"""Worked arithmetic of the regression losses: one line per element, ``l_i`` with the numbers substituted."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Term, Worked, builds, elementwise, get, times_weight
from ui.worked.latex import num, plain


@builds("absolute_error")
def absolute_error(work: Worked, call: Call) -> None:
    weighted = "weight" in call.arrays
    header = (r"\ell_i = w_i\,|x_i - y_i|" if weighted else r"\ell_i = |x_i - y_i|")

    def term(u):
        x, y, w = get(call, "input", u), get(call, "target", u), get(call, "weight", u)
        return Term(times_weight(w, rf"|{num(x)} - {num(y)}|"), None, (1.0 if w is None else w) * abs(x - y))
    elementwise(work, call, header, term)


@builds("squared_error")
def squared_error(work: Worked, call: Call) -> None:
    weighted = "weight" in call.arrays
    header = r"\ell_i = w_i\,(x_i - y_i)^2" if weighted else r"\ell_i = (x_i - y_i)^2"

    def term(u):
        x, y, w = get(call, "input", u), get(call, "target", u), get(call, "weight", u)
        square = np.float64(x - y) ** 2  # numpy's power overflows to inf where Python's raises
        return Term(times_weight(w, rf"({num(x)} - {num(y)})^2"), None, (1.0 if w is None else w) * square)
    elementwise(work, call, header, term)


@builds("smooth_l1")
def smooth_l1(work: Worked, call: Call) -> None:
    beta = call.params["beta"]
    if beta == 0:
        header = r"\ell_i = |x_i - y_i| \quad (\beta = 0)"
    else:
        header = (r"\ell_i = \begin{cases} 0.5\,(x_i - y_i)^2/\beta & |x_i - y_i| < \beta \\ "
                  r"|x_i - y_i| - 0.5\,\beta & |x_i - y_i| \ge \beta \end{cases}")

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        z = abs(x - y)
        if beta == 0:
            return Term(rf"|{num(x)} - {num(y)}|", None, z)
        if z < beta:
            return Term(rf"\frac{{0.5\,({num(x)} - {num(y)})^2}}{{{plain(beta)}}}", None, 0.5 * z * z / beta)
        return Term(rf"|{num(x)} - {num(y)}| - 0.5\cdot {num(beta)}", None, z - 0.5 * beta)
    elementwise(work, call, header, term)


@builds("huber")
def huber(work: Worked, call: Call) -> None:
    delta = call.params["delta"]
    w_i = r"w_i\," if "weight" in call.arrays else ""
    header = (rf"\ell_i = {w_i}\begin{{cases}} 0.5\,(x_i - y_i)^2 & |x_i - y_i| < \delta \\ "
              rf"\delta\,(|x_i - y_i| - 0.5\,\delta) & |x_i - y_i| \ge \delta \end{{cases}}")

    def term(u):
        x, y, w = get(call, "input", u), get(call, "target", u), get(call, "weight", u)
        z = abs(x - y)
        if z < delta:
            expression, value = rf"0.5\,({num(x)} - {num(y)})^2", 0.5 * z * z
        else:
            expression, value = rf"{num(delta)}\cdot(|{num(x)} - {num(y)}| - 0.5\cdot {num(delta)})", \
                delta * (z - 0.5 * delta)
        if w is not None:
            expression, value = rf"{num(w)}\cdot {expression}", w * value
        return Term(expression, None, value)
    elementwise(work, call, header, term)


@builds("power_error")
def power_error(work: Worked, call: Call) -> None:
    gamma, eps = call.params["gamma"], call.params["eps"]

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        return Term(rf"(|{num(x)} - {num(y)}| + {num(eps)})^{{{plain(gamma)}}}", None,
                    (abs(x - y) + eps) ** gamma)
    elementwise(work, call, r"\ell_i = (|x_i - y_i| + \epsilon)^{\gamma}", term)


@builds("relative_squared_error")
def relative_squared_error(work: Worked, call: Call) -> None:
    eps = call.params["eps"]
    on_input = call.params["denominator"] == "input"
    den = "x_i" if on_input else "y_i"

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        d = x if on_input else y
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(np.float64(x - y) ** 2 / np.float64(d + eps) ** 2)
        return Term(rf"\frac{{({num(x)} - {num(y)})^2}}{{({num(d)} + {num(eps)})^2}}", None, value)
    elementwise(work, call, rf"\ell_i = \frac{{(x_i - y_i)^2}}{{({den} + \epsilon)^2}}", term)
