"""Shared check for the loss surfaces (closed forms of a landscape over two elements of one unit).

``check_surface`` computes a landscape twice: with the loss's surface, asserting that the surface was
used, and with the generic path that evaluates the unit per grid point.  The two must agree closely;
a few grid points are also checked against torch's value and autograd gradient.
"""

from __future__ import annotations

import importlib

import numpy as np

import losses

from .torch_check import torch_value_and_grad

_landscape_module = importlib.import_module("losses.landscape")


def generic_landscape(name, args, kwargs, x, y):
    """The landscape with every surface switched off (the per-grid-point path)."""
    previous = _landscape_module.USE_SURFACES
    _landscape_module.USE_SURFACES = False
    try:
        return losses.landscape(name, args, kwargs, x=x, y=y)
    finally:
        _landscape_module.USE_SURFACES = previous


def _point(args: dict, x: tuple, y: tuple, xv: float, yv: float) -> dict:
    point = {k: (np.array(v, dtype=np.float64, copy=True) if k in (x[0], y[0]) else v) for k, v in args.items()}
    point[x[0]][tuple(x[1])] = xv
    point[y[0]][tuple(y[1])] = yv
    return point


def check_surface(name: str, args: dict, kwargs: dict | None, x: tuple, y: tuple, *, expect: str = "surface",
                  rtol: float = 1e-9, torch_points: int = 3):
    """Assert the surface path is taken (``expect``) and equals the generic path and torch.

    ``x`` and ``y`` are ``(argument, index, values)`` as for ``losses.landscape``.  Returns the landscape.
    """
    kwargs = dict(kwargs or {})
    fast = losses.landscape(name, args, kwargs, x=x, y=y)
    assert fast.method == expect, f"{name}: expected the {expect} path, got {fast.method}"
    slow = generic_landscape(name, args, kwargs, x, y)
    for what in ("z", "dz_dx", "dz_dy"):
        ours, ref = getattr(fast, what), getattr(slow, what)
        assert ours.shape == ref.shape == (len(y[2]), len(x[2])), what
        finite = np.abs(ref[np.isfinite(ref)])
        scale = max(1.0, float(finite.max(initial=0.0)))  # an inf in the grid must not make atol infinite
        np.testing.assert_allclose(ours, ref, rtol=rtol, atol=1e-12 * scale, equal_nan=True,
                                   err_msg=f"{name} {what}: surface vs generic")
    spec = losses.get_spec(name)
    reduction_none = kwargs.get("reduction") == "none" or not any(p.name == "reduction" for p in spec.parameters)
    ny, nx = len(y[2]), len(x[2])
    picks = [(0, 0), (ny - 1, nx - 1), (ny // 2, nx // 3)][:torch_points]
    for i, j in picks:
        point = _point(args, x, y, x[2][j], y[2][i])
        value, grads = torch_value_and_grad(name, point, kwargs)
        total = float(np.sum(value)) if reduction_none else float(value)
        gx = grads[x[0]][tuple(x[1])] if x[0] in grads else 0.0
        gy = grads[y[0]][tuple(y[1])] if y[0] in grads else 0.0
        for what, ours, ref in (("z", fast.z[i, j], total), ("dz_dx", fast.dz_dx[i, j], gx),
                                ("dz_dy", fast.dz_dy[i, j], gy)):
            np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-9,
                                       err_msg=f"{name} {what} at grid point ({i}, {j}) vs torch")
    return fast
