"""The computation written out by hand, with the learner's numbers substituted, in LaTeX.

For every loss and activation of the registry: a line with the formula, then
one unit (an element, a sample, a sequence or a slice) per line with its
numbers substituted, then the reduction with the denominator torch uses.  The
way the notes do it by hand: |1 - 0| + |1 - 1| + |1 - 2| + |1 - 3| = 4; 4/4 = 1.

Where the numbers come from:

* the inputs of each term are the backend's canonical arrays
  (``spec.function.prepare``: the learner's tensors after torch's broadcasting,
  padding and reshaping), so the positions shown are the ones computed;
* intermediate numbers (a log-sum-exp, a cosine, a distance, a Dice sum) are
  computed here in numpy from those arrays;
* the value at the end of each term and the reduced value are the backend's own
  (``elements``, its ``reduction='none'`` output, and ``value``).

:func:`explain` also records, for each of those, the number its written-out
formula gives in numpy, so the tests can check that what a learner reads adds
up to what the page shows.  :func:`worked_lines` is what pages call: the lines
only, and none rather than an exception should something unexpected happen.

Each line has the form ``left = right``: pages align the lines on their first
'=' (``line.replace("=", "&=", 1)`` inside ``\\begin{aligned}``).  So the left
side never contains '=' (subscripts such as ``i=1`` are avoided there).  Lines
too wide for the result column are broken by :mod:`ui.worked.latex_layout` into
continuations ``= ...`` that align under the '=', and sums too long for a line
keep their first and last terms around a \\cdots.  The lines are
language-neutral: the only words are torch's own (reduction names,
``ignore_index``, ``zero_infinity``), so both languages show the same lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import losses
from ui.compute.runner import call_kwargs
from ui.figures.common import short
from ui.worked.latex_layout import SUM_EM, estimate, layout

MAX_TERMS = 8  # terms of one sum before it is elided with \cdots
MAX_UNITS = 4  # units written out before a \vdots (three when each takes several lines)
COSINE_EPS = 1e-12  # the epsilon torch adds to each squared norm in cosine_embedding_loss


# --- numbers ---------------------------------------------------------------------------------

def plain(value) -> str:
    """A number as LaTeX, shortened like :func:`ui.figures.common.short`; 1e-08 becomes 10^{-8}."""
    value = float(value)
    if 1e4 <= abs(value) < 1e7:
        return f"{value:.0f}"  # 10001 rather than 1e+04
    text = short(value)
    special = {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{NaN}"}
    if text in special:
        return special[text]
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = rf"10^{{{int(exponent)}}}"
        if mantissa in ("1", "-1"):
            return ("-" if mantissa == "-1" else "") + power
        return rf"{mantissa}\times {power}"
    return text


def num(value) -> str:
    """An operand: negatives in parentheses, so that ``x - (-1)`` reads right."""
    text = plain(value)
    return f"({text})" if text.startswith("-") else text


def _join(items, op: str = " + ") -> str:
    """Terms joined by ``op``; past MAX_TERMS, or wider than a column allows, the middle ones become \\cdots."""
    items = list(items)

    def shown(visible: int) -> str:
        return op.join(items if visible >= len(items) else items[: visible - 1] + [r"\cdots"] + items[-1:])

    visible = len(items) if len(items) <= MAX_TERMS else MAX_TERMS - 1
    while visible > 2 and estimate(shown(visible)) > SUM_EM:
        visible -= 1
    return shown(visible)


def _vector(values) -> str:
    return "(" + _join([plain(v) for v in np.ravel(values)], ", ") + ")"


def _sub(*parts) -> str:
    """A subscript from index parts: ``_sub(0, 1)`` is ``_{0,1}``; nothing for no parts."""
    parts = [str(p) for p in parts if p != ()]
    return "_{" + ",".join(parts) + "}" if parts else ""


def _ends(expression: str, value) -> str:
    """``expression = value``, without repeating a value that the expression already is."""
    shown = plain(value)
    return expression if expression == shown else f"{expression} = {shown}"


def _log_sum_exp(x: np.ndarray) -> float:
    m = float(np.max(x)) if x.size else -np.inf
    if not np.isfinite(m):
        with np.errstate(invalid="ignore", over="ignore"):
            return float(np.log(np.sum(np.exp(x))))
    return m + float(np.log(np.sum(np.exp(x - m))))


def _log_sigmoid(x: float) -> float:
    return -float(np.logaddexp(0.0, -x))


# --- the record ------------------------------------------------------------------------------

@dataclass
class Worked:
    """The lines, and each number the lines arrive at beside the backend's number for it."""

    lines: list[str] = field(default_factory=list)
    checks: list[tuple[str, object, object]] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def check(self, what: str, ours, backend) -> None:
        self.checks.append((what, ours, backend))


@dataclass
class Call:
    """One loss call as the backend prepared it."""

    loss: str
    arrays: dict
    params: dict
    reduction: str
    none_shape: tuple
    values: np.ndarray  # the backend's per-unit values, in unit order
    value: np.ndarray  # the backend's reduced value
    mean_scale: object  # the backend's d(mean)/d(values)
    kwargs: dict

    def index(self, unit: int) -> tuple:
        """The position of a unit in torch's 'none' output."""
        if not self.none_shape:
            return ()
        return tuple(int(i) for i in np.unravel_index(unit, self.none_shape))


