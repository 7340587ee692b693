"""Runs and races: train the same model from the same initial parameters under up to four losses/optimizers.

A :class:`RunSpec` names the loss and its options, the optimizer and its options, the lr schedule, the loss
parameters annealed over the run and, optionally, the head between the model and the loss.  :func:`train_run`
records, at every step t = 0..steps, the parameters theta_t, the loss at theta_t, the gradient's norm and the
task's metrics; the update of step t (t < steps) then moves theta_t to theta_{t+1}.  A loss that becomes NaN or
infinite ends the run: ``diverged_at`` is that step and the records stop at the last finite one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import losses
from losses import LossInputError

from . import optim, schedules
from .data import Dataset
from .models import head_backward, head_forward, probabilities
from .tasks import LossCall, default_head, exclusive_classes

__all__ = ["RunSpec", "Run", "train_run", "MAX_STEPS", "MAX_RUNS", "check_steps", "check_runs"]

MAX_STEPS = 2000
MAX_RUNS = 4


@dataclass(frozen=True)
class RunSpec:
    """One contender of a race.

    ``anneal`` maps a loss parameter to ``(start, end)``, moved linearly over the run (``{'gamma': (2.0, 0.0)}``
    for L0 as Noise2Noise trains it); ``lr_schedule`` is 'constant', ``('step', step_size, gamma)`` or
    ``('cosine', eta_min)``; ``head`` overrides the registry's choice ('identity', 'sigmoid', 'softmax',
    'log_softmax'), e.g. MSE on sigmoid probabilities.
    """

    loss: str
    loss_options: dict = field(default_factory=dict)
    optimizer: str = "sgd"
    optimizer_options: dict = field(default_factory=dict)
    lr_schedule: object = "constant"
    anneal: dict = field(default_factory=dict)
    head: str | None = None

    def to_dict(self) -> dict:
        """Plain data (for a URL or JSON): lists instead of tuples."""
        return {"loss": self.loss, "loss_options": dict(self.loss_options), "optimizer": self.optimizer,
                "optimizer_options": {k: list(v) if isinstance(v, tuple) else v
                                      for k, v in self.optimizer_options.items()},
                "lr_schedule": list(schedules.check_lr_schedule(self.lr_schedule)),
                "anneal": {k: list(v) for k, v in self.anneal.items()}, "head": self.head}

    @classmethod
    def from_dict(cls, data: dict) -> RunSpec:
        if not isinstance(data, dict) or not isinstance(data.get("loss"), str):
            raise LossInputError("dtype", "run", repr(data)[:40], "a run with a loss name",
                                 "a run must be a mapping with a 'loss' name")
        known = {"loss", "loss_options", "optimizer", "optimizer_options", "lr_schedule", "anneal", "head"}
        extra = set(data) - known
        if extra:
            raise LossInputError("choice", "run", repr(sorted(extra)[0]), tuple(sorted(known)),
                                 f"a run has no field {sorted(extra)[0]!r}")
        opt_options = dict(data.get("optimizer_options") or {})
        if isinstance(opt_options.get("betas"), list):
            opt_options["betas"] = tuple(opt_options["betas"])
        lr_schedule = data.get("lr_schedule", "constant")
        return cls(loss=data["loss"], loss_options=dict(data.get("loss_options") or {}),
                   optimizer=data.get("optimizer", "sgd"), optimizer_options=opt_options,
                   lr_schedule=tuple(lr_schedule) if isinstance(lr_schedule, list) else lr_schedule,
                   anneal={k: tuple(v) for k, v in (data.get("anneal") or {}).items()}, head=data.get("head"))


@dataclass
class Run:
    """What one run recorded; every array has one row per evaluated step 0..n-1 (n = ``len(run.loss)``).

    ``params[k]`` has shape ``(n, *shape_k)``; ``metrics`` maps each metric's name to its values; ``lr`` is the
    lr of each step's update (NaN at the last evaluation, which has no update); ``loss_parameters`` holds the
    annealed parameters' values per step.  ``diverged_at`` is the step whose loss was not finite, or None.
    """

    spec: RunSpec
    head: str
    exclusive: bool
    params: list[np.ndarray]
    loss: np.ndarray
    grad_norm: np.ndarray
    metrics: dict[str, np.ndarray]
    lr: np.ndarray
    loss_parameters: dict[str, np.ndarray]
    diverged_at: int | None
    steps: int

    @property
    def last_step(self) -> int:
        """The last step with finite records."""
        return len(self.loss) - 1

    @property
    def flat_params(self) -> np.ndarray:
        """Every parameter flattened side by side in the model's order, shape ``(n, P)``."""
        return np.hstack([p.reshape(len(p), -1) for p in self.params])

    def params_at(self, step: int) -> list[np.ndarray]:
        step = min(max(int(step), 0), self.last_step)
        return [p[step] for p in self.params]

    def steps_to(self, tolerance: float) -> int | None:
        """The first step whose loss is within ``tolerance`` of the run's lowest loss, or None."""
        if not len(self.loss):
            return None
        hits = np.flatnonzero(self.loss <= self.loss.min() + tolerance)
        return int(hits[0]) if len(hits) else None


