"""/landscape: the loss over two elements as a 3D surface and as contours with -∇L, and a gradient-descent path."""

import streamlit as st

from ui.state import viewstate
from ui.state.codeview import reproduce
from ui.state.landscape_view import DEFAULTS, PREFIX, VIEW_KEYS, explore, read_view
from ui.state.page import query, require_shell, show_link_problems, t

require_shell()

spec, params, tensors, input_errors, view_is_new = viewstate.open_page(PREFIX, "landscape", VIEW_KEYS)

view = viewstate.view_state(PREFIX, DEFAULTS)
if view_is_new or viewstate.from_link():
    found, link_errors = read_view(query(), spec, tensors)
    view.update(found)
    viewstate.bump(view)
    show_link_problems(link_errors)
view["loss"] = spec.id

explore(spec, tensors, params, not input_errors)

st.divider()
viewstate.page_links(PREFIX, [("pages/curves.py", t("landscape.open_curves"))])
reproduce(spec, tensors, params, key="ls_code")
