"""Streamlit's floor for the landscape page: a trivial page drawing one 61 × 61 3D surface, redrawn by a slider.

Written the idiomatic way (a validated ``go.Figure``), so the bench compares the landscape page with what a
plain Streamlit page pays for one chart of the same kind and size.  Run by bench/pages.py.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Floor: one surface")
span = st.select_slider("Range", (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0), 2.0, key="floor_span")
x = np.linspace(1.0 - span, 1.0 + span, 61, dtype=np.float32)
z = (np.abs(x[None, :] - 1.0) + np.abs(x[:, None] - 1.0)).astype(np.float32)
fig = go.Figure(go.Surface(x=x, y=x, z=z, showscale=False))
fig.update_layout(height=470, margin=dict(l=0, r=0, t=30, b=0))
st.plotly_chart(fig, key="floor_chart")
