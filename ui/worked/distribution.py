"""Worked arithmetic of the distribution losses (KL divergence, Poisson and Gaussian NLL), per element."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Term, Worked, builds, elementwise, get
from ui.worked.latex import num, plain


@builds("kl_divergence")
def kl_divergence(work: Worked, call: Call) -> None:
    if call.params["log_target"]:
        def term(u):
            x, t = get(call, "input", u), get(call, "target", u)
            p = float(np.exp(t))
            return Term(rf"e^{{{plain(t)}}}\cdot({num(t)} - {num(x)})", rf"{num(p)}\cdot {num(t - x)}", p * (t - x))
        elementwise(work, call, r"\ell_i = e^{y_i}\,(y_i - x_i)", term)
        return
    zero = bool(np.any(call.arrays["target"] == 0))
    header = r"\ell_i = y_i\,(\log y_i - x_i)" + (r",\quad 0 \log 0 = 0" if zero else "")

    def term(u):
        x, t = get(call, "input", u), get(call, "target", u)
        if t == 0:
            return Term(rf"0\cdot(\log 0 - {num(x)})", None, 0.0)
        with np.errstate(invalid="ignore"):
            log_t = float(np.log(t))
        return Term(rf"{num(t)}\cdot(\log {num(t)} - {num(x)})", rf"{num(t)}\cdot {num(log_t - x)}", t * (log_t - x))
    elementwise(work, call, header, term)


def _stirling(t: float) -> float:
    return t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t)


@builds("poisson_nll")
def poisson_nll(work: Worked, call: Call) -> None:
    log_input, full, eps = call.params["log_input"], call.params["full"], call.params["eps"]
    header = r"\ell_i = e^{x_i} - y_i x_i" if log_input else r"\ell_i = x_i - y_i \log(x_i + \epsilon)"
    if full:
        header += r" + S(y_i),\quad S(y) = y\log y - y + \tfrac12\log(2\pi y)\ \ (y > 1)"

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        if log_input:
            e = float(np.exp(x))
            expression, middle, value = rf"e^{{{plain(x)}}} - {num(y)}\cdot {num(x)}", \
                rf"{num(e)} - {num(y * x)}", e - y * x
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_x = float(np.log(x + eps))
            expression, middle, value = rf"{num(x)} - {num(y)}\log({num(x)} + {num(eps)})", \
                rf"{num(x)} - {num(y)}\cdot {num(log_x)}", x - y * log_x
        if full and y > 1:
            s = float(_stirling(y))
            expression, middle, value = rf"{expression} + S({plain(y)})", rf"{middle} + {num(s)}", value + s
        return Term(expression, middle, value)
    elementwise(work, call, header, term)


@builds("gaussian_nll")
def gaussian_nll(work: Worked, call: Call) -> None:
    full, eps = call.params["full"], call.params["eps"]
    half_log_2pi = 0.5 * np.log(2 * np.pi)
    header = (r"\ell_i = \tfrac12\,(\log v_i + (x_i - y_i)^2/v_i)" + (r" + \tfrac12\log 2\pi" if full else "")
              + r",\quad v_i = \max(\mathrm{var}_i, \epsilon)")

    def term(u):
        x, y, var = get(call, "input", u), get(call, "target", u), get(call, "var", u)
        v = max(var, eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_v, ratio = float(np.log(v)), float(np.float64(x - y) ** 2 / np.float64(v))
        expression = rf"\tfrac12\,(\log {num(v)} + ({num(x)} - {num(y)})^2/{num(v)})"
        middle = rf"\tfrac12\,({plain(log_v)} + {num(ratio)})"
        value = 0.5 * (log_v + ratio)
        if full:
            expression += rf" + {plain(half_log_2pi)}"
            middle += rf" + {plain(half_log_2pi)}"
            value += half_log_2pi
        return Term(expression, middle, value)
    elementwise(work, call, header, term)
