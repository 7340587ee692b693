"""What app.py checks about a request before any page runs: the link's length and the page it names.

Both concern every page alike, so they sit in the shell rather than in each page: a link longer than
``LIMITS.query_characters`` is refused as a whole (its values are not parsed at all), and a path that names no
page gets our own page in the learner's language instead of Streamlit's English "Page not found" dialog.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.state.page import lang, show_link_problems, t
from ui.text.i18n import LANGS
from ui.text.limits import LIMITS
from ui.text.tensors import TensorInputError


def query_length() -> int:
    """Characters of the query string as the browser sent it (``key=value`` pairs, repeated keys included)."""
    return sum(len(key) + len(value) + 2 for key in st.query_params for value in st.query_params.get_all(key))


def refuse_long_link() -> None:
    """Drop a link's state (not its language) when the link is longer than the limit, and say so."""
    length = query_length()
    if length <= LIMITS.query_characters:
        return
    language = st.query_params.get("lang")
    st.query_params.clear()
    if language in LANGS:
        st.query_params["lang"] = language
    show_link_problems([TensorInputError("query_too_long", "link", length, LIMITS.query_characters,
                                         f"the link has {length} characters; at most "
                                         f"{LIMITS.query_characters} are read")])


def requested_path() -> str | None:
    """The url path the browser asked for when Streamlit resolves pages by name (a typed or followed link)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    return ctx.pages_manager.intended_page_name or None


def with_not_found(pages: list) -> list:
    """The app's pages, plus a hidden one at the requested path when that path names none of them.

    ``st.navigation`` answers an unknown path with the default page and an English dialog; a page registered
    under that very path is what it resolves to instead, so the learner stays at the address they typed.
    """
    path = requested_path()
    known = {page.url_path for page in pages}
    if path is None or path in known or "/" in path.strip("/") or not path.strip("/"):
        return pages

    def not_found() -> None:
        st.title(t("notfound.title"))
        st.warning(t("notfound.body", path=f"/{path.strip('/')}"), icon="🧭")
        for page in pages:
            st.page_link(page, label=page.title, icon=page.icon, query_params={"lang": lang()})

    return pages + [st.Page(not_found, title=t("notfound.title"), icon="🧭", url_path=path.strip("/"),
                            visibility="hidden")]
