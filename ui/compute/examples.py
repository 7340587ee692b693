"""The notes' worked examples as cards, and every number the /examples page shows about them.

A card records what one of the four notes (``losses.spec.DOCUMENTS``) ran, the
value the note printed (quoted verbatim, as data: it is what the note says,
not a result of ours), and the call that reproduces it.  Everything else is
computed here when the page runs: our backend's value, today's torch value (torch
imported lazily through :mod:`ui.compute.runner`; absent torch is reported, not an
error), the verdict that compares the note with today, and each card's own
explanation (the old BCE arithmetic, the probability reading of CrossEntropy,
a correct NLL call, a 4-D NLL, sigmoid-then-BCE against BCEWithLogits, the
reductions, TensorFlow's two cross-entropies).

No streamlit here: the page wraps these functions in ``st.cache_data``, so the
results are plain picklable data (a refusal is a :class:`Refusal`, not the
exception, whose constructor pickle cannot replay).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

import losses
from losses import LossInputError
from ui.compute.runner import run_backend, run_torch, torch_module, torch_version

SAMPLE = [[1.0, 1.0], [1.0, 1.0]]      # the notes' `sample = torch.ones(2, 2)`
TARGET = [[0.0, 1.0], [2.0, 3.0]]      # the notes' `target`
PAIR = {"input": SAMPLE, "target": TARGET}

# Old torch (the THNN BCECriterion the notes ran) computed log(x + 1e-12); torch 2.13 clamps each
# log at -100 instead and checks that input and target lie in [0, 1].
OLD_BCE_EPS = 1e-12
SIGMOID_SEED = 3     # numpy seed of the sigmoid-then-BCE card: mixed 0/1 targets, one confident logit each way
PIXEL_SEED = 0       # numpy seed of the NLLLoss2d card's scores
SATURATION_LOGITS = (20.0, 40.0, 100.0)  # logits where sigmoid rounds to 1 in float32, then float64


# --- the registry of cards -------------------------------------------------------------------

@dataclass(frozen=True)
class Quote:
    """What a note shows for its example: the value it printed, verbatim, or that it reported an error.

    ``printed`` is None when the note printed no number (random inputs, a description, a pattern).
    """

    document: str
    printed: str | None = None
    error: bool = False


@dataclass(frozen=True)
class Call:
    """One loss call with its exact tensors (nested lists); ``ints`` names the integer tensors."""

    loss: str
    tensors: dict
    params: dict = field(default_factory=dict)
    ints: tuple = ()

    def arrays(self) -> dict:
        return {k: np.asarray(v, dtype=np.int64 if k in self.ints else np.float64) for k, v in self.tensors.items()}


@dataclass(frozen=True)
class Card:
    """A worked example of the notes.

    ``call`` is the notes' call that the verdict is about; ``links`` are the playground links,
    each a catalog key naming it and the call it opens.
    """

    id: str
    section: str
    call: Call
    quotes: tuple
    links: tuple


def _bce_pair_call() -> Call:
    return Call("binary_cross_entropy", PAIR)


def bce_clamp_call() -> Call:
    """The notes' sample against 0/1 targets: allowed, and log(1 - 1) meets the -100 clamp."""
    return Call("binary_cross_entropy", {"input": SAMPLE, "target": [[0.0, 1.0], [1.0, 0.0]]})


def bce_valid_call() -> Call:
    """BCE as meant: predicted probabilities in (0, 1), targets 0 or 1."""
    return Call("binary_cross_entropy", {"input": [[0.9, 0.2], [0.6, 0.3]], "target": [[1.0, 0.0], [1.0, 0.0]]})


def ce_index_call() -> Call:
    """CrossEntropy as the notes meant it: logits (N, C) and one class index per row."""
    return Call("cross_entropy", {"input": SAMPLE, "target": [0, 1]}, ints=("target",))


NLL_LOGITS = [[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]]
NLL_CLASSES = [0, 1]


def nll_log_probabilities() -> np.ndarray:
    """log_softmax of the NLL card's logits, from the backend."""
    return np.asarray(losses.functional.log_softmax(np.asarray(NLL_LOGITS), dim=1))


def nll_correct_call() -> Call:
    return Call("nll_loss", {"input": nll_log_probabilities().tolist(), "target": NLL_CLASSES}, ints=("target",))


