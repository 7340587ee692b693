"""No loss id is spelled out in ui/ or pages/: what a page does for a loss comes from its spec.

A string literal equal to a registry id (``"l1_loss"``) is a second, unwritten registry: a new loss would
quietly miss the branch. Only the examples' cards (ui/compute/examples.py and its pieces), which retell the
notes' own examples loss by loss, may name losses. Read with ``tokenize``, so ids inside comments and
docstrings (prose) do not count, and f-strings are checked piece by piece.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

import losses

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"ui/compute/examples.py", "ui/compute/example_cards.py"}
# Words that are an id and something else too: LaTeX's \tanh command (its width in the layout estimate), and
# the id of the examples' CrossEntropy card (a card is named after the loss it retells) where its renderer is chosen.
# The output heads of train.models (identity, sigmoid, softmax, log_softmax) share their names with activations.
ALSO_NOT_IDS = {("ui/worked/latex_layout.py", "tanh"), ("ui/state/examples_page.py", "cross_entropy"),
                ("ui/compute/train_torch.py", "sigmoid"), ("ui/compute/train_torch.py", "softmax"),
                ("ui/compute/train_torch.py", "log_softmax")}
IDS = frozenset(losses.REGISTRY)
FILES = sorted(p for d in ("ui", "pages") for p in (ROOT / d).rglob("*.py")
               if p.relative_to(ROOT).as_posix() not in ALLOWED)


def string_pieces(source: str):
    """(line, text) of every string literal that is not a docstring, f-string parts included."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    previous = tokenize.NEWLINE
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == tokenize.STRING and i >= 2 and tokens[i - 2].string == "builds" and tokens[i - 1].string == "(":
            pass  # a worked-arithmetic kind (spec.worked.kind), named by its formula; some read like an id
        elif kind == tokenize.STRING and previous not in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT,
                                                        tokenize.DEDENT, tokenize.ENCODING):
            yield tok.start[0], tok.string
        elif kind == tokenize.STRING:
            # a statement that is a bare string: a docstring or prose, not a value
            pass
        elif kind == getattr(tokenize, "FSTRING_MIDDLE", None):
            yield tok.start[0], tok.string
        if kind not in (tokenize.COMMENT,):
            previous = kind


def literal_ids(text: str) -> set[str]:
    stripped = text.lstrip("rbuRBUfF")
    body = stripped.strip("'\"")
    found = {body} & IDS
    # ids joined in one literal ("l1_loss,mse_loss") or a query fragment
    for part in body.replace(",", " ").replace("=", " ").replace("&", " ").split():
        found |= {part} & IDS
    return found


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_no_loss_id_literal(path):
    name = path.relative_to(ROOT).as_posix()
    found = [(line, ids) for line, text in string_pieces(path.read_text())
             if (ids := sorted(i for i in literal_ids(text) if (name, i) not in ALSO_NOT_IDS))]
    assert not found, f"{path.relative_to(ROOT)} names losses by id: {found}"


def test_the_check_sees_a_literal():
    source = 'x = 1\nif spec.id == "l1_loss":\n    pass\n'
    assert [ids for _, text in string_pieces(source) if (ids := literal_ids(text))] == [{"l1_loss"}]
    assert not [t for _, t in string_pieces('"""Mentions l1_loss in prose."""\n') if literal_ids(t)]
