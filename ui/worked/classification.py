"""Worked arithmetic of the class-index losses: a log-sum-exp line, then the picked class, per sample."""

from __future__ import annotations

import numpy as np

from ui.worked.core import Call, Worked, builds, each_unit, log_sum_exp
from ui.worked.latex import join, num, plain, sub, vector


def class_sub(index: tuple, c) -> str:
    """x's subscript for unit ``index`` (n, d1, ...) and class c: (n, c, d1, ...)."""
    return sub(*index[:1], c, *index[1:])


def log_sum_exp_line(call: Call, unit: int) -> tuple[str, float]:
    """s_n = log sum_c e^{x_{n,c}} with the logits substituted."""
    x = call.arrays["input"][unit]
    index = call.index(unit)
    s = log_sum_exp(x)
    exps = join([rf"e^{{{plain(v)}}}" for v in x])
    return rf"s{sub(*index)} = \log\sum\nolimits_c e^{{x{class_sub(index, 'c')}}} = \log({exps}) = {plain(s)}", s


def ignored_line(call: Call, unit: int) -> str:
    index = call.index(unit)
    ignore = call.params["ignore_index"]
    return rf"\ell{sub(*index)} = 0 \quad (y{sub(*index)} = {ignore} = \texttt{{ignore\_index}})"


def _index_target_header(call: Call, kind: str) -> list[str]:
    w_y = r"w_{y_n}\," if "weight" in call.arrays else ""
    if kind == "nll":
        return [rf"\ell_n = -{w_y}x_{{n,y_n}}"]
    eps = call.params["label_smoothing"]
    if eps > 0:
        w_c = r"w_c\," if "weight" in call.arrays else ""
        return [rf"\ell_n = (1 - \varepsilon)\,{w_y}(s_n - x_{{n,y_n}}) + \frac{{\varepsilon}}{{C}}"
                rf"\sum\nolimits_c {w_c}(s_n - x_{{n,c}}),\quad \varepsilon = {plain(eps)},\ C = "
                rf"{call.arrays['input'].shape[1]},\quad s_n = \log\sum\nolimits_c e^{{x_{{n,c}}}}"]
    core = r"s_n - x_{n,y_n}" if not w_y else rf"{w_y}(s_n - x_{{n,y_n}})"
    return [rf"\ell_n = {core},\quad s_n = \log\sum\nolimits_c e^{{x_{{n,c}}}}"]


@builds("softmax_cross_entropy")
def softmax_cross_entropy(work: Worked, call: Call) -> None:
    if call.params["probabilities"]:
        _cross_entropy_probabilities(work, call)
        return
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    w = call.arrays.get("weight")
    eps, classes = call.params["label_smoothing"], x_all.shape[1]
    work.add(*_index_target_header(call, "ce"))

    def render(u):
        if t_all[u] == call.params["ignore_index"]:
            work.check(f"{call.loss} unit {u}", 0.0, float(call.values[u]))
            return [ignored_line(call, u)]
        lse_line, s = log_sum_exp_line(call, u)
        index, y = call.index(u), int(t_all[u])
        x = x_all[u]
        si = sub(*index)
        picked = f"x{class_sub(index, y)}"
        if eps > 0:
            # The smoothing part, sum_c w_c (s - x_c), gets its own line: with it the mix reads in one line.
            q = s - x
            weights = np.ones(classes) if w is None else w
            spread = float(np.sum(weights * q))
            w_c = "" if w is None else r"w_c\,"
            terms = [num(v) if w is None else rf"{num(wc)}\cdot {num(v)}" for v, wc in zip(q, weights)]
            spread_line = (rf"r{si} = \sum\nolimits_c {w_c}(s{si} - x{class_sub(index, 'c')}) = {join(terms)} = "
                           rf"{plain(spread)}")
            w_y = "" if w is None else rf"{num(w[y])}\cdot "
            w_sym = "" if w is None else rf"w_{{{y}}}\,"
            symbolic = rf"(1 - \varepsilon)\,{w_sym}(s{si} - {picked}) + \frac{{\varepsilon}}{{C}}\,r{si}"
            numbers = (rf"{num(1 - eps)}\cdot {w_y}{num(q[y])} + \frac{{{plain(eps)}}}{{{classes}}}\cdot "
                       rf"{num(spread)}")
            ours = (1 - eps) * weights[y] * q[y] + eps / classes * spread
            backend = float(call.values[u])
            work.check(f"{call.loss} unit {u}", ours, backend)
            return [lse_line, spread_line, rf"\ell{si} = {symbolic} = {numbers} = {plain(backend)}"]
        symbolic = rf"s{si} - {picked}" if w is None else rf"w_{{{y}}}\,(s{si} - {picked})"
        inner = rf"{plain(s)} - {num(x[y])}"
        numbers = inner if w is None else rf"{num(w[y])}\cdot({inner})"
        ours = (1.0 if w is None else w[y]) * (s - x[y])
        backend = float(call.values[u])
        work.check(f"{call.loss} unit {u}", ours, backend)
        return [lse_line, rf"\ell{si} = {symbolic} = {numbers} = {plain(backend)}"]

    each_unit(work, call, render, lines_per_unit=3 if eps > 0 else 2)


