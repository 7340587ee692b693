"""Whole training runs against torch, and what a run and a race promise: bounds, divergence, pasted rows."""

import math

import numpy as np
import pytest
import torch

import losses
import train
from losses import LossInputError
from train.data import parse_rows
from ui.compute import train_torch

torch.set_num_threads(1)

STEPS = 200
CLASS_ROWS = "\n".join(f"{x1:.3f},{x2:.3f},{int(x1 * x1 + x2 * x2 > 1.2) + (x1 > 1.0)}"
                       for x1, x2 in np.random.default_rng(2).normal(size=(60, 2)))
LINE_ROWS = "x,y\n" + "\n".join(f"{x:.3f};{2 * x - 1 + 0.1 * np.sin(7 * x):.3f}" for x in np.linspace(-2, 2, 30))
BINARY_ROWS = "\n".join(f"{x1:.3f}\t{x2:.3f}\t{int(x1 * x2 > 0)}"
                        for x1, x2 in np.random.default_rng(4).normal(size=(50, 2)))
RACES = [(preset, None) for preset in train.PRESETS if preset != "your_data"] + [
    ("your_data", LINE_ROWS), ("your_data", BINARY_ROWS), ("your_data", CLASS_ROWS)]


def _assert_same_run(run, other, label):
    assert run.diverged_at == other["diverged_at"], label
    assert len(run.loss) == len(other["loss"]), label
    for k, (ours, theirs) in enumerate(zip(run.params, other["params"])):
        # relative 1e-9; atol only for parameters that pass through zero
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12, err_msg=f"{label} parameter {k}")
    np.testing.assert_allclose(run.loss, other["loss"], rtol=1e-9, atol=1e-12, err_msg=f"{label} loss")
    np.testing.assert_allclose(run.grad_norm, other["grad_norm"], rtol=1e-7, atol=1e-10, err_msg=f"{label} norm")


@pytest.mark.parametrize("preset, text", RACES, ids=[p if t is None else f"{p}-{i}" for i, (p, t) in enumerate(RACES)])
def test_every_preset_trains_as_torch_does(preset, text):
    race = train.race(preset, steps=STEPS, text=text)
    for i, run in enumerate(race.runs):
        assert run.diverged_at is None and len(run.loss) == STEPS + 1
        _assert_same_run(run, train_torch.torch_run(race, i), f"{preset} run {i} {run.spec.loss}")
    assert train_torch.max_parameter_difference(race) == pytest.approx([0.0] * len(race.runs), abs=1e-9)


def test_annealed_gamma_and_lr_schedules_as_torch():
    runs = [
        train.RunSpec("l0_loss", {"eps": 0.1}, optimizer="adam", optimizer_options={"lr": 0.05},
                      anneal={"gamma": (2.0, 0.0)}, lr_schedule=("step", 50, 0.5)),
        train.RunSpec("l0_loss", {"eps": 0.1}, optimizer="sgd", optimizer_options={"lr": 0.05, "momentum": 0.5},
                      anneal={"gamma": (2.0, 0.5)}, lr_schedule=("cosine", 0.001)),
        train.RunSpec("smooth_l1_loss", optimizer="adagrad", optimizer_options={"lr": 0.3},
                      anneal={"beta": (2.0, 0.1)}),
        train.RunSpec("huber_loss", optimizer="rmsprop", optimizer_options={"lr": 0.01, "centered": True},
                      anneal={"delta": (3.0, 0.5)}, lr_schedule="cosine"),
    ]
    race = train.race("outliers", runs, steps=STEPS)
    gamma = race.runs[0].loss_parameters["gamma"]
    assert gamma[0] == 2.0 and gamma[STEPS - 1] == 0.0 and gamma[STEPS] == 0.0
    assert np.all(np.diff(gamma) <= 0)
    assert race.runs[0].lr[49] == 0.05 and race.runs[0].lr[50] == 0.025
    for i, run in enumerate(race.runs):
        _assert_same_run(run, train_torch.torch_run(race, i), f"annealed run {i}")