def _shown_units(count: int, lines_per_unit: int = 1) -> list[int | None]:
    """Which units to write out: all of a few, else the first ones, None (for \\vdots) and the last."""
    limit = MAX_UNITS if lines_per_unit == 1 else MAX_UNITS - 1
    if count <= limit:
        return list(range(count))
    return list(range(limit - 1)) + [None, count - 1]


def _each_unit(work: Worked, call: Call, render: Callable[[int], list[str]], lines_per_unit: int = 1) -> None:
    for unit in _shown_units(call.values.size, lines_per_unit):
        if unit is None:
            work.add(r"\vdots")
        else:
            work.add(*render(unit))


# --- element-wise losses -----------------------------------------------------------------------

@dataclass
class Term:
    """One element: the formula with numbers, optionally a middle step, and what numpy makes of it."""

    expression: str
    middle: str | None
    value: float


def _line(work: Worked, call: Call, unit: int, term: Term) -> str:
    backend = float(call.values[unit])
    work.check(f"{call.loss} unit {unit}", term.value, backend)
    right = term.expression if term.middle is None else f"{term.expression} = {term.middle}"
    return rf"\ell{_sub(*call.index(unit))} = {_ends(right, backend)}"


def _weighted(weight, expression: str) -> str:
    return expression if weight is None else rf"{num(weight)}\cdot {expression}"


def _elementwise(work: Worked, call: Call, header: str, term: Callable[[int], Term]) -> None:
    """The formula, then one line per element: its numbers substituted, and the backend's value."""
    work.add(header)
    _each_unit(work, call, lambda u: [_line(work, call, u, term(u))])


def _get(call: Call, name: str, unit: int):
    arr = call.arrays.get(name)
    return None if arr is None else float(arr[unit])


def _l1(work: Worked, call: Call) -> None:
    weighted = "weight" in call.arrays
    header = (r"\ell_i = w_i\,|x_i - y_i|" if weighted else r"\ell_i = |x_i - y_i|")

    def term(u):
        x, y, w = _get(call, "input", u), _get(call, "target", u), _get(call, "weight", u)
        return Term(_weighted(w, rf"|{num(x)} - {num(y)}|"), None, (1.0 if w is None else w) * abs(x - y))
    _elementwise(work, call, header, term)


def _mse(work: Worked, call: Call) -> None:
    weighted = "weight" in call.arrays
    header = r"\ell_i = w_i\,(x_i - y_i)^2" if weighted else r"\ell_i = (x_i - y_i)^2"

    def term(u):
        x, y, w = _get(call, "input", u), _get(call, "target", u), _get(call, "weight", u)
        return Term(_weighted(w, rf"({num(x)} - {num(y)})^2"), None, (1.0 if w is None else w) * (x - y) ** 2)
    _elementwise(work, call, header, term)


def _smooth_l1(work: Worked, call: Call) -> None:
    beta = call.params["beta"]
    if beta == 0:
        header = r"\ell_i = |x_i - y_i| \quad (\beta = 0)"
    else:
        header = (r"\ell_i = \begin{cases} 0.5\,(x_i - y_i)^2/\beta & |x_i - y_i| < \beta \\ "
                  r"|x_i - y_i| - 0.5\,\beta & |x_i - y_i| \ge \beta \end{cases}")

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        z = abs(x - y)
        if beta == 0:
            return Term(rf"|{num(x)} - {num(y)}|", None, z)
        if z < beta:
            return Term(rf"\frac{{0.5\,({num(x)} - {num(y)})^2}}{{{plain(beta)}}}", None, 0.5 * z * z / beta)
        return Term(rf"|{num(x)} - {num(y)}| - 0.5\cdot {num(beta)}", None, z - 0.5 * beta)
    _elementwise(work, call, header, term)


def _huber(work: Worked, call: Call) -> None:
    delta = call.params["delta"]
    w_i = r"w_i\," if "weight" in call.arrays else ""
    header = (rf"\ell_i = {w_i}\begin{{cases}} 0.5\,(x_i - y_i)^2 & |x_i - y_i| < \delta \\ "
              rf"\delta\,(|x_i - y_i| - 0.5\,\delta) & |x_i - y_i| \ge \delta \end{{cases}}")

    def term(u):
        x, y, w = _get(call, "input", u), _get(call, "target", u), _get(call, "weight", u)
        z = abs(x - y)
        if z < delta:
            expression, value = rf"0.5\,({num(x)} - {num(y)})^2", 0.5 * z * z
        else:
            expression, value = rf"{num(delta)}\cdot(|{num(x)} - {num(y)}| - 0.5\cdot {num(delta)})", \
                delta * (z - 0.5 * delta)
        if w is not None:
            expression, value = rf"{num(w)}\cdot {expression}", w * value
        return Term(expression, None, value)
    _elementwise(work, call, header, term)


def _l0(work: Worked, call: Call) -> None:
    gamma, eps = call.params["gamma"], call.params["eps"]

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        return Term(rf"(|{num(x)} - {num(y)}| + {num(eps)})^{{{plain(gamma)}}}", None,
                    (abs(x - y) + eps) ** gamma)
    _elementwise(work, call, r"\ell_i = (|x_i - y_i| + \epsilon)^{\gamma}", term)


