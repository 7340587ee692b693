"""Worked arithmetic of the margin, hinge and embedding losses: margins per element, distances per sample."""

from __future__ import annotations

import numpy as np

from losses.numerics import COSINE_EPS
from ui.worked.core import Call, Term, Worked, builds, each_unit, elementwise, get
from ui.worked.latex import ends, join, num, plain, sub, vector


@builds("margin_ranking")
def margin_ranking(work: Worked, call: Call) -> None:
    margin = call.params["margin"]

    def term(u):
        x1, x2, y = get(call, "input1", u), get(call, "input2", u), get(call, "target", u)
        inner = -y * (x1 - x2) + margin
        return Term(rf"\max(0, -{num(y)}\cdot({num(x1)} - {num(x2)}) + {num(margin)})", rf"\max(0, {plain(inner)})",
                    max(0.0, inner))
    elementwise(work, call, r"\ell_i = \max(0, -y_i\,(x^{(1)}_i - x^{(2)}_i) + \mathrm{margin})", term)


@builds("hinge_embedding")
def hinge_embedding(work: Worked, call: Call) -> None:
    margin = call.params["margin"]
    header = (r"\ell_i = \begin{cases} x_i & y_i = 1 \\ \max(0, \mathrm{margin} - x_i) & y_i = -1 "
              r"\end{cases}")

    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        hinge = rf"\max(0, {num(margin)} - {num(x)})"
        if y == 1:
            return Term(f"x{sub(*call.index(u))}", None, x)
        if y == -1:
            return Term(hinge, None, max(0.0, margin - x))
        # torch adds both branches for any other target.
        return Term(rf"{hinge} + {num(x)}", None, max(0.0, margin - x) + x)
    elementwise(work, call, header, term)


@builds("soft_margin")
def soft_margin(work: Worked, call: Call) -> None:
    def term(u):
        x, y = get(call, "input", u), get(call, "target", u)
        z = -y * x
        with np.errstate(over="ignore"):
            e = float(np.exp(z))
            value = float(np.inf if np.isinf(e) else np.logaddexp(0.0, z))
        return Term(rf"\log(1 + e^{{-{num(y)}\cdot {num(x)}}})", rf"\log(1 + {plain(e)})", value)
    elementwise(work, call, r"\ell_i = \log(1 + e^{-y_i x_i})", term)


def hinge_terms(values: list[float], power: int = 1) -> str:
    suffix = "^2" if power == 2 else ""
    return join([f"{num(v)}{suffix}" for v in values])


@builds("multilabel_margin")
def multilabel_margin(work: Worked, call: Call) -> None:
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    classes = x_all.shape[1]
    work.add(r"\ell_n = \frac{1}{C}\sum\nolimits_{j \in J_n}\sum\nolimits_{i \notin J_n}(1 - x_{n,j} + x_{n,i})_+,"
             rf"\quad (u)_+ = \max(0, u),\ C = {classes}")

    def render(u):
        x, t = x_all[u], t_all[u]
        labels = []
        for entry in t:
            if entry < 0:
                break
            labels.append(int(entry))
        others = [i for i in range(classes) if i not in set(labels)]
        si = sub(*call.index(u))
        label_set = r"\{" + ", ".join(map(str, labels)) + r"\}" if labels else r"\varnothing"
        backend = float(call.values[u])
        pairs = [(j, i) for j in labels for i in others]
        if not pairs:
            work.check(f"{call.loss} unit {u}", 0.0, backend)
            return [rf"J{si} = {label_set}", rf"\ell{si} = 0"]
        symbols = [rf"(1 - {num(x[j])} + {num(x[i])})_+" for j, i in pairs]
        hinges = [max(0.0, 1.0 - float(x[j]) + float(x[i])) for j, i in pairs]
        work.check(f"{call.loss} unit {u}", sum(hinges) / classes, backend)
        coefficient = rf"\frac{{1}}{{{classes}}}"
        return [rf"J{si} = {label_set}",
                rf"\ell{si} = {coefficient}[{join(symbols)}] = {coefficient}({hinge_terms(hinges)}) = "
                rf"{plain(backend)}"]

    each_unit(work, call, render, lines_per_unit=2)


@builds("multi_margin")
def multi_margin(work: Worked, call: Call) -> None:
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    w = call.arrays.get("weight")
    p, margin = call.params["p"], call.params["margin"]
    classes = x_all.shape[1]
    w_y = "w_{y_n}" if w is not None else "1"
    power = "^2" if p == 2 else ""
    work.add(rf"\ell_n = \frac{{{w_y}}}{{C}}\sum\nolimits_{{i \ne y_n}}(\mathrm{{margin}} - x_{{n,y_n}} + "
             rf"x_{{n,i}})_+{power},\quad (u)_+ = \max(0, u),\ C = {classes}")

    def render(u):
        x, y = x_all[u], int(t_all[u])
        others = [i for i in range(classes) if i != y]
        weight = 1.0 if w is None else float(w[y])
        coefficient = rf"\frac{{{plain(weight)}}}{{{classes}}}"
        backend = float(call.values[u])
        si = sub(*call.index(u))
        if not others:
            work.check(f"{call.loss} unit {u}", 0.0, backend)
            return [rf"\ell{si} = 0"]
        symbols = [rf"({num(margin)} - {num(x[y])} + {num(x[i])})_+{power}" for i in others]
        hinges = [max(0.0, margin - float(x[y]) + float(x[i])) for i in others]
        work.check(f"{call.loss} unit {u}", weight * sum(h ** p for h in hinges) / classes, backend)
        return [rf"\ell{si} = {coefficient}[{join(symbols)}] = {coefficient}({hinge_terms(hinges, p)}) = "
                rf"{plain(backend)}"]

    each_unit(work, call, render)


