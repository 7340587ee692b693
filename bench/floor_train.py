"""Streamlit's floor for the /train page's step scrubber: a trivial page drawing charts of the same kinds and sizes
as the page's default race (the outliers preset: 40 samples and four fitted lines; a three-panel chart of four
runs' loss, gradient norm and two metrics over 401 steps; a 41 × 41 contour with four paths) and a small table,
redrawn by a slider.

Written the idiomatic way (validated ``go.Figure`` objects, make_subplots).  Run by bench/train_page.py.
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

st.title("Floor: the training charts")
step = st.slider("Step shown", 0, 400, 400, key="floor_t")
rng = np.random.default_rng(0)
x = np.sort(rng.uniform(-2, 2, 40)).astype(np.float32)
y = (1.5 * x + 0.5 + rng.normal(0, 0.2, 40)).astype(np.float32)
steps = np.arange(401, dtype=np.float32)
decay = np.exp(-steps / 60.0)[None, :] * np.array([[3.0], [2.0], [1.5], [1.0]]) + 0.1
fraction = step / 400

left, right = st.columns(2)
fit = go.Figure(go.Scatter(x=x, y=y, mode="markers", name="samples"))
for k in range(4):
    xs = np.array([-2.2, 2.2], dtype=np.float32)
    fit.add_trace(go.Scatter(x=xs, y=((1.0 + 0.1 * k) * fraction * xs + 0.2 * k).astype(np.float32), mode="lines"))
fit.update_layout(height=380)
left.plotly_chart(fit, key="floor_fit")

curves = make_subplots(rows=3, cols=1, shared_xaxes=True)
for k in range(4):
    curves.add_trace(go.Scatter(x=steps, y=decay[k].astype(np.float32), mode="lines"), row=1, col=1)
    curves.add_trace(go.Scatter(x=steps, y=(decay[k] * 0.5).astype(np.float32), mode="lines"), row=2, col=1)
    curves.add_trace(go.Scatter(x=steps, y=(decay[k] * 0.3).astype(np.float32), mode="lines"), row=3, col=1)
    curves.add_trace(go.Scatter(x=steps, y=(decay[k] * 0.2).astype(np.float32), mode="lines"), row=3, col=1)
curves.add_vline(x=step)
curves.update_yaxes(type="log", row=2, col=1)
curves.update_layout(height=520)
right.plotly_chart(curves, key="floor_curves")

grid = np.linspace(-1.0, 3.0, 41, dtype=np.float32)
z = ((grid[None, :] - 1.5) ** 2 + (grid[:, None] - 0.5) ** 2).astype(np.float32)
contour = go.Figure(go.Contour(x=grid, y=grid, z=z))
for k in range(4):
    path = np.linspace(0.0, 1.0, step + 1, dtype=np.float32)
    contour.add_trace(go.Scatter(x=path * (1.2 + 0.1 * k), y=path * 0.5, mode="lines"))
contour.update_layout(height=420)
c3, c4 = st.columns(2)
c3.plotly_chart(contour, key="floor_contour")
c4.table(pd.DataFrame({"run": [f"run {k}" for k in range(4)], "loss": [f"{v:.4g}" for v in decay[:, step]]}))