def _relative_mse(work: Worked, call: Call) -> None:
    eps = call.params["eps"]
    on_input = call.params["denominator"] == "input"
    den = "x_i" if on_input else "y_i"

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        d = x if on_input else y
        with np.errstate(divide="ignore", invalid="ignore"):
            value = float(np.float64(x - y) ** 2 / np.float64(d + eps) ** 2)
        return Term(rf"\frac{{({num(x)} - {num(y)})^2}}{{({num(d)} + {num(eps)})^2}}", None, value)
    _elementwise(work, call, rf"\ell_i = \frac{{(x_i - y_i)^2}}{{({den} + \epsilon)^2}}", term)


def _bce(work: Worked, call: Call) -> None:
    x_all = call.arrays["input"]
    with np.errstate(divide="ignore"):
        clamped = bool(np.any(np.log(x_all) < -100) or np.any(np.log1p(-x_all) < -100))
    w_i = r"w_i\," if "weight" in call.arrays else ""
    header = rf"\ell_i = -{w_i}[\,y_i \log x_i + (1 - y_i)\log(1 - x_i)\,]"
    if clamped:
        header += r",\quad \log 0 = -\infty \to -100"  # torch clamps each log at -100

    def term(u):
        x, y, w = _get(call, "input", u), _get(call, "target", u), _get(call, "weight", u)
        with np.errstate(divide="ignore"):
            log_x = max(float(np.log(x)), -100.0)
            log_1mx = max(float(np.log1p(-x)), -100.0)
        factor = "" if w is None else rf"{num(w)}\cdot "
        expression = rf"-{factor}[{num(y)}\log {num(x)} + {num(1 - y)}\log(1 - {num(x)})]"
        middle = rf"-{factor}[{num(y)}\cdot {num(log_x)} + {num(1 - y)}\cdot {num(log_1mx)}]"
        value = -(1.0 if w is None else w) * (y * log_x + (1 - y) * log_1mx)
        return Term(expression, middle, value)
    _elementwise(work, call, header, term)


def _bce_logits(work: Worked, call: Call) -> None:
    has_w, has_p = "weight" in call.arrays, "pos_weight" in call.arrays
    w_i = r"w_i\," if has_w else ""
    p_i = r"p_i\," if has_p else ""
    header = rf"\ell_i = -{w_i}[\,{p_i}y_i\log\sigma(x_i) + (1 - y_i)\log(1 - \sigma(x_i))\,]"

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        w, p = _get(call, "weight", u), _get(call, "pos_weight", u)
        log_s, log_1ms = _log_sigmoid(x), _log_sigmoid(-x)
        first = f"{num(p)}\\cdot {num(y)}" if p is not None else num(y)
        factor = "" if w is None else rf"{num(w)}\cdot "
        expression = rf"-{factor}[{first}\log\sigma({plain(x)}) + {num(1 - y)}\log(1 - \sigma({plain(x)}))]"
        middle = rf"-{factor}[{first}\cdot {num(log_s)} + {num(1 - y)}\cdot {num(log_1ms)}]"
        value = -(1.0 if w is None else w) * ((1.0 if p is None else p) * y * log_s + (1 - y) * log_1ms)
        return Term(expression, middle, value)
    _elementwise(work, call, header, term)


def _focal(work: Worked, call: Call) -> None:
    alpha, gamma = call.params["alpha"], call.params["gamma"]
    weighting = alpha >= 0
    alpha_t = r"\alpha_t\," if weighting else ""
    header = (rf"\ell_i = {alpha_t}(1 - p_t)^{{\gamma}}\,\mathrm{{BCE}}(x_i, y_i),"
              r"\quad p_t = \sigma(x_i)\,y_i + (1 - \sigma(x_i))(1 - y_i)")
    if weighting:
        header += r",\quad \alpha_t = \alpha\,y_i + (1 - \alpha)(1 - y_i)"

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        p = float(np.exp(_log_sigmoid(x)))
        p_t = p * y + (1 - p) * (1 - y)
        bce = (1 - y) * x - _log_sigmoid(x)
        value = (1 - p_t) ** gamma * bce
        expression = rf"(1 - {num(p_t)})^{{{plain(gamma)}}}\cdot {num(bce)}"
        if weighting:
            alpha_t = alpha * y + (1 - alpha) * (1 - y)
            expression, value = rf"{num(alpha_t)}\cdot {expression}", alpha_t * value
        return Term(expression, None, value)
    _elementwise(work, call, header, term)


def _hinge_embedding(work: Worked, call: Call) -> None:
    margin = call.params["margin"]
    header = (r"\ell_i = \begin{cases} x_i & y_i = 1 \\ \max(0, \mathrm{margin} - x_i) & y_i = -1 "
              r"\end{cases}")

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        hinge = rf"\max(0, {num(margin)} - {num(x)})"
        if y == 1:
            return Term(f"x{_sub(*call.index(u))}", None, x)
        if y == -1:
            return Term(hinge, None, max(0.0, margin - x))
        # torch adds both branches for any other target.
        return Term(rf"{hinge} + {num(x)}", None, max(0.0, margin - x) + x)
    _elementwise(work, call, header, term)


