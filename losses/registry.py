"""One registry of every loss and activation: pages, content, code export and tests iterate over it."""

from __future__ import annotations

from . import activations, binary, classification, distribution, ranking, regression, segmentation, sequence
from .spec import FAMILIES, LossSpec
from .validation import LossInputError

SPECS: tuple[LossSpec, ...] = (
    *regression.SPECS,
    *classification.SPECS,
    *binary.SPECS,
    *ranking.SPECS,
    *sequence.SPECS,
    *segmentation.SPECS,
    *distribution.SPECS,
    *activations.SPECS,
)
REGISTRY: dict[str, LossSpec] = {spec.id: spec for spec in SPECS}
# What the pages open with: the notes' first loss, the one their 2×2 example starts from.
DEFAULT_SPEC: LossSpec = min((spec for spec in SPECS if spec.notes_order is not None), key=lambda s: s.notes_order)


def get_spec(name: str) -> LossSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise LossInputError("choice", "loss", repr(name), tuple(REGISTRY),
                             f"unknown loss {name!r}; known: " + ", ".join(REGISTRY)) from None


def by_family() -> dict[str, list[LossSpec]]:
    groups: dict[str, list[LossSpec]] = {family: [] for family in FAMILIES}
    for spec in SPECS:
        groups[spec.family].append(spec)
    return groups