def test_mlp_race_as_torch():
    race = train.race("multilabel", steps=100, model="mlp", hidden=12)
    assert race.model.name == "mlp" and race.init[0].shape == (12, 2)
    for i, run in enumerate(race.runs):
        _assert_same_run(run, train_torch.torch_run(race, i), f"mlp run {i}")


def test_divergence_is_a_result_at_the_right_step():
    """SGD with lr far above 2/L on a line fit: the loss grows geometrically until it overflows.  The step is
    found again by a plain loop written out here."""
    lr = 3.0
    race = train.race("optimizers", [train.RunSpec("mse_loss", optimizer="sgd", optimizer_options={"lr": lr})],
                      steps=2000)
    run = race.runs[0]
    x, y = race.data.x, race.data.y
    w, b = race.init[0][0], race.init[1][0]
    expected = None
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(2001):
            r = w * x + b - y
            # the mean as a sum of r_i^2 / n: a finite mean is not lost to an overflowing intermediate sum
            if not math.isfinite(float(np.sum(r * r / len(r)))):
                expected = t
                break
            w, b = w - lr * float(np.mean(2 * r * x)), b - lr * float(np.mean(2 * r))
    assert expected is not None and 10 < expected < 2000
    assert run.diverged_at == expected
    assert len(run.loss) == expected and np.all(np.isfinite(run.loss)) and run.last_step == expected - 1
    assert np.all(np.isfinite(run.flat_params))
    # torch's mean is a sum divided by n, which overflows one step before the sum of r_i^2 / n does.
    other = train_torch.torch_run(race, 0)
    assert other["diverged_at"] in (expected - 1, expected)
    assert train_torch.max_parameter_difference(race, [other])[0] < 1e-9 * np.abs(run.flat_params).max()


@pytest.mark.parametrize("kwargs, argument, code", [
    ({"steps": 2001}, "steps", "range"), ({"steps": 0}, "steps", "range"), ({"steps": 2.5}, "steps", "dtype"),
    ({"runs": [train.RunSpec("mse_loss")] * 5}, "runs", "range"), ({"runs": []}, "runs", "range"),
    ({"runs": [train.RunSpec("mse_loss", optimizer_options={"lr": -1})]}, "lr", "range"),
    ({"runs": [train.RunSpec("mse_loss", optimizer_options={"lr": 0})]}, "lr", "range"),
    ({"runs": [train.RunSpec("mse_loss", optimizer="adam", optimizer_options={"betas": (1.0, 0.9)})]},
     "betas", "range"),
    ({"runs": [train.RunSpec("huber_loss", {"delta": -1.0})]}, "delta", "range"),
    ({"runs": [train.RunSpec("mse_loss", {"reduction": "none"})]}, "reduction", "choice"),
    ({"runs": [train.RunSpec("cross_entropy")]}, "loss", "choice"),
    ({"runs": [train.RunSpec("no_such_loss")]}, "loss", "choice"),
    ({"runs": [train.RunSpec("mse_loss", anneal={"beta": (1, 0)})]}, "anneal", "choice"),
    ({"runs": [train.RunSpec("l0_loss", anneal={"gamma": (2.0, -1.0)})]}, "gamma", "range"),
    ({"runs": [train.RunSpec("mse_loss", lr_schedule="warmup")]}, "lr_schedule", "choice"),
    ({"runs": [train.RunSpec("mse_loss", head="relu")]}, "head", "choice"),
    ({"seed": -1}, "seed", "range"), ({"model": "mlp"}, "model", "choice"),
])
def test_bad_input_raises_the_backend_error(kwargs, argument, code):
    with pytest.raises(LossInputError) as caught:
        train.race("outliers", **{"steps": 5, **kwargs})
    assert (caught.value.argument, caught.value.code) == (argument, code)


def test_torch_wording_reaches_the_race():
    with pytest.raises(LossInputError, match="^Invalid learning rate: -1$"):
        train.race("optimizers", [train.RunSpec("mse_loss", optimizer_options={"lr": -1})], steps=3)
    with pytest.raises(LossInputError, match="^Invalid beta parameter at index 1: 1.0$"):
        train.race("optimizers", [train.RunSpec("mse_loss", optimizer="adam",
                                                optimizer_options={"betas": (0.9, 1.0)})], steps=3)


