"""What the curves and landscape pages compute: elements, axis windows, curves, surfaces and descent paths.

Plain numpy over the backend (``losses.landscape``, vectorised over its grid), so the pages stay thin and the
tests call these functions directly.  An *element* is ``(argument name, index tuple)``, written ``input[0, 1]``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

import losses
from losses.spec import LossSpec
from ui.text.numbers import format_number
from ui.text.tensors import TensorInputError

# Where a prediction argument's values make sense; a grid is clipped to this, so a surface never leaves the
# loss's domain (BCE probabilities outside [0, 1] would be NaN or refused).
DOMAIN_BOUNDS = {
    "probability": (0.0, 1.0),
    "log_probability": (-math.inf, 0.0),
    "positive": (0.0, math.inf),
    "nonnegative": (0.0, math.inf),
}
# var = 0 is clamped to eps by the loss, so its landscape stops just above 0, as for a positive argument.
OPEN_BELOW = {"positive", "nonnegative"}
INTEGER_DOMAINS = {"class_index", "label_index", "length"}


# --- elements -------------------------------------------------------------------------------------------------

def element_text(element, compact: bool = False) -> str:
    name, index = element
    return f"{name}[{(',' if compact else ', ').join(str(int(i)) for i in index)}]"


_ELEMENT = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\[\s*(-?\d+(?:\s*,\s*-?\d+)*)?\s*\])?\s*$")


def parse_element(key: str, text: str, options: list) -> tuple:
    """An element from URL text such as ``input[0,1]``; ``options`` (valid elements) only feed the message."""
    match = _ELEMENT.match(str(text))
    if match is None:
        raise TensorInputError("choice", key, repr(str(text)[:40]), _few(options),
                               f"{key}={text!r} is not an element such as input[0,1]")
    name, index = match.group(1), match.group(2)
    return name, tuple(int(i) for i in index.split(",")) if index else ()


def _few(options: list, count: int = 4) -> list:
    shown = [element_text(e, compact=True) for e in options[:count]]
    return shown + ["…"] if len(options) > count else shown


def tensor_elements(spec: LossSpec, tensors: dict, prediction_only: bool = False) -> list:
    """Every element of the loss's tensors in row-major order, prediction-side arguments first."""
    args = sorted(spec.arguments, key=lambda a: not a.differentiable)
    found = []
    for arg in args:
        if arg.name not in tensors or tensors[arg.name] is None or (prediction_only and not arg.differentiable):
            continue
        shape = np.shape(tensors[arg.name])
        found += [(arg.name, tuple(int(i) for i in index)) for index in np.ndindex(*shape)]
    return found


def check_element(key: str, element, options: list) -> tuple:
    if element not in options:
        raise TensorInputError("choice", key, repr(element_text(element, compact=True)), _few(options),
                               f"{key}={element_text(element)} is not an element of these tensors")
    return element


def element_value(tensors: dict, element) -> float:
    name, index = element
    return float(np.asarray(tensors[name])[index])


def default_pair(spec: LossSpec, tensors: dict) -> tuple:
    """The first two prediction elements (the notes' input[0, 0] and input[0, 1] for the 2×2 example)."""
    elements = tensor_elements(spec, tensors, prediction_only=True)
    if not elements:
        return None, None
    return elements[0], elements[1] if len(elements) > 1 else elements[0]


def default_curve_element(spec: LossSpec, tensors: dict):
    """The true class's logit of the first sample for class-index losses, else the first prediction element."""
    elements = tensor_elements(spec, tensors, prediction_only=True)
    if not elements:
        return None
    layout = _class_layout(spec, tensors)
    if layout is not None:
        class_axis, target = layout
        first = elements[0][1]
        sample = tuple(i for d, i in enumerate(first) if d != class_axis)
        true = int(target[sample]) if target.ndim else int(target)
        index = list(first)
        name = spec.curve.arguments[0]
        if 0 <= true < np.shape(tensors[name])[class_axis]:
            index[class_axis] = true
            return name, tuple(index)
    return elements[0]


# --- windows --------------------------------------------------------------------------------------------------

