"""Request limits and number echoes (issue 13 points 1 and 4): every bound in one table, refused by name."""

import numpy as np
import pytest

from ui.state.urlstate import read_loss_state
from ui.text.errors import describe
from ui.text.limits import LIMITS
from ui.text.tensors import MAX_ELEMENTS, TensorInputError, check_total, from_cells, parse_cell, parse_json


def test_the_tensor_limit_is_the_table_entry():
    assert MAX_ELEMENTS == LIMITS.elements_per_tensor
    parse_json("input", "[" + ",".join(["1"] * MAX_ELEMENTS) + "]")
    with pytest.raises(TensorInputError) as info:
        parse_json("input", "[" + ",".join(["1"] * (MAX_ELEMENTS + 1)) + "]")
    assert str(MAX_ELEMENTS) in describe(info.value, "en") and str(MAX_ELEMENTS) in describe(info.value, "zh")


def test_total_elements_are_bounded_per_call():
    half = LIMITS.total_elements // 2
    check_total({"input": np.ones(half), "target": np.ones(half)})
    with pytest.raises(TensorInputError) as info:
        check_total({"input": np.ones(half), "target": np.ones(half), "weight": np.ones(1)})
    assert info.value.code == "too_large_total"
    for lang in ("en", "zh"):
        assert str(LIMITS.total_elements) in describe(info.value, lang)
    side = "[" + ",".join(["1"] * min(MAX_ELEMENTS, LIMITS.total_elements // 2 + 1)) + "]"
    _, tensors, _, errors = read_loss_state({"loss": "triplet_margin_loss", "anchor": side, "positive": side,
                                             "negative": side}, "l1_loss")
    assert [e.code for e in errors] == ["too_large_total"]
    assert tensors["anchor"].size < 10  # the example stands in


@pytest.mark.parametrize("typed", ["1e400", "-1e999", "1" + "0" * 400])
def test_overflowing_numbers_are_echoed_as_typed(typed):
    with pytest.raises(TensorInputError) as info:
        parse_cell("input", typed, 0, 1)
    shown = typed if len(typed) <= 24 else typed[:23] + "…"
    en, zh = describe(info.value, "en"), describe(info.value, "zh")
    assert shown in en and shown in zh and "inf" not in en.replace("infinity", "")
    assert "1.8e308" in en and "1.8e308" in zh
    with pytest.raises(TensorInputError) as info:
        parse_json("input", f"[[1, {typed}]]")
    assert info.value.code == "overflow" and info.value.location == (0, 1)
    assert shown in describe(info.value, "en")


def test_typed_infinity_is_still_called_infinite():
    with pytest.raises(TensorInputError) as info:
        from_cells("input", [["inf", "1"]])
    assert info.value.code == "not_finite"
