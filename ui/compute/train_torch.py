"""The races of :mod:`train` run again in torch, for the /train page's live check and the tests.

Same data, targets and initial parameters; the model written with torch ops and differentiated by autograd; the
loss from ``torch.nn.functional`` (or :mod:`ui.compute.torch_extras` for the losses torch lacks); the optimizer
from ``torch.optim`` and the lr schedule from ``torch.optim.lr_scheduler``; float64 on the CPU.  Nothing of the
numpy loop is reused except the dataset and its encoded targets, so a mistake in the numpy models, heads,
optimizers or schedules shows up as a parameter difference.
"""

from __future__ import annotations

import importlib
import math

import numpy as np
import torch
import torch.nn.functional as F

import losses
from ui.compute import torch_extras

__all__ = ["torch_loss_function", "torch_run", "torch_race", "max_parameter_difference", "OPTIMIZER_CLASSES"]

OPTIMIZER_CLASSES = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
                     "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}


def torch_loss_function(name: str):
    """torch's function for a registry loss: the spec's dotted ``torch_function`` when the registry has one,
    else the re-implementation in torch_extras, else ``torch.nn.functional.<id>``."""
    spec = losses.get_spec(name)
    path = getattr(spec, "torch_function", None)
    if path:
        module, _, attr = path.rpartition(".")
        return getattr(importlib.import_module(module), attr)
    if hasattr(torch_extras, name):
        return getattr(torch_extras, name)
    return getattr(F, name)


def _forward(model_name: str, params: list, x: torch.Tensor) -> torch.Tensor:
    if model_name == "line":
        w, b = params
        return w[0] * x + b[0]
    if model_name == "linear":
        W, b = params
        return x @ W.T + b
    W1, b1, W2, b2 = params
    return torch.tanh(x @ W1.T + b1) @ W2.T + b2


def _head(head: str, z: torch.Tensor) -> torch.Tensor:
    if head == "sigmoid":
        return torch.sigmoid(z)
    if head == "softmax":
        return torch.softmax(z, dim=-1)
    if head == "log_softmax":
        return torch.log_softmax(z, dim=-1)
    return z


def _scheduler(kind: tuple, optimizer, steps: int):
    if kind[0] == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=kind[1], gamma=kind[2])
    if kind[0] == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps, eta_min=kind[1])
    return None


def _annealed(start: float, end: float, t: int, steps: int) -> float:
    # Noise2Noise's linear annealing: start at the first update, end at the last (step steps - 1).
    return start if steps <= 1 else start + (end - start) * (min(t, steps - 1) / (steps - 1))


def torch_run(race, index: int) -> dict:
    """Run ``race.runs[index]`` in torch: ``{'params': [(n, *shape)], 'loss': (n,), 'grad_norm': (n,),
    'diverged_at': int | None}`` with the numpy run's conventions (theta_t recorded before update t)."""
    trainer = race.trainers[index]
    spec = race.runs[index].spec
    call = trainer.loss_call
    steps = race.steps
    function = torch_loss_function(spec.loss)
    x = torch.tensor(race.data.x, dtype=torch.float64)
    target_np = call.call_target()
    target = torch.tensor(target_np, dtype=torch.int64 if target_np.dtype.kind in "iu" else torch.float64)
    tensors = {k: torch.tensor(v, dtype=torch.float64) for k, v in call.tensors.items()}
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in race.init]
    options = dict(spec.optimizer_options)
    if "betas" in options:
        options["betas"] = tuple(float(b) for b in options["betas"])
    optimizer = OPTIMIZER_CLASSES[spec.optimizer](params, **options, foreach=False)
    scheduler = _scheduler(trainer.lr_schedule, optimizer, steps)
    squeeze = race.data.n_out == 1 and race.model.name != "line"
    record = [np.empty((steps + 1, *p.shape)) for p in race.init]
    loss_values = np.empty(steps + 1)
    grad_norm = np.empty(steps + 1)
    diverged_at = None
    n = steps + 1
    for t in range(steps + 1):
        scalars = dict(call.scalars)
        for name, (start, end) in trainer.anneal.items():
            scalars[name] = _annealed(start, end, t, steps)
        optimizer.zero_grad()
        z = _forward(race.model.name, params, x)
        if squeeze:
            z = z[:, 0]
        out = _head(trainer.head, z)
        if call.whole_sample:
            out = out.unsqueeze(0)
        loss = function(out, target, **tensors, **scalars)
        value = float(loss.detach())
        if not math.isfinite(value):
            diverged_at, n = t, t
            break
        loss.backward()
        for k, p in enumerate(params):
            record[k][t] = p.detach().numpy()
        loss_values[t] = value
        grad_norm[t] = math.sqrt(sum(float((p.grad * p.grad).sum()) for p in params))
        if t == steps:
            break
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return {"params": [r[:n] for r in record], "loss": loss_values[:n], "grad_norm": grad_norm[:n],
            "diverged_at": diverged_at}


def torch_race(race) -> list[dict]:
    """Every run of the race in torch, on one thread: with tensors this small, torch's intra-op threads only
    wait for each other (on a busy 2-core machine a 400-element loss took 12 ms instead of 20 us)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return [torch_run(race, i) for i in range(len(race.runs))]
    finally:
        torch.set_num_threads(threads)


def max_parameter_difference(race, torch_runs: list[dict] | None = None) -> list[float]:
    """Per run, the largest |theta_numpy - theta_torch| over the steps both recorded, every parameter element.

    A diverging run may stop one step apart in the two: torch's mean sums before it divides, so its loss
    overflows a step before ours (a sum of x_i / n) does.  The steps' counts are in each run's records."""
    torch_runs = torch_race(race) if torch_runs is None else torch_runs
    worst = []
    for run, other in zip(race.runs, torch_runs):
        n = min(len(run.loss), len(other["loss"]))
        worst.append(max((float(np.max(np.abs(a[:n] - b[:n]))) if a[:n].size else 0.0
                          for a, b in zip(run.params, other["params"])), default=0.0))
    return worst
