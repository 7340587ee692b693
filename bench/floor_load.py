"""Streamlit's floor for the load benchmark: a one-widget app (a slider and the number it sets).

What every Streamlit rerun costs whatever the app does: the websocket round trip, the script run, the deltas.
bench/load.py drives it with the same learners as the app's pages and prints the pages' figures against it.
"""

import streamlit as st

st.title("Floor: one widget")
value = st.slider("value", 0.0, 100.0, 1.0, step=0.01, key="floor_value")
st.metric("value × 3", f"{value * 3:.2f}")
