"""The registry is the contract: every spec fills every field with an allowed value, and the facts agree
with what the loss computes (as scikit-learn's metric tests check their registry of metrics).

A field that says something about the numbers (the unit a reduction averages over, what 'mean' divides
by, where the derivative jumps, which gradient is returned) is checked against the backend on the spec's
own example, so a new loss whose spec is copied from a neighbour and not adapted fails here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import typing

import numpy as np
import pytest
import torch

import losses
from losses import spec as spec_module
from losses.numerics import log_softmax as _log_softmax
from losses.spec import CurveAxis, LossSpec, Worked, allowed
from ui.compute import torch_extras

IDS = [s.id for s in losses.SPECS]
HINTS = typing.get_type_hints(LossSpec)
CURVE_HINTS = typing.get_type_hints(CurveAxis)
LITERAL_FIELDS = {name: hint for name, hint in HINTS.items() if typing.get_origin(hint) is typing.Literal}

# What each curve kind measures, and the target domains under which it means something.
CURVE_QUANTITIES = {
    "element": {"element"},
    "class_index": {"logit", "logprob", "score"},
    "binary_target": {"logit", "prob"},
    "pair_margin": {"margin"},
    "signed_margin": {"margin"},
    "distance": {"distance"},
}
CURVE_TARGET_DOMAINS = {
    "class_index": {"class_index"},
    "binary_target": {"binary", "probability"},
    "pair_margin": {"sign"},
    "signed_margin": {"sign"},
    "distance": {"sign"},
}
# The options a worked-arithmetic kind reads; kinds not named here take none.
WORKED_OPTIONS = {"overlap": {"intersection_weight", "union_subtracts_intersection"}, "softmax": {"log"}}


def example_call(spec: LossSpec, **overrides) -> dict:
    """The spec's example as keyword arguments: tensors as arrays, parameters as given."""
    names = {a.name for a in spec.arguments}
    kwargs = {k: (np.asarray(v) if k in names else v) for k, v in spec.example.items()}
    kwargs.update(overrides)
    return kwargs


def unreduced(spec: LossSpec, **overrides) -> np.ndarray:
    with np.errstate(all="ignore"):
        if spec.mean_denominator == "none":
            return np.asarray(spec.function(**example_call(spec, **overrides)), dtype=np.float64)
        return np.asarray(spec.function(**example_call(spec, reduction="none", **overrides)), dtype=np.float64)


# --- every field, every spec -------------------------------------------------------------------------------

def test_every_field_is_documented():
    """Each field carries a docstring in losses/spec.py (the line after its annotation)."""
    source = inspect.getsource(spec_module.LossSpec)
    for field in dataclasses.fields(LossSpec):
        after = source.split(f"\n    {field.name}: ", 1)[1].split("\n", 2)[1]
        assert after.strip().startswith('"""'), f"LossSpec.{field.name} has no docstring"


def test_every_field_is_required():
    """No field has a default, so a spec that forgets one does not construct."""
    for field in dataclasses.fields(LossSpec):
        assert field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING, field.name


@pytest.mark.parametrize("name", IDS)
def test_literal_fields_hold_allowed_values(name):
    spec = losses.get_spec(name)
    for field, kind in LITERAL_FIELDS.items():
        assert getattr(spec, field) in allowed(kind), f"{name}.{field} = {getattr(spec, field)!r}"
    assert spec.curve.kind in allowed(CURVE_HINTS["kind"])
    assert spec.curve.quantity in allowed(CURVE_HINTS["quantity"])
    assert isinstance(spec.worked, Worked)
    assert spec.worked.kind in allowed(typing.get_type_hints(Worked)["kind"])
    for argument in spec.arguments:
        assert argument.role in spec_module.ROLES and argument.domain in spec_module.DOMAINS
    for parameter in spec.parameters:
        assert parameter.kind in allowed(spec_module.ParameterKind)


@pytest.mark.parametrize("name", IDS)
def test_tuple_fields_hold_what_they_say(name):
    spec = losses.get_spec(name)
    assert isinstance(spec.arguments, tuple) and all(isinstance(a, spec_module.Argument) for a in spec.arguments)
    assert isinstance(spec.parameters, tuple)
    assert all(isinstance(p, spec_module.Parameter) for p in spec.parameters)
    for conditions in (spec.kinks, spec.curvature_breaks):
        assert isinstance(conditions, tuple) and all(isinstance(k, str) and k.strip() for k in conditions)
    assert not (spec.kinks and spec.curvature_breaks), "a corner of the slope is hidden by its jumps"
    assert isinstance(spec.torch_class_tensors, tuple)
    assert set(spec.torch_class_tensors) <= {a.name for a in spec.arguments}