def nll2d_tensors() -> tuple[np.ndarray, np.ndarray]:
    """A (1, 3, 4, 6) batch of per-pixel log-probabilities and its (1, 4, 6) class map, seeded.

    The scores favour each pixel's true class, except in a few pixels where the model is wrong,
    so the per-pixel heatmap has something to show.
    """
    rng = np.random.default_rng(PIXEL_SEED)
    classes = np.zeros((1, 4, 6), dtype=np.int64)
    classes[0, 1:3, 1:4] = 1
    classes[0, :, 5] = 2
    scores = np.round(rng.normal(scale=0.7, size=(1, 3, 4, 6)), 2)
    scores += 2.0 * (np.arange(3)[None, :, None, None] == classes[:, None])
    scores[0, 1, 0, 2] += 3.0   # two confidently wrong pixels: background scored as the square's class,
    scores[0, 2, 3, 1] += 2.5   # and as the right-hand stripe's
    log_probs = np.round(np.asarray(losses.functional.log_softmax(scores, dim=1)), 4)
    return log_probs, classes


def nll2d_call() -> Call:
    log_probs, classes = nll2d_tensors()
    return Call("nll_loss", {"input": log_probs.tolist(), "target": classes.tolist()}, ints=("target",))


def sigmoid_card_tensors() -> tuple[np.ndarray, np.ndarray]:
    """Random 3×2 logits (rounded to 2 decimals) and 0/1 targets from numpy's seed SIGMOID_SEED."""
    rng = np.random.default_rng(SIGMOID_SEED)
    logits = np.round(rng.normal(size=(3, 2)), 2)
    target = rng.integers(0, 2, size=(3, 2)).astype(np.float64)
    return logits, target


def sigmoid_card_call() -> Call:
    logits, target = sigmoid_card_tensors()
    return Call("binary_cross_entropy_with_logits", {"input": logits.tolist(), "target": target.tolist()})


def saturation_calls() -> tuple[Call, Call]:
    """Logits far on the wrong side of target 0: with logits, and BCE on sigmoid rounded to 1."""
    logits = [list(SATURATION_LOGITS)]
    zeros = [[0.0] * len(SATURATION_LOGITS)]
    return (Call("binary_cross_entropy_with_logits", {"input": logits, "target": zeros}),
            Call("binary_cross_entropy", {"input": [[1.0] * len(SATURATION_LOGITS)], "target": zeros}))


TF_LOGITS = [[2.0, -1.0, 0.5, -2.0], [0.3, 1.2, -0.4, 0.8]]
TF_MULTILABEL = [[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]]
TF_CLASSES = [0, 1]


def tf_onehot() -> np.ndarray:
    return np.eye(len(TF_LOGITS[0]))[TF_CLASSES]


def tf_calls() -> dict:
    return {
        "multilabel": Call("binary_cross_entropy_with_logits", {"input": TF_LOGITS, "target": TF_MULTILABEL}),
        "multiclass": Call("cross_entropy", {"input": TF_LOGITS, "target": tf_onehot().tolist()}),
        "multiclass_index": Call("cross_entropy", {"input": TF_LOGITS, "target": TF_CLASSES}, ints=("target",)),
        "onehot_sigmoid": Call("binary_cross_entropy_with_logits",
                               {"input": TF_LOGITS, "target": tf_onehot().tolist()}),
    }


def reduction_call(loss: str, reduction: str) -> Call:
    return Call(loss, PAIR, {"reduction": reduction})


def _pair_card(card_id: str, loss: str, printed: str) -> Card:
    call = Call(loss, PAIR)
    return Card(card_id, "pair", call, (Quote("zh-examples", printed), Quote("en-summary", printed)),
                (("examples.link_pair", call),))


