"""What the registry records about each loss and activation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FAMILIES = ("regression", "classification", "ranking", "sequence", "segmentation", "distribution", "activation")

# The four notes the project grew from, and a marker for what goes beyond them.
DOCUMENTS = {
    "zh-examples": "常见的损失函数（基于 PyTorch）: the 2×2 sample/target worked example, in Chinese",
    "zh-reference": "torch.nn 损失函数及其参数: a parameter list of torch.nn losses, in Chinese",
    "zh-concepts": "Loss 笔记: Dice, L0, HDR, activations, TensorFlow cross-entropies, in Chinese",
    "en-summary": "PyTorch summary of loss functions: the 2×2 worked example, in English",
    "beyond": "not in the notes: added because a learner meets it next to the ones that are",
}

ROLES = ("prediction", "target", "weight", "lengths")
DOMAINS = (
    "real",          # any finite float
    "probability",   # in [0, 1]
    "log_probability",
    "positive",      # > 0
    "nonnegative",   # >= 0
    "sign",          # +1 or -1
    "class_index",   # integer in [0, C-1]
    "label_index",   # integer class index padded with -1 (multilabel_margin_loss)
    "binary",        # 0 or 1 targets (the loss accepts any real in [0, 1])
    "length",        # positive integer lengths
)


@dataclass(frozen=True)
class Argument:
    """A tensor argument, named as torch names it.

    ``role='prediction'`` marks what torch differentiates (input, input1, anchor,
    log_probs, var, ...).  ``shape`` uses torch's notation.  ``also_probabilities``
    marks integer class-index targets that torch also accepts as float class
    probabilities shaped like the input (cross_entropy since torch 1.10).
    """

    name: str
    role: str
    dtype: str
    shape: str
    domain: str = "real"
    optional: bool = False
    also_probabilities: bool = False

    @property
    def differentiable(self) -> bool:
        return self.role == "prediction"


@dataclass(frozen=True)
class Parameter:
    """A scalar parameter with torch's default and the values it allows.

    ``kind`` is 'choice', 'float', 'int' or 'bool'.  ``low``/``high`` bound
    floats and ints (``low_open`` when the lower end is excluded); ``choices``
    lists a choice's values.  ``ui_high`` caps a slider where the allowed range
    is unbounded.
    """

    name: str
    kind: str
    default: object
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    ui_high: float | None = None


@dataclass(frozen=True)
class LossSpec:
    id: str
    family: str
    title: dict
    torch_class: str | None
    reference: str
    sources: tuple
    arguments: tuple
    parameters: tuple
    example: dict
    function: Callable = field(repr=False, compare=False)

    @property
    def differentiable(self) -> tuple:
        return tuple(a.name for a in self.arguments if a.differentiable)

    def argument(self, name: str) -> Argument:
        return next(a for a in self.arguments if a.name == name)

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters}


def reduction_parameter(*extra: str) -> Parameter:
    return Parameter("reduction", "choice", "mean", choices=("none", "mean", "sum") + extra)
