"""A page's state as a standalone Python script: once with PyTorch, once with Loss Lab's numpy library.

Everything comes from the registry (``losses.spec``): the call path in ``reference`` (``torch.nn.functional.X``
or ``torch.X``), the arguments' names, roles and order, the parameters' torch defaults (only options that
differ are written).  A loss torch lacks is written out with plain torch ops: its definition is copied from
the source of :mod:`ui.compute.torch_extras`, read as text so that building a script never imports torch.

Each script prints ``name = <Python literal>`` lines (the value, then each gradient) with full precision, so
a learner can compare them with the page and the tests can compare them with the backend.
"""

from __future__ import annotations

import ast
import math
from functools import cache
from pathlib import Path

import numpy as np

from losses.spec import LossSpec
from ui.text.i18n import translate

EXTRAS_SOURCE = Path(__file__).with_name("torch_extras.py")
TORCH_PREFIX = "torch."
FUNCTIONAL_PREFIX = "torch.nn.functional."


def torch_call(spec: LossSpec) -> str | None:
    """How a learner calls the loss in torch (``F.l1_loss``, ``torch.sigmoid``), or None when torch lacks it."""
    if spec.reference.startswith(FUNCTIONAL_PREFIX):
        return "F." + spec.reference.removeprefix(FUNCTIONAL_PREFIX)
    if spec.reference.startswith(TORCH_PREFIX) and " " not in spec.reference:
        return spec.reference
    return None


def result_name(spec: LossSpec) -> str:
    return "output" if spec.family == "activation" else "loss"


def number(value, integer: bool) -> str:
    if integer:
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return f'float("{value}")'
    return repr(value)


def nested(arr: np.ndarray) -> str:
    """A nested list literal that reads back to exactly these numbers (repr round-trips a float64)."""
    integer = arr.dtype.kind in "iub"

    def walk(a):
        if a.ndim == 0:
            return number(a, integer)
        return "[" + ", ".join(walk(x) for x in a) + "]"

    return walk(arr)


def python_value(param, value) -> str:
    if param.kind == "bool":
        return repr(bool(value))
    if param.kind == "int":
        return str(int(value))
    if param.kind == "float":
        return number(value, False)
    return repr(value.item() if isinstance(value, np.generic) else value)


def changed_options(spec: LossSpec, params: dict) -> list[tuple[str, str]]:
    """``(name, literal)`` of every parameter whose value differs from torch's default, in the registry's order."""
    options = []
    for param in spec.parameters:
        if param.name in params and params[param.name] != param.default:
            options.append((param.name, python_value(param, params[param.name])))
    return options


def tensors_used(spec: LossSpec, tensors: dict) -> list:
    """The registry's arguments that the call gets: every required one and the optional ones in use."""
    return [a for a in spec.arguments if tensors.get(a.name) is not None]


def call_arguments(spec: LossSpec, tensors: dict, params: dict) -> str:
    """Required tensors by position (torch's order is the registry's), optional ones and options by keyword."""
    parts = []
    for arg in tensors_used(spec, tensors):
        parts.append(arg.name if not arg.optional else f"{arg.name}={arg.name}")
    parts += [f"{name}={literal}" for name, literal in changed_options(spec, params)]
    return ", ".join(parts)


def module_form(spec: LossSpec, tensors: dict, params: dict) -> list[str]:
    """The same call through the ``nn`` class (options in the constructor, tensors in the call).

    Left out where the class and the function take different tensors: torch's element-wise ``weight`` of
    l1/mse/huber exists only in the functional form, so a call with an optional tensor gets none.
    """
    if not spec.torch_class or spec.family == "activation" or torch_call(spec) is None:
        return []
    if any(a.optional for a in tensors_used(spec, tensors)):
        return []
    options = ", ".join(f"{n}={v}" for n, v in changed_options(spec, params))
    tensors_in = ", ".join(a.name for a in tensors_used(spec, tensors))
    return [f"criterion = torch.nn.{spec.torch_class}({options})",
            f"{result_name(spec)} = criterion({tensors_in})"]


def scalar_result(spec: LossSpec, params: dict) -> bool:
    return spec.family != "activation" and params.get("reduction", "mean") != "none"


@cache
def _extras() -> tuple[dict, str]:
    source = EXTRAS_SOURCE.read_text(encoding="utf-8")
    functions = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    return functions, source


def _without_docstring(node: ast.FunctionDef) -> ast.FunctionDef:
    copy = ast.parse(ast.unparse(node)).body[0]
    first = copy.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        copy.body = copy.body[1:] or [ast.Pass()]
    return copy


