"""/train under AppTest: every preset in both languages shows its race's own numbers; a shared link trains the
same race again; the scrubber moves what is shown; each kind of bad input gets a message and the page stays."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import train
from tests.app.apptest import open_page, texts
from ui.figures.common import short
from ui.state import trainstate

TR = "pages/train.py"
TIMEOUT = 300  # the first race of a preset also runs its four loops in torch


def page(lang="en", **query):
    return open_page(TR, lang, timeout=TIMEOUT, **query)


def charts(at) -> list:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def tables(at) -> list:
    """Each st.table as a list of rows, every cell as text."""
    return [el.value.astype(str).values.tolist() for el in at.table]


def shown(at) -> str:
    return " ".join(m.value for kind in ("warning", "error", "info") for m in getattr(at, kind))


def expected_race(preset: str):
    """The race the page should show for a preset's defaults, trained here without the page."""
    state = trainstate.fresh(preset)
    return train.race(preset, state["runs"], steps=state["steps"], seed=0, text=state["text"], model=state["model"])


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("preset", list(train.PRESETS))
def test_every_preset_shows_the_numbers_of_its_race(preset, lang):
    at = page(lang, preset=preset)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(charts(at)) >= 2
    race = expected_race(preset)
    step_rows, final_rows = tables(at)[:2]
    assert len(step_rows) == len(final_rows) == len(race.runs)
    for i, run in enumerate(race.runs):
        # the page opens on the last step: the per-step table and the final table give the run's last loss
        assert step_rows[i][1] == short(run.loss[run.last_step]), (i, step_rows[i])
        assert final_rows[i][1] == short(run.loss[run.last_step])
    title = "Training races" if lang == "en" else "训练比赛"
    assert title in texts(at)
    # the torch check ran and agrees (the last column of the final table)
    assert all(float(row[-1]) < 1e-9 for row in final_rows), final_rows


def test_figures_are_float32_and_valid_plotly():
    at = page("en", preset="imbalance")
    for chart in charts(at):
        go.Figure(chart)  # the page builds plain dicts for speed: check them against plotly's schema
        for trace in chart["data"]:
            for axis in ("x", "y", "z"):
                if isinstance(trace.get(axis), dict):
                    assert trace[axis]["dtype"] == "f4"


def test_a_shared_link_reproduces_the_race():
    link = {"preset": "optimizers", "steps": "120", "seed": "5", "r1": "mse_loss~sgd(lr=0.03,momentum=0.8)",
            "r2": "huber_loss(delta=0.5)~adam(lr=0.2,betas=0.8:0.99)~cosine(eta_min=0)", "t": "37"}
    at = page("zh", **link)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    for key, value in link.items():
        assert at.query_params[key] in (value, [value]), (key, at.query_params[key])
    race = train.race("optimizers", [trainstate.parse_run(link["r1"]), trainstate.parse_run(link["r2"])],
                      steps=120, seed=5)
    step_rows = tables(at)[0]
    assert [row[1] for row in step_rows] == [short(run.loss[37]) for run in race.runs]
    w, b = race.runs[1].params_at(37)
    assert step_rows[1][-1] == f"w = {short(w[0])}; b = {short(b[0])}"
    assert at.slider(key="tr_t_v1").value == 37
    # the same link in a new session gives the same numbers
    again = page("zh", **link)
    assert tables(again)[0] == step_rows


def test_moving_the_scrubber_changes_the_numbers_and_the_url():
    at = page("en", preset="outliers")
    before = tables(at)[0]
    data_before = charts(at)[0]
    at.slider(key="tr_t_v1").set_value(10).run()
    assert not at.exception
    race = expected_race("outliers")
    after = tables(at)[0]
    assert after != before
    assert [row[1] for row in after] == [short(run.loss[10]) for run in race.runs]
    assert at.query_params["t"] in ("10", ["10"])
    assert charts(at)[0] != data_before  # the fitted lines moved


