"""What the registry records about each loss and activation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

FAMILIES = ("regression", "classification", "ranking", "sequence", "segmentation", "distribution", "activation")

# The four notes the project grew from, and a marker for what goes beyond them.
DOCUMENTS = {
    "zh-examples": "常见的损失函数（基于 PyTorch）: the 2×2 sample/target worked example, in Chinese",
    "zh-reference": "torch.nn 损失函数及其参数: a parameter list of torch.nn losses, in Chinese",
    "zh-concepts": "Loss 笔记: Dice, L0, HDR, activations, TensorFlow cross-entropies, in Chinese",
    "en-summary": "PyTorch summary of loss functions: the 2×2 worked example, in English",
    "beyond": "not in the notes: added because a learner meets it next to the ones that are",
}

Role = Literal["prediction", "target", "weight", "lengths"]
ParameterKind = Literal["choice", "float", "int", "bool"]
ROLES = get_args(Role)
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
    role: Role
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
    kind: ParameterKind
    default: object
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    ui_high: float | None = None


# The kinds a registry field may take: the contract test checks every spec's values against these.
ReductionUnit = Literal["element", "sample"]
MeanDenominator = Literal["none", "count", "weight_sum", "class_weight_sum", "target_length"]
CurveKind = Literal["element", "class_index", "binary_target", "pair_margin", "signed_margin", "distance"]
CurveQuantity = Literal["element", "logit", "logprob", "score", "prob", "margin", "distance"]
GradientConvention = Literal["derivative", "log_softmax_logits"]
WorkedKind = Literal[
    "absolute_error", "squared_error", "smooth_l1", "huber", "power_error", "relative_squared_error",
    "softmax_cross_entropy", "negative_log_likelihood", "binary_cross_entropy", "binary_cross_entropy_logits",
    "multilabel_soft_margin", "focal", "margin_ranking", "hinge_embedding", "multilabel_margin", "soft_margin",
    "cosine_embedding", "multi_margin", "triplet", "ctc", "overlap", "kl_divergence", "poisson_nll",
    "gaussian_nll", "sigmoid", "tanh", "softmax",
]


def allowed(kind) -> tuple:
    """The values a ``Literal`` kind allows (``allowed(ReductionUnit) == ('element', 'sample')``)."""
    return get_args(kind)


@dataclass(frozen=True)
class CurveAxis:
    """What the x axis of a one-element curve means for this loss.

    ``kind`` says how the swept element turns into the axis quantity: 'class_index' (the target picks a
    class of ``input``: the true class's quantity, or another class's), 'binary_target' (a 0/1 target
    decides whether the axis is the element or its negation, 1 - p for probabilities), 'pair_margin'
    (``y·(x1 - x2)``, for either of the two inputs), 'signed_margin' (``y·x``), 'distance' (the element
    is a distance, read against the margin) or 'element' (the element itself).  ``quantity`` names the
    quantity on the axis (logit, logprob, score, prob, margin, distance, element).  ``arguments`` are
    the tensors swept along that quantity; every other tensor gets the plain element axis.
    """

    kind: CurveKind
    quantity: CurveQuantity
    arguments: tuple[str, ...] = ()


ELEMENT_AXIS = CurveAxis("element", "element")


@dataclass(frozen=True)
class Worked:
    """Which worked-arithmetic builder writes this loss out, and the constants it needs.

    ``kind`` names a builder by the arithmetic it shows, so that losses with one formula shape share it
    ('overlap' writes both soft Dice and soft Jaccard).  ``options`` fix what differs between the losses
    of one kind: for 'overlap', ``intersection_weight`` (2 for Dice, 1 for Jaccard) and
    ``union_subtracts_intersection``; for 'softmax', ``log`` (True for log_softmax).
    """

    kind: WorkedKind
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class LossSpec:
    """One loss or activation: what it takes, what torch calls it, and every fact a page needs about it.

    Pages, the worked arithmetic, the torch check, code export and the tests read these fields; no
    other file keys behaviour by loss id.  tests/backend/test_registry_contract.py checks that every
    spec fills every field with an allowed value and that the facts agree with what the loss computes.
    """

    id: str
    """torch's functional name (the activations: torch's function name)."""
    family: str
    """One of ``FAMILIES``."""
    title: dict
    """Display name per language."""
    torch_class: str | None
    """The ``torch.nn`` module class (``'L1Loss'``), or None when torch has none."""
    reference: str
    """Where the loss comes from: torch's function path, or the paper or library our version follows."""
    sources: tuple[str, ...]
    """Keys of ``DOCUMENTS``: the notes that discuss the loss."""
    arguments: tuple[Argument, ...]
    """The tensor arguments, in torch's order."""
    parameters: tuple[Parameter, ...]
    """The scalar parameters, with torch's defaults."""
    example: dict
    """The tensors the pages open with."""
    reduction_unit: ReductionUnit
    """What one unreduced term is: 'element' (one per element of the broadcast input, written l_i; a plain
    mean divides by their count n) or 'sample' (one per sample or per position, the class or feature
    dimension reduced inside the term, written l_n; a plain mean divides by N)."""
    mean_denominator: MeanDenominator
    """What reduction='mean' divides by: 'count' (the number of terms), 'weight_sum' (the sum of the
    ``weight`` tensor as given, when one is given; else the count), 'class_weight_sum' (the summed class
    weights of the targets not ignored, for class-index targets), 'target_length' (each term first
    divided by its target length, then the mean over the batch) or 'none' (no reduction parameter)."""
    kinks: tuple[str, ...]
    """Where the derivative jumps, as LaTeX conditions on one term (language free, e.g.
    ``r'|x_i - y_i| = \\beta'``), at the parameters the pages open with (``example``, else the
    defaults); empty for a smooth loss.  Numerical guards (a log clamped at -100, a variance clamped at
    eps) are not kinks of the formula and are not listed."""
    curvature_breaks: tuple[str, ...]
    """Where the derivative is continuous but bends (the second derivative jumps), in the same notation:
    smooth_l1 and huber at their threshold, where a quadratic meets a line.  A curve of the slope shows a
    corner there, not a jump."""
    curve: CurveAxis
    """The quantity a one-element curve sweeps; see :class:`CurveAxis`."""
    gradient: GradientConvention
    """What the returned gradient is (as torch returns it): 'derivative' (of the value) or
    'log_softmax_logits' (ctc: torch's backward assumes log_probs = log_softmax(logits) and returns the
    gradient with respect to those logits, exp(log_probs) - posterior)."""
    torch_function: str | None
    """Dotted path of torch's function for this loss (``'torch.nn.functional.l1_loss'``,
    ``'torch.sigmoid'``), which the live check and code export call; None when torch lacks the loss and
    it is written with plain torch ops (ui/compute/torch_extras.py, a function named like ``id``)."""
    torch_class_tensors: tuple[str, ...]
    """Tensor arguments the torch class takes in its constructor rather than in ``forward`` (``weight``
    of ``CrossEntropyLoss``).  Tensors that are neither here nor in the class's ``forward`` exist only in
    the functional form (``weight`` of ``l1_loss``)."""
    worked: Worked
    """The worked-arithmetic builder; see :class:`Worked`."""
    notes_order: int | None
    """Position in the notes' 2×2 comparison (L1, SmoothL1, MSE, BCE, CrossEntropy, NLL), which the
    comparison table lists first and in this order; None for the others."""
    function: Callable = field(repr=False, compare=False)
    """The public numpy function (``losses.functional.<id>``)."""

    @property
    def differentiable(self) -> tuple:
        return tuple(a.name for a in self.arguments if a.differentiable)

    @property
    def has_kinks(self) -> bool:
        """The derivative jumps somewhere (see ``kinks``)."""
        return bool(self.kinks)

    @property
    def is_smooth(self) -> bool:
        """Neither the derivative nor its slope jumps anywhere."""
        return not self.kinks and not self.curvature_breaks

    @property
    def in_torch(self) -> bool:
        """torch has the loss itself (else the app and the tests use a torch-ops re-implementation)."""
        return self.torch_function is not None

    @property
    def torch_module(self) -> str | None:
        """The module of ``torch_function`` (``'torch.nn.functional'``): what code export imports."""
        return self.torch_function.rpartition(".")[0] if self.torch_function else None

    @property
    def torch_name(self) -> str | None:
        """The function's name inside ``torch_module`` (``'l1_loss'``)."""
        return self.torch_function.rpartition(".")[2] if self.torch_function else None

    @property
    def torch_class_path(self) -> str | None:
        """``'torch.nn.L1Loss'``, or None."""
        return f"torch.nn.{self.torch_class}" if self.torch_class else None

    def argument(self, name: str) -> Argument:
        return next(a for a in self.arguments if a.name == name)

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters}


def reduction_parameter(*extra: str) -> Parameter:
    return Parameter("reduction", "choice", "mean", choices=("none", "mean", "sum") + extra)
