"""The ranking family: margins between scores, and distances between embeddings.

These losses compare predictions with each other rather than with a target value.  They live by what they
hold: :mod:`losses.pairwise` (a margin on one score or a pair of scores against a sign),
:mod:`losses.multiclass_hinge` (every true class against every other class) and :mod:`losses.embedding`
(distances and angles between whole vectors).  This module gathers them into the family the pages list.
"""

from __future__ import annotations

from . import embedding, multiclass_hinge, pairwise
from .embedding import cosine_embedding_loss, triplet_margin_loss
from .multiclass_hinge import multi_margin_loss, multilabel_margin_loss
from .pairwise import hinge_embedding_loss, margin_ranking_loss, soft_margin_loss

# The order the pages list them in.
__all__ = [
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "multilabel_margin_loss",
    "soft_margin_loss",
    "cosine_embedding_loss",
    "multi_margin_loss",
    "triplet_margin_loss",
]

_BY_ID = {spec.id: spec for spec in pairwise.SPECS + multiclass_hinge.SPECS + embedding.SPECS}
SPECS = tuple(_BY_ID[name] for name in __all__)