CARDS = (
    _pair_card("l1", "l1_loss", "1"),
    _pair_card("smooth_l1", "smooth_l1_loss", "0.625"),
    _pair_card("mse", "mse_loss", "1.5"),
    Card("bce", "pair", _bce_pair_call(),
         (Quote("zh-examples", "-13.8155"), Quote("en-summary", "-13.8155")),
         (("examples.link_pair", _bce_pair_call()), ("examples.bce.link_clamp", bce_clamp_call()),
          ("examples.bce.link_valid", bce_valid_call()))),
    Card("cross_entropy", "pair", Call("cross_entropy", PAIR),
         (Quote("en-summary", error=True),),
         (("examples.link_pair", Call("cross_entropy", PAIR)),
          ("examples.cross_entropy.link_table", Call("l1_loss", PAIR)),
          ("examples.cross_entropy.link_index", ce_index_call()))),
    Card("nll", "pair", Call("nll_loss", PAIR),
         (Quote("en-summary", error=True),),
         (("examples.link_pair", Call("nll_loss", PAIR)), ("examples.nll.link_correct", nll_correct_call()))),
    Card("nll2d", "pair", Call("nll_loss", PAIR),
         (Quote("en-summary", error=True), Quote("zh-examples"), Quote("zh-reference")),
         (("examples.nll2d.link_4d", nll2d_call()),)),
    Card("criterion", "beyond", reduction_call("l1_loss", "mean"),
         (Quote("zh-reference"),),
         tuple((f"examples.criterion.link_{r}", reduction_call("l1_loss", r)) for r in ("none", "mean", "sum"))),
    Card("sigmoid_bce", "beyond", sigmoid_card_call(),
         (Quote("zh-concepts"), Quote("zh-reference")),
         (("examples.sigmoid_bce.link_logits", sigmoid_card_call()),
          ("examples.sigmoid_bce.link_sat_logits", saturation_calls()[0]),
          ("examples.sigmoid_bce.link_sat_bce", saturation_calls()[1]))),
    Card("tensorflow", "beyond", tf_calls()["multilabel"],
         (Quote("zh-concepts"),),
         (("examples.tensorflow.link_multilabel", tf_calls()["multilabel"]),
          ("examples.tensorflow.link_multiclass", tf_calls()["multiclass_index"]))),
)

SECTIONS = ("pair", "beyond")
NOTES = ("zh-examples", "en-summary", "zh-reference", "zh-concepts")


def card(card_id: str) -> Card:
    return next(c for c in CARDS if c.id == card_id)


def cards_for(note: str | None) -> list[Card]:
    """The cards, or those quoting one note."""
    return [c for c in CARDS if note is None or any(q.document == note for q in c.quotes)]


# --- running a call on both sides -------------------------------------------------------------

@dataclass(frozen=True)
class Refusal:
    """A backend refusal in picklable form; :meth:`exception` rebuilds it for ui.text.errors.describe."""

    code: str
    argument: str
    found: object
    allowed: object
    message: str

    @classmethod
    def of(cls, exc: LossInputError) -> Refusal:
        return cls(exc.code, exc.argument, exc.found, exc.allowed, str(exc))

    def exception(self) -> LossInputError:
        return LossInputError(self.code, self.argument, self.found, self.allowed, self.message)


@dataclass(frozen=True)
class Result:
    """One call's value on our backend and on torch.

    ``torch_available`` is False without torch; ``torch_error`` is torch's own message.
    """

    value: np.ndarray | None
    refusal: Refusal | None
    torch_value: np.ndarray | None
    torch_error: str | None
    torch_available: bool

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def torch_ok(self) -> bool:
        return self.torch_available and self.torch_error is None


def run(call: Call) -> Result:
    arrays = call.arrays()
    ours = run_backend(call.loss, arrays, call.params)
    theirs = run_torch(call.loss, arrays, call.params)
    return Result(
        value=ours.value if ours.ok else None,
        refusal=None if ours.ok else Refusal.of(ours.error),
        torch_value=None if theirs.value is None else np.asarray(theirs.value),
        torch_error=theirs.error,
        torch_available=theirs.available,
    )


# --- the verdict ------------------------------------------------------------------------------

VERDICTS = ("same", "different", "error_then_works_now", "works_then_error_now", "error_then_and_now",
            "no_number_runs", "no_number_fails")


@dataclass(frozen=True)
class Verdict:
    """How the note's outcome compares with today's.

    ``basis`` is 'torch' when today's torch judged, 'backend' when torch is missing (our backend
    mirrors torch 2.13).  ``now`` is today's scalar value, when there is one.
    """

    kind: str
    basis: str
    now: float | None = None


