"""The /train page's presets and :func:`race`, which trains up to four runs on one preset's data.

Each :class:`Preset` declares its data (from a seed, or the learner's rows for 'your_data'), its model, its default
runs, its metrics and a default number of steps; the losses a learner may add come from the registry
(:func:`Preset.losses`, through :func:`train.tasks.usable_losses`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from losses import LossInputError

from . import data as datasets
from .data import Dataset
from .models import make_model
from .run import RunSpec, Trainer, check_runs, check_steps
from .schedules import ANNEAL_L0
from .tasks import usable_losses

__all__ = ["Preset", "PRESETS", "race", "Race", "METRICS", "relative_error_per_decade"]


# --- metrics: each takes the data and the predictions at T steps, (T, *y.shape): values, or probabilities ---------
# for classes; it returns one array of T values per metric, the preset's main metric first.

def _regression(data: Dataset, pred) -> dict:
    return {"mae": np.mean(np.abs(pred - data.y), axis=-1)}


def _inliers(data: Dataset, pred) -> dict:
    clean = ~data.marks["outlier"]
    err = np.abs(pred - data.y)
    return {"inlier_mae": np.mean(err[:, clean], axis=-1), "mae": np.mean(err, axis=-1)}


def _relative(data: Dataset, pred) -> dict:
    err = np.abs(pred - data.y)
    return {"relative_error": np.mean(err / np.abs(data.y), axis=-1), "mae": np.mean(err, axis=-1)}


def relative_error_per_decade(data: Dataset, pred: np.ndarray) -> dict[int, float]:
    """Mean relative error |f(x) - y| / y of the targets in each decade [10^k, 10^(k+1)), keyed by k."""
    decades = np.floor(np.log10(np.abs(data.y))).astype(int)
    rel = np.abs(pred - data.y) / np.abs(data.y)
    return {int(k): float(rel[decades == k].mean()) for k in np.unique(decades)}


def _binary(data: Dataset, pred) -> dict:
    """Accuracy, precision, recall and F1 at the threshold 0.5; precision is 0 while nothing is predicted positive
    (the run has found no positive yet)."""
    guess = pred >= 0.5
    truth = data.y >= 0.5
    tp = np.sum(guess & truth, axis=-1).astype(np.float64)
    predicted = guess.sum(axis=-1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = tp / truth.sum() if truth.any() else np.zeros_like(tp)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both > 0)
    return {"accuracy": np.mean(guess == truth, axis=-1), "precision": precision, "recall": recall, "f1": f1}


def _imbalance(data: Dataset, pred) -> dict:
    scores = _binary(data, pred)
    return {name: scores[name] for name in ("recall", "precision", "f1", "accuracy")}


def _multilabel(data: Dataset, pred) -> dict:
    """Exact match (every label right at 0.5), per-label accuracy, and the mean of each point's summed
    probabilities (1 under a softmax, free under sigmoids)."""
    guess = pred >= 0.5
    truth = data.y >= 0.5
    return {"exact_match": np.mean(np.all(guess == truth, axis=-1), axis=-1),
            "label_accuracy": np.mean(guess == truth, axis=(-2, -1)),
            "probability_sum": np.mean(pred.sum(axis=-1), axis=-1)}


def _multiclass(data: Dataset, pred) -> dict:
    return {"accuracy": np.mean(np.argmax(pred, axis=-1) == data.y, axis=-1)}


METRICS: dict[str, Callable] = {"regression": _regression, "binary": _binary, "multiclass": _multiclass,
                                "multilabel": _multilabel}


# --- presets -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Preset:
    """A lesson's setting.  ``runs`` (or ``runs_for(data)`` for 'your_data') are the default race; ``init`` (optional)
    sets the initial parameters instead of the seeded random ones; ``models`` lists the models a learner may
    choose, the first is the default."""

    id: str
    models: tuple[str, ...]
    runs: tuple[RunSpec, ...]
    steps: int
    metric: Callable | None = None
    init: Callable | None = None
    hidden: int = 8

    def dataset(self, seed: int = 0, text: str | None = None) -> Dataset:
        if self.id == "your_data":
            if text is None:
                raise LossInputError("empty", "data", "no rows", "rows x,y or x1,x2,label",
                                     "paste rows x,y or x1,x2,label")
            return datasets.parse_rows(text)
        return datasets.generate(self.id, seed)

    def metric_for(self, data: Dataset) -> Callable:
        return self.metric or METRICS[data.task]

    def model_names(self, data: Dataset) -> tuple[str, ...]:
        if self.id != "your_data":
            return self.models
        return ("line",) if data.task == "regression" else ("mlp", "linear")

    def losses(self, data: Dataset) -> tuple[str, ...]:
        """The registry's losses that can train on this preset's data."""
        return usable_losses(data)

    def default_runs(self, data: Dataset) -> tuple[RunSpec, ...]:
        if self.id != "your_data":
            return self.runs
        return _CUSTOM_RUNS[data.task]


def _adam(lr):
    return {"optimizer": "adam", "optimizer_options": {"lr": lr}}


def _sgd(lr, **more):
    return {"optimizer": "sgd", "optimizer_options": {"lr": lr, **more}}


def _confidently_wrong(model, rng, data):
    """Weights pointing away from the positive cloud: every point gets a logit near -/+6 on the wrong side, where
    the sigmoid is flat."""
    params = model.init(rng)
    if model.name == "linear":
        params[0][...] = -3.0
        params[1][...] = 0.0
    return params


def _far_start(model, rng, data):
    """The optimizers' common start (w, b) = (-1.5, 2.5), far from the least-squares line."""
    return [np.array([-1.5]), np.array([2.5])]


