"""Reading and writing the URL state: tensors as JSON nested lists, parameters by name, never an exception."""

import numpy as np
import pytest

import losses
from ui.state.urlstate import loss_query, parse_parameter, read_loss_state
from ui.text.errors import describe
from ui.text.tensors import MAX_ELEMENTS, TensorInputError, from_cells, parse_json, to_json


def test_issue_example_link():
    query = {"lang": "en", "loss": "mse_loss", "input": "[[0.5,0.5],[0.5,0.5]]", "target": "[[0,1],[2,3]]"}
    loss, tensors, params, errors = read_loss_state(query, "l1_loss")
    assert (loss, errors) == ("mse_loss", [])
    # (0.25 + 0.25 + 2.25 + 6.25) / 4 = 2.25, the value the issue's link must show; with sum, 9.
    assert losses.functional.mse_loss(**tensors, **params) == pytest.approx(2.25)
    _, _, params, _ = read_loss_state(dict(query, reduction="sum"), "l1_loss")
    assert losses.functional.mse_loss(**tensors, **params) == pytest.approx(9.0)


def test_round_trip():
    spec = losses.get_spec("smooth_l1_loss")
    tensors = {"input": np.array([[1.5, -2.0]]), "target": np.array([[0.0, 0.25]])}
    query = loss_query(spec, tensors, {"reduction": "sum", "beta": 0.5})
    assert query == {"loss": "smooth_l1_loss", "input": "[[1.5,-2]]", "target": "[[0,0.25]]",
                     "reduction": "sum", "beta": "0.5"}
    loss, back, params, errors = read_loss_state(query, "l1_loss")
    assert errors == [] and loss == "smooth_l1_loss"
    assert params["beta"] == 0.5 and params["reduction"] == "sum"
    np.testing.assert_array_equal(back["input"], tensors["input"])


@pytest.mark.parametrize("text, code", [
    ("[[1,\"a\"]]", "not_numeric"), ("[[1,NaN]]", "not_finite"), ("[[1,Infinity]]", "not_finite"),
    ("[[1,2],[3]]", "ragged"), ("[[1,2]", "json"), ("hello", "json"), ("[]", "empty"),
    (to_json(np.zeros(MAX_ELEMENTS + 1)), "too_large"), ("[[[[[1]]]]]", "ndim"), ("[true]", "not_numeric"),
])
def test_bad_tensors_become_messages(text, code):
    _, tensors, _, errors = read_loss_state({"loss": "l1_loss", "input": text}, "l1_loss")
    assert [e.code for e in errors] == [code]
    assert errors[0].argument == "input"
    np.testing.assert_array_equal(tensors["input"], np.ones((2, 2)))  # the example stands in
    for lang in ("en", "zh"):
        assert "input" in describe(errors[0], lang)


def test_unknown_loss_and_parameter_values():
    loss, _, params, errors = read_loss_state({"loss": "l3_loss", "reduction": "avg"}, "l1_loss")
    assert loss == "l1_loss"
    assert [e.argument for e in errors] == ["loss", "reduction"]
    assert "l3_loss" in describe(errors[0], "zh") and "'avg'" in describe(errors[1], "en")


def test_unknown_keys_are_reported():
    _, _, _, errors = read_loss_state({"loss": "l1_loss", "reductoin": "sum"}, "l1_loss")
    assert [(e.code, e.argument) for e in errors] == [("unknown_key", "reductoin")]


def test_parameter_parsing():
    spec = losses.get_spec("smooth_l1_loss")
    assert parse_parameter(spec.parameter("beta"), "0.5") == 0.5
    with pytest.raises(TensorInputError):
        parse_parameter(spec.parameter("beta"), "-1")
    with pytest.raises(TensorInputError):
        parse_parameter(spec.parameter("beta"), "abc")
    with pytest.raises(TensorInputError):
        parse_parameter(spec.parameter("reduction"), "avg")


def test_cells_name_the_offending_cell():
    with pytest.raises(TensorInputError) as info:
        from_cells("target", [["0", "1"], ["2", "x"]])
    # the grid's column headers count from 0, so the message does too (issue 13: it said "row 2, column 2")
    assert info.value.location == (1, 1)
    assert "(row 1, column 1, counted from 0" in describe(info.value, "en")
    assert "第 1 行，第 1 列，与表格的列号一样从 0 开始数" in describe(info.value, "zh")
    np.testing.assert_array_equal(from_cells("t", [["1", " 2 "]], dtype="int"), [[1, 2]])
    with pytest.raises(TensorInputError):
        from_cells("t", [["1.5"]], dtype="int")


def test_json_of_arrays():
    assert to_json(np.ones((2, 2))) == "[[1,1],[1,1]]"
    assert to_json(np.array([0.1, -2.5])) == "[0.1,-2.5]"
    np.testing.assert_array_equal(parse_json("x", "[[0,1],[2,3]]"), [[0, 1], [2, 3]])


def test_cross_entropy_target_is_read_as_torch_reads_it():
    """Float targets shaped like the input are probabilities (torch >= 1.10); other shapes are class indices."""
    _, tensors, _, errors = read_loss_state(
        {"loss": "cross_entropy", "input": "[[1,1],[1,1]]", "target": "[[0,1],[2,3]]"}, "l1_loss")
    assert errors == [] and tensors["target"].dtype.kind == "f"
    # each row's log-softmax of equal logits is -log 2; the rows' target mass is 1 and 5: (1 + 5) log 2 / 2
    assert losses.functional.cross_entropy(**tensors) == pytest.approx(3 * np.log(2))
    _, tensors, _, errors = read_loss_state({"loss": "cross_entropy", "input": "[[1,2,3]]", "target": "[2]"},
                                            "l1_loss")
    assert errors == [] and tensors["target"].dtype == np.int64
    _, _, _, errors = read_loss_state({"loss": "cross_entropy", "input": "[[1,2,3]]", "target": "[1.5]"},
                                      "l1_loss")
    assert [e.code for e in errors] == ["dtype"]