def printed_tolerance(printed: str) -> float:
    """Half a unit of the last digit torch prints: tensor(...) shows 4 decimals, ``1`` stands for 1.0000."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** -max(decimals, 4) + 1e-12


def verdict(card_: Card, result: Result) -> Verdict:
    printed = [q.printed for q in card_.quotes if q.printed is not None]
    then_error = any(q.error for q in card_.quotes)
    if result.torch_available:
        basis, now_ok, now_value = "torch", result.torch_error is None, result.torch_value
    else:
        basis, now_ok, now_value = "backend", result.ok, result.value
    now = float(now_value) if now_ok and now_value is not None and np.ndim(now_value) == 0 else None
    if printed:
        if not now_ok:
            return Verdict("works_then_error_now", basis)
        same = now is not None and all(abs(now - float(p)) <= printed_tolerance(p) for p in printed)
        return Verdict("same" if same else "different", basis, now)
    if then_error:
        return Verdict("error_then_works_now" if now_ok else "error_then_and_now", basis, now)
    return Verdict("no_number_runs" if now_ok else "no_number_fails", basis, now)


# --- BCE: where -13.8155 came from -------------------------------------------------------------

@dataclass(frozen=True)
class OldBce:
    """The notes' BCE recomputed the old way: l = -[t log(x + eps) + (1 - t) log(1 - x + eps)]."""

    input: np.ndarray
    target: np.ndarray
    log_floor: float          # log(eps): what log(1 - 1) became
    terms: np.ndarray         # per-element terms, equal to (1 - t) * (-log eps) here
    mean: float
    now_clamp_terms: np.ndarray  # the same formula with torch 2.13's -100 clamp instead, range check aside
    now_clamp_mean: float


def old_bce() -> OldBce:
    x, t = np.asarray(SAMPLE), np.asarray(TARGET)
    terms = -(t * np.log(x + OLD_BCE_EPS) + (1.0 - t) * np.log(1.0 - x + OLD_BCE_EPS))
    with np.errstate(divide="ignore"):
        clamped = -(t * np.maximum(np.log(x), -100.0) + (1.0 - t) * np.maximum(np.log(1.0 - x), -100.0))
    return OldBce(x, t, float(np.log(OLD_BCE_EPS)), terms, float(terms.mean()), clamped, float(clamped.mean()))


# --- CrossEntropy: probabilities that are not -------------------------------------------------

@dataclass(frozen=True)
class ProbabilityReading:
    log_softmax: np.ndarray   # each row of the input, log-softmaxed (backend)
    mass: np.ndarray          # each row's target sum: what a probability row would have as 1
    rows: np.ndarray          # -sum_c t_c log_softmax_c, per row
    mean: float               # the mean over rows: cross_entropy's 'mean' with probability targets


def probability_reading() -> ProbabilityReading:
    x, t = np.asarray(SAMPLE), np.asarray(TARGET)
    logp = np.asarray(losses.functional.log_softmax(x, dim=1))
    rows = -(t * logp).sum(axis=1)
    return ProbabilityReading(logp, t.sum(axis=1), rows, float(rows.mean()))


# --- NLLLoss2d: the deprecated class --------------------------------------------------------------

def nll2d_deprecation() -> tuple[bool, str | None]:
    """Whether this torch still has nn.NLLLoss2d, and the warning it gives when one is made."""
    torch = torch_module()
    if torch is None or not hasattr(torch.nn, "NLLLoss2d"):
        return False, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.NLLLoss2d()
    messages = [str(w.message).split(" Please")[0] for w in caught]
    return True, messages[0] if messages else None


@dataclass(frozen=True)
class PixelLoss:
    log_probs: np.ndarray
    classes: np.ndarray
    per_pixel: np.ndarray      # (N, H, W), backend, reduction='none'
    value: float               # backend, reduction='mean'
    torch_value: float | None
    torch_per_pixel: np.ndarray | None


def pixel_loss() -> PixelLoss:
    log_probs, classes = nll2d_tensors()
    per_pixel = np.asarray(losses.functional.nll_loss(log_probs, classes, reduction="none"))
    value = float(losses.functional.nll_loss(log_probs, classes))
    mean = run_torch("nll_loss", {"input": log_probs, "target": classes}, {})
    none = run_torch("nll_loss", {"input": log_probs, "target": classes}, {"reduction": "none"})
    return PixelLoss(log_probs, classes, per_pixel, value,
                     None if mean.value is None else float(mean.value),
                     None if none.value is None else np.asarray(none.value))


# --- sigmoid then BCE, against BCEWithLogits ---------------------------------------------------

