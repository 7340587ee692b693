"""/examples: every worked example of the notes, re-run today on our backend and on torch, with a verdict."""

import streamlit as st

from ui.compute import examples as ex
from ui.state.examples_page import note_filter, render_card, summary
from ui.state.page import require_shell, sync_url, t
from ui.state.share import share_control
from ui.text.tensors import to_json

require_shell()

st.title(t("examples.title"))
st.markdown(t("examples.intro"))
if ex.about_torch() is None:
    st.info(t("examples.torch_missing"), icon="ℹ️")
note = note_filter()
shown = ex.cards_for(note)
st.subheader(t("examples.summary"))
summary(shown)
for section in ex.SECTIONS:
    in_section = [c for c in shown if c.section == section]
    if not in_section:
        continue
    st.header(t(f"examples.section_{section}"))
    st.caption(t(f"examples.section_{section}_help", pair=f"sample = {to_json(ex.SAMPLE)}, "
                                                         f"target = {to_json(ex.TARGET)}"))
    for card in in_section:
        render_card(card)

sync_url({} if note is None else {"note": note})
share_control(key="ex_share")