# --- facts that follow from other facts --------------------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_mean_denominator_none_exactly_without_reduction(name):
    spec = losses.get_spec(name)
    has_reduction = any(p.name == "reduction" for p in spec.parameters)
    assert (spec.mean_denominator == "none") == (not has_reduction)


@pytest.mark.parametrize("name", IDS)
def test_curve_axis_fits_the_arguments(name):
    spec = losses.get_spec(name)
    curve = spec.curve
    assert curve.quantity in CURVE_QUANTITIES[curve.kind]
    assert set(curve.arguments) <= set(spec.differentiable), "only a prediction is swept"
    assert (curve.kind == "element") == (curve.arguments == ())
    if curve.kind == "pair_margin":
        assert len(curve.arguments) == 2
    if curve.kind in CURVE_TARGET_DOMAINS:
        assert spec.argument("target").domain in CURVE_TARGET_DOMAINS[curve.kind]
    swept = {spec.argument(a).domain for a in curve.arguments}
    if curve.quantity == "prob":
        assert swept == {"probability"}
    if curve.quantity == "logprob":
        assert swept == {"log_probability"}
    if curve.quantity in ("logit", "score", "margin", "distance"):
        assert swept == {"real"}


@pytest.mark.parametrize("name", IDS)
def test_worked_options_are_the_ones_its_kind_reads(name):
    spec = losses.get_spec(name)
    assert set(spec.worked.options) == WORKED_OPTIONS.get(spec.worked.kind, set())


def test_notes_order_numbers_the_notes_losses_from_zero():
    ordered = sorted((s.notes_order, s.id) for s in losses.SPECS if s.notes_order is not None)
    assert [n for n, _ in ordered] == list(range(len(ordered)))
    for _, name in ordered:
        assert {"zh-examples", "en-summary"} & set(losses.get_spec(name).sources), name


@pytest.mark.parametrize("name", IDS)
def test_gradient_convention_other_than_derivative_needs_log_probabilities(name):
    spec = losses.get_spec(name)
    if spec.gradient == "log_softmax_logits":
        assert [spec.argument(a).domain for a in spec.differentiable] == ["log_probability"]


# --- torch: what the live check and code export call -------------------------------------------------------

@pytest.mark.parametrize("name", IDS)
def test_torch_function_resolves(name):
    from ui.compute.torch_reference import torch_function

    spec = losses.get_spec(name)
    if spec.in_torch:
        assert spec.torch_function.startswith("torch.")
        assert spec.torch_name == spec.id, "the registry id is torch's own name"
        found = getattr(importlib.import_module(spec.torch_module), spec.torch_name)
        assert torch_function(name) is found
    else:
        assert spec.torch_module is None and spec.torch_name is None
        assert torch_function(name) is getattr(torch_extras, spec.id), "torch-ops version named like the id"
        assert spec.reference != spec.torch_function


@pytest.mark.parametrize("name", IDS)
def test_torch_class_takes_the_parameters_and_constructor_tensors(name):
    spec = losses.get_spec(name)
    if spec.torch_class is None:
        assert spec.torch_class_tensors == () and spec.torch_class_path is None
        return
    cls = getattr(torch.nn, spec.torch_class)
    assert spec.torch_class_path == f"torch.nn.{spec.torch_class}"
    init = set(inspect.signature(cls.__init__).parameters) - {"self"}
    if init == {"args", "kwargs"}:  # torch.nn.Sigmoid / Tanh take nothing
        init = set()
    assert {p.name for p in spec.parameters} <= init
    tensors_in_init = {a.name for a in spec.arguments} & init
    assert tensors_in_init == set(spec.torch_class_tensors)


# --- facts checked against the numbers ---------------------------------------------------------------------

def _prediction_size(spec: LossSpec, kwargs: dict) -> int:
    shapes = [np.shape(kwargs[a]) for a in spec.differentiable if a in kwargs]
    return int(np.prod(np.broadcast_shapes(*shapes), dtype=np.int64))


@pytest.mark.parametrize("name", IDS)
def test_reduction_unit_matches_the_number_of_terms(name):
    spec = losses.get_spec(name)
    terms = unreduced(spec).size
    size = _prediction_size(spec, example_call(spec))
    if spec.reduction_unit == "element":
        assert terms == size, f"one term per element: {terms} terms for {size} elements"
    else:
        assert terms < size, f"one term per sample: {terms} terms for {size} elements"