def _cross_entropy_probabilities(work: Worked, call: Call) -> None:
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    w = call.arrays.get("weight")
    eps, classes = call.params["label_smoothing"], x_all.shape[1]
    w_c = r"w_c\," if w is not None else ""
    target = r"t'_{n,c}" if eps > 0 else r"t_{n,c}"
    header = rf"\ell_n = -\sum\nolimits_c {w_c}{target}\,\log p_{{n,c}},\quad \log p_{{n,c}} = x_{{n,c}} - s_n"
    if eps > 0:
        header += rf",\quad t' = (1 - \varepsilon)\,t + \frac{{\varepsilon}}{{C}},\ \varepsilon = {plain(eps)}"
    work.add(header)

    def render(u):
        lse_line, s = log_sum_exp_line(call, u)
        t = t_all[u] * (1 - eps) + eps / classes if eps > 0 else t_all[u]
        log_p = x_all[u] - s
        weights = np.ones(classes) if w is None else w
        mass = weights * t  # what multiplies each log-probability
        products = join([rf"{num(m)}\cdot {num(lp)}" for m, lp in zip(mass, log_p)])
        backend = float(call.values[u])
        with np.errstate(invalid="ignore"):
            work.check(f"{call.loss} unit {u}", -float(np.sum(mass * log_p)), backend)
        index = call.index(u)
        si = sub(*index)
        extra = []
        if eps > 0 or w is not None:
            prime = "'" if eps > 0 else ""
            name = f"t{prime}{class_sub(index, 'c')}"
            extra = [rf"{w_c}{name} = {vector(mass)}"]
        return [lse_line, *extra, rf"\ell{si} = -[{products}] = {plain(backend)}"]

    each_unit(work, call, render, lines_per_unit=3 if eps > 0 or w is not None else 2)


@builds("negative_log_likelihood")
def negative_log_likelihood(work: Worked, call: Call) -> None:
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    w = call.arrays.get("weight")
    work.add(*_index_target_header(call, "nll"))

    def render(u):
        if t_all[u] == call.params["ignore_index"]:
            work.check(f"{call.loss} unit {u}", 0.0, float(call.values[u]))
            return [ignored_line(call, u)]
        index, y = call.index(u), int(t_all[u])
        x = float(x_all[u, y])
        picked = f"x{class_sub(index, y)}"
        if w is None:
            symbolic, numbers, ours = f"-{picked}", f"-{num(x)}", -x
        else:
            symbolic, numbers, ours = rf"-w_{{{y}}}\,{picked}", rf"-{num(w[y])}\cdot {num(x)}", -w[y] * x
        backend = float(call.values[u])
        work.check(f"{call.loss} unit {u}", ours, backend)
        return [rf"\ell{sub(*index)} = {symbolic} = {numbers} = {plain(backend)}"]

    each_unit(work, call, render)