def test_same_seed_same_numbers_other_seed_other_data():
    a, b = train.race("imbalance", steps=20, seed=3), train.race("imbalance", steps=20, seed=3)
    c = train.race("imbalance", steps=20, seed=4)
    assert np.array_equal(a.data.x, b.data.x) and not np.array_equal(a.data.x, c.data.x)
    for ra, rb in zip(a.runs, b.runs):
        assert np.array_equal(ra.flat_params, rb.flat_params)
    assert all(np.array_equal(r.params[k][0], a.init[k]) for r in a.runs for k in range(len(a.init)))


@pytest.mark.parametrize("preset", list(train.PRESETS))
def test_presets_declare_what_the_page_needs(preset):
    p = train.PRESETS[preset]
    text = LINE_ROWS if preset == "your_data" else None
    data = p.dataset(0, text)
    usable = p.losses(data)
    assert usable and set(usable) <= set(losses.REGISTRY)
    runs = p.default_runs(data)
    assert 1 <= len(runs) <= train.MAX_RUNS
    assert {r.loss for r in runs} <= set(usable)
    assert 1 <= p.steps <= train.MAX_STEPS
    race = train.race(preset, steps=3, text=text)
    for i, run in enumerate(race.runs):
        assert run.metrics and all(len(v) == 4 for v in run.metrics.values())
        assert run.flat_params.shape == (4, sum(x.size for x in race.init))
        pred = race.predict(i, 2, race.data.x)
        assert pred.shape == race.data.y.shape


def test_usable_losses_follow_the_registry():
    data = train.PRESETS["outliers"].dataset(0)
    usable = train.usable_losses(data)
    assert "relative_mse_loss" not in usable  # its target domain is nonnegative; the outliers data is not
    assert "relative_mse_loss" in train.usable_losses(train.PRESETS["long_tail"].dataset(0))
    assert all(losses.get_spec(name).family == "regression" for name in usable)
    binary = train.usable_losses(train.PRESETS["imbalance"].dataset(0))
    assert {"binary_cross_entropy_with_logits", "sigmoid_focal_loss", "dice_loss", "soft_margin_loss"} <= set(binary)
    assert "cross_entropy" not in binary and "ctc_loss" not in binary and "sigmoid" not in binary
    multilabel = train.usable_losses(train.PRESETS["multilabel"].dataset(0))
    assert {"cross_entropy", "multilabel_soft_margin_loss", "binary_cross_entropy_with_logits"} <= set(multilabel)


def test_multilabel_softmax_sums_to_one_and_sigmoids_do_not():
    race = train.race("multilabel", steps=200)
    by_loss = {run.spec.loss: i for i, run in enumerate(race.runs)}
    softmax = race.predict(by_loss["cross_entropy"], 200, race.data.x)
    sigmoid = race.predict(by_loss["binary_cross_entropy_with_logits"], 200, race.data.x)
    np.testing.assert_allclose(softmax.sum(axis=1), 1.0)
    two = race.data.marks["two_labels"]
    assert two.any() and sigmoid[two].sum(axis=1).mean() > 1.5 > softmax[two].sum(axis=1).mean()


def test_outliers_l1_follows_the_median_and_mse_the_mean():
    race = train.race("outliers")
    by_loss = {run.spec.loss: run for run in race.runs}
    mse, l1 = by_loss["mse_loss"], by_loss["l1_loss"]
    assert l1.metrics["inlier_mae"][-1] < 0.5 * mse.metrics["inlier_mae"][-1]
    x, y = race.data.x, race.data.y
    X = np.stack([x, np.ones_like(x)], axis=1)
    np.testing.assert_allclose(mse.flat_params[-1], np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-3)


