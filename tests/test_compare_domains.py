"""Negative "losses" on the comparison table say why (issue 18): the registry's domains name the argument."""

import numpy as np
import pytest

from ui.compute.compare import comparison_rows
from ui.text.i18n import translate

NOTES_PAIR = {"input": np.ones((2, 2)), "target": np.array([[0.0, 1.0], [2.0, 3.0]])}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_negative_rows_name_the_argument_outside_its_domain(lang):
    comparison = comparison_rows(NOTES_PAIR, "mean", lang)
    rows = comparison.rows
    ours, why = translate(lang, "playground.col_ours"), translate(lang, "playground.col_why")
    marker = translate(lang, "compare_extra.negative", args="").split("{")[0][:4]
    for row in rows:
        text = row[ours].split(" ")[0]
        negative = text.lstrip("-").replace(".", "").isdigit() and text.startswith("-")
        assert (marker in row[why]) == negative, (row["id"], row[ours], row[why])
    noted = {row["id"] for row in rows if marker in row[why]}
    assert {"binary_cross_entropy_with_logits", "dice_loss", "jaccard_loss", "kl_div"} <= noted
    assert all("`target`" in row[why] for row in rows if row["id"] in noted)
    # the page links each of them to its own state: the same tensors, the parameters the row ran with
    assert [spec.id for spec, _ in comparison.outside] == [row["id"] for row in rows if row["id"] in noted]
    assert all(params["reduction"] in spec.parameter("reduction").choices for spec, params in comparison.outside)
