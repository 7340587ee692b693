"""Presentation mode: large text and high-contrast figures for a projector, on with ``?present=1``.

The mode lives in ``st.session_state.present``; the URL keeps it (``sync_url`` and the share links add
``present=1``), so a teacher's prepared link opens straight into it.  The page's CSS is written here, the
figures' theme in :func:`ui.figures.common.presentation_theme`.
"""

from __future__ import annotations

import streamlit as st

from ui.state.page import t

KEY = "present"
ON = ("1", "true", "yes", "on")

# Sizes chosen for a 1024x768 projector seen from the back of a room: body text 24 px (the issue asks for at
# least 22 px), headings to scale, code 20 px; Chinese keeps the same sizes and gets a taller line.
STYLE = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stCaptionContainer"], [data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"] svg,
[data-testid="stElementToolbar"], [data-testid="stPopover"], .modebar-container { display: none !important; }
.stApp, .stApp p, .stApp li, .stApp label, .stApp td, .stApp th, .stApp input, .stApp textarea,
.stApp [data-testid="stMarkdownContainer"], .stApp [data-testid="stWidgetLabel"] p,
.stApp [data-baseweb="select"] div, .stApp button p, .stApp summary p {
  font-size: 24px !important; line-height: 1.6 !important;
}
.stApp h1 { font-size: 44px !important; }
.stApp h2 { font-size: 36px !important; }
.stApp h3 { font-size: 30px !important; }
.stApp code, .stApp pre { font-size: 20px !important; }
.stApp [data-testid="stMetricValue"], .stApp [data-testid="stMetricValue"] * { font-size: 34px !important; }
.stApp .katex { font-size: 1em !important; }  /* KaTeX's own 1.21em of 24 px overflows a half-width column */
.stApp [data-testid="stMetricLabel"] p { font-size: 22px !important; }
.stApp input, .stApp textarea, .stApp [data-baseweb="select"] div { font-size: 20px !important; }
.stApp [data-testid="stMainBlockContainer"] { padding: 1rem 1.5rem !important; max-width: 100% !important; }
.stApp { color: #000 !important; }
</style>
"""


def init_presentation() -> None:
    """``?present=`` decides when the URL says something this session has not seen yet; else the session."""
    requested = st.query_params.get(KEY)
    st.session_state.setdefault(KEY, False)
    if requested is not None and requested != st.session_state.get("_present_seen_in_url"):
        st.session_state._present_seen_in_url = requested
        st.session_state[KEY] = requested.strip().lower() in ON


def presenting() -> bool:
    return bool(st.session_state.get(KEY, False))


def present_query() -> dict:
    """What the URL and the share links carry for the mode: ``{"present": "1"}`` or nothing."""
    return {KEY: "1"} if presenting() else {}


def _on_toggle() -> None:
    st.session_state[KEY] = st.session_state["_present_widget"]
    st.session_state._present_seen_in_url = "1" if st.session_state[KEY] else "0"


def presentation_toggle() -> None:
    """The switch: in the sidebar normally; in presentation mode (sidebar hidden) at the top of the page."""
    st.session_state._present_widget = presenting()
    where = st if presenting() else st.sidebar
    where.toggle(t("present.exit") if presenting() else t("present.toggle"), key="_present_widget",
                 on_change=_on_toggle, help=t("present.help"))
    if presenting():
        st.html(STYLE)
