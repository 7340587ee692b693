"""Every generated script runs on its own and prints what the page computes (relative 1e-6).

For each registry loss: its example state, a state with every option changed, and states with other shapes
and optional tensors (those the backend accepts).  The scripts run in two subprocesses, one per tab; each
script is executed from its own text in a fresh namespace, as ``python script.py`` would run it.
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import losses
from ui.compute import export
from ui.compute.runner import run_backend
from ui.state.urlstate import example_arrays, example_parameters
from ui.text.i18n import LANGS

from .conftest import ROOT

RUNNER = r"""
import contextlib, io, json, sys
scripts = json.load(sys.stdin)
results = []
for name, text in scripts:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(text, name, "exec"), {"__name__": "__main__"})
        results.append([out.getvalue(), None])
    except BaseException as exc:
        results.append([out.getvalue(), f"{type(exc).__name__}: {exc}"])
json.dump(results, sys.stdout)
"""


def changed_value(param):
    """A valid value other than torch's default."""
    if param.kind == "bool":
        return not param.default
    if param.kind == "choice":
        others = [c for c in param.choices if c != param.default]
        return "sum" if "sum" in others else others[0]
    if param.name in ("ignore_index", "blank", "dim"):
        return {"ignore_index": 1, "blank": 0, "dim": 0}[param.name] if param.default != 0 else 1
    if param.kind == "int":
        return int(param.default) + 1
    high = param.high if param.high is not None else param.ui_high
    value = float(param.default) * 0.5 if param.default else 0.3
    return min(value, high) if high is not None else value


def accepted(spec, tensors, params) -> bool:
    outcome = run_backend(spec.id, tensors, params)
    return outcome.ok and np.all(np.isfinite(outcome.value))


def optional_candidates(spec, tensors: dict) -> list[dict]:
    """Each optional tensor in use, at a shape the backend accepts (per class, per element, last axis)."""
    found = []
    x = np.asarray(tensors[spec.arguments[0].name])
    for arg in spec.arguments:
        if not arg.optional:
            continue
        for shape in ((x.shape[1],) if x.ndim >= 2 else (), x.shape, (x.shape[-1],) if x.ndim else ()):
            if not shape:
                continue
            candidate = {**tensors, arg.name: np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)}
            found.append(candidate)
    return found


def shape_candidates(spec, tensors: dict) -> list[dict]:
    """Other shapes: the first sample alone (batch dimension dropped), a batch of one, a scaled prediction."""
    firsts = {k: v[0] for k, v in tensors.items() if np.ndim(v) >= 1}
    ones = {k: v[:1] for k, v in tensors.items() if np.ndim(v) >= 1}
    scaled = {k: (v * 0.75 - 0.125 if spec.argument(k).differentiable and v.dtype.kind == "f" else v)
              for k, v in tensors.items()}
    return [{**tensors, **firsts}, {**tensors, **ones}, scaled]


def states(spec) -> list[tuple[str, dict, dict]]:
    tensors, params = example_arrays(spec), example_parameters(spec)
    found = [("example", tensors, params)]
    if spec.parameters:
        changed = {p.name: changed_value(p) for p in spec.parameters}
        if accepted(spec, tensors, {**params, **changed}):
            found.append(("options", tensors, {**params, **changed}))
        for param in spec.parameters:  # each option alone, so one the others mask is still covered
            one = {**params, param.name: changed_value(param)}
            if one != params and accepted(spec, tensors, one):
                found.append((f"option-{param.name}", tensors, one))
    for i, candidate in enumerate(shape_candidates(spec, tensors) + optional_candidates(spec, tensors)):
        if accepted(spec, candidate, params):
            found.append((f"shape-{i}", candidate, params))
    return found


CASES = [(spec, label, tensors, params) for spec in losses.SPECS for label, tensors, params in states(spec)]


