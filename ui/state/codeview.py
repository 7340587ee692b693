""""Reproduce this in code": a page calls :func:`reproduce` with a spec, its tensors and its parameters."""

from __future__ import annotations

import streamlit as st

from losses.spec import LossSpec
from ui.compute import export
from ui.state.page import lang, t


def reproduce(spec: LossSpec, tensors: dict, params: dict, key: str, refused: bool = False) -> None:
    """Two tabs, PyTorch and Loss Lab's numpy library, each a code block (copy button) and a .py download."""
    with st.expander(t("export.heading"), icon="🐍", expanded=False):
        st.caption(t("export.help"))
        if refused:
            st.caption(t("export.refused_note"))
        tabs = st.tabs([t("export.tab_torch"), t("export.tab_numpy")])
        for tab, kind, build in ((tabs[0], "torch", export.torch_script), (tabs[1], "numpy", export.numpy_script)):
            script = build(spec, tensors, params, lang())
            name = export.file_name(spec, tensors, params, kind)
            with tab:
                st.code(script, language="python")
                st.download_button(t("export.download", name=name), script, file_name=name, mime="text/x-python",
                                   key=f"{key}_{kind}_download", icon="⬇️", on_click="ignore")
