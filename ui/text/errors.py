"""Messages for the learner, in their language, from the backend's and the editors' errors.

A refusal's ``found`` and ``allowed`` are English phrases from the code that raised it.  Each is looked up in
the catalog's ``[phrase]`` table (exact text), then in its ``[phrase_pattern]`` table, whose keys hold
placeholders ``{0}``, ``{1}``, ... standing for one piece of code: a shape or interval in brackets, a quoted
literal, a number or a name (``broadcastable to {0}`` matches ``broadcastable to (2, 2)``).  The first pattern
that matches the whole phrase wins, so specific patterns come before general ones; the translation puts the
captured pieces back unchanged.  A phrase that matches nothing is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from losses import LossInputError
from ui.text.i18n import catalog, translate

# One piece of code: (2, 2) or [0, 4], 'mean', or a run such as 3, -1, 1e-05, input1 or T.
_CODE = r"(\([^()]*\)|\[[^\[\]]*\]|'[^']*'|[-+.*\w]+)"
_PLACEHOLDER = re.compile(r"\{(\d+)\}")
# Templates put a space around each placeholder, as Chinese text wants around Latin words; where a translated
# phrase fills it, the space ends up between two Chinese characters and is dropped (not inside quotes or code).
_HAN = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width forms
_HAN_GAP = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")
_VERBATIM = re.compile(r"(`[^`]*`|'[^']*')")


@cache
def _patterns(lang: str) -> tuple:
    """``(regex, template)`` for each ``phrase_pattern`` entry, in catalog order."""
    prefix = "phrase_pattern."
    compiled = []
    for key, template in catalog(lang).items():
        if key.startswith(prefix):
            parts = _PLACEHOLDER.split(key[len(prefix):])  # literal, index, literal, index, ..., literal
            regex = "".join(_CODE if i % 2 else re.escape(part) for i, part in enumerate(parts))
            compiled.append((re.compile(regex, re.ASCII), template))
    return tuple(compiled)


def _phrase(lang: str, value) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(_phrase(lang, v) for v in value)
    text = str(value)
    exact = catalog(lang).get(f"phrase.{text}")
    if exact is not None:
        return exact
    for regex, template in _patterns(lang):
        match = regex.fullmatch(text)
        if match:
            return template.format(*match.groups())
    return text


def _tidy(text: str) -> str:
    parts = _VERBATIM.split(text)  # text, verbatim, text, ...
    return "".join(part if i % 2 else _HAN_GAP.sub("", part) for i, part in enumerate(parts))


def _where(lang: str, exc: LossInputError) -> str:
    location = getattr(exc, "location", None)
    if not location:
        return ""
    if getattr(exc, "cell", False):
        if len(location) == 1:
            return translate(lang, "where.cell_1d", col=location[0])
        row, col = location
        return translate(lang, "where.cell", row=row, col=col) if col is not None else \
            translate(lang, "where.cell_1d", col=row)
    return translate(lang, "where.path", path=list(location))


def describe(exc: Exception, lang: str) -> str:
    """One sentence naming the offending input, what was found and what is allowed."""
    if not isinstance(exc, LossInputError):
        return translate(lang, "error.internal", message=str(exc))
    if exc.code == "internal":  # a bug, not the learner's input: its text is all there is to show
        return translate(lang, "error.internal", message=str(exc))
    found = _phrase(lang, exc.found)
    if exc.code == "empty":
        found = translate(lang, "where.empty_cell" if getattr(exc, "cell", False) else "where.empty_tensor")
    found += _where(lang, exc)
    key = f"error.{exc.code}"
    if exc.argument == "loss" and exc.code == "choice":
        key = "error.unknown_loss"
    if key not in catalog(lang):
        return translate(lang, "error.detail", message=str(exc))
    allowed = exc.allowed
    if exc.code == "choice" and isinstance(allowed, (tuple, list)) and len(allowed) > 12:
        allowed = list(allowed[:12]) + ["…"]
    return _tidy(translate(lang, key, argument=f"`{exc.argument}`", found=found, allowed=_phrase(lang, allowed)))
