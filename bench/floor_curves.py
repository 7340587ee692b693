"""Streamlit's floor for the curves page: a trivial page drawing one two-panel line chart (5 curves × 401 points
and their derivatives), redrawn by a slider.

Written the idiomatic way (make_subplots and validated traces), so the bench compares the curves page with what
a plain Streamlit page pays for one chart of the same kind and size.  Run by bench/pages.py.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

st.title("Floor: one curves chart")
delta = st.slider("delta", 0.0, 5.0, 1.0, step=0.05, key="floor_delta")
x = np.linspace(-2.0, 4.0, 401, dtype=np.float32)
fig = make_subplots(rows=2, cols=1, shared_xaxes=True)
for k in range(5):
    err = np.abs(x - 0.2 * k)
    value = np.where(err <= delta, 0.5 * err**2, delta * (err - 0.5 * delta)).astype(np.float32)
    fig.add_trace(go.Scatter(x=x, y=value, mode="lines", name=f"loss {k}"), row=1, col=1)
    fig.add_trace(go.Scatter(x=x, y=np.gradient(value, x).astype(np.float32), mode="lines", showlegend=False),
                  row=2, col=1)
fig.update_layout(height=620)
st.plotly_chart(fig, key="floor_chart")
