"""What every worked-arithmetic builder shares: the record of lines and checks, the prepared call, and the
LaTeX pieces (operands, sums elided past a column, subscripts, one line per unit).

A builder is registered for a ``spec.worked.kind`` with :func:`builds`; :mod:`ui.worked.lines` finds it
through the spec, so losses of one formula shape (soft Dice and soft Jaccard) share a builder, and no
builder knows a loss id: ``call.options`` carries what the spec's ``worked.options`` fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from losses import numerics
from losses.spec import LossSpec
from ui.worked.latex import ends, num, sub

MAX_UNITS = 4  # units written out before a \vdots (three when each takes several lines)

def log_sum_exp(x: np.ndarray) -> float:
    return float(numerics.log_sum_exp(np.asarray(x, dtype=np.float64)))


def log_sigmoid(x: float) -> float:
    return float(numerics.log_sigmoid(np.float64(x)))


@dataclass
class Worked:
    """The lines, and each number the lines arrive at beside the backend's number for it."""

    lines: list[str] = field(default_factory=list)
    checks: list[tuple[str, object, object]] = field(default_factory=list)
    # the letter that numbers the terms, when a builder's own symbols need another than the reduction's
    # (``i`` for elements, ``n`` for samples): the triplet loss writes its negative n, so it counts with i
    index: str | None = None

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def check(self, what: str, ours, backend) -> None:
        self.checks.append((what, ours, backend))


@dataclass
class Call:
    """One loss call as the backend prepared it."""

    spec: LossSpec
    arrays: dict
    params: dict
    reduction: str
    none_shape: tuple
    values: np.ndarray  # the backend's per-unit values, in unit order
    value: np.ndarray  # the backend's reduced value
    mean_scale: object  # the backend's d(mean)/d(values)
    kwargs: dict

    @property
    def loss(self) -> str:
        return self.spec.id

    @property
    def options(self) -> Mapping[str, object]:
        """What the spec's ``worked.options`` fix for its builder (Dice's 2 in ``2 I``, log_softmax's log)."""
        return self.spec.worked.options

    def index(self, unit: int) -> tuple:
        """The position of a unit in torch's 'none' output."""
        if not self.none_shape:
            return ()
        return tuple(int(i) for i in np.unravel_index(unit, self.none_shape))


def shown_units(count: int, lines_per_unit: int = 1) -> list[int | None]:
    """Which units to write out: all of a few, else the first ones, None (for \\vdots) and the last."""
    limit = MAX_UNITS if lines_per_unit == 1 else MAX_UNITS - 1
    if count <= limit:
        return list(range(count))
    return list(range(limit - 1)) + [None, count - 1]


def each_unit(work: Worked, call: Call, render: Callable[[int], list[str]], lines_per_unit: int = 1) -> None:
    for unit in shown_units(call.values.size, lines_per_unit):
        if unit is None:
            work.add(r"\vdots")
        else:
            work.add(*render(unit))


@dataclass
class Term:
    """One element: the formula with numbers, optionally a middle step, and what numpy makes of it."""

    expression: str
    middle: str | None
    value: float


def term_line(work: Worked, call: Call, unit: int, term: Term) -> str:
    backend = float(call.values[unit])
    work.check(f"{call.loss} unit {unit}", term.value, backend)
    right = term.expression if term.middle is None else f"{term.expression} = {term.middle}"
    return rf"\ell{sub(*call.index(unit))} = {ends(right, backend)}"


def times_weight(weight, expression: str) -> str:
    return expression if weight is None else rf"{num(weight)}\cdot {expression}"


def elementwise(work: Worked, call: Call, header: str, term: Callable[[int], Term]) -> None:
    """The formula, then one line per element: its numbers substituted, and the backend's value."""
    work.add(header)
    each_unit(work, call, lambda u: [term_line(work, call, u, term(u))])


def get(call: Call, name: str, unit: int):
    arr = call.arrays.get(name)
    return None if arr is None else float(arr[unit])


Builder = Callable[[Worked, Call], None]
BUILDERS: dict[str, Builder] = {}


def builds(kind: str) -> Callable[[Builder], Builder]:
    """Register a builder for the specs whose ``worked.kind`` is ``kind``."""
    def register(builder: Builder) -> Builder:
        if kind in BUILDERS:
            raise ValueError(f"two worked builders for {kind!r}")
        BUILDERS[kind] = builder
        return builder
    return register