def test_editing_a_run_retrains_and_writes_the_url():
    at = page("en", preset="optimizers")
    at.number_input(key="tr_r0_sgd_lr_v1").set_value(0.01).run()
    assert not at.exception and not at.error
    assert "lr=0.01" in str(at.query_params["r1"])
    race = train.race("optimizers", [trainstate.parse_run(str(at.query_params[f"r{k}"]).strip("[]'"))
                                     for k in range(1, 5)], steps=200)
    assert tables(at)[0][0][1] == short(race.runs[0].loss[200])


def test_a_run_can_be_added_and_removed():
    at = page("en", preset="long_tail")
    assert len(tables(at)[0]) == 3
    at.button(key="tr_add_v1").click().run()
    assert not at.exception and len(tables(at)[0]) == 4
    assert at.button(key="tr_add_v2").disabled  # four is the limit
    at.button(key="tr_r0_remove_v2").click().run()
    assert not at.exception and len(tables(at)[0]) == 3


# --- bad input: a message in the learner's language, the rest of the page stays -------------------------------

@pytest.mark.parametrize("query, en, zh", [
    ({"preset": "optimizers", "r1": "mse_loss~sgd(lr=-1)", "r2": "mse_loss~adam(lr=0.1)"}, "lr", "lr"),
    ({"preset": "optimizers", "r1": "mse_loss~sgd(lr=abc)", "r2": "mse_loss~adam(lr=0.1)"}, "not a number",
     "不是数字"),
    ({"preset": "optimizers", "r1": "mse_loss~sgd(lr=0)", "r2": "mse_loss~adam(lr=0.1)"}, "(0, inf)", "(0, inf)"),
    ({"preset": "outliers", "steps": "5000"}, "outside", "超出"),
    ({"preset": "outliers", **{f"r{k}": "mse_loss~adam(lr=0.05)" for k in range(1, 6)}}, "at most 4", "最多 4"),
    ({"preset": "optimizers", "r1": "mse_loss~adam(lr=0.1,betas=0.9:1.5)", "r2": "mse_loss~sgd(lr=0.1)"},
     "betas", "betas"),
    ({"preset": "optimizers", "r1": "mse_loss~sgd(lr=0.1,momentum=-2)", "r2": "mse_loss~sgd(lr=0.1)"},
     "momentum", "momentum"),
    ({"preset": "outliers", "r1": "huber_loss(delta=-1)~adam(lr=0.1)", "r2": "mse_loss~sgd(lr=0.1)"},
     "delta", "delta"),
    ({"preset": "outliers", "r1": "banana~adam(lr=0.1)", "r2": "mse_loss~sgd(lr=0.1)"}, "banana", "banana"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_bad_link_is_explained_and_the_rest_of_the_race_runs(query, en, zh, lang):
    at = page(lang, **query)
    assert not at.exception
    message = shown(at)
    assert (en if lang == "en" else zh) in message, message
    assert charts(at), "the race with the usable runs is still drawn"
    assert tables(at)[0]


@pytest.mark.parametrize("lang, needle", [("en", "outside"), ("zh", "超出")])
def test_too_many_steps_typed_keeps_the_race(lang, needle):
    at = page(lang, preset="outliers")
    before = tables(at)[1]
    at.number_input(key="tr_steps_v1").set_value(5000).run()
    assert not at.exception
    assert needle in shown(at)
    assert tables(at)[1] == before  # the race stays the one with a valid number of steps


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("value", [-0.1, 0.0])
def test_a_bad_learning_rate_typed_is_refused_for_that_run_only(lang, value):
    at = page(lang, preset="optimizers")
    before = tables(at)[1]
    at.number_input(key="tr_r1_sgd_lr_v1").set_value(value).run()
    assert not at.exception
    run = "Run 2" if lang == "en" else "Run 2"
    assert run in shown(at) and "lr" in shown(at)
    assert tables(at)[1] == before  # run 2 races with its last valid settings, the others are untouched


def test_an_optimizer_option_outside_torchs_limits_is_refused():
    at = page("en", preset="optimizers")
    at.number_input(key="tr_r1_sgd_momentum_v1").set_value(-0.5).run()
    assert not at.exception
    assert "momentum" in shown(at)
    assert "[0, inf)" in shown(at)


@pytest.mark.parametrize("data, en, zh", [
    ("1,2\n2,nan\n3,4", "finite", "有限"),
    ("1,2\n2,4\n3,4,5", "row 3", "第 3 行"),
    ("1,2\n2,x\n3,4", "not a number", "不是数字"),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_pasted_rows_are_named(data, en, zh, lang):
    at = page(lang, preset="your_data", data=data)
    assert not at.exception
    assert (en if lang == "en" else zh) in shown(at), shown(at)


def test_bad_rows_typed_keep_the_last_race():
    at = page("en", preset="your_data")
    before = tables(at)[1]
    at.text_area(key="tr_data_v1").input("x,y\n1,2\n2,inf").run()
    assert not at.exception
    assert "finite" in shown(at)
    assert tables(at)[1] == before


def test_pasted_rows_train():
    at = page("en", preset="your_data", data="0,1\n1,3\n2,5\n3,7.2")
    assert not at.exception and not at.error
    race = train.race("your_data", text="0,1\n1,3\n2,5\n3,7.2")
    assert [row[1] for row in tables(at)[1]] == [short(run.loss[run.last_step]) for run in race.runs]


@pytest.mark.parametrize("lang, needle", [("en", "diverged at step"), ("zh", "发散")])
def test_divergence_is_a_result(lang, needle):
    at = page(lang, preset="optimizers", r1="mse_loss~sgd(lr=2)", r2="mse_loss~adam(lr=0.1)")
    assert not at.exception and not at.error
    race = train.race("optimizers", [trainstate.parse_run("mse_loss~sgd(lr=2)"),
                                     trainstate.parse_run("mse_loss~adam(lr=0.1)")])
    k = race.runs[0].diverged_at
    assert k is not None
    assert needle in shown(at) and str(k) in shown(at)
    final = tables(at)[1]
    assert str(k) in final[0][-2]  # the status column
    assert final[0][1] == short(race.runs[0].loss[race.runs[0].last_step])  # the last finite loss


def test_an_unknown_preset_falls_back_with_a_message():
    at = page("en", preset="nope")
    assert not at.exception and "nope" in shown(at)
    assert charts(at)


def test_the_home_page_links_to_train():
    at = open_page("pages/home.py", "en")
    assert not at.exception
    links = [el for el in at.get("page_link") if "train" in el.proto.page]
    assert links, [el.proto.page for el in at.get("page_link")]


def test_run_strings_round_trip_for_every_default_run():
    for preset in train.PRESETS:
        for spec in trainstate.fresh(preset)["runs"]:
            assert trainstate.parse_run(trainstate.format_run(spec)) == spec


def test_the_contour_is_the_runs_loss():
    race = expected_race("optimizers")
    w, b, z = trainstate.contour_grid(key="test", run=0, frame=(0.0, 1.0, -1.0, 0.0), grid=5, _race=race)
    residual = w[2] * race.data.x + b[3] - race.data.y
    assert z[3, 2] == pytest.approx(np.mean(residual ** 2))


def test_play_starts_from_the_beginning_and_advances():
    at = page("en", preset="optimizers")
    at.button(key="tr_play").click().run()
    assert not at.exception
    steps = expected_race("optimizers").steps
    stride = max(1, steps // 40)
    shown = at.slider(key="tr_t_v1").value
    assert shown in (stride, 2 * stride)  # restarted at 0, then a frame or two
    assert at.button(key="tr_play").label == "Pause"
    at.button(key="tr_play").click().run()
    assert at.button(key="tr_play").label == "Play"
    assert at.slider(key="tr_t_v1").value == shown  # paused where it was