def _soft_margin(work: Worked, call: Call) -> None:
    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
        z = -y * x
        with np.errstate(over="ignore"):
            e = float(np.exp(z))
            value = float(np.inf if np.isinf(e) else np.logaddexp(0.0, z))
        return Term(rf"\log(1 + e^{{-{num(y)}\cdot {num(x)}}})", rf"\log(1 + {plain(e)})", value)
    _elementwise(work, call, r"\ell_i = \log(1 + e^{-y_i x_i})", term)


def _margin_ranking(work: Worked, call: Call) -> None:
    margin = call.params["margin"]

    def term(u):
        x1, x2, y = _get(call, "input1", u), _get(call, "input2", u), _get(call, "target", u)
        inner = -y * (x1 - x2) + margin
        return Term(rf"\max(0, -{num(y)}\cdot({num(x1)} - {num(x2)}) + {num(margin)})", rf"\max(0, {plain(inner)})",
                    max(0.0, inner))
    _elementwise(work, call, r"\ell_i = \max(0, -y_i\,(x^{(1)}_i - x^{(2)}_i) + \mathrm{margin})", term)


def _kl_div(work: Worked, call: Call) -> None:
    if call.params["log_target"]:
        def term(u):
            x, t = _get(call, "input", u), _get(call, "target", u)
            p = float(np.exp(t))
            return Term(rf"e^{{{plain(t)}}}\cdot({num(t)} - {num(x)})", rf"{num(p)}\cdot {num(t - x)}", p * (t - x))
        _elementwise(work, call, r"\ell_i = e^{y_i}\,(y_i - x_i)", term)
        return
    zero = bool(np.any(call.arrays["target"] == 0))
    header = r"\ell_i = y_i\,(\log y_i - x_i)" + (r",\quad 0 \log 0 = 0" if zero else "")

    def term(u):
        x, t = _get(call, "input", u), _get(call, "target", u)
        if t == 0:
            return Term(rf"0\cdot(\log 0 - {num(x)})", None, 0.0)
        with np.errstate(invalid="ignore"):
            log_t = float(np.log(t))
        return Term(rf"{num(t)}\cdot(\log {num(t)} - {num(x)})", rf"{num(t)}\cdot {num(log_t - x)}", t * (log_t - x))
    _elementwise(work, call, header, term)


def _stirling(t: float) -> float:
    return t * np.log(t) - t + 0.5 * np.log(2 * np.pi * t)


def _poisson(work: Worked, call: Call) -> None:
    log_input, full, eps = call.params["log_input"], call.params["full"], call.params["eps"]
    header = r"\ell_i = e^{x_i} - y_i x_i" if log_input else r"\ell_i = x_i - y_i \log(x_i + \epsilon)"
    if full:
        header += r" + S(y_i),\quad S(y) = y\log y - y + \tfrac12\log(2\pi y)\ \ (y > 1)"

    def term(u):
        x, y = _get(call, "input", u), _get(call, "target", u)
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
    _elementwise(work, call, header, term)


def _gaussian(work: Worked, call: Call) -> None:
    full, eps = call.params["full"], call.params["eps"]
    half_log_2pi = 0.5 * np.log(2 * np.pi)
    header = (r"\ell_i = \tfrac12\,(\log v_i + (x_i - y_i)^2/v_i)" + (r" + \tfrac12\log 2\pi" if full else "")
              + r",\quad v_i = \max(\mathrm{var}_i, \epsilon)")

    def term(u):
        x, y, var = _get(call, "input", u), _get(call, "target", u), _get(call, "var", u)
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
    _elementwise(work, call, header, term)


# --- multi-class classification ----------------------------------------------------------------

def _class_sub(index: tuple, c) -> str:
    """x's subscript for unit ``index`` (n, d1, ...) and class c: (n, c, d1, ...)."""
    return _sub(*index[:1], c, *index[1:])


def _lse_line(call: Call, unit: int) -> tuple[str, float]:
    """s_n = log sum_c e^{x_{n,c}} with the logits substituted."""
    x = call.arrays["input"][unit]
    index = call.index(unit)
    s = _log_sum_exp(x)
    exps = _join([rf"e^{{{plain(v)}}}" for v in x])
    return rf"s{_sub(*index)} = \log\sum\nolimits_c e^{{x{_class_sub(index, 'c')}}} = \log({exps}) = {plain(s)}", s


def _ignored_line(call: Call, unit: int) -> str:
    index = call.index(unit)
    ignore = call.params["ignore_index"]
    return rf"\ell{_sub(*index)} = 0 \quad (y{_sub(*index)} = {ignore} = \texttt{{ignore\_index}})"


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


