"""The phone layout's pieces under AppTest (issue 17): the result strips carry the backend's numbers for the
state on the page, in the learner's language, and the top language switch changes the language."""

import numpy as np
import pytest

from tests.app.apptest import open_page
from ui.compute.runner import Outcome, TorchOutcome, run_backend, run_torch
from ui.state import narrow
from ui.text.numbers import short

STRIP_PARTS = {"en": ("L1 loss (mean absolute error): **{v}**", "✓ agrees"),
               "zh": ("L1 损失（平均绝对误差）：**{v}**", "✓ 一致")}


def strips(at) -> list[str]:
    return [m.value for m in at.markdown if "PyTorch **" in m.value or "**" in m.value and "torch.optim" in m.value]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_playground_strip_follows_the_backend(lang):
    at = open_page("pages/playground.py", lang, reduction="sum")
    assert not at.exception
    value = short(run_backend("l1_loss", {"input": np.ones((2, 2)), "target": np.array([[0., 1], [2, 3]])},
                              {"reduction": "sum"}).value, 6)  # 4: |1-0| + 0 + |1-2| + |1-3|
    head, agrees = STRIP_PARTS[lang]
    line = strips(at)[0]
    assert line.startswith(head.format(v=value)) and agrees in line and f"PyTorch **{value}**" in line


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_train_run_has_a_strip(lang):
    at = open_page("pages/train.py", lang)
    assert not at.exception
    lines = [s for s in strips(at) if "torch.optim" in s]
    assert len(lines) >= 2 and all("400" in s for s in lines)


def test_the_top_language_switch_changes_the_language():
    at = open_page("pages/playground.py", "en")
    at.segmented_control(key="lang_widget_top").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "实验台"
    assert at.query_params["lang"] in ("zh", ["zh"])


def test_value_line_tells_agreement_difference_refusal_staleness_and_guessing(monkeypatch):
    monkeypatch.setattr(narrow, "t", lambda key, **v: key + ("" if not v else repr(sorted(v.items()))))
    ours = Outcome(value=np.float64(1.0))
    assert "strip.agrees" in narrow.value_line("L1", ours, TorchOutcome(value=np.float64(1.0)))
    assert "strip.differs" in narrow.value_line("L1", ours, TorchOutcome(value=np.float64(1.5)))
    assert "strip.torch_refuses" in narrow.value_line("L1", ours, TorchOutcome(error="bad"))
    assert narrow.value_line("L1", ours, TorchOutcome(available=False)).count("·") == 0
    assert "strip.stale" in narrow.value_line("L1", ours, TorchOutcome(available=False), stale=True)
    assert narrow.value_line("L1", ours, TorchOutcome(), hidden=True) == "strip.hidden"
    refused = run_backend("binary_cross_entropy", {"input": np.ones((2, 2)) * 2, "target": np.zeros((2, 2))}, {})
    assert "strip.refused" in narrow.value_line("BCE", refused, run_torch("binary_cross_entropy", {}, {}))
