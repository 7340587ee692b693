"""The pages' cached computations.

They live in a module rather than in the page files: Streamlit executes a page file on every full rerun, and
every ``st.cache_data`` decorator it meets then hashes its function's source again.  Each is called with
keywords only (Streamlit looks up the name of every positional argument with ``inspect.signature``), and the
tensors and parameters enter the key through one ``key`` (ui.state.cachekey.fingerprint) while the objects
themselves come in as ``_``-prefixed arguments, which Streamlit does not hash.
"""

from __future__ import annotations

import streamlit as st

from ui.compute import visual
from ui.figures.landscape import field_path


@st.cache_data(show_spinner=False, max_entries=64)
def landscape_surface(*, loss_id, key, x_el, y_el, grid, span, _tensors, _params):
    """The landscape page's surface and its descent field."""
    surf = visual.surface(loss_id, _tensors, _params, x_el, y_el, grid, span)
    return surf, field_path(surf)


@st.cache_data(show_spinner=False, max_entries=128)
def landscape_iterates(*, loss_id, key, x_el, y_el, lr, horizon, span, _tensors, _params):
    """The landscape page's gradient-descent iterates, ``horizon`` steps (the page shows a prefix)."""
    return visual.iterate(loss_id, _tensors, _params, x_el, y_el, lr, horizon, span)