def _cross_entropy(work: Worked, call: Call) -> None:
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
            return [_ignored_line(call, u)]
        lse_line, s = _lse_line(call, u)
        index, y = call.index(u), int(t_all[u])
        x = x_all[u]
        si = _sub(*index)
        picked = f"x{_class_sub(index, y)}"
        if eps > 0:
            # The smoothing part, sum_c w_c (s - x_c), gets its own line: with it the mix reads in one line.
            q = s - x
            weights = np.ones(classes) if w is None else w
            spread = float(np.sum(weights * q))
            w_c = "" if w is None else r"w_c\,"
            terms = [num(v) if w is None else rf"{num(wc)}\cdot {num(v)}" for v, wc in zip(q, weights)]
            spread_line = (rf"r{si} = \sum\nolimits_c {w_c}(s{si} - x{_class_sub(index, 'c')}) = {_join(terms)} = "
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

    _each_unit(work, call, render, lines_per_unit=3 if eps > 0 else 2)


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
        lse_line, s = _lse_line(call, u)
        t = t_all[u] * (1 - eps) + eps / classes if eps > 0 else t_all[u]
        log_p = x_all[u] - s
        weights = np.ones(classes) if w is None else w
        mass = weights * t  # what multiplies each log-probability
        products = _join([rf"{num(m)}\cdot {num(lp)}" for m, lp in zip(mass, log_p)])
        backend = float(call.values[u])
        with np.errstate(invalid="ignore"):
            work.check(f"{call.loss} unit {u}", -float(np.sum(mass * log_p)), backend)
        index = call.index(u)
        si = _sub(*index)
        extra = []
        if eps > 0 or w is not None:
            prime = "'" if eps > 0 else ""
            name = f"t{prime}{_class_sub(index, 'c')}"
            extra = [rf"{w_c}{name} = {_vector(mass)}"]
        return [lse_line, *extra, rf"\ell{si} = -[{products}] = {plain(backend)}"]

    _each_unit(work, call, render, lines_per_unit=3 if eps > 0 or w is not None else 2)


def _nll(work: Worked, call: Call) -> None:
    x_all, t_all = call.arrays["input"], call.arrays["target"]
    w = call.arrays.get("weight")
    work.add(*_index_target_header(call, "nll"))

    def render(u):
        if t_all[u] == call.params["ignore_index"]:
            work.check(f"{call.loss} unit {u}", 0.0, float(call.values[u]))
            return [_ignored_line(call, u)]
        index, y = call.index(u), int(t_all[u])
        x = float(x_all[u, y])
        picked = f"x{_class_sub(index, y)}"
        if w is None:
            symbolic, numbers, ours = f"-{picked}", f"-{num(x)}", -x
        else:
            symbolic, numbers, ours = rf"-w_{{{y}}}\,{picked}", rf"-{num(w[y])}\cdot {num(x)}", -w[y] * x
        backend = float(call.values[u])
        work.check(f"{call.loss} unit {u}", ours, backend)
        return [rf"\ell{_sub(*index)} = {symbolic} = {numbers} = {plain(backend)}"]

    _each_unit(work, call, render)


def _index_target_denominator(call: Call) -> Denominator | None:
    """torch's weighted mean of nll/cross_entropy with class-index targets: the targets' weights, not ignored."""
    if call.params.get("probabilities", False):
        return None
    t = call.arrays["target"]
    w = call.arrays.get("weight")
    kept = t != call.params["ignore_index"]
    ignore = call.params["ignore_index"]
    if w is None:
        if np.all(kept):
            return None
        count = int(np.count_nonzero(kept))
        return Denominator(rf"\#\{{n : y_n \ne {ignore}\}}", None, float(count))
    weights = w[t[kept]]
    condition = rf"n:\,y_n \ne {ignore}" if not np.all(kept) else "n"
    return Denominator(rf"\sum\nolimits_{{{condition}}} w_{{y_n}}", _join([num(v) for v in weights]),
                       float(np.sum(weights)))


# --- multi-label and multi-class margins ------------------------------------------------------

def _multilabel_soft_margin(work: Worked, call: Call) -> None:
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
            pos, neg = _log_sigmoid(xc), _log_sigmoid(-xc)
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
        return [rf"\ell{_sub(*call.index(u))} = {coefficient}[{_join(symbols)}] = {coefficient}[{_join(numbers)}]"
                rf" = {plain(backend)}"]

    _each_unit(work, call, render)


def _hinge_terms(values: list[float], power: int = 1) -> str:
    suffix = "^2" if power == 2 else ""
    return _join([f"{num(v)}{suffix}" for v in values])


def _multilabel_margin(work: Worked, call: Call) -> None:
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
        si = _sub(*call.index(u))
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
                rf"\ell{si} = {coefficient}[{_join(symbols)}] = {coefficient}({_hinge_terms(hinges)}) = "
                rf"{plain(backend)}"]

    _each_unit(work, call, render, lines_per_unit=2)


def _multi_margin(work: Worked, call: Call) -> None:
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
        si = _sub(*call.index(u))
        if not others:
            work.check(f"{call.loss} unit {u}", 0.0, backend)
            return [rf"\ell{si} = 0"]
        symbols = [rf"({num(margin)} - {num(x[y])} + {num(x[i])})_+{power}" for i in others]
        hinges = [max(0.0, margin - float(x[y]) + float(x[i])) for i in others]
        work.check(f"{call.loss} unit {u}", weight * sum(h ** p for h in hinges) / classes, backend)
        return [rf"\ell{si} = {coefficient}[{_join(symbols)}] = {coefficient}({_hinge_terms(hinges, p)}) = "
                rf"{plain(backend)}"]

    _each_unit(work, call, render)


# --- embeddings --------------------------------------------------------------------------------

