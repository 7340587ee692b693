"""The notes' 2×2 example through the six criteria they ran, as torch 2.13 sees it.

sample = ones(2, 2), target = [[0, 1], [2, 3]] (the Chinese and English notes). Expected values are worked
by hand: L1 (1+0+1+2)/4 = 1; SmoothL1 with beta 1 (0.5+0+0.5+1.5)/4 = 0.625; MSE (1+0+1+4)/4 = 1.5;
CrossEntropy reads a float target shaped like the input as class probabilities (torch >= 1.10): each row of
equal logits has log-softmax -log 2, the rows' target masses are 1 and 5, so (1 + 5) log 2 / 2 = 3 log 2.
BCE refuses a target outside [0, 1] (the notes' -13.8155 came from an old torch); NLL refuses float targets.
"""

import numpy as np
import pytest

import losses
from tests.backend.torch_check import check, torch_refuses

SAMPLE = np.ones((2, 2))
TARGET = np.array([[0.0, 1.0], [2.0, 3.0]])
PAIR = {"input": SAMPLE, "target": TARGET}


@pytest.mark.parametrize("name, expected", [
    ("l1_loss", 1.0), ("smooth_l1_loss", 0.625), ("mse_loss", 1.5), ("cross_entropy", 3 * np.log(2)),
])
def test_values_the_notes_pair_gives_today(name, expected):
    assert check(name, PAIR) == pytest.approx(expected, rel=1e-12)
    assert f"{float(losses.functional.cross_entropy(**PAIR)):.4f}" == "2.0794"


@pytest.mark.parametrize("name, code", [("binary_cross_entropy", "range"), ("nll_loss", "dtype")])
def test_refused_as_torch_refuses(name, code):
    with pytest.raises(losses.LossInputError) as info:
        losses.get_spec(name).function(**PAIR)
    assert info.value.code == code and info.value.argument == "target"
    assert torch_refuses(name, PAIR)
