"""The numbers of a page as CSV files: tensors, gradients (Loss Lab's and torch's), the comparison table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ui.state.page import t


def _long(named: dict, column: str) -> pd.DataFrame:
    """One row per element, ``tensor, index, <column>``: any rank fits one table, and a spreadsheet reads it."""
    rows = []
    for name, arr in named.items():
        arr = np.asarray(arr)
        for index in np.ndindex(arr.shape):
            rows.append({"tensor": name, "index": str(list(index)), column: arr[index].item()})
    return pd.DataFrame(rows, columns=["tensor", "index", column])


def tensors_csv(tensors: dict) -> str:
    return _long({k: v for k, v in tensors.items() if v is not None}, "value").to_csv(index=False)


def gradients_csv(ours: dict, theirs: dict | None) -> str:
    frame = _long(ours, "loss_lab")
    if theirs:
        frame["torch"] = _long({k: theirs.get(k, np.full(np.shape(v), np.nan)) for k, v in ours.items()},
                               "torch")["torch"].to_numpy()
    return frame.to_csv(index=False)


def numbers_downloads(slug: str, tensors: dict, grads: dict | None = None, torch_grads: dict | None = None,
                      table: pd.DataFrame | None = None, key: str = "dl") -> None:
    """A row of CSV download buttons; ``slug`` names the loss and state in each file name."""
    # Each file is written when its button is clicked (a callable as ``data``), not on every edit: a rerun
    # neither builds three CSVs nobody asked for nor sends them to the browser.
    files = [(t("download.tensors"), f"{slug}_tensors.csv", lambda: tensors_csv(tensors), "tensors")]
    if grads:
        files.append((t("download.gradients"), f"{slug}_gradients.csv",
                      lambda: gradients_csv(grads, torch_grads), "grads"))
    if table is not None:
        files.append((t("download.comparison"), f"{slug}_comparison.csv", table.to_csv, "table"))
    with st.container(horizontal=True, gap="small", key=f"{key}_downloads"):
        for label, name, data, part in files:
            st.download_button(label, data, file_name=name, mime="text/csv", icon="⬇️", on_click="ignore",
                               key=f"{key}_{part}_csv")