def domain_bounds(spec: LossSpec, name: str) -> tuple:
    domain = spec.argument(name).domain
    return DOMAIN_BOUNDS.get(domain, (-math.inf, math.inf)) + (domain in OPEN_BELOW,)


def window(value: float, span: float, bounds: tuple) -> tuple:
    """``value ± span`` clipped to the argument's domain; never empty, even for a value outside the domain."""
    low, high, open_below = bounds
    if open_below:
        low = low + span * 1e-3
    lo, hi = max(value - span, low), min(value + span, high)
    if hi - lo < span * 1e-6:  # the value lies outside the domain: put the window at the nearest edge
        lo, hi = (low, min(low + 2 * span, high)) if value < low else (max(high - 2 * span, low), high)
    return float(lo), float(hi)


def unresolved(value: float, span: float, points: int) -> float | None:
    """None when a chart can draw ``points`` distinct steps across ``value ± span``; else the gap between
    neighbouring numbers there.  Figures carry float32 (ui.figures.landscape.f32), whose numbers near 1e6 are
    already 0.06 apart: a ±3 window of 401 points around them would draw as a staircase, and one around 1e200
    as a single point."""
    top = abs(float(value)) + span
    with np.errstate(over="ignore"):
        gap = float(np.spacing(np.float32(top))) if top < float(np.finfo(np.float32).max) else math.inf
    step = 2 * span / max(points - 1, 1)
    return gap if 2 * gap > step else None


def axis_grid(value: float, span: float, bounds: tuple, points: int) -> tuple[np.ndarray, tuple]:
    """``points`` values over the window; where the window ends at a domain edge the grid stops half a step
    short of it, since losses blow up there (BCE's log(0) is clamped to -100, var = 0 to eps)."""
    lo, hi = window(value, span, bounds)
    low, high, open_below = bounds
    step = (hi - lo) / max(points, 1)
    first = lo + step / 2 if lo <= low + (span * 1e-3 if open_below else 0.0) else lo
    last = hi - step / 2 if hi >= high else hi
    return np.linspace(first, last, points), (lo, hi)


def clip_to(value, bounds: tuple, span: float):
    low, high, open_below = bounds
    if open_below:
        low = low + span * 1e-3
    return np.clip(value, low, high)


def split(spec: LossSpec, tensors: dict, params: dict) -> tuple[dict, dict]:
    names = {a.name for a in spec.arguments}
    args = {k: v for k, v in tensors.items() if k in names and v is not None}
    return args, {k: v for k, v in params.items() if k in spec.defaults()}


# --- surfaces -------------------------------------------------------------------------------------------------

@dataclass
class Surface:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    dz_dx: np.ndarray
    dz_dy: np.ndarray
    point: tuple  # (x0, y0, z0, dz/dx, dz/dy) at the current tensors
    clipped: bool  # a window was cut by the domain
    nonfinite: int  # grid points where the loss is not finite (left blank)
    frame: tuple  # the window (xlo, xhi, ylo, yhi); the grid may stop half a step inside a domain edge


def surface(loss_id: str, tensors: dict, params: dict, x_el, y_el, grid: int, span: float) -> Surface:
    """The loss over a ``grid × grid`` window around the current values of two elements."""
    spec = losses.get_spec(loss_id)
    args, kwargs = split(spec, tensors, params)
    x0, y0 = element_value(args, x_el), element_value(args, y_el)
    xb, yb = domain_bounds(spec, x_el[0]), domain_bounds(spec, y_el[0])
    xs, (xlo, xhi) = axis_grid(x0, span, xb, grid)
    ys, (ylo, yhi) = axis_grid(y0, span, yb, grid)
    land = losses.landscape(loss_id, args, kwargs, x=(x_el[0], x_el[1], xs), y=(y_el[0], y_el[1], ys))
    here = losses.landscape(loss_id, args, kwargs, x=(x_el[0], x_el[1], [x0]), y=(y_el[0], y_el[1], [y0]))
    z = np.where(np.isfinite(land.z), land.z, np.nan)
    clipped = (xlo, xhi) != (x0 - span, x0 + span) or (ylo, yhi) != (y0 - span, y0 + span)
    point = (x0, y0, float(here.z[0, 0]), float(here.dz_dx[0, 0]), float(here.dz_dy[0, 0]))
    return Surface(xs, ys, z, land.dz_dx, land.dz_dy, point, clipped, int(np.count_nonzero(np.isnan(z))),
                   (xlo, xhi, ylo, yhi))


