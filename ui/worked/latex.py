"""The LaTeX pieces of the worked arithmetic: numbers and operands, sums elided to fit a column, vectors,
subscripts, and a result that is not repeated when the expression already is it."""

from __future__ import annotations

import numpy as np

from ui.text.numbers import latex as plain
from ui.worked.latex_layout import SUM_EM, estimate

__all__ = ["MAX_TERMS", "ends", "join", "num", "plain", "sub", "vector"]
MAX_TERMS = 8  # terms of one sum before it is elided with \\cdots


def num(value) -> str:
    """An operand: negatives in parentheses, so that ``x - (-1)`` reads right."""
    text = plain(value)
    return f"({text})" if text.startswith("-") else text


def join(items, op: str = " + ") -> str:
    """Terms joined by ``op``; past MAX_TERMS, or wider than a column allows, the middle ones become \\cdots."""
    items = list(items)

    def shown(visible: int) -> str:
        return op.join(items if visible >= len(items) else items[: visible - 1] + [r"\cdots"] + items[-1:])

    visible = len(items) if len(items) <= MAX_TERMS else MAX_TERMS - 1
    while visible > 2 and estimate(shown(visible)) > SUM_EM:
        visible -= 1
    return shown(visible)


def vector(values) -> str:
    return "(" + join([plain(v) for v in np.ravel(values)], ", ") + ")"


def sub(*parts) -> str:
    """A subscript from index parts: ``sub(0, 1)`` is ``_{0,1}``; nothing for no parts."""
    parts = [str(p) for p in parts if p != ()]
    return "_{" + ",".join(parts) + "}" if parts else ""


def ends(expression: str, value) -> str:
    """``expression = value``, without repeating a value that the expression already is."""
    shown = plain(value)
    return expression if expression == shown else f"{expression} = {shown}"