PRESETS: dict[str, Preset] = {p.id: p for p in (
    # A cosine lr lets L1 and L0 settle instead of hopping around the median and the mode.  L0's eps is 0.1, not
    # the notes' 1e-8: once gamma < 1 the loss has a cusp at every point the line touches, with a slope near
    # gamma * eps ** (gamma - 1), and with eps = 1e-8 two runs that differ in the 13th digit end far apart.
    Preset("outliers", ("line",), (
        RunSpec("mse_loss", **_adam(0.05), lr_schedule=("cosine", 0.0)),
        RunSpec("l1_loss", **_adam(0.05), lr_schedule=("cosine", 0.0)),
        RunSpec("huber_loss", {"delta": 1.0}, **_adam(0.05), lr_schedule=("cosine", 0.0)),
        RunSpec("l0_loss", {"eps": 0.1}, anneal=dict(ANNEAL_L0), **_adam(0.05), lr_schedule=("cosine", 0.0)),
    ), steps=400, metric=_inliers),
    Preset("long_tail", ("line",), (
        RunSpec("mse_loss", **_adam(0.05)),
        RunSpec("relative_mse_loss", **_adam(0.05)),
        RunSpec("relative_mse_loss", {"denominator": "input"}, **_adam(0.05)),
    ), steps=400, metric=_relative),
    Preset("saturation", ("linear",), (
        RunSpec("mse_loss", head="sigmoid", **_sgd(0.5)),
        RunSpec("binary_cross_entropy", **_sgd(0.5)),
        RunSpec("binary_cross_entropy_with_logits", **_sgd(0.5)),
    ), steps=300, metric=_binary, init=_confidently_wrong),
    Preset("imbalance", ("linear", "mlp"), (
        RunSpec("binary_cross_entropy_with_logits", **_adam(0.05)),
        RunSpec("binary_cross_entropy_with_logits", {"pos_weight": [19.0]}, **_adam(0.05)),
        RunSpec("sigmoid_focal_loss", {"alpha": 0.25, "gamma": 2.0}, **_adam(0.05)),
        RunSpec("dice_loss", **_adam(0.05)),
    ), steps=300, metric=_imbalance),
    Preset("multilabel", ("linear", "mlp"), (
        RunSpec("cross_entropy", **_adam(0.05)),
        RunSpec("binary_cross_entropy_with_logits", **_adam(0.05)),
        RunSpec("multilabel_soft_margin_loss", **_adam(0.05)),
    ), steps=300, metric=_multilabel),
    Preset("optimizers", ("line",), (
        RunSpec("mse_loss", **_sgd(0.05)),
        RunSpec("mse_loss", **_sgd(0.05, momentum=0.9)),
        RunSpec("mse_loss", **_adam(0.1)),
        RunSpec("mse_loss", optimizer="rmsprop", optimizer_options={"lr": 0.05}),
    ), steps=200, metric=_regression, init=_far_start),
    Preset("your_data", ("line", "mlp", "linear"), (), steps=300),
)}

_CUSTOM_RUNS = {
    "regression": (RunSpec("mse_loss", **_adam(0.05)), RunSpec("l1_loss", **_adam(0.05))),
    "binary": (RunSpec("binary_cross_entropy_with_logits", **_adam(0.05)),
               RunSpec("sigmoid_focal_loss", **_adam(0.05))),
    "multiclass": (RunSpec("cross_entropy", **_adam(0.05)), RunSpec("multi_margin_loss", **_adam(0.05))),
}