def _cosine(work: Worked, call: Call) -> None:
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
        products = _join([rf"{num(p)}\cdot {num(q)}" for p, q in zip(*ab)])
        si = _sub(*call.index(u))
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
        return [cos_line, rf"\ell{si} = {_ends(right, backend)}"]

    _each_unit(work, call, render, lines_per_unit=2)


def _norm_name(p: float) -> str:
    return r"\infty" if np.isinf(p) and p > 0 else plain(p)


def _p_norm(d: np.ndarray, p: float) -> float:
    a = np.abs(d)
    if p == 0:
        return float(np.count_nonzero(d))
    if np.isinf(p):
        return float(a.max() if p > 0 else a.min())
    return float(np.sum(a ** p) ** (1.0 / p))


def _triplet(work: Worked, call: Call) -> None:
    p, eps, margin, swap = call.params["p"], call.params["eps"], call.params["margin"], call.params["swap"]
    norm = _norm_name(p)
    far = "d^-_i" if swap else "d(a_i, n_i)"
    swapped = r",\quad d^-_i = \min(d(a_i, n_i), d(p_i, n_i))" if swap else ""
    work.add(rf"\ell_i = \max(0, \mathrm{{margin}} + d(a_i, p_i) - {far}){swapped},\quad "
             rf"d(u, v) = \|u - v + \epsilon\|_{{{norm}}}")

    def render(u):
        a, pos, neg = (call.arrays[k][u] for k in ("anchor", "positive", "negative"))
        si = _sub(*call.index(u))

        def distance(name: str, left, right) -> tuple[str, float]:
            d = _p_norm(left - right + eps, p)
            return rf"{name} = \|{_vector(left - right)} + \epsilon\|_{{{norm}}} = {plain(d)}", d

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

    _each_unit(work, call, render, lines_per_unit=3 + swap)


# --- sequences and masks -------------------------------------------------------------------------

def _ctc(work: Worked, call: Call) -> None:
    targets, t_len, l_len = (call.arrays[k] for k in ("targets", "input_lengths", "target_lengths"))
    raw = call.values
    if call.params["zero_infinity"]:
        # The backend's losses before zero_infinity replaces an impossible alignment's inf by 0.
        raw = np.ravel(losses.functional.ctc_loss(**dict(call.kwargs, zero_infinity=False, reduction="none")))
    work.add(r"\ell_n = -\log p(\mathbf{y}_n \mid x) = -\log\sum\nolimits_{\pi \in \mathcal{B}^{-1}(\mathbf{y}_n)}"
             r"\prod\nolimits_{t < T_n} p_{t,n,\pi_t},\quad p_{t,n,c} = e^{\mathrm{log\_probs}_{t,n,c}}")

    def render(u):
        si = _sub(*call.index(u))
        label = "(" + ", ".join(str(int(v)) for v in targets[u, : l_len[u]]) + ")"
        facts = rf"\mathbf{{y}}{si} = {label},\ T{si} = {int(t_len[u])},\ L{si} = {int(l_len[u])}"
        backend, before = float(call.values[u]), float(raw[u])
        with np.errstate(over="ignore"):
            probability = float(np.exp(-before))
        work.check(f"{call.loss} unit {u}", before if before != np.inf or backend == np.inf else 0.0, backend)
        line = rf"\ell{si} = -\log p(\mathbf{{y}}{si} \mid x) = -\log {num(probability)} = {plain(before)}"
        if before != backend:
            line += rf" \to {plain(backend)} \quad (\texttt{{zero\_infinity}})"
        return [facts, line]

    _each_unit(work, call, render, lines_per_unit=2)


def _overlap_sum_line(call: Call, u: int, name: str) -> tuple[str, float]:
    x, y = call.arrays["input"][u], call.arrays["target"][u]
    products = _join([rf"{num(a)}\cdot {num(b)}" for a, b in zip(x, y)])
    inter = float(np.sum(x * y))
    si = _sub(*call.index(u))
    return rf"{name}{si} = \sum\nolimits_i x{_sub(*call.index(u), 'i')}\,y{_sub(*call.index(u), 'i')} = " \
           rf"{products} = {plain(inter)}", inter


def _dice(work: Worked, call: Call) -> None:
    s = call.params["smooth"]
    work.add(r"\ell_n = 1 - \frac{2 I_n + s}{\sum_i x_{n,i} + \sum_i y_{n,i} + s},\quad s = " + plain(s))

    def render(u):
        line, inter = _overlap_sum_line(call, u, "I")
        sx, sy = float(np.sum(call.arrays["input"][u])), float(np.sum(call.arrays["target"][u]))
        top, bottom = 2 * inter + s, sx + sy + s
        backend = float(call.values[u])
        with np.errstate(divide="ignore", invalid="ignore"):
            work.check(f"{call.loss} unit {u}", 1 - np.float64(top) / np.float64(bottom), backend)
        return [line, rf"\ell{_sub(*call.index(u))} = 1 - \frac{{2\cdot {num(inter)} + {num(s)}}}"
                      rf"{{{plain(sx)} + {num(sy)} + {num(s)}}} = 1 - \frac{{{plain(top)}}}{{{plain(bottom)}}} = "
                      rf"{plain(backend)}"]

    _each_unit(work, call, render, lines_per_unit=2)


