"""What every page shares: the learner's language, URL syncing, messages."""

from __future__ import annotations

import streamlit as st

from losses import LossInputError
from ui.text.errors import describe
from ui.text.i18n import LANG_NAMES, LANGS, locale_language, translate


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(key: str, **values) -> str:
    return translate(lang(), key, **values)


def init_language() -> None:
    """The language from ?lang=, else the session, else the browser's locale."""
    requested = st.query_params.get("lang")
    if "lang" not in st.session_state:
        st.session_state.lang = locale_language(st.context.locale)
    if requested is not None and requested != st.session_state.get("_lang_seen_in_url"):
        st.session_state._lang_seen_in_url = requested
        if requested in LANGS:
            st.session_state.lang = requested
        else:
            st.session_state._bad_lang = requested


def _on_language_change(key: str) -> None:
    st.session_state.lang = st.session_state[key]


def language_selector() -> None:
    """The language switch in the sidebar, and the same switch at the top of the page for phones, where the
    sidebar is folded away (ui/state/narrow.py shows that one below 640 px only)."""
    from ui.state.narrow import PREFIX  # narrow imports this module

    top = st.container(key=f"{PREFIX}lang", horizontal=True, horizontal_alignment="right")
    for where, key, shown in ((st.sidebar, "lang_widget", "visible"), (top, "lang_widget_top", "collapsed")):
        st.session_state[key] = lang()
        where.segmented_control(
            "Language · 语言",
            LANGS,
            format_func=LANG_NAMES.get,
            key=key,
            on_change=_on_language_change,
            args=(key,),
            required=True,
            label_visibility=shown,
        )
    bad = st.session_state.pop("_bad_lang", None)
    if bad is not None:  # the same icon and "part of the link" prefix as every other link message
        show_link_problems([LossInputError("choice", "lang", repr(bad), LANGS, f"lang={bad!r} is not one of {LANGS}")])


def sync_url(query: dict) -> None:
    """Write the page's state (and the language) into the URL, so that a link restores it."""
    from ui.state.present import present_query  # present imports this module

    full = {"lang": lang(), **{k: str(v) for k, v in query.items()}, **present_query()}
    previous = st.session_state.get("_written_query")
    st.session_state._written_query = full
    current = st.query_params.to_dict()
    # A run that began from a query this session did not write came from a link.  Echo it even when it already
    # is the state: a st.page_link to the page the learner is on reruns it with the link's query but leaves the
    # address bar as it was, so without the echo a reload or a copied address would bring the old state back.
    if current != full or current != previous:
        st.query_params.from_dict(full)


def arrived_with_link() -> bool:
    """True when the URL holds a state this session did not write: the learner followed or edited a link."""
    current = st.query_params.to_dict()
    return len(set(current) - {"lang"}) > 0 and current != st.session_state.get("_written_query")


def query() -> dict:
    return st.query_params.to_dict()


def show_error(exc: Exception, where=st) -> None:
    where.error(describe(exc, lang()), icon="⚠️")


def show_link_problems(errors: list[LossInputError]) -> None:
    for exc in errors:
        if exc.code == "unknown_key":
            st.warning(describe(exc, lang()), icon="🔗")
        else:
            st.warning(t("error.link", message=describe(exc, lang())), icon="🔗")


def require_shell() -> None:
    """Make sure the page runs inside app.py's navigation.

    A Streamlit server whose first visitor opens a deep link (``/playground``)
    before the home page runs the page file on its own, because a ``pages/``
    folder sits beside the entry point (Streamlit's first multipage API).  The
    entry point marks every run; without the mark we switch that mode off and
    rerun, so app.py builds the navigation and runs the requested page.

    Why a private flag: Streamlit 1.67 has no public switch for this.  Its docs
    say the ``pages/`` folder is ignored only "as soon as any session of your
    app executes the st.navigation command" (st.navigation's reference); until
    then ``PagesManager.uses_pages_directory`` is set from the folder's mere
    existence (runtime/pages_manager.py) and no config option overrides it.
    The public ways out are to rename the folder (Streamlit's own advice is
    ``app_pages/``), which the design card rules out by keeping ``pages/``, or
    ``st.switch_page("app.py")``, which would lose the page and the query the
    learner's link asked for.  ``navigation`` itself sets the same flag to
    False (commands/navigation.py), so we only do earlier what it will do.
    The first e2e test (tests/e2e/test_curves.py) opens ``/curves`` on a fresh
    server, so an upgrade that renames the flag fails there.
    """
    if st.session_state.get("_shell_run"):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
