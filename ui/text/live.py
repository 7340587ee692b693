"""Numbers in the explanations, computed by the backend when the page is shown.

A page of ``content/`` never types a result.  It writes a *live call* instead, which is replaced by the value the
backend computes on that run:

* ``{{l1_loss(input=x, target=y)}}`` — the loss value (a tensor is written as a nested list);
* ``{{l1_loss(input=x, target=y, reduction='none')[1,0]}}`` — one element of the result;
* ``{{l1_loss(input=x, target=y).grad.input}}`` — the gradient with respect to ``input`` (an index may follow).

Names such as ``x`` and ``y`` are defined once per page in HTML comments, which a reader of the rendered page does
not see: ``<!-- let x = [[1, 1], [1, 1]] -->``.  Values are Python literals (numbers, nested lists, strings,
``True``/``False``/``None``).  Tensor arguments become float64 or int64 arrays by the registry's dtype of that
argument, so ``target=[0, 2]`` is a class index for cross-entropy and a float for MSE.

A call that cannot be computed raises :class:`LiveCallError`; the content tests evaluate every call of every page,
so a wrong call fails in CI rather than on a learner's screen.
"""

from __future__ import annotations

import ast
import logging
import re
from dataclasses import dataclass

import numpy as np

import losses
from losses import LossInputError
from ui.text.tensors import format_number

CALL = re.compile(r"\{\{\s*(?P<call>[a-z0-9_]+\(.*?\))(?P<selector>(?:\.grad\.[a-z0-9_]+)?(?:\[[0-9, ]+\])?)\s*\}\}",
                  re.S)
LET = re.compile(r"^[ \t]*<!--\s*let\s+(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)\s*-->[ \t]*\n?", re.M | re.S)


LOG = logging.getLogger(__name__)


class LiveCallError(ValueError):
    """A live call in a content page that cannot be read or computed (a mistake in the page, not the learner's)."""


@dataclass(frozen=True)
class LiveCall:
    loss: str
    kwargs: dict
    grad_of: str | None
    index: tuple | None


def definitions(markdown: str) -> dict:
    names = {}
    for m in LET.finditer(markdown):
        try:
            names[m.group("name")] = ast.literal_eval(m.group("value"))
        except (ValueError, SyntaxError) as exc:
            raise LiveCallError(f"cannot read the definition of {m.group('name')!r}: {exc}") from None
    return names


def parse(call: str, selector: str, names: dict) -> LiveCall:
    try:
        tree = ast.parse(call, mode="eval").body
    except SyntaxError as exc:
        raise LiveCallError(f"cannot read the live call {call!r}: {exc.msg}") from None
    if not isinstance(tree, ast.Call) or not isinstance(tree.func, ast.Name) or tree.args:
        raise LiveCallError(f"a live call is loss_id(name=value, ...): {call!r}")
    if tree.func.id not in losses.REGISTRY:
        raise LiveCallError(f"unknown loss {tree.func.id!r} in the live call {call!r}")
    kwargs = {}
    for keyword in tree.keywords:
        node = keyword.value
        if isinstance(node, ast.Name) and node.id not in ("True", "False", "None"):
            if node.id not in names:
                raise LiveCallError(f"{node.id!r} is not defined on this page (<!-- let {node.id} = ... -->)")
            kwargs[keyword.arg] = names[node.id]
        else:
            try:
                kwargs[keyword.arg] = ast.literal_eval(node)
            except ValueError:
                raise LiveCallError(f"the value of {keyword.arg!r} in {call!r} is not a literal") from None
    grad = re.match(r"\.grad\.([a-z0-9_]+)", selector)
    index = re.search(r"\[([0-9, ]+)\]", selector)
    return LiveCall(tree.func.id, kwargs, grad.group(1) if grad else None,
                    tuple(int(i) for i in index.group(1).split(",")) if index else None)


def evaluate(live: LiveCall) -> np.ndarray:
    spec = losses.get_spec(live.loss)
    tensors = {a.name: a for a in spec.arguments}
    call = {}
    for key, value in live.kwargs.items():
        if key in tensors and value is not None:
            dtype = np.int64 if tensors[key].dtype == "int" and _integral(value) else np.float64
            call[key] = np.asarray(value, dtype=dtype)
        else:
            call[key] = value
    try:
        value, grads = losses.value_and_grad(live.loss, **call)
    except (LossInputError, TypeError) as exc:
        raise LiveCallError(f"{live.loss}({', '.join(live.kwargs)}) was refused: {exc}") from None
    if live.grad_of is not None:
        if live.grad_of not in grads:
            raise LiveCallError(f"{live.loss} has no gradient for {live.grad_of!r}; it has {sorted(grads)}")
        value = grads[live.grad_of]
    value = np.asarray(value)
    if live.index is not None:
        try:
            value = value[live.index]
        except IndexError:
            raise LiveCallError(f"index {live.index} is outside the result's shape {value.shape}") from None
    return value


def _integral(value) -> bool:
    """Whole numbers written without a point (``[0, 2]``) are class indices; ``[1.0, 0.0]`` stays float."""
    return np.asarray(value).dtype.kind in "iub"


def number_text(value: float) -> str:
    """A computed number as the explanations print it: integers plainly, others to four significant figures."""
    value = float(value)
    if not np.isfinite(value) or (value.is_integer() and abs(value) < 1e9):
        return format_number(value) if np.isfinite(value) else str(value)
    return f"{value:.4g}"


def tensor_text(value: np.ndarray) -> str:
    """A scalar as a number; a tensor as a nested list in code, as it could be pasted into the playground."""
    def nested(a):
        return number_text(a) if a.ndim == 0 else "[" + ", ".join(nested(v) for v in a) + "]"

    return nested(value) if value.ndim == 0 else f"`{nested(value)}`"


def calls(markdown: str) -> list[tuple[str, LiveCall]]:
    """Every live call of a page, parsed (for the content tests)."""
    names = definitions(markdown)
    return [(m.group(0), parse(m.group("call"), m.group("selector"), names)) for m in CALL.finditer(markdown)]


def render(markdown: str) -> str:
    """The page with its definitions removed and each live call replaced by the number the backend computes.

    The content tests evaluate every call, so a failing one is a page shipped past CI: it is shown as the call
    itself in code, which a teacher can report, rather than as a traceback, and logged once per render.
    """
    if "{{" not in markdown and "<!--" not in markdown:
        return markdown
    try:
        names = definitions(markdown)
    except LiveCallError as exc:
        LOG.warning("content page with a broken definition: %s", exc)
        names = {}
    failures = []

    def replace(m):
        try:
            return tensor_text(evaluate(parse(m.group("call"), m.group("selector"), names)))
        except LiveCallError as exc:
            failures.append(str(exc))
            return "`" + m.group(0).replace("`", "'") + "`"

    body = CALL.sub(replace, LET.sub("", markdown))
    if failures:
        LOG.warning("live calls that could not be computed: %s", "; ".join(failures))
    return body