def check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise LossInputError("dtype", "steps", repr(steps), "an integer", f"steps must be an integer, found {steps!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise LossInputError("range", "steps", int(steps), f"[1, {MAX_STEPS}]",
                             f"steps={steps} is outside [1, {MAX_STEPS}]")
    return int(steps)


def check_runs(runs) -> list[RunSpec]:
    runs = [r if isinstance(r, RunSpec) else RunSpec.from_dict(r) for r in runs]
    if not 1 <= len(runs) <= MAX_RUNS:
        raise LossInputError("range", "runs", f"{len(runs)} runs", f"1 to {MAX_RUNS} runs",
                             f"a race has 1 to {MAX_RUNS} runs, found {len(runs)}")
    return runs


class Trainer:
    """One run's fixed parts, validated once: the model, data, loss call, head and optimizer settings."""

    def __init__(self, spec: RunSpec, model, data: Dataset, metric):
        self.spec, self.model, self.data, self.metric = spec, model, data, metric
        loss_spec = losses.get_spec(spec.loss)
        self.head = spec.head or default_head(loss_spec)
        if self.head not in ("identity", "sigmoid", "softmax", "log_softmax"):
            raise LossInputError("choice", "head", repr(self.head), ("identity", "sigmoid", "softmax", "log_softmax"),
                                 f"head={self.head!r} is not one of 'identity', 'sigmoid', 'softmax', 'log_softmax'")
        self.exclusive = exclusive_classes(loss_spec, data, self.head)
        for name in spec.anneal:
            if name not in {p.name for p in loss_spec.parameters}:
                raise LossInputError("choice", "anneal", repr(name), tuple(p.name for p in loss_spec.parameters),
                                     f"{spec.loss} has no parameter {name!r} to anneal")
        self.anneal = {name: _pair(name, value) for name, value in spec.anneal.items()}
        self.loss_call = LossCall(loss_spec, data, dict(spec.loss_options))
        # The options, and both ends of every annealed parameter, pass the loss's own checks before the run.
        probes = [self._head(self._output(model.init(np.random.default_rng(seed)))) for seed in (0, 1)]
        self.loss_call.value_and_grad(probes[0])
        for name, (start, end) in self.anneal.items():
            for value in (start, end):
                self.loss_call.value_and_grad(probes[0], {name: value})
        ends = [{name: pair[0] for name, pair in self.anneal.items()},
                {name: pair[1] for name, pair in self.anneal.items()}] if self.anneal else []
        self.fast = self.loss_call.start_fast(probes, ends)
        self.lr_schedule = schedules.check_lr_schedule(spec.lr_schedule)
        options = dict(spec.optimizer_options)
        if "lr" in options:
            lr = options["lr"]
            if not isinstance(lr, bool) and isinstance(lr, (int, float)) and lr == 0:
                raise LossInputError("range", "lr", lr, "(0, inf)", "lr=0 is outside (0, inf): the parameters "
                                     "would never move")
        self.optimizer_options = options
        optim.make(spec.optimizer, [np.zeros(1)], **options)  # refuses bad options now, with torch's words

    def _output(self, params) -> np.ndarray:
        z, _ = self.model.forward(params, self.data.x)
        return z

    def _head(self, z):
        if z.ndim == 2 and self.data.n_out == 1:
            z = z[:, 0]
        return head_forward(self.head, z)

    def run(self, init: list[np.ndarray], steps: int) -> Run:
        model, x = self.model, self.data.x
        params = [p.copy() for p in init]
        opt = optim.make(self.spec.optimizer, params, **self.optimizer_options)
        base_lr = opt.lr
        record = [np.empty((steps + 1, *p.shape)) for p in params]
        loss = np.empty(steps + 1)
        grad_norm = np.empty(steps + 1)
        lrs = np.full(steps + 1, np.nan)
        annealed = {name: schedules.anneal_values(a, b, steps) for name, (a, b) in self.anneal.items()}
        overrides = [{name: float(values[t]) for name, values in annealed.items()} for t in range(steps + 1)] \
            if annealed else [None] * (steps + 1)
        lr_list = [schedules.lr_at(self.lr_schedule, base_lr, t, steps) for t in range(steps)]
        loss_and_grad = self.loss_call.fast_value_and_grad
        head, squeeze = self.head, self.data.n_out == 1 and model.name != "line"
        diverged_at = None
        n = steps + 1
        for t in range(steps + 1):
            z, cache = model.forward(params, x)
            zz = z[:, 0] if squeeze else z
            out = head_forward(head, zz)
            value, d_out = loss_and_grad(out, overrides[t])
            if not math.isfinite(value):
                diverged_at = n = t
                break
            d_z = head_backward(head, out, d_out)
            grads = model.backward(params, cache, x, d_z[:, None] if squeeze else d_z)
            for k, p in enumerate(params):
                record[k][t] = p
            loss[t] = value
            grad_norm[t] = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            if t == steps:
                break
            opt.lr = lrs[t] = lr_list[t]
            opt.fast_step(grads)
        record = [r[:n] for r in record]
        return Run(spec=self.spec, head=self.head, exclusive=self.exclusive, params=record,
                   loss=loss[:n], grad_norm=grad_norm[:n], metrics=self.metrics(record), lr=lrs[:n],
                   loss_parameters={name: values[:n] for name, values in annealed.items()},
                   diverged_at=diverged_at, steps=steps)

    def metrics(self, record: list[np.ndarray]) -> dict[str, np.ndarray]:
        """The metrics at every recorded step, from the model evaluated at many steps at once (in chunks that
        keep the arrays near a million numbers)."""
        n = len(record[0])
        width = max(self.data.n_out, getattr(self.model, "hidden", 1))
        chunk = max(1, 1_000_000 // max(1, len(self.data) * width))
        parts = []
        for start in range(0, max(n, 1), chunk):
            stacked = [r[start:start + chunk] for r in record]
            parts.append(self.metric(self.data, self.predict_steps(stacked, self.data.x)))
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def predict_steps(self, stacked: list[np.ndarray], x: np.ndarray) -> np.ndarray:
        """Predictions at many steps: ``stacked`` has a leading step axis on every parameter."""
        z = self.model.forward_steps(stacked, x)
        if self.data.n_out == 1 and z.ndim == 3:
            z = z[..., 0]
        return self.prediction_from_output(z, head_forward(self.head, z))

    def prediction_from_output(self, z, out):
        """The model's prediction for the metric: values for a regression, probabilities for classes."""
        if self.data.task == "regression" or self.head in ("sigmoid", "softmax"):
            return out
        if self.head == "log_softmax":
            return np.exp(out)
        return probabilities(z, self.exclusive)

    def predict(self, params, x) -> np.ndarray:
        z, _ = self.model.forward(params, x)
        zz = z[:, 0] if self.data.n_out == 1 and z.ndim == 2 else z
        return self.prediction_from_output(zz, head_forward(self.head, zz))


def _pair(name, value) -> tuple[float, float]:
    try:
        start, end = value
        return float(start), float(end)
    except (TypeError, ValueError):
        raise LossInputError("dtype", name, repr(value), "(start, end)",
                             f"anneal {name} needs (start, end), found {value!r}") from None


def train_run(spec: RunSpec, model, data: Dataset, init, steps: int, metric) -> Run:
    return Trainer(spec, model, data, metric).run(init, check_steps(steps))
