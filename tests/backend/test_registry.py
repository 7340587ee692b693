"""The registry is complete, and every spec's example runs, differentiates and draws a landscape.

These tests iterate over the registry, so a new loss is covered the moment it is registered.
"""

import itertools
from pathlib import Path

import numpy as np
import pytest

import losses
from losses.spec import DOCUMENTS, FAMILIES

TESTS = Path(__file__).parent
IDS = [spec.id for spec in losses.SPECS]


def test_every_loss_function_is_registered_and_every_spec_exported():
    """The registry is complete (as scikit-learn checks its metrics): each public loss in losses.functional
    has a spec, and each spec's function is losses.functional.<id>."""
    public = {name for name, obj in vars(losses.functional).items()
              if not name.startswith("_") and callable(obj) and hasattr(obj, "prepare")}
    assert public == set(losses.REGISTRY)
    for name, spec in losses.REGISTRY.items():
        assert getattr(losses.functional, name) is spec.function
        assert spec.id == name


@pytest.mark.parametrize("name", IDS)
def test_spec_is_complete(name):
    spec = losses.get_spec(name)
    assert spec.family in FAMILIES
    assert set(spec.title) == {"en", "zh"} and all(spec.title.values())
    assert spec.sources and set(spec.sources) <= set(DOCUMENTS)
    assert spec.reference
    assert spec.differentiable, "every loss has a prediction-side argument"
    for arg in spec.arguments:
        assert arg.dtype in ("float", "int") and arg.shape
    required = {a.name for a in spec.arguments if not a.optional}
    assert required <= set(spec.example), f"example misses {required - set(spec.example)}"
    for param in spec.parameters:
        if param.kind == "choice":
            assert param.default in param.choices
    # a test file compares this id with torch
    assert any(f'"{name}"' in p.read_text() for p in TESTS.glob("test_*.py") if p.name != "test_registry.py")


def example_call(spec):
    args = {k: np.asarray(v, dtype=np.int64 if spec.argument(k).dtype == "int" else np.float64)
            for k, v in spec.example.items() if k in {a.name for a in spec.arguments}}
    kwargs = {k: v for k, v in spec.example.items() if k not in args}
    return args, kwargs


@pytest.mark.parametrize("name", IDS)
def test_example_matches_torch(name):
    from tests.backend.torch_check import check

    spec = losses.get_spec(name)
    args, kwargs = example_call(spec)
    check(name, args, kwargs)


def numerical_gradient(fn, arr, h=1e-6):
    """Central differences, and a mask of elements where the one-sided differences agree (no kink)."""
    grad = np.zeros_like(arr)
    smooth = np.ones(arr.shape, dtype=bool)
    base = fn(arr)
    for idx in np.ndindex(arr.shape):
        up, down = arr.copy(), arr.copy()
        up[idx] += h
        down[idx] -= h
        f_up, f_down = fn(up), fn(down)
        grad[idx] = (f_up - f_down) / (2 * h)
        right, left = (f_up - base) / h, (base - f_down) / h
        smooth[idx] = abs(right - left) <= 1e-3 * (1 + abs(right) + abs(left))
    return grad, smooth


@pytest.mark.parametrize("name", IDS)
def test_gradient_matches_finite_differences(name):
    """No torch here: a mistake shared by our code and our reading of torch cannot pass."""
    spec = losses.get_spec(name)
    args, kwargs = example_call(spec)
    kwargs = dict(kwargs)
    if "reduction" in spec.defaults():
        kwargs["reduction"] = "sum"
    rng = np.random.default_rng(1)
    _, grads = losses.value_and_grad(name, **args, **kwargs)
    for arg in spec.differentiable:
        if arg not in args:
            continue
        weights = rng.uniform(0.5, 1.5, size=np.shape(spec.function(**args, **kwargs)))

        def fn(a, arg=arg, weights=weights):
            return float(np.sum(spec.function(**dict(args, **{arg: a}), **kwargs) * weights))

        _, g = losses.value_and_grad(name, **args, **kwargs, grad_output=weights if weights.ndim else None)
        if weights.ndim == 0:
            g = {k: v * weights for k, v in grads.items()}
        numeric, smooth = numerical_gradient(fn, np.asarray(args[arg], dtype=np.float64))
        if name == "ctc_loss":
            # torch defines CTC's gradient through log_softmax: exp(log_probs) - posterior, which is the true
            # derivative (-posterior) plus exp(log_probs) on every frame a sequence uses (weighted like its loss).
            log_probs = np.asarray(args["log_probs"], dtype=np.float64)
            used = np.arange(log_probs.shape[0])[:, None] < np.asarray(args["input_lengths"]).reshape(1, -1)
            numeric = numeric + np.exp(log_probs) * used[..., None] * weights
        np.testing.assert_allclose(g[arg][smooth], numeric[smooth], rtol=1e-4, atol=1e-6, err_msg=f"d/d{arg}")


def element_pairs(spec, args):
    """Two elements in the same unit and two in different units, where the example has them."""
    arg = spec.differentiable[0]
    shape = np.shape(args[arg])
    cells = list(np.ndindex(shape))
    pairs = []
    if len(cells) >= 2:
        pairs.append(((arg, cells[0]), (arg, cells[1])))
        pairs.append(((arg, cells[0]), (arg, cells[-1])))
    others = [a for a in spec.differentiable[1:] if a in args]
    if others:
        pairs.append(((arg, cells[0]), (others[0], next(np.ndindex(np.shape(args[others[0]]))))))
    return pairs


@pytest.mark.parametrize("name", IDS)
def test_landscape_matches_pointwise_evaluation(name):
    spec = losses.get_spec(name)
    args, kwargs = example_call(spec)
    pairs = element_pairs(spec, args)
    if not pairs:
        pytest.skip(f"{name}'s example has a single prediction element")
    for (xa, xi), (ya, yi) in pairs:
        x0 = float(np.asarray(args[xa])[xi])
        y0 = float(np.asarray(args[ya])[yi])
        xs = x0 + np.array([-0.3, 0.1, 0.25])
        ys = y0 + np.array([-0.2, 0.15])
        land = losses.landscape(name, args, kwargs, x=(xa, xi, xs), y=(ya, yi, ys))
        assert land.z.shape == land.dz_dx.shape == land.dz_dy.shape == (2, 3)
        for (j, xv), (i, yv) in itertools.product(enumerate(xs), enumerate(ys)):
            point = {k: np.array(v, dtype=np.float64 if spec.argument(k).dtype == "float" else np.int64)
                     for k, v in args.items()}
            point[xa][xi] = xv
            point[ya][yi] = yv
            value, grads = losses.value_and_grad(name, **point, **kwargs)
            np.testing.assert_allclose(land.z[i, j], np.sum(value), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(land.dz_dx[i, j], grads[xa][xi], rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(land.dz_dy[i, j], grads[ya][yi], rtol=1e-10, atol=1e-12)


def test_landscape_refuses_targets_and_same_element():
    args = {"input": np.ones((2, 2)), "target": np.eye(2)}
    with pytest.raises(losses.LossInputError, match="not a prediction-side argument"):
        losses.landscape("l1_loss", args, x=("target", (0, 0), [0.0]), y=("input", (0, 1), [0.0]))
    with pytest.raises(losses.LossInputError, match="same element"):
        losses.landscape("l1_loss", args, x=("input", (0, 0), [0.0]), y=("input", (0, 0), [0.0]))


def test_unknown_loss_is_refused():
    with pytest.raises(losses.LossInputError, match="unknown loss 'l3_loss'"):
        losses.get_spec("l3_loss")