def inline_definition(loss_id: str) -> str:
    """The torch definition of a loss torch lacks, with the helpers it calls, as plain functions."""
    functions, _ = _extras()
    wanted, queue = [], [loss_id]
    while queue:
        name = queue.pop()
        if name in wanted or name not in functions:
            continue
        wanted.append(name)
        queue += [n.id for n in ast.walk(functions[name]) if isinstance(n, ast.Name) and n.id in functions]
    # helpers first, in the order the source defines them
    order = [name for name in functions if name in wanted]
    return "\n\n\n".join(ast.unparse(_without_docstring(functions[name])) for name in order)


def _tensor_lines(spec: LossSpec, tensors: dict, make) -> list[str]:
    return [f"{arg.name} = {make(arg, np.asarray(tensors[arg.name]))}" for arg in tensors_used(spec, tensors)]


def _print_lines(spec: LossSpec, params: dict, value_text: str, grad_text) -> list[str]:
    name = result_name(spec)
    lines = [f'print("{name} =", {value_text})']
    lines += [f'print("{g}.grad =", {grad_text(g)})' for g in spec.differentiable]
    return lines


def _differentiated(spec: LossSpec, tensors: dict) -> list[str]:
    return [a.name for a in tensors_used(spec, tensors) if a.differentiable]


def torch_script(spec: LossSpec, tensors: dict, params: dict, lang: str = "en") -> str:
    """A script that rebuilds the call in PyTorch, runs backward() and prints the value and the gradients."""
    tr = lambda key, **v: translate(lang, f"export.{key}", **v)  # noqa: E731
    name = result_name(spec)
    call = torch_call(spec)
    lines = [f"# {tr('torch_title', title=spec.title.get(lang, spec.id))}", "import torch"]
    if call is not None and call.startswith("F."):
        lines.append("import torch.nn.functional as F")
    lines += ["", f"# {tr('float64')}", "torch.set_default_dtype(torch.float64)", ""]

    def make(arg, arr):
        grad = ", requires_grad=True" if arg.differentiable and arr.dtype.kind == "f" else ""
        dtype = ", dtype=torch.int64" if arr.dtype.kind in "iub" and arr.size == 0 else ""
        return f"torch.tensor({nested(arr)}{dtype}{grad})"

    lines += _tensor_lines(spec, tensors, make)
    lines.append("")
    if call is None:
        lines += [f"# {tr('inline', reference=spec.reference)}", inline_definition(spec.id), "", ""]
        call = spec.id
    lines.append(f"{name} = {call}({call_arguments(spec, tensors, params)})")
    module = module_form(spec, tensors, params)
    if module:
        lines += [f"# {tr('module')}"] + [f"#   {line}" for line in module]
    if _differentiated(spec, tensors):
        if scalar_result(spec, params):
            lines.append(f"{name}.backward()")
        else:
            lines += [f"# {tr('sum_backward')}", f"{name}.sum().backward()"]
    lines.append("")
    value = f"{name}.item()" if scalar_result(spec, params) else f"{name}.tolist()"
    lines += _print_lines(spec, params, value, lambda g: f"{g}.grad.tolist()")
    return "\n".join(lines) + "\n"


def numpy_script(spec: LossSpec, tensors: dict, params: dict, lang: str = "en") -> str:
    """The same call with Loss Lab's numpy backend: ``losses.value_and_grad`` gives the analytic gradients."""
    tr = lambda key, **v: translate(lang, f"export.{key}", **v)  # noqa: E731
    name = result_name(spec)
    lines = [f"# {tr('numpy_title', title=spec.title.get(lang, spec.id))}", f"# {tr('numpy_run')}",
             "import numpy as np", "", "import losses", ""]

    def make(arg, arr):
        dtype = ", dtype=np.int64" if arr.dtype.kind in "iub" else ", dtype=np.float64" if arr.size == 0 else ""
        return f"np.array({nested(arr)}{dtype})"

    lines += _tensor_lines(spec, tensors, make)
    lines += ["", f"# {tr('numpy_grads')}"]
    args = call_arguments(spec, tensors, params)
    lines.append(f'{name}, grads = losses.value_and_grad("{spec.id}"{", " + args if args else ""})')
    lines.append("")
    lines += _print_lines(spec, params, f"{name}.tolist()", lambda g: f'grads["{g}"].tolist()')
    return "\n".join(lines) + "\n"


def state_slug(spec: LossSpec, tensors: dict, params: dict) -> str:
    """``l1_loss_reduction-sum_2x2``: the loss, its changed options and the first tensor's shape, safe in a file
    name (the scripts and the figures' downloads are named by it)."""
    parts = [spec.id] + [f"{n}-{v.strip(chr(39))}" for n, v in changed_options(spec, params)]
    used = tensors_used(spec, tensors)
    if used:
        shape = np.shape(tensors[used[0].name])
        parts.append("x".join(map(str, shape)) if shape else "scalar")
    safe = "_".join(parts).replace(" ", "")
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in safe)


def file_name(spec: LossSpec, tensors: dict, params: dict, kind: str) -> str:
    return f"{state_slug(spec, tensors, params)}_{kind}.py"
