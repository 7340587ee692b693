"""The tensor editor: a data editor for 0-, 1- and 2-D tensors, JSON with a shape picker for higher ranks.

Cells are text, so that a mistyped letter reaches our parser and gets a clear
message instead of being silently dropped.  The editor keeps what the learner
typed, valid or not; the page receives the parsed array or the error.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

from losses.spec import Argument
from ui.state.page import lang, t
from ui.state.session_keys import EditorKeys
from ui.text.i18n import translate
from ui.text.limits import LIMITS
from ui.text.tensors import (
    MAX_ELEMENTS,
    TensorInputError,
    format_number,
    from_cells,
    parse_json,
    read_dtype,
    to_json,
)


def _cells(arr: np.ndarray) -> list[list[str]]:
    if arr.ndim == 0:
        return [[format_number(arr)]]
    if arr.ndim == 1:
        return [[format_number(v) for v in arr]]
    return [[format_number(v) for v in row] for row in arr]


def load(key: str, arr: np.ndarray) -> None:
    """Put a tensor into the editor ``key``, replacing what was typed there."""
    keys = EditorKeys(key)
    arr = np.asarray(arr)
    st.session_state[keys.ndim] = arr.ndim
    st.session_state[keys.version] = st.session_state.get(keys.version, 0) + 1
    # A grid of more than LIMITS.grid_cells cells costs the browser far more than the text of the same tensor.
    st.session_state[keys.as_text] = as_text = arr.ndim >= 3 or arr.size > LIMITS.grid_cells
    if not as_text:
        st.session_state[keys.base] = _cells(arr)
        st.session_state[keys.cells] = _cells(arr)
    else:
        st.session_state[keys.json] = to_json(arr)


def _frame(cells: list[list[str]]) -> pd.DataFrame:
    width = max((len(r) for r in cells), default=0)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in cells],
                        columns=[str(j) for j in range(width)], dtype=object)


def _resize(cells: list[list[str]], add: int, ndim: int) -> list[list[str]]:
    if ndim == 1:
        row = cells[0] if cells else []
        return [row + ["0"]] if add > 0 else [row[:-1] or row]
    if add > 0:
        return [r + ["0"] for r in cells]
    return [r[:-1] if len(r) > 1 else r for r in cells]


def _filled(shape: tuple, fill: str, dtype: str) -> np.ndarray:
    size = int(np.prod(shape))
    if fill == "ones":
        arr = np.ones(shape)
    elif fill == "random":
        arr = np.round(np.random.default_rng(0).normal(size=shape), 2)
        if dtype == "int":
            arr = np.random.default_rng(0).integers(0, 3, size=shape)
    elif fill == "range":
        arr = np.arange(size, dtype=np.float64).reshape(shape)
    else:
        arr = np.zeros(shape)
    return arr.astype(np.int64 if dtype == "int" else np.float64)


def _parse_shape(text: str) -> tuple:
    parts = [p.strip() for p in text.replace("(", "").replace(")", "").split(",") if p.strip()]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise TensorInputError("not_numeric", "shape", repr(text), "sizes such as 2, 3",
                               f"shape {text!r} is not a list of sizes") from None
    if any(s < 1 for s in shape):
        raise TensorInputError("range", "shape", text, "sizes of at least 1", f"shape {text!r} has a size below 1")
    size = int(np.prod(shape))
    if size > MAX_ELEMENTS:
        raise TensorInputError("too_large", "shape", size, MAX_ELEMENTS,
                               f"shape {text!r} has {size} elements; at most {MAX_ELEMENTS} are allowed")
    if len(shape) > 4:
        raise TensorInputError("ndim", "shape", len(shape), "at most 4", f"shape {text!r} has more than 4 dims")
    return shape


def _fill_label(language: str, fill: str) -> str:
    return translate(language, f"playground.fill_{fill}")


def _shape_picker(key: str, arg: Argument, dtype: str) -> None:
    keys = EditorKeys(key)
    with st.popover(t("playground.shape"), width="content"):
        with st.form(keys.shape_form, border=False):
            text = st.text_input(t("playground.shape_label", name=arg.name), help=t("playground.shape_help"),
                                 key=keys.shape_text)
            fills = ("zeros", "ones", "range", "random")
            # The language is bound now: AppTest calls format_func after the run, outside the session, where
            # t() would fall back to English and miss the Chinese labels ("'zeros' is not in list").
            fill = st.selectbox(t("playground.fill"), fills,
                                format_func=functools.partial(_fill_label, lang()),
                                key=keys.fill)
            if st.form_submit_button(t("playground.apply")):
                try:
                    load(key, _filled(_parse_shape(text), fill, dtype))
                except TensorInputError as exc:
                    st.session_state[keys.shape_error] = exc
                st.rerun()


def tensor_editor(key: str, arg: Argument, label: str):
    """Render the editor; returns ``(array, None)`` or ``(None, error)``."""
    keys = EditorKeys(key)
    ndim = st.session_state[keys.ndim]
    dtype = read_dtype(arg)
    version = st.session_state[keys.version]
    st.markdown(label)
    shape_error = st.session_state.pop(keys.shape_error, None)
    if shape_error is not None:
        from ui.state.page import show_error

        show_error(shape_error)
    if ndim >= 3 or st.session_state.get(keys.as_text):
        text = st.text_area(t("playground.json_label", name=arg.name), value=st.session_state[keys.json],
                            help=t("playground.json_help", max=MAX_ELEMENTS), key=keys.area(version),
                            height=140)
        st.session_state[keys.json] = text
        _shape_picker(key, arg, dtype)
        try:
            return parse_json(arg.name, text, dtype), None
        except TensorInputError as exc:
            return None, exc

    base = st.session_state[keys.base]
    frame = _frame(base)
    config = {c: st.column_config.TextColumn(c, default="0", width=60) for c in frame.columns}
    edited = st.data_editor(frame, key=keys.grid(version), num_rows="dynamic" if ndim == 2 else "fixed",
                            column_config=config, hide_index=True, width="content")
    cells = edited.astype(object).where(pd.notna(edited), None).values.tolist()
    st.session_state[keys.cells] = cells
    if ndim >= 1:
        row = st.container(horizontal=True, gap="small", vertical_alignment="center")
        with row:
            if st.button(t("playground.add_col"), key=keys.add_column):
                st.session_state[keys.base] = _resize(cells, +1, ndim)
                st.session_state[keys.version] = version + 1
                st.rerun()
            if st.button(t("playground.del_col"), key=keys.remove_column):
                st.session_state[keys.base] = _resize(cells, -1, ndim)
                st.session_state[keys.version] = version + 1
                st.rerun()
            _shape_picker(key, arg, dtype)
    else:
        _shape_picker(key, arg, dtype)
    try:
        if ndim == 0:
            from ui.text.tensors import parse_cell

            return np.asarray(parse_cell(arg.name, cells[0][0], 0, 0, dtype),
                              dtype=np.int64 if dtype == "int" else np.float64), None
        return from_cells(arg.name, cells, dtype, ndim), None
    except TensorInputError as exc:
        return None, exc