def _weights(spec: LossSpec, kwargs: dict) -> dict:
    """Weight tensors of the shapes the spec documents: per class '(C...' or like the input."""
    x = kwargs[spec.differentiable[0]]
    found = {}
    for argument in spec.arguments:
        if argument.role != "weight":
            continue
        classes = x.shape[1] if x.ndim > 1 else x.shape[0]
        shape = (classes,) if argument.shape.startswith("(C") else x.shape
        found[argument.name] = 1.5 + np.arange(int(np.prod(shape))).reshape(shape) / 4
    return found


@pytest.mark.parametrize("name", [s.id for s in losses.SPECS if s.mean_denominator != "none"])
def test_mean_divides_by_the_declared_denominator(name):
    spec = losses.get_spec(name)
    weights = _weights(spec, example_call(spec))
    for given in ({}, weights) if weights else ({},):
        values = unreduced(spec, **given)
        with np.errstate(all="ignore"):
            mean = float(spec.function(**example_call(spec, reduction="mean", **given)))
        kind = spec.mean_denominator
        if kind == "weight_sum" and "weight" in given:
            expected = values.sum() / given["weight"].sum()
        elif kind == "class_weight_sum" and "weight" in given:
            target = example_call(spec)["target"]
            expected = values.sum() / given["weight"][target].sum()
        elif kind == "target_length":
            lengths = np.maximum(example_call(spec)["target_lengths"], 1)
            expected = np.mean(values / lengths)
        else:
            expected = values.mean()
        np.testing.assert_allclose(mean, expected, rtol=1e-12, err_msg=f"{name} mean with {sorted(given)}")


def _sweep_bounds(domain: str, x0: float) -> tuple[float, float]:
    low, high = x0 - 3.0, x0 + 3.0
    if domain == "probability":
        return max(low, 1e-3), min(high, 1 - 1e-3)
    if domain in ("positive", "nonnegative"):
        return max(low, 1e-2), high
    if domain == "log_probability":
        return low, min(high, -1e-2)
    return low, high


def _slope(spec: LossSpec, kwargs: dict, argument: str, index: tuple, x: float) -> float:
    call = dict(kwargs)
    arr = np.array(call[argument], dtype=np.float64)
    arr[index] = x
    call[argument] = arr
    _, grads = losses.value_and_grad(spec.id, **call)
    return float(grads[argument][index])


def _has_jump(f, a: float, b: float, steps: int = 40) -> bool:
    """Bisect towards the largest change of ``f`` in [a, b]: a jump keeps its size as the interval
    shrinks, a smooth change halves with it."""
    fa, fb = f(a), f(b)
    early = None
    for step in range(steps):
        m = 0.5 * (a + b)
        fm = f(m)
        if abs(fm - fa) >= abs(fb - fm):
            b, fb = m, fm
        else:
            a, fa = m, fm
        if step == steps // 2 - 1:
            early = abs(fb - fa)
    late = abs(fb - fa)
    # Relative to the size of f, so that rounding in a steep curve is not taken for a jump.
    return late > 1e-6 * max(1.0, abs(fa), abs(fb)) and late > 0.5 * early


def _jumps(spec: LossSpec, order: int) -> list:
    """Where, sweeping each prediction element of the example, the slope (order 1) or the slope's slope
    (order 2) jumps."""
    params = {} if spec.mean_denominator == "none" else {"reduction": "sum"}
    kwargs = example_call(spec, **params)
    found = []
    with np.errstate(all="ignore"):
        for argument in spec.differentiable:
            domain = spec.argument(argument).domain
            for index in np.ndindex(np.shape(kwargs[argument])):

                def slope(x, argument=argument, index=index):
                    return _slope(spec, kwargs, argument, index, x)

                def bend(x, slope=slope, h=1e-7):
                    return (slope(x + h) - slope(x - h)) / (2 * h)

                f, steps = (slope, 40) if order == 1 else (bend, 16)
                x0 = float(np.asarray(kwargs[argument])[index])
                xs = np.linspace(*_sweep_bounds(domain, x0), 61)
                values = np.array([f(x) for x in xs])
                change = np.abs(np.diff(values))
                change[~np.isfinite(change)] = 0.0
                for k in np.argsort(change)[-2:]:
                    if change[k] > 1e-6 and _has_jump(f, xs[k], xs[k + 1], steps):
                        found.append((argument, index, float(xs[k])))
                        break
    return found


