"""Worked arithmetic of the binary (sigmoid) losses: per element, or per sample over its labels."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Term, Worked, builds, each_unit, elementwise, get, log_sigmoid
from ui.worked.latex import join, num, plain, sub


@builds("binary_cross_entropy")
def binary_cross_entropy(work: Worked, call: Call) -> None:
    x_all = call.arrays["input"]
    with np.errstate(divide="ignore"):
        clamped = bool(np.any(np.log(x_all) < -100) or np.any(np.log1p(-x_all) < -100))
    w_i = r"w_i\," if "weight" in call.arrays else ""
    header = rf"\ell_i = -{w_i}[\,y_i \log x_i + (1 - y_i)\log(1 - x_i)\,]"
    if clamped:
        header += r",\quad \log 0 = -\infty \to -100"  # torch clamps each log at -100

    def term(u):
        x, y, w = get(call, "input", u), get(call, "target", u), get(call, "weight", u)
        with np.errstate(divide="ignore"):
            log_x = max(float(np.log(x)), -100.0)
            log_1mx = max(float(np.log1p(-x)), -100.0)
        factor = "" if w is None else rf"{num(w)}\cdot "
        expression = rf"-{factor}[{num(y)}\log {num(x)} + {num(1 - y)}\log(1 - {num(x)})]"
        middle = rf"-{factor}[{num(y)}\cdot {num(log_x)} + {num(1 - y)}\cdot {num(log_1mx)}]"
        value = -(1.0 if w is None else w) * (y * log_x + (1 - y) * log_1mx)
        return Term(expression, middle, value)
    elementwise(work, call, header, term)


@builds("binary_cross_entropy_logits")
def binary_cross_entropy_logits(work: Worked, call: Call) -> None:
    has_w, has_p = "weight" in call.arrays, "pos_weight" in call.arrays
    w_i = r"w_i\," if has_w else ""
    p_i = r"p_i\," if has_p else ""
    header = rf"\ell_i = -{w_i}[\,{p_i}y_i\log\sigma(x_i) + (1 - y_i)\log(1 - \sigma(x_i))\,]"

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        w, p = get(call, "weight", u), get(call, "pos_weight", u)
        log_s, log_1ms = log_sigmoid(x), log_sigmoid(-x)
        first = f"{num(p)}\\cdot {num(y)}" if p is not None else num(y)
        factor = "" if w is None else rf"{num(w)}\cdot "
        expression = rf"-{factor}[{first}\log\sigma({plain(x)}) + {num(1 - y)}\log(1 - \sigma({plain(x)}))]"
        middle = rf"-{factor}[{first}\cdot {num(log_s)} + {num(1 - y)}\cdot {num(log_1ms)}]"
        value = -(1.0 if w is None else w) * ((1.0 if p is None else p) * y * log_s + (1 - y) * log_1ms)
        return Term(expression, middle, value)
    elementwise(work, call, header, term)


@builds("multilabel_soft_margin")
def multilabel_soft_margin(work: Worked, call: Call) -> None:
    x_all, y_all = call.arrays["input"], call.arrays["target"]  # (A, C, R)
    w_all = call.arrays.get("weight")
    classes = call.params["classes"]
    w_c = r"w_c\," if w_all is not None else ""
    work.add(rf"\ell_n = -\frac{{1}}{{C}}\sum\nolimits_c {w_c}h_{{n,c}},\quad C = {classes}",
             r"h_{n,c} = y_{n,c}\log\sigma(x_{n,c}) + (1 - y_{n,c})\log\sigma(-x_{n,c})")
    rest = x_all.shape[2]

    def render(u):
        a, r = divmod(u, rest)
        x, y = x_all[a, :, r], y_all[a, :, r]
        w = None if w_all is None else w_all[a, :, r]
        symbols, numbers, total = [], [], 0.0
        for c in range(x.size):
            xc, yc = float(x[c]), float(y[c])
            pos, neg = log_sigmoid(xc), log_sigmoid(-xc)
            if yc == 1:
                symbol, number = rf"\log\sigma({plain(xc)})", num(pos)
            elif yc == 0:
                symbol, number = rf"\log\sigma({plain(-xc)})", num(neg)
            else:
                symbol = rf"{num(yc)}\log\sigma({plain(xc)}) + {num(1 - yc)}\log\sigma({plain(-xc)})"
                number = rf"{num(yc)}\cdot {num(pos)} + {num(1 - yc)}\cdot {num(neg)}"
            term = yc * pos + (1 - yc) * neg
            if w is not None:
                if yc not in (0, 1):
                    symbol, number = f"[{symbol}]", f"[{number}]"
                symbol, number, term = rf"{num(w[c])}\cdot {symbol}", rf"{num(w[c])}\cdot {number}", w[c] * term
            symbols.append(symbol)
            numbers.append(number)
            total += term
        backend = float(call.values[u])
        work.check(f"{call.loss} unit {u}", -total / classes, backend)
        coefficient = rf"-\frac{{1}}{{{classes}}}"
        return [rf"\ell{sub(*call.index(u))} = {coefficient}[{join(symbols)}] = {coefficient}[{join(numbers)}]"
                rf" = {plain(backend)}"]

    each_unit(work, call, render)


@builds("focal")
def focal(work: Worked, call: Call) -> None:
    alpha, gamma = call.params["alpha"], call.params["gamma"]
    weighting = alpha >= 0
    alpha_t = r"\alpha_t\," if weighting else ""
    header = (rf"\ell_i = {alpha_t}(1 - p_t)^{{\gamma}}\,\mathrm{{BCE}}(x_i, y_i),"
              r"\quad p_t = \sigma(x_i)\,y_i + (1 - \sigma(x_i))(1 - y_i)")
    if weighting:
        header += r",\quad \alpha_t = \alpha\,y_i + (1 - \alpha)(1 - y_i)"

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        p = float(np.exp(log_sigmoid(x)))
        p_t = p * y + (1 - p) * (1 - y)
        bce = (1 - y) * x - log_sigmoid(x)
        value = np.float64(1 - p_t) ** gamma * bce  # numpy: inf or nan past the range, never a complex
        expression = rf"(1 - {num(p_t)})^{{{plain(gamma)}}}\cdot {num(bce)}"
        if weighting:
            alpha_t = alpha * y + (1 - alpha) * (1 - y)
            expression, value = rf"{num(alpha_t)}\cdot {expression}", alpha_t * value
        return Term(expression, None, value)
    elementwise(work, call, header, term)