def test_loss_grid_is_the_loss_at_each_point():
    race = train.race("optimizers", steps=5)
    w, b = np.linspace(-2, 2, 5), np.linspace(-1, 3, 4)
    grid = race.loss_grid(0, w, b)
    x, y = race.data.x, race.data.y
    assert grid.shape == (4, 5)
    assert grid[2, 3] == pytest.approx(np.mean((w[3] * x + b[2] - y) ** 2), rel=1e-12)
    assert race.runs[0].loss[0] == pytest.approx(np.mean((race.init[0][0] * x + race.init[1][0] - y) ** 2))


@pytest.mark.parametrize("text, row, col, code", [
    ("1,2\n3,x\n", 2, 2, "not_numeric"), ("1,2\n\n3,4,5\n", 3, 3, "lengths"), ("1,2\n3,nan", 2, 2, "not_finite"),
    ("1\n", 1, 1, "lengths"), ("0,0,0\n1,1,0.5\n", 2, 3, "class_index"), ("0,0,0\n1,1,-1\n", 2, 3, "class_index"),
    ("# a comment\n1,2\n2,inf\n", 3, 2, "not_finite"),
])
def test_pasted_rows_name_the_bad_row(text, row, col, code):
    with pytest.raises(LossInputError) as caught:
        parse_rows(text)
    assert caught.value.code == code and caught.value.location == (row, col) and caught.value.row == row
    assert f"row {row}" in str(caught.value)


def test_pasted_rows_limits_and_forms():
    assert parse_rows("x,y\n1,2\n2,3").task == "regression"
    assert parse_rows("1 2 1\n2 3 0").task == "binary"
    data = parse_rows("1,2,0\n2,3,2\n0,0,1")
    assert data.task == "multiclass" and data.n_classes == 3
    with pytest.raises(LossInputError) as caught:
        parse_rows("\n".join("1,2" for _ in range(train.MAX_ROWS + 1)))
    assert caught.value.code == "too_large"
    with pytest.raises(LossInputError) as caught:
        parse_rows("1,2")
    assert caught.value.code == "empty"
    with pytest.raises(LossInputError):
        train.race("your_data")


def test_error_messages_translate():
    from ui.text.errors import describe
    for bad in ("1,2\n3,x", "1,2\n3,4,5"):
        try:
            parse_rows(bad)
        except LossInputError as exc:
            for lang in ("en", "zh"):
                text = describe(exc, lang)
                assert "2" in text and "Details" not in text


@pytest.mark.parametrize("preset", [p for p in train.PRESETS if p != "your_data"])
def test_fast_path_is_taken_and_gives_the_validated_numbers(preset):
    race = train.race(preset, steps=30)
    for trainer, run in zip(race.trainers, race.runs):
        assert trainer.fast, f"{preset} {run.spec.loss} fell back to the validated path"
        trainer.loss_call.problem = None  # every step through losses.value_and_grad again
        slow = trainer.run(race.init, 30)
        assert np.array_equal(slow.flat_params, run.flat_params) and np.array_equal(slow.loss, run.loss)


def test_loss_grid_shortcut_equals_the_loop(monkeypatch):
    from train import presets
    race = train.race("outliers", steps=20)
    w, b = np.linspace(-1, 3, 7), np.linspace(-2, 2, 6)
    fast = [race.loss_grid(i, w, b, step=10) for i in range(len(race.runs))]
    monkeypatch.setattr(presets, "_elementwise_grid", lambda *args: None)
    for i, grid in enumerate(fast):
        np.testing.assert_allclose(grid, race.loss_grid(i, w, b, step=10), rtol=1e-12)


def test_saturated_start_is_slow_under_mse_on_sigmoid():
    race = train.race("saturation")
    by_loss = {run.spec.loss: run for run in race.runs}
    mse, bce = by_loss["mse_loss"], by_loss["binary_cross_entropy_with_logits"]
    assert mse.grad_norm[0] < 0.05 * bce.grad_norm[0]
    first = {name: int(np.argmax(run.metrics["accuracy"] >= 0.9)) for name, run in by_loss.items()}
    assert first["mse_loss"] > 5 * first["binary_cross_entropy_with_logits"]
