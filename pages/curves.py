"""/curves: a loss and its derivative along one prediction element, with other losses overlaid."""

import streamlit as st

from ui.state import viewstate
from ui.state.codeview import reproduce
from ui.state.curves_view import DEFAULTS, PREFIX, VIEW_KEYS, brief, explore, read_view
from ui.state.page import query, require_shell, show_link_problems, t

require_shell()

spec, params, tensors, input_errors, view_is_new = viewstate.open_page(PREFIX, "curves", VIEW_KEYS)
st.caption(t("curves.held", tensors="; ".join(f"`{k}` = {brief(v)}" for k, v in tensors.items())))

view = viewstate.view_state(PREFIX, DEFAULTS)
if view_is_new or viewstate.from_link():
    found, link_errors = read_view(query(), spec, tensors)
    view.update(found)
    if "with" in found:
        view["for_loss"] = spec.id
    viewstate.bump(view)
    show_link_problems(link_errors)

explore(spec, tensors, params, not input_errors)

st.divider()
viewstate.page_links(PREFIX, [("pages/landscape.py", t("curves.open_landscape"))])
reproduce(spec, tensors, params, key="cv_code")