@dataclass(frozen=True)
class TwoRoutes:
    """Value and gradient w.r.t. the logits by both routes, on the backend and on torch (or None)."""

    logits: np.ndarray
    target: np.ndarray
    composed_value: float
    composed_grad: np.ndarray
    fused_value: float
    fused_grad: np.ndarray
    torch_composed_value: float | None = None
    torch_composed_grad: np.ndarray | None = None
    torch_fused_value: float | None = None
    torch_fused_grad: np.ndarray | None = None

    @property
    def largest_gap(self) -> float:
        """The largest difference between the routes and between backend and torch, values and gradients."""
        gaps = [abs(self.composed_value - self.fused_value),
                float(np.max(np.abs(self.composed_grad - self.fused_grad)))]
        if self.torch_composed_value is not None:
            gaps += [abs(self.composed_value - self.torch_composed_value),
                     abs(self.fused_value - self.torch_fused_value),
                     float(np.max(np.abs(self.composed_grad - self.torch_composed_grad))),
                     float(np.max(np.abs(self.fused_grad - self.torch_fused_grad)))]
        return max(gaps)


def composed_backend(logits: np.ndarray, target: np.ndarray, probabilities=None) -> tuple[float, np.ndarray]:
    """BCE(sigmoid(x), t) and its gradient w.r.t. x on the backend, chained by hand.

    ``probabilities`` replaces sigmoid(x) (to feed the float32-rounded sigmoid); the chain
    rule then uses p (1 - p) from those same probabilities, as torch's sigmoid backward does.
    """
    p = np.asarray(losses.functional.sigmoid(logits)) if probabilities is None else np.asarray(probabilities)
    value, grads = losses.value_and_grad("binary_cross_entropy", p, target)
    return float(value), grads["input"] * p * (1.0 - p)


def torch_routes(logits: np.ndarray, target: np.ndarray, dtype: str = "float64"):
    """(composed value, composed grad, fused value, fused grad) from torch's autograd, or None."""
    torch = torch_module()
    if torch is None:
        return None
    F = torch.nn.functional
    kind = getattr(torch, dtype)
    out = []
    for fused in (False, True):
        x = torch.tensor(logits, dtype=kind, requires_grad=True)
        t = torch.tensor(target, dtype=kind)
        loss = F.binary_cross_entropy_with_logits(x, t) if fused else F.binary_cross_entropy(torch.sigmoid(x), t)
        (grad,) = torch.autograd.grad(loss, x)
        out += [float(loss.detach()), grad.double().numpy()]
    return tuple(out)


def two_routes() -> TwoRoutes:
    logits, target = sigmoid_card_tensors()
    composed_value, composed_grad = composed_backend(logits, target)
    fused_value, fused_grads = losses.value_and_grad("binary_cross_entropy_with_logits", logits, target)
    extra = {}
    routes = torch_routes(logits, target)
    if routes is not None:
        extra = dict(zip(("torch_composed_value", "torch_composed_grad", "torch_fused_value", "torch_fused_grad"),
                         routes))
    return TwoRoutes(logits, target, composed_value, composed_grad, float(fused_value), fused_grads["input"],
                     **extra)


@dataclass(frozen=True)
class SaturationRow:
    """One logit far on the wrong side of target 0, in one float type."""

    dtype: str
    logit: float
    sigmoid: float             # sigmoid(x) rounded to dtype (numpy)
    one_minus: float           # 1 - that rounded sigmoid
    composed_value: float      # BCE(sigmoid(x), 0), backend on the rounded sigmoid
    composed_grad: float       # its d/dx by the chain rule
    fused_value: float         # BCEWithLogits(x, 0), backend
    fused_grad: float
    torch_composed_value: float | None = None
    torch_composed_grad: float | None = None
    torch_fused_value: float | None = None
    torch_fused_grad: float | None = None


def saturation() -> list[SaturationRow]:
    rows = []
    for dtype in ("float32", "float64"):
        kind = np.dtype(dtype).type
        for logit in SATURATION_LOGITS:
            x = np.array([logit], dtype=kind)
            p = (kind(1) / (kind(1) + np.exp(-x))).astype(kind)   # sigmoid, rounded as this float type rounds
            t = np.zeros(1)
            value, grad = composed_backend(x.astype(np.float64), t, probabilities=p.astype(np.float64))
            fused_value, fused_grads = losses.value_and_grad("binary_cross_entropy_with_logits", x.astype(np.float64),
                                                             t)
            extra = {}
            routes = torch_routes(x.astype(np.float64), t, dtype)
            if routes is not None:
                extra = dict(torch_composed_value=routes[0], torch_composed_grad=float(routes[1][0]),
                             torch_fused_value=routes[2], torch_fused_grad=float(routes[3][0]))
            rows.append(SaturationRow(dtype, logit, float(p[0]), float(kind(1) - p[0]), value, float(grad[0]),
                                      float(fused_value), float(fused_grads["input"][0]), **extra))
    return rows


