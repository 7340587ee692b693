"""Which registry losses a dataset can train, and how a model's output and the targets become the loss's call.

Everything here is read from the registry (``losses.REGISTRY``): a loss fits a task when its only prediction
argument is ``input``, its target's domain can hold the task's targets (possibly re-encoded), and its input shape
takes the task's output.  Families that do not compare one prediction with one target (activations, sequences,
distributions of several tensors) and losses whose input is a distance rather than a score are left out.
"""

from __future__ import annotations

import numpy as np

import losses
from losses import LossInputError
from losses._core import evaluate, gradients

from .data import Dataset

__all__ = ["compatible", "usable_losses", "default_head", "exclusive_classes", "LossCall", "TRAINING_REDUCTIONS"]

TRAINING_REDUCTIONS = ("mean", "sum")
_SKIPPED_FAMILIES = ("activation", "sequence", "distribution")


def _target(spec):
    try:
        return spec.argument("target")
    except StopIteration:
        return None


def _takes_classes(spec) -> bool:
    """The input shape names a class dimension C: one score per class, as multi-class losses take."""
    return "C" in spec.argument("input").shape


def compatible(spec, data: Dataset) -> bool:
    """Whether ``spec`` can train a model on ``data``, judged from the registry's arguments and domains."""
    if spec.family in _SKIPPED_FAMILIES:
        return False
    if spec.differentiable != ("input",):
        return False
    target = _target(spec)
    if target is None or any(not a.optional for a in spec.arguments if a.name not in ("input", "target")):
        return False
    curve = getattr(spec, "curve", None)
    if curve is not None and getattr(curve, "kind", None) == "distance":
        return False  # a loss on distances (hinge_embedding) does not score classes
    domain = target.domain
    task = data.task
    if task == "regression":
        if _takes_classes(spec):
            return False
        if domain == "real":
            return True
        if domain == "nonnegative":
            return bool(np.all(data.y >= 0))
        if domain == "positive":
            return bool(np.all(data.y > 0))
        return False
    if task == "binary":
        return domain in ("real", "probability", "binary", "nonnegative", "sign") and not (
            _takes_classes(spec) and domain != "binary")
    if task == "multiclass":
        return domain in ("class_index", "real", "probability", "binary", "nonnegative")
    if task == "multilabel":
        return domain in ("real", "probability", "binary", "nonnegative") or target.also_probabilities
    return False


def usable_losses(data: Dataset) -> tuple[str, ...]:
    """Ids of the registry's losses that can train on ``data``, in registry order."""
    return tuple(spec.id for spec in losses.SPECS if compatible(spec, data))


def default_head(spec) -> str:
    """What turns logits into the loss's input: the input's domain says it (probabilities: sigmoid,
    log-probabilities: log_softmax, anything real: the logits themselves)."""
    domain = spec.argument("input").domain
    if domain == "probability":
        return "sigmoid"
    if domain == "log_probability":
        return "log_softmax"
    return "identity"


def exclusive_classes(spec, data: Dataset, head: str) -> bool:
    """Whether the run reads its outputs as one softmax over classes (they sum to 1) or one sigmoid each."""
    if data.n_out == 1:
        return False
    if head in ("softmax", "log_softmax"):
        return True
    target = _target(spec)
    return target.domain == "class_index" or (data.task == "multilabel" and target.also_probabilities)


def encode_target(spec, data: Dataset) -> np.ndarray:
    """The targets in the form this loss's target domain expects."""
    target = _target(spec)
    domain, y = target.domain, data.y
    if data.task == "binary" and domain == "sign":
        return 2.0 * y - 1.0
    if data.task == "multiclass":
        if domain == "class_index":
            return y.astype(np.int64)
        return np.eye(data.n_classes)[y]
    if data.task == "multilabel" and domain == "class_index":
        # class-probability targets (cross_entropy): a point with two labels wants half of each
        return y / y.sum(axis=1, keepdims=True)
    return np.asarray(y, dtype=np.float64)


