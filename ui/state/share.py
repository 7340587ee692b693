"""The share control every page with state calls: the page's full link, a copy button, a QR code.

The link starts from the URL the browser shows (``st.context.url``: scheme, host, any path prefix a proxy
serves the app under, such as ``/losslab/``, and the page's path), so it is right behind nginx as well as on
localhost.  The query is URL-encoded: ``[[1,1],[1,1]]`` becomes ``%5B%5B1%2C1%5D…`` and survives chat apps
and QR readers that stop at a bracket.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import segno
import streamlit as st

from ui.state.page import lang, t
from ui.state.present import present_query

QR_SCALE = 4  # px per module at its natural size: phones read 4 px modules off a screen
# A QR code of version 25 (117 modules) is about what a phone reads from a projected screen.
QR_MAX_VERSION = 25


def _current_page_path() -> str:
    """The current page's path (``playground``; ``""`` for the home page), when Streamlit can tell."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        pages = ctx.pages_manager.get_pages()
        return pages.get(ctx.pages_manager.current_page_script_hash, {}).get("url_pathname", "") or ""
    except Exception:  # outside a script run, or an internal API that moved: a relative link still works
        return ""


def page_url() -> str:
    """The page's address without query: from the browser's URL, else from the request's headers."""
    path = _current_page_path()
    url = st.context.url
    if url:
        return url if path else url.rstrip("/") + "/"
    headers = st.context.headers
    host = headers.get("X-Forwarded-Host") or headers.get("Host")
    prefix = (headers.get("X-Forwarded-Prefix") or "").strip("/")
    base = "/" + (prefix + "/" if prefix else "")
    if host:
        scheme = headers.get("X-Forwarded-Proto", "http").split(",")[0].strip()
        base = f"{scheme}://{host}{base}"
    return base + path


def share_query(query: dict | None = None) -> dict:
    """The state to share: the given query (else what the URL holds now), with the language and the mode."""
    state = dict(st.query_params.to_dict() if query is None else query)
    state.pop("present", None)
    return {"lang": lang(), **{k: str(v) for k, v in state.items() if k != "lang"}, **present_query()}


def share_link(query: dict | None = None) -> str:
    return page_url() + "?" + urlencode(share_query(query), quote_via=quote, safe="")


def qr_svg(link: str) -> str | None:
    """The link as a QR code in SVG, black on white with the standard quiet zone; None when it cannot fit."""
    try:
        code = segno.make(link, error="m", micro=False)
    except segno.DataOverflowError:
        return None
    if code.version > QR_MAX_VERSION:
        return None
    return code.svg_inline(scale=QR_SCALE, border=4, dark="#000000", light="#ffffff")


def share_control(query: dict | None = None, key: str = "share") -> str:
    """The control: the link in a code block (its copy button), its QR code, the note on embedding.

    ``query`` is the page's state (the URL's query when left out); returns the link.
    """
    link = share_link(query)
    # Closed, the control draws nothing inside: encoding a QR code is a quarter of an edit's work on the
    # playground, and the link changes with every edit.  Opening it reruns the page with ``.open`` set.
    box = st.expander(t("share.heading"), icon="🔗", expanded=False, key=f"{key}_open", on_change="rerun")
    if not box.open:
        return link
    with box, st.container(key=f"{key}_control"):
        st.caption(t("share.help"))
        text, picture = st.columns([3, 2])
        text.code(link, language=None, wrap_lines=True)
        text.caption(t("share.embed"))
        svg = qr_svg(link)
        if svg is None:
            text.info(t("share.too_long", length=len(link)))
        else:
            picture.image(svg, caption=t("share.qr_caption"), width="content")
    return link