def _jaccard(work: Worked, call: Call) -> None:
    s = call.params["smooth"]
    work.add(r"\ell_n = 1 - \frac{I_n + s}{\sum_i x_{n,i} + \sum_i y_{n,i} - I_n + s},\quad s = " + plain(s))

    def render(u):
        line, inter = _overlap_sum_line(call, u, "I")
        sx, sy = float(np.sum(call.arrays["input"][u])), float(np.sum(call.arrays["target"][u]))
        top, bottom = inter + s, sx + sy - inter + s
        backend = float(call.values[u])
        with np.errstate(divide="ignore", invalid="ignore"):
            work.check(f"{call.loss} unit {u}", 1 - np.float64(top) / np.float64(bottom), backend)
        return [line, rf"\ell{_sub(*call.index(u))} = 1 - \frac{{{plain(inter)} + {num(s)}}}"
                      rf"{{{plain(sx)} + {num(sy)} - {num(inter)} + {num(s)}}} = 1 - "
                      rf"\frac{{{plain(top)}}}{{{plain(bottom)}}} = {plain(backend)}"]

    _each_unit(work, call, render, lines_per_unit=2)


# --- activations -------------------------------------------------------------------------------

def _sigmoid(work: Worked, call: Call) -> None:
    work.add(r"\sigma(x) = \frac{1}{1 + e^{-x}}")

    def render(u):
        x = float(call.arrays["input"][u])
        backend = float(call.values[u])
        with np.errstate(over="ignore"):
            work.check(f"sigmoid unit {u}", float(np.exp(_log_sigmoid(x))), backend)
        return [rf"\sigma({plain(x)}) = \frac{{1}}{{1 + e^{{{plain(-x)}}}}} = {plain(backend)}"]

    _each_unit(work, call, render)


def _tanh(work: Worked, call: Call) -> None:
    work.add(r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}")

    def render(u):
        x = float(call.arrays["input"][u])
        backend = float(call.values[u])
        work.check(f"tanh unit {u}", float(np.tanh(x)), backend)
        return [rf"\tanh({plain(x)}) = \frac{{e^{{{plain(x)}}} - e^{{{plain(-x)}}}}}"
                rf"{{e^{{{plain(x)}}} + e^{{{plain(-x)}}}}} = {plain(backend)}"]

    _each_unit(work, call, render)


def _along_dim(work: Worked, call: Call, log: bool) -> None:
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
            return _sub(inner) if inner != ":" else ""
        outer = np.unravel_index(a, shape[:axis]) if axis else ()
        rest = np.unravel_index(b, shape[axis + 1:]) if axis + 1 < len(shape) else ()
        return _sub(*[int(i) for i in outer], inner, *[int(i) for i in rest])

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
        sum_line = rf"\textstyle\sum_k e^{{x{k}{minus_m}}} = {_join(exps)} = {plain(total)}"
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
                sum_line = (rf"\log\textstyle\sum_k e^{{x{k}}} = \log({_join(exps)}) = \log {plain(total)} = "
                            rf"{plain(lse)}")
            diffs = _join([rf"{plain(v)} - {num(lse)}" for v in x], ", ")
            return [sum_line, rf"\log s{whole} = ({diffs}) = {_vector(out)}"]
        return [sum_line, rf"s{whole} = \frac{{({_join(exps, ', ')})}}{{{plain(total)}}} = {_vector(out)}"]

    for unit in _shown_units(before * after, lines_per_unit=2):
        work.add(*([r"\vdots"] if unit is None else render(unit)))


def _softmax(work: Worked, call: Call) -> None:
    _along_dim(work, call, False)


def _log_softmax(work: Worked, call: Call) -> None:
    _along_dim(work, call, True)


# --- reductions --------------------------------------------------------------------------------

# Losses whose terms are samples (or positions) written l_n, whose plain mean divides by N.
PER_SAMPLE = {"cross_entropy", "nll_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
              "multi_margin_loss", "cosine_embedding_loss", "ctc_loss", "dice_loss", "jaccard_loss"}


@dataclass
class Denominator:
    symbol: str  # what the sum is divided by, in symbols
    expansion: str | None  # the same with numbers, when it is a sum
    value: float


def _denominator(call: Call) -> Denominator:
    if call.loss in ("cross_entropy", "nll_loss"):
        special = _index_target_denominator(call)
        if special is not None:
            return special
    if call.loss in ("l1_loss", "mse_loss") and "weight" in call.arrays:
        # torch divides by the sum of the weight as given (before it broadcasts to the target).
        w = np.asarray(call.kwargs["weight"], dtype=np.float64)
        return Denominator(r"\sum_i w_i", _join([num(v) for v in w.ravel()]), float(w.sum()))
    if call.reduction == "batchmean":
        x = np.asarray(call.kwargs["input"])
        batch = x.shape[0] if x.ndim else 1
        return Denominator("N", None, float(batch))
    return Denominator("N" if call.loss in PER_SAMPLE else "n", None, float(call.values.size))


