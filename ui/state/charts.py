"""Showing a figure: the presentation theme when the mode is on, and a toolbar that saves it as PNG or SVG.

Plotly's toolbar has one "download" button whose format is fixed by the chart's config, so the learner picks
PNG or SVG once (``figure_format_picker``) and every chart's 📷 button saves in that format, under a file name
that names the loss and its state.  The other toolbar buttons stay off: the pages draw their own controls.
"""

from __future__ import annotations

import streamlit as st

from ui.figures.common import presentation_theme
from ui.state.page import t
from ui.state.present import presenting

FORMATS = ("png", "svg")
FORMAT_KEY = "figure_format"


def chart_config(name: str) -> dict:
    fmt = st.session_state.get(FORMAT_KEY) or "png"
    return {"displaylogo": False, "displayModeBar": "hover", "modeBarButtons": [["toImage"]],
            "toImageButtonOptions": {"format": fmt, "filename": name, "scale": 2 if fmt == "png" else 1}}


def show_chart(fig, key: str, name: str, where=st) -> None:
    """``st.plotly_chart`` with the theme and the download config; ``name`` becomes the saved file's name."""
    if presenting():
        # Streamlit's own chart theme would set small grey axis titles over the projector's theme
        where.plotly_chart(presentation_theme(fig), key=key, config=chart_config(name), theme=None)
    else:
        where.plotly_chart(fig, key=key, config=chart_config(name))


def figure_format_picker() -> None:
    st.session_state.setdefault(FORMAT_KEY, "png")
    st.sidebar.segmented_control(t("download.figure_format"), FORMATS, format_func=str.upper, key=FORMAT_KEY,
                                 required=True)
