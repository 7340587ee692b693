"""Streamlit's floor for the landscape page's descent controls: a trivial page drawing one 61 × 61 contour map
with a line on it, redrawn by a slider.

Written the idiomatic way (a validated ``go.Figure``).  Run by bench/pages.py.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Floor: one contour map")
steps = st.slider("Steps", 0, 200, 30, key="floor_steps")
x = np.linspace(-1.0, 3.0, 61, dtype=np.float32)
z = (np.abs(x[None, :] - 1.0) + np.abs(x[:, None] - 1.0)).astype(np.float32)
path = np.linspace(1.0, 0.0, steps + 1, dtype=np.float32)
fig = go.Figure(go.Contour(x=x, y=x, z=z))
fig.add_trace(go.Scatter(x=path, y=np.ones_like(path), mode="lines+markers"))
fig.update_layout(height=470)
st.plotly_chart(fig, key="floor_chart")
