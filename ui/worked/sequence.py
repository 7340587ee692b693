"""Worked arithmetic of CTC: per sequence, its target, lengths and the probability of every alignment."""

from __future__ import annotations

import numpy as np

import losses
from ui.worked.core import Call, Worked, builds, each_unit
from ui.worked.latex import num, plain, sub


@builds("ctc")
def ctc(work: Worked, call: Call) -> None:
    targets, t_len, l_len = (call.arrays[k] for k in ("targets", "input_lengths", "target_lengths"))
    raw = call.values
    if call.params["zero_infinity"]:
        # The backend's losses before zero_infinity replaces an impossible alignment's inf by 0.
        raw = np.ravel(losses.functional.ctc_loss(**dict(call.kwargs, zero_infinity=False, reduction="none")))
    work.add(r"\ell_n = -\log p(\mathbf{y}_n \mid x) = -\log\sum\nolimits_{\pi \in \mathcal{B}^{-1}(\mathbf{y}_n)}"
             r"\prod\nolimits_{t < T_n} p_{t,n,\pi_t},\quad p_{t,n,c} = e^{\mathrm{log\_probs}_{t,n,c}}")

    def render(u):
        si = sub(*call.index(u))
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

    each_unit(work, call, render, lines_per_unit=2)
