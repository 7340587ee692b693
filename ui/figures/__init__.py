"""Plotly figure builders, one module per page that draws them (``common`` holds the shared palette, layout and
heatmaps).  Data goes in as float32 numpy arrays.  May import ``ui.compute``, ``ui.text`` and ``losses``.
"""
