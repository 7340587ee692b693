"""The notes' worked examples as cards: what one of the four notes (``losses.spec.DOCUMENTS``) ran, the value it
printed (quoted verbatim, as data: it is what the note says, not a result of ours), and the call that reproduces
it.  The only place outside ``losses/`` that names losses by id: a card retells one note's call."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import losses

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


def ce_logits_call() -> Call:
    """cross_entropy on the NLL card's logits: the same loss as nll_loss on their log-softmax."""
    return Call("cross_entropy", {"input": NLL_LOGITS, "target": NLL_CLASSES}, ints=("target",))


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
