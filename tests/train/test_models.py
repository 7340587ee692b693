"""The models' and heads' hand-written chain rule against torch autograd, and against finite differences."""

import numpy as np
import pytest
import torch

import train
from losses import LossInputError
from train.models import HEADS, MLP, Line, Linear, head_backward, head_forward, make_model
from ui.compute.train_torch import _forward, _head

torch.set_num_threads(1)

MODELS = [(Line(), (7,)), (Linear(2, 1), (9, 2)), (Linear(2, 3), (9, 2)), (MLP(2, 1, 5), (8, 2)),
          (MLP(2, 4, 32), (6, 2))]


def _numpy_grads(model, params, x, head, upstream):
    z, cache = model.forward(params, x)
    out = head_forward(head, z)
    d_z = head_backward(head, out, upstream)
    return out, model.backward(params, cache, x, d_z)


@pytest.mark.parametrize("model, x_shape", MODELS, ids=lambda m: getattr(m, "name", str(m)))
@pytest.mark.parametrize("head", HEADS)
def test_gradients_match_torch_autograd(model, x_shape, head):
    rng = np.random.default_rng(3)
    params = model.init(rng)
    params = [p + rng.normal(0, 0.5, p.shape) for p in params]
    x = rng.normal(size=x_shape)
    z, _ = model.forward(params, x)
    upstream = rng.normal(size=z.shape)
    out, grads = _numpy_grads(model, params, x, head, upstream)

    leaves = [torch.tensor(p, requires_grad=True) for p in params]
    ref_out = _head(head, _forward(model.name, leaves, torch.tensor(x)))
    (ref_out * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out, ref_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for g, leaf in zip(grads, leaves):
        np.testing.assert_allclose(g, leaf.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("model, x_shape", MODELS[:4], ids=lambda m: getattr(m, "name", str(m)))
def test_gradients_match_finite_differences(model, x_shape):
    rng = np.random.default_rng(5)
    params = model.init(rng)
    x = rng.normal(size=x_shape)
    z, _ = model.forward(params, x)
    upstream = rng.normal(size=z.shape)
    _, grads = _numpy_grads(model, params, x, "sigmoid", upstream)

    def objective():
        return float(np.sum(head_forward("sigmoid", model.forward(params, x)[0]) * upstream))

    h = 1e-6
    for p, g in zip(params, grads):
        for index in np.ndindex(p.shape):
            keep = p[index]
            p[index] = keep + h
            up = objective()
            p[index] = keep - h
            down = objective()
            p[index] = keep
            assert abs((up - down) / (2 * h) - g[index]) < 1e-6


def test_sigmoid_head_is_stable_for_large_logits():
    z = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    p = head_forward("sigmoid", z)
    assert np.all(np.isfinite(p)) and p[0] == 0.0 and p[-1] == 1.0
    np.testing.assert_allclose(p, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-15)


def test_model_limits():
    with pytest.raises(LossInputError, match=r"hidden=33 is outside \[1, 32\]"):
        MLP(2, 1, 33)
    with pytest.raises(LossInputError):
        MLP(2, 1, 2.5)
    with pytest.raises(LossInputError, match="model='cnn'"):
        make_model("cnn", 2, 1)
    assert train.MAX_HIDDEN == 32


def test_train_imports_neither_streamlit_plotly_nor_torch():
    import subprocess
    import sys
    code = ("import sys, train; train.race('imbalance', steps=2); "
            "print(sorted(m for m in ('streamlit', 'plotly', 'torch') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=__file__.rsplit("/tests/", 1)[0])
    assert result.stdout.strip() == "[]"