def _reduction(work: Worked, call: Call) -> None:
    values = call.values
    index = "n" if call.loss in PER_SAMPLE else "i"
    terms = _join([num(v) for v in values])
    backend = np.asarray(call.value, dtype=np.float64)
    if call.reduction == "none":
        work.add(rf"\ell = {_vector(values)} \quad (\text{{none}})")
        work.check("none", values, backend.ravel())
        return
    with np.errstate(invalid="ignore", over="ignore"):
        total = float(np.sum(values))
    if call.reduction == "sum":
        line = rf"\text{{sum}} = \sum\nolimits_{index} \ell_{index} = {terms}"
        work.add(_ends(line, backend) if values.size > 1 else rf"\text{{sum}} = {plain(backend)}")
        work.check("sum", total, float(backend))
        return
    if call.loss == "ctc_loss":
        _ctc_mean(work, call)
        return
    den = _denominator(call)
    middle = rf"\frac{{{terms}}}{{{den.expansion or plain(den.value)}}}"
    steps = [rf"\text{{{call.reduction}}} = \frac{{\sum_{index} \ell_{index}}}{{{den.symbol}}}", middle]
    if values.size > 1 or den.expansion:
        steps.append(rf"\frac{{{plain(total)}}}{{{plain(den.value)}}}")
    steps.append(plain(backend))
    work.add(" = ".join(dict.fromkeys(steps)))
    with np.errstate(invalid="ignore", divide="ignore"):
        work.check(call.reduction, np.float64(total) / np.float64(den.value), float(backend))
    if call.mean_scale is not None and call.reduction in ("mean", "batchmean"):
        with np.errstate(divide="ignore"):
            work.check("denominator", den.value, float(np.float64(1.0) / np.float64(call.mean_scale)))


def _ctc_mean(work: Worked, call: Call) -> None:
    lengths = np.maximum(call.arrays["target_lengths"], 1)
    values = call.values
    batch = values.size
    fractions = _join([rf"\frac{{{plain(v)}}}{{{int(n)}}}" for v, n in zip(values, lengths)])
    zero = bool(np.any(call.arrays["target_lengths"] == 0))
    length = r"\max(L_n, 1)" if zero else "L_n"
    backend = float(call.value)
    work.add(rf"\text{{mean}} = \frac{{1}}{{N}}\sum\nolimits_n \frac{{\ell_n}}{{{length}}} = "
             rf"\frac{{1}}{{{batch}}}\left({fractions}\right) = {plain(backend)}")
    with np.errstate(invalid="ignore"):
        work.check("mean", float(np.sum(values / lengths)) / batch, backend)


# --- entry points ------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[Worked, Call], None]] = {
    "l1_loss": _l1,
    "mse_loss": _mse,
    "smooth_l1_loss": _smooth_l1,
    "huber_loss": _huber,
    "l0_loss": _l0,
    "relative_mse_loss": _relative_mse,
    "cross_entropy": _cross_entropy,
    "nll_loss": _nll,
    "binary_cross_entropy": _bce,
    "binary_cross_entropy_with_logits": _bce_logits,
    "multilabel_soft_margin_loss": _multilabel_soft_margin,
    "sigmoid_focal_loss": _focal,
    "margin_ranking_loss": _margin_ranking,
    "hinge_embedding_loss": _hinge_embedding,
    "multilabel_margin_loss": _multilabel_margin,
    "soft_margin_loss": _soft_margin,
    "cosine_embedding_loss": _cosine,
    "multi_margin_loss": _multi_margin,
    "triplet_margin_loss": _triplet,
    "ctc_loss": _ctc,
    "dice_loss": _dice,
    "jaccard_loss": _jaccard,
    "kl_div": _kl_div,
    "poisson_nll_loss": _poisson,
    "gaussian_nll_loss": _gaussian,
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
}


def prepare_call(loss: str, tensors: dict, params: dict, elements, value) -> Call:
    spec = losses.get_spec(loss)
    kwargs = call_kwargs(spec, tensors, params)
    problem = spec.function.prepare(**kwargs)
    if np.size(elements) != int(np.prod(problem.none_shape, dtype=np.int64)):
        raise ValueError(f"{loss}: {np.size(elements)} elements given for an output of shape {problem.none_shape}")
    with np.errstate(all="ignore"):
        unreduced = spec.function.compute(problem.arrays, problem.params)
    return Call(loss=loss, arrays=problem.arrays, params=problem.params, reduction=problem.reduction,
                none_shape=tuple(problem.none_shape), values=np.asarray(elements, dtype=np.float64).ravel(),
                value=np.asarray(value), mean_scale=unreduced.mean_scale, kwargs=kwargs)


def explain(loss: str, tensors: dict, params: dict, elements, value) -> Worked:
    """The written-out computation and its checks; raises what the backend raises for refused input."""
    call = prepare_call(loss, tensors, params, elements, value)
    work = Worked()
    BUILDERS[loss](work, call)
    if losses.get_spec(loss).family != "activation":
        _reduction(work, call)
    work.lines = layout(work.lines)
    return work


def worked_lines(loss: str, tensors: dict, params: dict, elements, value) -> list[str]:
    """LaTeX lines: the formula, the terms with numbers, the reduction; empty if it cannot be written out."""
    if loss not in BUILDERS:
        return []
    try:
        return explain(loss, tensors, params, elements, value).lines
    except Exception:  # a page shows the rest of its numbers rather than a traceback
        return []