@dataclass
class Race:
    """A finished race: the preset, its data, the model and initial parameters shared by every run, the runs."""

    preset: Preset
    data: Dataset
    model: object
    init: list[np.ndarray]
    steps: int
    seed: int
    runs: list
    trainers: list

    def predict(self, run_index: int, step: int, x: np.ndarray) -> np.ndarray:
        """Run ``run_index``'s prediction at ``step`` on inputs ``x``: values for a line fit, the positive class's
        probability for a binary task, one probability per class otherwise."""
        run = self.runs[run_index]
        return self.trainers[run_index].predict(run.params_at(step), np.asarray(x, dtype=np.float64))

    def loss_grid(self, run_index: int, w_values, b_values, step: int = 0) -> np.ndarray:
        """Run ``run_index``'s loss over a grid of (w, b) for a line model, shape ``(len(b), len(w))``, with the
        loss parameters of ``step`` (an annealed gamma changes the landscape as the run goes)."""
        if self.model.name != "line":
            raise LossInputError("unsupported", "model", repr(self.model.name), "'line'",
                                 "a loss contour needs the two parameters (w, b) of a line")
        trainer = self.trainers[run_index]
        run = self.runs[run_index]
        overrides = {}
        for name, values in run.loss_parameters.items():
            overrides[name] = float(values[min(max(step, 0), len(values) - 1)]) if len(values) else \
                trainer.anneal[name][0]
        w = np.asarray(w_values, dtype=np.float64)
        b = np.asarray(b_values, dtype=np.float64)
        call = trainer.loss_call
        x = self.data.x
        fitted = b[:, None, None] + w[None, :, None] * x  # (len(b), len(w), N): every line's predictions
        grid = _elementwise_grid(call, fitted.reshape(-1, len(x)), overrides)
        if grid is not None:
            grid = grid.reshape(len(b), len(w))
            # the shortcut must give what the loss itself gives, at a corner and in the middle
            probe = [(0, 0), (len(b) // 2, len(w) // 2)]
            if all(np.isclose(grid[i, j], call.value_and_grad(fitted[i, j], overrides)[0], rtol=1e-12, atol=0.0,
                              equal_nan=True) for i, j in probe):
                return grid
        grid = np.empty((len(b), len(w)))
        for i in range(len(b)):
            for j in range(len(w)):
                grid[i, j] = call.value_and_grad(fitted[i, j], overrides)[0]
        return grid


def _elementwise_grid(call, predictions: np.ndarray, overrides: dict) -> np.ndarray | None:
    """The loss of each row of ``predictions`` in one call: reduction='none' on the whole block, then each row's
    mean or sum.  Right for losses of one term per element whose mean divides by the count (the regression
    family without a weight tensor); None for the others, which take the loop."""
    spec = call.spec
    if spec.family != "regression" or call.tensors or call.whole_sample:
        return None
    if getattr(spec, "reduction_unit", "element") != "element":
        return None
    scalars = dict(call.scalars, **overrides, reduction="none")
    target = np.broadcast_to(call.call_target(), predictions.shape)
    rows = []
    chunk = max(1, 500_000 // predictions.shape[1])
    for start in range(0, len(predictions), chunk):
        block = predictions[start:start + chunk]
        values = np.asarray(spec.function(block, target[start:start + chunk], **scalars))
        rows.append(values.sum(axis=1) if call.scalars.get("reduction") == "sum" else values.mean(axis=1))
    return np.concatenate(rows)


def race(preset: str = "outliers", runs=None, *, steps: int | None = None, seed: int = 0, text: str | None = None,
         model: str | None = None, hidden: int | None = None) -> Race:
    """Train every run of ``runs`` (RunSpecs or their dicts; default: the preset's) on the preset's data from the
    same initial parameters, for ``steps`` updates each (default: the preset's)."""
    if preset not in PRESETS:
        raise LossInputError("choice", "preset", repr(preset), tuple(PRESETS),
                             f"preset={preset!r} is not one of " + ", ".join(repr(p) for p in PRESETS))
    chosen = PRESETS[preset]
    data = chosen.dataset(seed, text)
    steps = check_steps(chosen.steps if steps is None else steps)
    specs = check_runs(chosen.default_runs(data) if runs is None else runs)
    names = chosen.model_names(data)
    model_name = names[0] if model is None else model
    if model_name not in names:
        raise LossInputError("choice", "model", repr(model_name), names,
                             f"model={model_name!r} is not one of " + ", ".join(repr(m) for m in names))
    net = make_model(model_name, data.n_in, data.n_out, chosen.hidden if hidden is None else hidden)
    rng = np.random.default_rng(seed)
    init = chosen.init(net, rng, data) if chosen.init else net.init(rng)
    metric = chosen.metric_for(data)
    trainers = [Trainer(spec, net, data, metric) for spec in specs]
    results = [trainer.run(init, steps) for trainer in trainers]
    return Race(chosen, data, net, init, steps, seed, results, trainers)