@builds("cosine_embedding")
def cosine_embedding(work: Worked, call: Call) -> None:
    a_all, b_all, y_all = call.arrays["input1"], call.arrays["input2"], call.arrays["target"]
    a_all, b_all = np.broadcast_arrays(a_all, b_all)
    margin = call.params["margin"]
    work.add(r"\cos_n = \frac{\langle x^{(1)}_n, x^{(2)}_n\rangle}{\|x^{(1)}_n\|\,\|x^{(2)}_n\|},\quad "
             r"\ell_n = \begin{cases} 1 - \cos_n & y_n = 1 \\ \max(0, \cos_n - \mathrm{margin}) & y_n = -1 "
             r"\end{cases}")

    def render(u):
        a, b, y = call.arrays["input1"][u], call.arrays["input2"][u], float(y_all[u])
        dot = float(np.sum(a * b))
        norm_a = float(np.sqrt(np.sum(a * a) + COSINE_EPS))
        norm_b = float(np.sqrt(np.sum(b * b) + COSINE_EPS))
        cos = dot / (norm_a * norm_b)
        ab = np.broadcast_arrays(a, b)
        products = join([rf"{num(p)}\cdot {num(q)}" for p, q in zip(*ab)])
        si = sub(*call.index(u))
        cos_line = rf"\cos{si} = \frac{{{products}}}{{{plain(norm_a)}\cdot {plain(norm_b)}}} = {plain(cos)}"
        backend = float(call.values[u])
        if y == 1:
            right, ours = rf"1 - {num(cos)}", 1 - cos
        elif y == -1:
            right, ours = rf"\max(0, {num(cos)} - {num(margin)})", max(0.0, cos - margin)
        else:
            right, ours = rf"0 \quad (y{si} = {plain(y)})", 0.0
        work.check(f"{call.loss} unit {u}", ours, backend)
        if right.startswith("0 "):
            return [cos_line, rf"\ell{si} = {right}"]
        return [cos_line, rf"\ell{si} = {ends(right, backend)}"]

    each_unit(work, call, render, lines_per_unit=2)


def _norm_name(p: float) -> str:
    return r"\infty" if np.isinf(p) and p > 0 else plain(p)


def _p_norm(d: np.ndarray, p: float) -> float:
    a = np.abs(d)
    if p == 0:
        return float(np.count_nonzero(d))
    if np.isinf(p):
        return float(a.max() if p > 0 else a.min())
    return float(np.sum(a ** p) ** (1.0 / p))


@builds("triplet")
def triplet(work: Worked, call: Call) -> None:
    p, eps, margin, swap = call.params["p"], call.params["eps"], call.params["margin"], call.params["swap"]
    norm = _norm_name(p)
    work.index = "i"  # n is the negative: the triplets are counted with i, as torch's docs write them
    far = "d^-_i" if swap else "d(a_i, n_i)"
    swapped = r",\quad d^-_i = \min(d(a_i, n_i), d(p_i, n_i))" if swap else ""
    work.add(rf"\ell_i = \max(0, \mathrm{{margin}} + d(a_i, p_i) - {far}){swapped},\quad "
             rf"d(u, v) = \|u - v + \epsilon\|_{{{norm}}}")

    def render(u):
        a, pos, neg = (call.arrays[k][u] for k in ("anchor", "positive", "negative"))
        si = sub(*call.index(u))

        def distance(name: str, left, right) -> tuple[str, float]:
            d = _p_norm(left - right + eps, p)
            return rf"{name} = \|{vector(left - right)} + \epsilon\|_{{{norm}}} = {plain(d)}", d

        line_pos, d_pos = distance(f"d(a{si}, p{si})", a, pos)
        line_neg, d_neg = distance(f"d(a{si}, n{si})", a, neg)
        lines = [line_pos, line_neg]
        far_value, far_text = d_neg, num(d_neg)
        if swap:
            line_swap, d_swap = distance(f"d(p{si}, n{si})", pos, neg)
            lines.append(line_swap)
            far_value, far_text = min(d_neg, d_swap), rf"\min({plain(d_neg)}, {plain(d_swap)})"
        backend = float(call.values[u])
        work.check(f"{call.loss} unit {u}", max(0.0, margin + d_pos - far_value), backend)
        lines.append(rf"\ell{si} = \max(0, {num(margin)} + {num(d_pos)} - {far_text}) = {plain(backend)}")
        return lines

    each_unit(work, call, render, lines_per_unit=3 + swap)