# --- criterion(x, y) and the three reductions --------------------------------------------------

def reductions(loss: str = "l1_loss") -> dict:
    """reduction -> Result of ``loss`` on the notes' pair."""
    return {r: run(reduction_call(loss, r)) for r in ("none", "mean", "sum")}


# --- TensorFlow's two cross-entropies -----------------------------------------------------------

@dataclass(frozen=True)
class TwoReadings:
    logits: np.ndarray
    multilabel: np.ndarray
    onehot: np.ndarray
    sigmoid: np.ndarray         # per-class probabilities, independent (multi-label reading)
    softmax: np.ndarray         # per-class probabilities, summing to 1 per row (multi-class reading)
    results: dict               # name of tf_calls() -> Result


def two_readings() -> TwoReadings:
    x = np.asarray(TF_LOGITS)
    return TwoReadings(x, np.asarray(TF_MULTILABEL), tf_onehot(),
                       np.asarray(losses.functional.sigmoid(x)), np.asarray(losses.functional.softmax(x, dim=1)),
                       {name: run(call) for name, call in tf_calls().items()})


# --- code shown on the cards: today's PyTorch, our own -------------------------------------------

_PAIR_CODE = """import torch
from torch import nn

sample = torch.ones(2, 2)
target = torch.tensor([[0., 1.], [2., 3.]])
loss = nn.{cls}()(sample, target)"""

CODE = {
    "l1": _PAIR_CODE.format(cls="L1Loss"),
    "smooth_l1": _PAIR_CODE.format(cls="SmoothL1Loss"),
    "mse": _PAIR_CODE.format(cls="MSELoss"),
    "bce": _PAIR_CODE.format(cls="BCELoss"),
    "bce_valid": """import torch
from torch import nn

probabilities = torch.tensor([[0.9, 0.2], [0.6, 0.3]])
labels = torch.tensor([[1., 0.], [1., 0.]])
loss = nn.BCELoss()(probabilities, labels)""",
    "cross_entropy": _PAIR_CODE.format(cls="CrossEntropyLoss"),
    "ce_index": """logits = torch.ones(2, 2)
classes = torch.tensor([0, 1])
loss = nn.CrossEntropyLoss()(logits, classes)""",
    "nll": _PAIR_CODE.format(cls="NLLLoss"),
    "nll_correct": """import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]])
log_probs = F.log_softmax(logits, dim=1)
classes = torch.tensor([0, 1])
loss = F.nll_loss(log_probs, classes)
same = F.cross_entropy(logits, classes)""",
    "nll2d": _PAIR_CODE.format(cls="NLLLoss2d"),
    "nll2d_working": """import torch
from torch import nn

scores = torch.randn(1, 3, 4, 6)
log_probs = scores.log_softmax(dim=1)
classes = torch.randint(0, 3, (1, 4, 6))
per_pixel = nn.NLLLoss(reduction="none")(log_probs, classes)
loss = nn.NLLLoss()(log_probs, classes)""",
    "criterion": """import torch
from torch import nn

sample = torch.ones(2, 2)
target = torch.tensor([[0., 1.], [2., 3.]])
for reduction in ("none", "mean", "sum"):
    criterion = nn.L1Loss(reduction=reduction)
    loss = criterion(sample, target)""",
    "sigmoid_bce": f"""import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng({SIGMOID_SEED})
logits = torch.tensor(rng.normal(size=(3, 2)).round(2), requires_grad=True)
target = torch.tensor(rng.integers(0, 2, size=(3, 2)), dtype=torch.float64)

loss = F.binary_cross_entropy(torch.sigmoid(logits), target)
loss.backward()

fused = F.binary_cross_entropy_with_logits(logits, target)""",
    "tensorflow": """import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, -1.0, 0.5, -2.0], [0.3, 1.2, -0.4, 0.8]])

labels = torch.tensor([[1., 0., 1., 0.], [0., 1., 0., 1.]])
multi_label = F.binary_cross_entropy_with_logits(logits, labels)

classes = torch.tensor([0, 1])
multi_class = F.cross_entropy(logits, classes)""",
}


def about_torch() -> str | None:
    """The installed torch's version, or None."""
    return torch_version()