@dataclass
class Path:
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    status: str  # settles, edge, oscillates, diverges, moving, start
    settle_step: int | None
    outside: bool  # part of the path lies outside the plotted window
    edge: str | None = None  # the argument whose domain edge stopped the path


def iterate(loss_id: str, tensors: dict, params: dict, x_el, y_el, lr: float, steps: int,
            span: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient descent on the two elements (all others held), kept inside the arguments' domains.

    Each step is one 1×1 landscape: the backend's value and both partial derivatives at the iterate.
    Returns the iterates and their losses; a run that stops early (a fixed point, a non-finite loss, a
    runaway) is shorter, a fixed point padded to ``steps + 1`` points since further steps change nothing.
    """
    spec = losses.get_spec(loss_id)
    args, kwargs = split(spec, tensors, params)
    xb, yb = domain_bounds(spec, x_el[0]), domain_bounds(spec, y_el[0])
    px, py, pz = [element_value(args, x_el)], [element_value(args, y_el)], []
    for k in range(steps + 1):
        land = losses.landscape(loss_id, args, kwargs, x=(x_el[0], x_el[1], [px[-1]]), y=(y_el[0], y_el[1], [py[-1]]))
        z, gx, gy = float(land.z[0, 0]), float(land.dz_dx[0, 0]), float(land.dz_dy[0, 0])
        pz.append(z)
        if k == steps or not (math.isfinite(z) and math.isfinite(gx) and math.isfinite(gy)):
            break
        nx, ny = float(clip_to(px[-1] - lr * gx, xb, span)), float(clip_to(py[-1] - lr * gy, yb, span))
        if max(abs(nx - px[0]), abs(ny - py[0])) > 1e6 * span:  # far beyond any window: it has run away
            px.append(nx), py.append(ny)
            pz.append(math.nan)
            break
        if (nx, ny) == (px[-1], py[-1]):  # a fixed point: every further step stays here
            rest = steps - k
            px += [nx] * rest
            py += [ny] * rest
            pz += [z] * rest
            break
        px.append(nx), py.append(ny)
    return tuple(np.asarray(v, dtype=np.float64) for v in (px, py, pz))


def path_from(loss_id: str, iterates: tuple, x_el, y_el, steps: int, span: float, frame: tuple) -> Path:
    """The first ``steps`` steps of ``iterates`` (see :func:`iterate`), with how they end."""
    spec = losses.get_spec(loss_id)
    x, y, z = (v[:steps + 1] for v in iterates)
    status, settle = classify(x, y, z, frame)
    xlo, xhi, ylo, yhi = frame
    pad_x, pad_y = (xhi - xlo) * 1e-9, (yhi - ylo) * 1e-9
    outside = bool(np.any((x < xlo - pad_x) | (x > xhi + pad_x) | (y < ylo - pad_y) | (y > yhi + pad_y)))
    edge = None
    if status == "settles":
        for value, name in ((x[-1], x_el[0]), (y[-1], y_el[0])):
            bounds = domain_bounds(spec, name)
            if value in (float(clip_to(-math.inf, bounds, span)), float(clip_to(math.inf, bounds, span))):
                status, edge = "edge", name
                break
    return Path(x, y, z, status, settle, outside, edge)


def descend(loss_id: str, tensors: dict, params: dict, x_el, y_el, lr: float, steps: int, span: float,
            frame: tuple) -> Path:
    """``steps`` steps of gradient descent from the current tensors; ``frame`` is the plotted window."""
    iterates = iterate(loss_id, tensors, params, x_el, y_el, lr, steps, span)
    return path_from(loss_id, iterates, x_el, y_el, steps, span, frame)


SETTLED = 1e-4  # a step shorter than this fraction of the window counts as standing still


def classify(x: np.ndarray, y: np.ndarray, z: np.ndarray, frame: tuple) -> tuple[str, int | None]:
    """How the path ends: it settles, oscillates (steps reverse direction), diverges, or is still moving."""
    if len(x) < 2:
        return "start", None
    xlo, xhi, ylo, yhi = frame
    dx = np.diff(x) / max(xhi - xlo, 1e-300)
    dy = np.diff(y) / max(yhi - ylo, 1e-300)
    length = np.hypot(dx, dy)
    if not np.all(np.isfinite(z)) or z[-1] > z[0] + 1e-9 * max(1.0, abs(z[0])):
        return "diverges", None
    still = length < SETTLED
    if still[-1]:
        moving = np.flatnonzero(~still)
        return "settles", int(moving[-1] + 1) if moving.size else 0
    half = max(len(dx) // 2, 1)
    dots = dx[-half - 1:-1] * dx[-half:] + dy[-half - 1:-1] * dy[-half:]
    if len(dx) >= 3 and np.mean(dots < 0) > 0.5:
        return "oscillates", None
    return "moving", None


def arrows(surf: Surface, count: int = 15) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points and -∇L on a ``count × count`` subgrid, scaled to the cells (lengths follow |∇L| up to a cap)."""
    ix = np.unique(np.linspace(0, len(surf.x) - 1, count).round().astype(int))
    iy = np.unique(np.linspace(0, len(surf.y) - 1, count).round().astype(int))
    gx, gy = np.meshgrid(surf.x[ix], surf.y[iy])
    u, v = -surf.dz_dx[np.ix_(iy, ix)], -surf.dz_dy[np.ix_(iy, ix)]
    cell_x = (surf.x[-1] - surf.x[0]) / max(len(ix) - 1, 1)
    cell_y = (surf.y[-1] - surf.y[0]) / max(len(iy) - 1, 1)
    ok = np.isfinite(u) & np.isfinite(v)
    u, v = np.where(ok, u, 0.0), np.where(ok, v, 0.0)
    cells = np.hypot(u / cell_x, v / cell_y)
    typical = np.median(cells[ok & (cells > 0)]) if (ok & (cells > 0)).any() else 0.0
    if typical > 0:
        # a typical arrow gets 0.6 of a cell, none more than 0.9: steep edges (BCE near 0 and 1) do not shrink
        # every other arrow to a dot
        scale = 0.6 / typical
        shrink = np.minimum(1.0, 0.9 / np.maximum(cells * scale, 1e-300))
        u, v = u * scale * shrink, v * scale * shrink
    return gx.ravel(), gy.ravel(), u.ravel(), v.ravel()


# --- curves ---------------------------------------------------------------------------------------------------

def companion(spec: LossSpec, tensors: dict, element):
    """Another prediction element to hold at its value, so a 1-D sweep is a one-row landscape."""
    for other in tensor_elements(spec, tensors, prediction_only=True):
        if other != element:
            return other
    return None


def curve(loss_id: str, tensors: dict, params: dict, element, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The loss and its derivative as one element runs over ``xs``, everything else held."""
    spec = losses.get_spec(loss_id)
    args, kwargs = split(spec, tensors, params)
    other = companion(spec, args, element)
    if other is None:
        return _sweep_alone(spec, args, kwargs, element, np.asarray(xs, dtype=np.float64))
    land = losses.landscape(loss_id, args, kwargs, x=(element[0], element[1], xs),
                            y=(other[0], other[1], [element_value(args, other)]))
    return land.z[0], land.dz_dx[0]


def _sweep_alone(spec: LossSpec, args: dict, kwargs: dict, element, xs: np.ndarray):
    """A prediction with a single element has nothing to hold beside it, so a one-row landscape cannot be
    asked for.  Sweep it through the loss protocol instead (``prepare`` / vectorised ``compute``, see
    losses._core): copy the whole call once per value along the unit axes, write the values, evaluate once."""
    from losses._core import reduction_coefficients

    function = spec.function
    problem = function.prepare(**args, **kwargs)
    name, index = element
    shape = problem.original_shapes[name]
    flat = int(np.ravel_multi_index(tuple(i % s for i, s in zip(index, shape)), shape)) if shape else 0
    where = problem.layout(name) == flat  # canonical positions holding the element
    copies = len(xs)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        base = function.compute(problem.arrays, problem.params)
        coef = np.broadcast_to(reduction_coefficients(base, problem.reduction), base.values.shape)
        tiled = {k: (a if problem.unit_axes.get(k) is None else np.concatenate([a] * copies, axis=problem.unit_axes[k]))
                 for k, a in problem.arrays.items()}
        units = base.values.shape[0]
        axis = problem.unit_axes[name]
        mask = np.concatenate([where] * copies, axis=axis)
        values = np.moveaxis(tiled[name].copy(), axis, 0)
        per_copy = np.repeat(np.asarray(xs, dtype=np.float64), units)
        moved_mask = np.moveaxis(mask, axis, 0)
        values[moved_mask] = np.broadcast_to(per_copy.reshape((-1,) + (1,) * (values.ndim - 1)),
                                             values.shape)[moved_mask]
        tiled[name] = np.moveaxis(values, 0, axis)
        unreduced = function.compute(tiled, problem.params)
        weights = np.concatenate([coef] * copies, axis=0)
        total = (unreduced.values * weights).reshape(copies, -1).sum(axis=1)
        grad = np.moveaxis(unreduced.backward(weights)[name], axis, 0)
        slope = np.where(moved_mask, grad, 0.0).reshape(copies, -1).sum(axis=1)
    return total, slope


@dataclass
class Axis:
    """The quantity on a curve's x axis, ``q = scale * element + shift``, and how to name it."""

    scale: float
    shift: float
    kind: str
    values: dict


def _class_layout(spec: LossSpec, tensors: dict):
    """(class axis, class-index target) for losses whose target picks a class of their swept argument, else None."""
    if spec.curve.kind != "class_index":
        return None
    name = spec.curve.arguments[0]
    target = _target_of(spec)
    if name not in tensors or target is None:
        return None
    x, picked = np.asarray(tensors[name]), np.asarray(tensors.get(target))
    if picked.dtype.kind not in "iu" or picked.ndim != max(x.ndim - 1, 0):
        return None
    return (0 if x.ndim == 1 else 1), picked


def _target_of(spec: LossSpec) -> str | None:
    """The target argument a curve axis is read against (a loss has one)."""
    return next((a.name for a in spec.arguments if a.role == "target"), None)


def _target_at(spec: LossSpec, tensors: dict, name: str, index: tuple) -> float:
    target = _target_of(spec)
    return float(np.broadcast_to(np.asarray(tensors[target], dtype=float), np.shape(tensors[name]))[index])


# The locale key of the axis each kind of curve draws (curves.axis.<key>).
_AXIS_KEYS = {"pair_margin": "margin_rank", "signed_margin": "margin_soft", "distance": "distance"}


def curve_axis(spec: LossSpec, tensors: dict, element) -> Axis:
    """The quantity ``spec.curve`` names: the logit (or log-probability, score) of the true class when the target
    picks a class, the probability or logit of the true label for 0/1 targets, the margin for margin losses."""
    name, index = element
    label = element_text(element)
    curve = spec.curve
    if name not in curve.arguments:
        return Axis(1.0, 0.0, "element", {"el": label})
    word = curve.quantity
    layout = _class_layout(spec, tensors)
    if layout is not None:
        class_axis, target = layout
        sample = tuple(i for d, i in enumerate(index) if d != class_axis)
        true, cls = int(target[sample] if target.ndim else target), index[class_axis]
        if cls == true:
            return Axis(1.0, 0.0, f"true_{word}", {"el": label})
        return Axis(1.0, 0.0, f"class_{word}", {"el": label, "c": cls, "k": true})
    target = _target_of(spec)
    if curve.kind == "binary_target" and target in tensors:
        t = _target_at(spec, tensors, name, index)
        if t == 1.0:
            return Axis(1.0, 0.0, f"{word}_true1", {"el": label})
        if t == 0.0:  # the true class is 'negative': its probability is 1 - p, its logit -x
            return Axis(-1.0, 1.0 if word == "prob" else 0.0, f"{word}_true0", {"el": label})
        return Axis(1.0, 0.0, word, {"el": label, "t": format_number(t)})
    if curve.kind == "pair_margin":
        first, second = curve.arguments
        x1, x2 = (np.atleast_1d(np.asarray(tensors[k], dtype=float)) for k in (first, second))
        y = np.broadcast_to(np.atleast_1d(np.asarray(tensors[target], dtype=float)), x1.shape)
        n = index[0] if index else 0
        sign = float(y[n])
        values = {"n": n, "y": format_number(sign)}
        if name == first:
            return Axis(sign, -sign * float(x2[n]), _AXIS_KEYS[curve.kind], values)
        return Axis(-sign, sign * float(x1[n]), _AXIS_KEYS[curve.kind], values)
    if curve.kind == "signed_margin":
        y = _target_at(spec, tensors, name, index)
        return Axis(y, 0.0, _AXIS_KEYS[curve.kind], {"el": label, "y": format_number(y)})
    if curve.kind == "distance":
        y = _target_at(spec, tensors, name, index)
        return Axis(1.0, 0.0, _AXIS_KEYS[curve.kind], {"el": label, "y": format_number(y)})
    return Axis(1.0, 0.0, "element", {"el": label})


@dataclass
class Curve:
    loss_id: str
    q: np.ndarray  # the axis quantity
    value: np.ndarray
    slope: np.ndarray  # d value / d q
    here: tuple  # (q0, value0, slope0)


def loss_curve(loss_id: str, tensors: dict, params: dict, element, axis: Axis, span: float, points: int) -> Curve:
    spec = losses.get_spec(loss_id)
    args, _ = split(spec, tensors, params)
    x0 = element_value(args, element)
    xs, _ = axis_grid(x0, span, domain_bounds(spec, element[0]), points)
    value, grad = curve(loss_id, tensors, params, element, np.append(xs, x0))
    value = np.where(np.isfinite(value), value, np.nan)
    q = axis.scale * np.append(xs, x0) + axis.shift
    slope = grad / axis.scale
    return Curve(loss_id, q[:-1], value[:-1], slope[:-1], (float(q[-1]), float(value[-1]), float(slope[-1])))


def accepts(loss_id: str, tensors: dict, params: dict) -> Exception | None:
    """None when the loss takes these tensors, else the backend's refusal."""
    spec = losses.get_spec(loss_id)
    required = {a.name for a in spec.arguments if not a.optional}
    args, kwargs = split(spec, tensors, params)
    if not required <= set(args):
        missing = sorted(required - set(args))[0]
        return losses.LossInputError("unsupported", missing, "missing", "a tensor of this name",
                                     f"{loss_id} needs {missing}, which these tensors do not have")
    try:
        losses.value_and_grad(loss_id, **args, **kwargs)
    except losses.LossInputError as exc:
        return exc
    except Exception as exc:  # a backend bug must not take the page down
        return losses.LossInputError("internal", loss_id, type(exc).__name__, "", str(exc))
    return None


def coinciding(curves: list) -> dict:
    """``{later loss id: earlier loss id}`` for curves drawn over the same points with the same values, so that
    one hides the other (SmoothL1 at beta = 1 and Huber at delta = 1, found by their numbers, not their names)."""
    same = {}
    for j, later in enumerate(curves):
        for earlier in curves[:j]:
            if earlier.loss_id in same or later.q.shape != earlier.q.shape or not np.array_equal(later.q, earlier.q):
                continue
            both = np.isfinite(later.value) & np.isfinite(earlier.value)
            if both.sum() >= 2 and np.array_equal(both, np.isfinite(later.value)) and \
                    np.allclose(later.value[both], earlier.value[both], rtol=1e-9, atol=1e-12):
                same[later.loss_id] = earlier.loss_id
                break
    return same


def constant_ratio(first, second) -> float | None:
    """``k`` when ``second.value == k * first.value`` at every point where both are finite and first is not 0."""
    ok = np.isfinite(first.value) & np.isfinite(second.value) & (np.abs(first.value) > 1e-12)
    if ok.sum() < 2:
        return None
    ratio = second.value[ok] / first.value[ok]
    return float(ratio[0]) if np.allclose(ratio, ratio[0], rtol=1e-7) else None