class LossCall:
    """One run's loss, validated once: ``value_and_grad(out, overrides)`` gives the value and d value / d out.

    ``options`` holds the loss's scalar parameters and, for tensor options such as ``pos_weight`` or ``weight``,
    numbers or lists.  Segmentation losses score each sample as a whole image: the whole dataset is one sample.
    """

    def __init__(self, spec, data: Dataset, options: dict):
        self.spec = spec
        if not compatible(spec, data):
            raise LossInputError("choice", "loss", repr(spec.id), usable_losses(data),
                                 f"{spec.id} cannot train on this data; usable: " + ", ".join(usable_losses(data)))
        self.target = encode_target(spec, data)
        tensor_names = {a.name for a in spec.arguments}
        parameter_names = {p.name for p in spec.parameters}
        self.tensors, self.scalars = {}, {}
        for key, value in options.items():
            if key in tensor_names and key not in ("input", "target"):
                try:
                    self.tensors[key] = np.atleast_1d(np.asarray(value, dtype=np.float64))
                except (TypeError, ValueError):
                    raise LossInputError("not_numeric", key, repr(value), "numbers",
                                         f"{key} must contain numbers, found {value!r}") from None
            elif key in parameter_names:
                self.scalars[key] = value
            else:
                known = sorted((tensor_names | parameter_names) - {"input", "target"})
                raise LossInputError("choice", "option", repr(key), tuple(known),
                                     f"{spec.id} has no option {key!r}; its options: " + ", ".join(known))
        if "reduction" in parameter_names:
            reduction = self.scalars.get("reduction", "mean")
            if reduction not in TRAINING_REDUCTIONS:
                raise LossInputError("choice", "reduction", repr(reduction), TRAINING_REDUCTIONS,
                                     f"reduction={reduction!r} is not one of 'mean', 'sum' (training needs "
                                     "one number)")
            self.scalars["reduction"] = reduction  # sigmoid_focal_loss defaults to 'none'
        self.whole_sample = spec.family == "segmentation"
        self.problem = None  # the prepared problem of the fast path, once start_fast has checked it

    def call_input(self, out: np.ndarray) -> np.ndarray:
        return out[None] if self.whole_sample else out

    def call_target(self) -> np.ndarray:
        return self.target[None] if self.whole_sample else self.target

    def value_and_grad(self, out: np.ndarray, overrides: dict | None = None) -> tuple[float, np.ndarray]:
        """The loss through ``losses.value_and_grad``, every argument validated on every call."""
        scalars = dict(self.scalars, **overrides) if overrides else self.scalars
        value, grads = losses.value_and_grad(self.spec.id, input=self.call_input(out), target=self.call_target(),
                                             **self.tensors, **scalars)
        return float(value), grads["input"].reshape(out.shape)

    def start_fast(self, probes: list[np.ndarray], overrides: list[dict]) -> bool:
        """Validate once, then skip validation on every step: the loss's canonical problem is prepared from the
        first probe and later outputs are written into it (``fast_value_and_grad``).

        Only when ``input`` is a plain reshape in the canonical form (no broadcast layout), and only after the
        fast path has given exactly what ``value_and_grad`` gives on every probe output and every parameter
        override the run will use (the ends of annealed ranges); otherwise the run keeps the validated path.
        """
        self.problem = None
        problem = self.spec.function.prepare(input=self.call_input(probes[0]), target=self.call_target(),
                                             **self.tensors, **self.scalars)
        if "input" in problem.layouts or problem.arrays["input"].size != probes[0].size:
            return False
        self.problem, self.input_shape = problem, problem.arrays["input"].shape
        self.base_params = dict(problem.params)
        for probe in probes:
            for override in overrides or [{}]:
                slow = self.value_and_grad(probe, override)
                fast = self.fast_value_and_grad(probe, override)
                if not (np.array_equal(slow[0], fast[0], equal_nan=True)
                        and np.array_equal(slow[1], fast[1], equal_nan=True)):
                    self.problem = None
                    return False
        return True

    def fast_value_and_grad(self, out: np.ndarray, overrides: dict | None = None) -> tuple[float, np.ndarray]:
        problem = self.problem
        if problem is None:
            return self.value_and_grad(out, overrides)
        problem.arrays["input"] = out.reshape(self.input_shape)
        # an override is a float, as the loss's prepare would store it after as_scalar
        problem.params = {**self.base_params, **overrides} if overrides else self.base_params
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            value, unreduced = evaluate(problem, self.spec.function.compute)
            grads = gradients(problem, unreduced)
        return float(value), grads["input"].reshape(out.shape)
