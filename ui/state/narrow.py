"""The phone layout: what changes on a screen narrower than 640 px, where Streamlit stacks columns.

On a phone the playground's result lands far below the tensor editors, so an edit and its effect are never on
screen together.  Three things fix that, all drawn on every width and shown only on narrow screens (CSS keyed
on the ``st-key-narrow_`` class Streamlit gives a keyed container), so wide pages look as they did:

* a result strip: one line with the value and the torch check, placed right under the cells being edited and
  kept on screen (``position: sticky``) while the learner scrolls through the rest of the form;
* the language switch at the top of the page (``ui.state.page.language_selector`` draws it), since the sidebar
  is folded away on a phone;
* tables that scroll sideways in their own box instead of squeezing their rows into tall columns.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.compute.runner import largest_gap
from ui.state.page import t
from ui.text.numbers import difference, short

# Streamlit stacks st.columns below 640 px (its "sm" breakpoint); the phone layout starts at the same width.
PHONE_MAX = "639.98px"
PREFIX = "narrow_"

STYLE = f"""
<style>
/* wide screens: the phone-only containers and the layout wrappers Streamlit puts around them take no room
   (a hidden container alone would still leave its wrapper's gap in the column) */
@media (min-width: 640px) {{
  [class*="st-key-{PREFIX}"],
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{PREFIX}"]) {{ display: none !important; }}
}}
@media (max-width: {PHONE_MAX}) {{
  [data-testid="stTable"] {{ overflow-x: auto; }}
  [data-testid="stTable"] table {{ min-width: 34rem; }}
  [data-testid="stTable"] td, [data-testid="stTable"] th {{ min-width: 4.5rem; }}
  /* the playground's comparison: torch's refusals are long sentences, so their column gets a reading width */
  .st-key-pg_compare td:last-child, .st-key-pg_compare th:last-child {{ min-width: 20rem; }}
  .st-key-pg_compare td:first-child {{ min-width: 8rem; }}
  .st-key-pg_compare td:nth-child(2), .st-key-pg_compare th:nth-child(2) {{ display: none; }}  /* torch class */
  /* Streamlit wraps a keyed container in a layout wrapper as tall as the container: the wrapper is what
     sticks, within the column or form box that holds it */
  [data-testid="stLayoutWrapper"]:has(> [class*="st-key-{PREFIX}strip"]) {{
    position: sticky; top: 3.75rem; z-index: 10;
  }}
  [class*="st-key-{PREFIX}strip"] {{
    padding: 0.5rem 0.75rem; border-radius: 0.5rem;
    background: var(--st-secondary-background-color, #f0f2f6); box-shadow: 0 2px 6px rgba(0, 0, 0, 0.12);
  }}
  [class*="st-key-{PREFIX}strip"] [data-testid="stMarkdownContainer"],
  [class*="st-key-{PREFIX}strip"] [data-testid="stMarkdown"] {{ margin: 0 !important; }}
  [class*="st-key-{PREFIX}strip"] p {{ margin: 0; font-size: 0.95rem; }}
}}
</style>
"""


def install() -> None:
    """The phone layout's CSS, once per run (app.py)."""
    st.html(STYLE)


def result_box(name: str = "strip"):
    """An empty container for a result strip, to be filled once the page has computed (``.markdown(line)``).

    It is placed where the learner edits, so that it sticks while the form scrolls past under it; ``name``
    tells several strips of one page apart (it must start with "strip")."""
    return st.container(key=f"{PREFIX}{name}")


def value_line(title: str, ours, theirs, stale: bool = False, hidden: bool = False) -> str:
    """The strip's line for one loss call: the backend's value, torch's and whether they agree.

    ``ours``/``theirs`` are :class:`ui.compute.runner.Outcome` and ``TorchOutcome``; ``stale`` says the editors
    hold something unreadable (the value is the last valid one), ``hidden`` that guess-first hides it."""
    colon = t("punct.colon")
    if hidden:
        return t("strip.hidden")
    if not ours.ok:
        return t("strip.value", loss=title, colon=colon, value=t("strip.refused"))
    value = np.asarray(ours.value, float)
    shown = value if value.ndim == 0 else value.sum()
    parts = [t("strip.value", loss=title + (f" ({t('strip.summed')})" if value.ndim else ""), colon=colon,
               value=short(shown, 6))]
    if theirs.available and theirs.error:
        parts.append(t("strip.torch_refuses"))
    elif theirs.available:
        tv = np.asarray(theirs.value, float)
        parts.append(t("strip.torch", value=short(tv if tv.ndim == 0 else tv.sum(), 6)))
        if tv.shape != value.shape or np.allclose(value, tv, rtol=1e-9, atol=1e-12, equal_nan=True):
            parts.append(t("strip.agrees"))
        else:
            parts.append(t("strip.differs", diff=difference(largest_gap(value, tv))))
    if stale:
        parts.append(f"({t('strip.stale')})")
    return " · ".join(parts)


def run_line(label: str, loss, steps: int, gap: float | None) -> str:
    """A /train run's strip: its loss after its last step and, when torch ran the race too, the largest
    parameter gap to torch.optim."""
    if steps < 0:
        return t("strip.run_never", run=label)
    line = t("strip.run", run=label, steps=steps, colon=t("punct.colon"), loss=short(loss))
    return line if gap is None else f"{line} · {t('strip.run_torch', diff=f'{gap:.1e}' if np.isfinite(gap) else '∞')}"
