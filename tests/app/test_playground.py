"""The playground under AppTest: defaults, links that restore a state, bad links, every loss in both languages."""

import pytest

import losses
from tests.app.apptest import alert_text, open_page, texts
from ui.compute.compare import pair_losses
from ui.text.i18n import translate

PG = "pages/playground.py"


def metric(at, startswith):
    return next(m.value for m in at.metric if m.label.startswith(startswith))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_default_is_the_notes_l1_example(lang):
    at = open_page(PG, lang)
    assert not at.exception
    assert metric(at, "Loss Lab") == "1"
    assert metric(at, "PyTorch") == "1"
    shown = texts(at)
    assert r"|1 - 0|" in shown and r"\frac{4}{4}" in shown


def comparison(at):
    frame = at.table[0].value
    ids = [spec.id for spec in pair_losses()]
    return {ids[i]: row for i, (_, row) in enumerate(frame.iterrows())}


def test_comparison_table_matches_the_notes_in_torch_2_13():
    at = open_page(PG, "en")
    rows = comparison(at)
    ours = {k: r["Loss Lab"] for k, r in rows.items()}
    theirs = {k: r["PyTorch"] for k, r in rows.items()}
    assert (ours["l1_loss"], ours["smooth_l1_loss"], ours["mse_loss"]) == ("1", "0.625", "1.5")
    assert ours["binary_cross_entropy"] == "refused" and theirs["binary_cross_entropy"] == "refused"
    assert ours["cross_entropy"] == "2.079" and theirs["cross_entropy"] == "2.079"
    assert ours["nll_loss"] == "refused" and theirs["nll_loss"] == "refused"
    assert "probabilities" in rows["cross_entropy"]["Why"]
    assert list(rows)[:6] == ["l1_loss", "smooth_l1_loss", "mse_loss", "binary_cross_entropy", "cross_entropy",
                              "nll_loss"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_negative_row_links_to_its_own_state_where_the_terms_show_why(lang):
    """Issue 18: a negative "loss" in the table comes with a link; following it shows that loss on the same
    tensors, with the same negative value, its worked arithmetic and no error."""
    from urllib.parse import parse_qsl

    at = open_page(PG, lang)
    rows = comparison(at)
    links = [e.proto for e in at.get("page_link") if e.proto.icon == "🔎"]
    ours = translate(lang, "playground.col_ours")
    negative = {k for k, r in rows.items() if r[ours].startswith("-")}
    assert len(negative) >= 4
    assert {dict(parse_qsl(link.query_string))["loss"] for link in links} == negative
    for link in links:
        query = dict(parse_qsl(link.query_string))
        assert query["lang"] == lang and query["input"] == "[[1,1],[1,1]]"
        linked = open_page(PG, **query)
        assert not linked.exception and not alert_text(linked).strip()
        value = metric(linked, translate(lang, "playground.backend_value"))
        table = rows[query["loss"]][ours]  # 4 significant digits in the table, 6 in the metric
        assert float(value) < 0 and float(value) == pytest.approx(float(table), rel=1e-3), (query, value, table)
        assert linked.latex, query["loss"]


def test_state_link_restores_mse_example_from_the_issue():
    at = open_page(PG, "en", loss="mse_loss", input="[[0.5,0.5],[0.5,0.5]]", target="[[0,1],[2,3]]")
    assert not at.exception
    assert metric(at, "Loss Lab") == "2.25"
    at = open_page(PG, "en", loss="mse_loss", input="[[0.5,0.5],[0.5,0.5]]", target="[[0,1],[2,3]]",
                   reduction="sum")
    assert metric(at, "Loss Lab") == "9"
    assert at.query_params["reduction"] in ("sum", ["sum"])


@pytest.mark.parametrize("query, needle_en, needle_zh", [
    ({"loss": "nope"}, "does not know", "不存在"),
    ({"loss": "l1_loss", "reduction": "avg"}, "'avg'", "'avg'"),
    ({"loss": "l1_loss", "input": "[[1,2],[3]]"}, "ragged", "长度不一致"),
    ({"loss": "l1_loss", "input": "[[1,NaN],[1,1]]"}, "NaN", "NaN"),
    ({"loss": "l1_loss", "input": "[[1,"}, "not valid JSON", "不是合法的 JSON"),
    ({"loss": "l1_loss", "input": "[[a]]"}, "not valid JSON", "不是合法的 JSON"),
    ({"loss": "l1_loss", "input": "[" + ",".join(["1"] * 2000) + "]"}, "at most 1024", "最多允许 1024"),
    ({"loss": "cross_entropy", "input": "[[1,2,3]]", "target": "[7]"}, "out of range", "超出范围"),
    ({"loss": "binary_cross_entropy", "input": "[[0.5,0.5]]", "target": "[[0,2]]"}, "outside", "超出"),
    ({"loss": "l1_loss", "input": "[[1,1,1]]", "target": "[[0,1],[2,3]]"}, "shape", "形状"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_links_give_clear_messages(query, needle_en, needle_zh, lang):
    at = open_page(PG, lang, **query)
    assert not at.exception
    messages = alert_text(at)
    assert (needle_en if lang == "en" else needle_zh) in messages, messages
    assert at.selectbox(key="pg__loss_widget").value in losses.REGISTRY


@pytest.mark.parametrize("loss", [spec.id for spec in losses.SPECS])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_loss_renders_its_example(loss, lang):
    at = open_page(PG, lang, loss=loss)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="pg__loss_widget").value == loss
    assert metric(at, "Loss Lab")


def test_switching_loss_keeps_compatible_tensors_and_updates_the_url():
    at = open_page(PG, "en")
    at.selectbox(key="pg__loss_widget").set_value("mse_loss").run()
    assert not at.exception
    assert metric(at, "Loss Lab") == "1.5"
    assert at.query_params["loss"] in ("mse_loss", ["mse_loss"])
    at.selectbox(key="pg__loss_widget").set_value("cross_entropy").run()
    assert not at.exception
    assert at.query_params["loss"] in ("cross_entropy", ["cross_entropy"])


def test_without_torch_the_page_says_so_and_keeps_working(monkeypatch):
    import sys

    from ui.compute import runner

    runner.torch_module.cache_clear()
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    try:
        at = open_page(PG, "en")
        assert not at.exception
        assert metric(at, "Loss Lab") == "1"
        assert any("PyTorch is not installed" in i.value for i in at.info)
        assert not any(m.label.startswith("PyTorch") for m in at.metric)
    finally:
        monkeypatch.undo()
        runner.torch_module.cache_clear()


def test_notes_pair_through_cross_entropy_reads_probabilities():
    at = open_page(PG, "en", loss="cross_entropy", input="[[1,1],[1,1]]", target="[[0,1],[2,3]]")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert metric(at, "Loss Lab") == "2.07944"
    assert metric(at, "PyTorch") == "2.07944"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_overflowing_loss_says_why_and_agrees_with_torch(lang):
    """Entries of 1e200 square to more than a float64 holds: both sides print inf.  The difference of two equal
    infinities is no difference (it was shown as nan), and a note says where the inf comes from."""
    at = open_page(PG, lang, loss="mse_loss", input="[[1e200,1],[1,1]]", target="[[0,1],[2,3]]")
    assert not at.exception
    assert metric(at, "Loss Lab") == "inf"
    assert metric(at, translate(lang, "playground.difference")) == "0"
    assert translate(lang, "playground.overflow") in [i.value for i in at.info]
    assert r"(10^{200} - 0)^2 = \infty" in " ".join(x.value for x in at.latex)  # the arithmetic is written out
    finite = open_page(PG, lang, loss="mse_loss", input="[[1e2,1],[1,1]]", target="[[0,1],[2,3]]")
    assert translate(lang, "playground.overflow") not in [i.value for i in finite.info]
