"""Messages for the learner, in their language, from the backend's and the editors' errors."""

from __future__ import annotations

from losses import LossInputError
from ui.i18n import catalog, translate


def _phrase(lang: str, value) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(_phrase(lang, v) for v in value)
    text = str(value)
    return catalog(lang).get(f"phrase.{text}", text)


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
    return translate(lang, key, argument=f"`{exc.argument}`", found=found, allowed=_phrase(lang, allowed))