# order 1: the slope jumps (``kinks``); order 2: only the slope's slope does (``curvature_breaks``), which
# is asked only of losses without kinks, since a jump of the slope hides what its slope does.
SMOOTHNESS_CASES = [(s.id, 1) for s in losses.SPECS] + [(s.id, 2) for s in losses.SPECS if not s.kinks]


@pytest.mark.parametrize("name,order", SMOOTHNESS_CASES)
def test_kinks_and_curvature_breaks_are_listed_exactly_where_the_slope_jumps_or_bends(name, order):
    """Sweep every prediction element of the example: a loss that declares kinks (or curvature breaks)
    shows a jump of its slope (or of the slope's slope) somewhere, any other loss nowhere."""
    spec = losses.get_spec(name)
    declared = spec.kinks if order == 1 else spec.curvature_breaks
    what = "kinks" if order == 1 else "curvature breaks"
    found = _jumps(spec, order)
    if declared:
        assert found, f"{name} declares {what} {declared} but nothing jumps on the example"
    else:
        assert not found, f"{name} declares no {what} but something jumps at {found[:3]}"


@pytest.mark.parametrize("name", IDS)
def test_gradient_convention_matches_finite_differences(name):
    """'derivative': the returned gradient is the value's slope; 'log_softmax_logits': it is the slope of
    the value through log_softmax along the class axis, and not the value's own slope."""
    spec = losses.get_spec(name)
    params = {} if spec.mean_denominator == "none" else {"reduction": "sum"}
    kwargs = example_call(spec, **params)
    argument = spec.differentiable[0]
    if spec.gradient == "log_softmax_logits":  # at normalised log-probabilities, log_softmax changes nothing
        kwargs[argument] = _log_softmax(np.asarray(kwargs[argument], dtype=np.float64))
    x = np.asarray(kwargs[argument], dtype=np.float64)
    _, grads = losses.value_and_grad(name, **kwargs)
    index = next(np.ndindex(x.shape))
    h = 1e-6

    def value(arr, through_log_softmax: bool) -> float:
        arr = _log_softmax(arr) if through_log_softmax else arr
        with np.errstate(all="ignore"):
            return float(np.sum(spec.function(**dict(kwargs, **{argument: arr}))))

    def slope(through: bool) -> float:
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        return (value(up, through) - value(down, through)) / (2 * h)

    ours = float(grads[argument][index])
    if spec.gradient == "derivative":
        np.testing.assert_allclose(ours, slope(False), rtol=1e-5, atol=1e-7)
    else:
        np.testing.assert_allclose(ours, slope(True), rtol=1e-5, atol=1e-7)
        assert not np.isclose(ours, slope(False), rtol=1e-3, atol=1e-6)


@pytest.mark.parametrize("name", [s.id for s in losses.SPECS if s.worked.kind == "overlap"])
def test_overlap_options_reproduce_the_loss(name):
    spec = losses.get_spec(name)
    kwargs = example_call(spec)
    x, y = kwargs["input"], kwargs["target"]
    smooth = spec.defaults()["smooth"]
    dims = tuple(range(1, x.ndim))
    inter, total = (x * y).sum(axis=dims), x.sum(axis=dims) + y.sum(axis=dims)
    opts = spec.worked.options
    union = total - inter if opts["union_subtracts_intersection"] else total
    expected = 1 - (opts["intersection_weight"] * inter + smooth) / (union + smooth)
    np.testing.assert_allclose(unreduced(spec), expected, rtol=1e-12)


@pytest.mark.parametrize("name", [s.id for s in losses.SPECS if s.worked.kind == "softmax"])
def test_softmax_log_option_says_which_one(name):
    spec = losses.get_spec(name)
    out = unreduced(spec)
    dim = example_call(spec).get("dim", spec.defaults()["dim"])
    mass = np.exp(out) if spec.worked.options["log"] else out
    np.testing.assert_allclose(mass.sum(axis=dim), 1.0, rtol=1e-12)


def test_default_spec_is_a_registered_loss_the_notes_start_with():
    assert losses.REGISTRY[losses.DEFAULT_SPEC.id] is losses.DEFAULT_SPEC
    assert losses.DEFAULT_SPEC.notes_order == 0 and losses.DEFAULT_SPEC.family != "activation"
