"""Schedules: the learning rate per step, and a loss parameter annealed over the run.

Learning rate (``lr_at``), with the values torch.optim.lr_scheduler gives when ``scheduler.step()`` is called after
each ``optimizer.step()``:

* ``'constant'``: the base lr;
* ``('step', step_size, gamma)``: :class:`torch.optim.lr_scheduler.StepLR`, ``lr * gamma ** (t // step_size)``;
* ``('cosine', eta_min)``: :class:`torch.optim.lr_scheduler.CosineAnnealingLR` with ``T_max`` = the run's steps,
  ``eta_min + (lr - eta_min) (1 + cos(pi t / T_max)) / 2``.

Loss parameter (``anneal_at``): ``(start, end)`` moves linearly from start at step 0 to end at the last update,
step ``steps - 1``: L0's gamma from 2 to 0 as Noise2Noise anneals it (``ANNEAL_L0``).  The evaluation after the last
update (step ``steps``) keeps the end value.
"""

from __future__ import annotations

import math

import numpy as np

from losses import LossInputError

__all__ = ["LR_SCHEDULES", "check_lr_schedule", "lr_at", "lr_values", "anneal_at", "anneal_values", "ANNEAL_L0",
           "ANNEALED", "annealable"]

LR_SCHEDULES = ("constant", "step", "cosine")
ANNEAL_L0 = {"gamma": (2.0, 0.0)}
# The losses whose parameters a race anneals by default, and over which range: training facts, kept with the
# schedules rather than in the pages.
ANNEALED = {"l0_loss": ANNEAL_L0}


def annealable(loss_id: str) -> dict:
    """The parameters of ``loss_id`` that a race anneals by default, each with its (start, end)."""
    return dict(ANNEALED.get(loss_id, {}))


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(float(value)):
        raise LossInputError("dtype", name, repr(value), "a finite real number",
                             f"{name} must be a finite real number, found {value!r}")
    return float(value)


def check_lr_schedule(schedule) -> tuple:
    """The schedule in canonical tuple form: ('constant',), ('step', step_size, gamma) or ('cosine', eta_min)."""
    if schedule is None or schedule == "constant" or schedule == ("constant",):
        return ("constant",)
    if isinstance(schedule, str):
        schedule = (schedule,)
    if not isinstance(schedule, (tuple, list)) or not schedule or schedule[0] not in LR_SCHEDULES:
        raise LossInputError("choice", "lr_schedule", repr(schedule), LR_SCHEDULES,
                             f"lr_schedule={schedule!r} is not one of " + ", ".join(repr(s) for s in LR_SCHEDULES))
    kind, *args = schedule
    if kind == "step":
        step_size = args[0] if args else 100
        gamma = args[1] if len(args) > 1 else 0.1
        if isinstance(step_size, bool) or not isinstance(step_size, (int, np.integer)) or step_size < 1:
            raise LossInputError("range", "step_size", repr(step_size), "an integer >= 1",
                                 f"step_size must be an integer >= 1, found {step_size!r}")
        gamma = _real("gamma", gamma)
        if not 0.0 < gamma <= 1.0:
            raise LossInputError("range", "gamma", gamma, "(0, 1]", f"gamma={gamma} is outside (0, 1]")
        return ("step", int(step_size), gamma)
    if kind == "cosine":
        eta_min = _real("eta_min", args[0] if args else 0.0)
        if eta_min < 0.0:
            raise LossInputError("range", "eta_min", eta_min, "[0, inf)", f"eta_min={eta_min} is outside [0, inf)")
        return ("cosine", eta_min)
    return ("constant",)


def lr_at(schedule: tuple, base_lr: float, t: int, steps: int) -> float:
    """The lr used by the update of step t (0-based) of a run of ``steps`` updates."""
    kind = schedule[0]
    if kind == "step":
        return base_lr * schedule[2] ** (t // schedule[1])
    if kind == "cosine":
        eta_min = schedule[1]
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / steps)) / 2
    return base_lr


def lr_values(schedule: tuple, base_lr: float, steps: int) -> np.ndarray:
    return np.array([lr_at(schedule, base_lr, t, steps) for t in range(steps)])


def anneal_at(start: float, end: float, t: int, steps: int) -> float:
    if steps <= 1:
        return start
    fraction = min(t, steps - 1) / (steps - 1)
    return start + (end - start) * fraction


def anneal_values(start: float, end: float, steps: int) -> np.ndarray:
    """The value at each evaluation 0..steps (steps + 1 values)."""
    return np.array([anneal_at(start, end, t, steps) for t in range(steps + 1)])
