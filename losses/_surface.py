"""Closed forms for a landscape over two elements of one unit ("surfaces").

The generic landscape evaluates the touched unit once per grid point.  When both chosen elements lie in
one unit, many losses depend on them only through a few sums, each of which splits into a part that
depends on x alone, a part that depends on y alone and a cheap combination of the two.  Such a loss can
give a *surface* function (``loss_function(compute, surface)``) that builds the grid from 1-D pieces by
broadcasting instead of evaluating the whole unit 40 401 times.

Contract::

    surface(problem, unit, first, second, coef) -> (z, dz_dfirst, dz_dsecond) | None

* ``problem``: the canonical call; ``unit``: the index of the unit on every array's unit axis;
* ``first``, ``second``: :class:`Chosen`, the canonical index of each element and its grid values,
  shaped (1, nx) for the first and (ny, 1) for the second, so that arithmetic between them broadcasts
  to the (ny, nx) grid;
* ``coef``: the reduction coefficients of the unit's values, ``coef[unit]``;
* the result: the unit's contribution ``sum(coef * values)`` and its partial derivatives in the two
  elements (the convention of the loss's backward), each broadcastable to (ny, nx).  ``None`` leaves the
  grid to the generic path, which a surface does for any case it does not cover.

``landscape`` also uses the generic path wherever a surface's result is not finite, so a surface only
has to be right where the loss is finite; the tests compare every surface with the generic path and
with torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# exp(-SPREAD) is still far from underflow: a log-sum-exp over grid values that span more than this
# (logits of -800 and +800 on one grid) is left to the generic path, which shifts per grid point.
SPREAD = 600.0


@dataclass(frozen=True)
class Chosen:
    name: str
    index: tuple
    values: np.ndarray  # (1, nx) for the first element, (ny, 1) for the second


def lse_linear(row: np.ndarray, a: np.ndarray, picks: list) -> tuple | None:
    """``sum_k a_k (logsumexp(r) - r_k)`` with some entries of ``r`` replaced by grid values.

    ``row`` is a finite 1-D vector, ``a`` its coefficients, ``picks`` a list of ``(k, values)`` (values
    broadcastable against each other).  Every cross-entropy is of this form, and so is minus the sum of
    a log-softmax.  With ``c`` the largest value that occurs, ``S = sum_k e^(r_k - c)`` is a 1-D term per
    pick plus a constant, so the grid costs one log and one division per point.  Returns the value and
    the derivatives ``A e^(r_k - c) / S - a_k`` (``A = sum a``), or None when the values span too much for
    one shift.
    """
    ks = [k for k, _ in picks]
    others = np.ones(len(row), dtype=bool)
    others[ks] = False
    rest = row[others]
    m = rest.max(initial=-np.inf)
    c = max(m, *(float(np.max(v)) for _, v in picks))
    if c - max(m, *(float(np.min(v)) for _, v in picks)) > SPREAD:
        return None
    exps = [np.exp(v - c) for _, v in picks]
    total = np.exp(rest - c).sum()
    s = exps[0] + total
    for e in exps[1:]:
        s = s + e
    big_a = float(a.sum())
    ratio = big_a / s
    value = big_a * np.log(s)
    linear = big_a * c - float(a[others] @ rest)
    value += linear
    for k, v in picks:
        value -= a[k] * v
    derivs = [e * ratio - a[k] for e, (k, _) in zip(exps, picks)]
    return value, derivs