def run_all(scripts: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    done = subprocess.run([sys.executable, "-c", RUNNER], input=json.dumps(scripts), capture_output=True,
                          text=True, cwd=ROOT, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def printed(stdout: str) -> dict:
    values = {}
    for line in stdout.strip().splitlines():
        name, _, literal = line.partition(" = ")
        literal = literal.replace("nan", "None").replace("inf", "1e999")
        values[name] = np.array(ast.literal_eval(literal), dtype=np.float64)
    return values


def expected(spec, tensors, params) -> dict:
    outcome = run_backend(spec.id, tensors, params)
    values = {export.result_name(spec): np.asarray(outcome.value, dtype=np.float64)}
    values.update({f"{k}.grad": np.asarray(v, dtype=np.float64) for k, v in outcome.grads.items()})
    return values


def check(spec, label, shown: dict, stdout: str, error: str | None, tab: str) -> list[str]:
    where = f"{spec.id} [{label}] {tab}"
    if error is not None:
        return [f"{where}: {error}"]
    got = printed(stdout)
    problems = []
    if set(got) != set(shown):
        return [f"{where}: printed {sorted(got)}, the page shows {sorted(shown)}"]
    for name, value in shown.items():
        if got[name].shape != value.shape or not np.allclose(got[name], value, rtol=1e-6, atol=1e-12,
                                                              equal_nan=True):
            problems.append(f"{where}: {name} printed {got[name].tolist()}, the page shows {value.tolist()}")
    return problems


def module_variant(spec, tensors, params, script: str) -> str | None:
    """The torch script with the nn class lines (shown as a comment) in place of the functional call."""
    lines = export.module_form(spec, tensors, params)
    if not lines:
        return None
    name = export.result_name(spec)
    call = next(line for line in script.splitlines() if line.startswith(f"{name} = "))
    return script.replace(call + "\n", "\n".join(lines) + "\n", 1)


@pytest.fixture(scope="module")
def runs():
    torch_scripts, numpy_scripts, module_scripts = [], [], []
    for i, (spec, label, tensors, params) in enumerate(CASES):
        lang = LANGS[i % len(LANGS)]  # the comments are translated; both languages must stay valid Python
        torch_text = export.torch_script(spec, tensors, params, lang)
        torch_scripts.append((f"{spec.id}-{label}-torch.py", torch_text))
        numpy_scripts.append((f"{spec.id}-{label}-numpy.py", export.numpy_script(spec, tensors, params, lang)))
        variant = module_variant(spec, tensors, params, torch_text)
        module_scripts.append((f"{spec.id}-{label}-module.py", variant or "pass"))
    return run_all(torch_scripts), run_all(numpy_scripts), run_all(module_scripts)


def test_every_loss_has_a_default_and_two_other_states():
    counts = {spec.id: 0 for spec in losses.SPECS}
    options = set()
    for spec, label, _, _ in CASES:
        counts[spec.id] += 1
        options |= {spec.id} if label.startswith("option") else set()
    assert all(n >= 3 for n in counts.values()), {k: n for k, n in counts.items() if n < 3}
    assert options == {s.id for s in losses.SPECS if s.parameters}


@pytest.mark.parametrize("tab", [0, 1, 2], ids=["torch", "numpy", "nn-class"])
def test_scripts_print_what_the_page_computes(runs, tab):
    problems = []
    for (spec, label, tensors, params), (stdout, error) in zip(CASES, runs[tab]):
        if tab == 2 and not export.module_form(spec, tensors, params):
            continue
        problems += check(spec, label, expected(spec, tensors, params), stdout, error, ["torch", "numpy", "nn"][tab])
    assert not problems, "\n".join(problems[:20])


def test_only_changed_options_are_written():
    for spec in losses.SPECS:
        name = export.result_name(spec)
        for params, written in ((spec.defaults(), set()),
                                ({**spec.defaults(), **{p.name: changed_value(p) for p in spec.parameters}},
                                 {p.name for p in spec.parameters})):
            script = export.torch_script(spec, example_arrays(spec), params)
            call = next(line for line in script.splitlines() if line.startswith(f"{name} = "))
            assert {p.name for p in spec.parameters if f"{p.name}=" in call} == written, (spec.id, call)


def test_a_loss_torch_lacks_is_written_with_torch_ops_not_our_modules():
    lacking = [s for s in losses.SPECS if export.torch_call(s) is None]
    assert lacking
    for spec in lacking:
        script = export.torch_script(spec, example_arrays(spec), example_parameters(spec))
        assert f"def {spec.id}(" in script
        assert "ui." not in script and "losses" not in script and "torch_extras" not in script


def test_file_name_names_the_loss_options_and_shape():
    spec = losses.SPECS[0]
    tensors = example_arrays(spec)
    param = next((p for p in spec.parameters if p.kind == "choice"), None)
    params = example_parameters(spec)
    if param is not None:
        params = {**params, param.name: changed_value(param)}
    name = export.file_name(spec, tensors, params, "torch")
    assert name.startswith(spec.id) and name.endswith("_torch.py")
    assert "x".join(map(str, np.shape(tensors[spec.arguments[0].name]))) in name
    if param is not None:
        assert f"{param.name}-{params[param.name]}" in name


def test_numbers_round_trip():
    values = np.array([0.1, 1 / 3, -1.3862943611198906, 1e-300, 2.5e17])
    assert [float(x) for x in ast.literal_eval(export.nested(values))] == values.tolist()
    assert export.number(math.inf, False) == 'float("inf")'
