"""Benchmark: ``losses.landscape`` (numpy) against the best vectorised torch, on a 201 x 201 grid.

Run from the repository root (see bench/README.md)::

    .venv/bin/python bench/landscape.py                  # every case, one to a few minutes
    .venv/bin/python bench/landscape.py --only ctc_loss  # some losses only
    .venv/bin/python bench/landscape.py --repeat 9 --budget 2 --no-vmap-estimate  # quicker, noisier

For every case (a loss on its registry example, or a small instructive input, and two chosen
prediction elements) it computes the loss surface z and both partial derivatives over the grid

* with numpy: ``losses.landscape(name, args, kwargs, x=..., y=...)``, which recomputes only the
  units (samples, rows, elements) holding the two chosen elements, and only two 1-D sweeps when
  they lie in different units;
* with torch (float64): ``torch.func.vmap(torch.func.grad_and_value(f))`` over the 40 401 grid
  points, where ``f(x, y)`` writes the two elements into the arguments and calls
  ``torch.nn.functional.<loss>``, in four ways of writing the elements (``torch.where`` masks,
  one-hot arithmetic, ``torch.cat`` of slices, ``index_put``); and one batched call with the grid
  copies of the batch along the batch axis, ``reduction='none'``, torch's reduction per copy and
  autograd once.  The fastest form is kept, with torch's default thread count or one thread,
  whichever is faster.  ``ctc_loss`` has no vmap batching rule (vmap falls back to a per-point
  loop, estimated on a small grid and printed for information), so it gets the batched form only.

It checks that z, dz/dx and dz/dy agree (rtol 1e-6), times both sides interleaved in the same
run (warm-up first, then the minimum over up to ``--repeat`` rounds or ``--budget`` seconds, the
estimate least disturbed by other processes on a busy machine), and prints numpy/torch per case,
per loss (its slowest case) and the median over losses.  Targets (issue 3): median <= 0.25 and no
loss slower than torch.  A disagreement raises (non-zero exit); the timings never do.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.func import grad_and_value, vmap  # noqa: E402

import losses  # noqa: E402

GRID = 201
RTOL = 1e-6
MEDIAN_TARGET = 0.25


# ----------------------------------------------------------------------------------------- cases


def dice_loss_torch(input, target, smooth=1.0, reduction="mean"):
    """Soft Dice per sample over the non-batch dims (torch has none); the same formula as losses."""
    dims = tuple(range(1, input.dim()))
    per_sample = 1 - (2 * (input * target).sum(dim=dims) + smooth) / (
        input.sum(dim=dims) + target.sum(dim=dims) + smooth)
    return {"mean": per_sample.mean, "sum": per_sample.sum}.get(reduction, lambda: per_sample)()


TORCH_FUNCTIONS = {"dice_loss": dice_loss_torch}


@dataclass
class Case:
    name: str
    kind: str  # "same unit" or "different units"
    x: tuple  # (argument, index, (low, high)) : the grid is linspace(low, high, 201)
    y: tuple
    args: dict | None = None  # None: the registry example
    kwargs: dict = field(default_factory=dict)
    note: str = ""

    @property
    def label(self) -> str:
        def element(e):
            return f"{e[0]}{list(e[1])}".replace(" ", "")

        return f"{self.kind}: {element(self.x)} vs {element(self.y)}" + (f" {self.note}" if self.note else "")


def _cross_entropy_batch():
    rng = np.random.default_rng(0)
    return {"input": rng.normal(size=(32, 10)), "target": rng.integers(0, 10, size=32)}


CASES = [
    # regression: elementwise, so any two elements lie in different units
    Case("huber_loss", "different units", ("input", (0, 0), (-2.5, 3.5)), ("input", (1, 1), (-1.0, 5.0))),
    Case("mse_loss", "different units", ("input", (0, 1), (-2.0, 4.0)), ("input", (1, 0), (-1.0, 5.0))),
    # classification
    Case("cross_entropy", "same unit", ("input", (0, 0), (-3.0, 5.0)), ("input", (0, 1), (-3.0, 5.0))),
    Case("cross_entropy", "different units", ("input", (0, 0), (-3.0, 5.0)), ("input", (2, 2), (-3.0, 5.0))),
    Case("cross_entropy", "same unit", ("input", (3, 2), (-4.0, 4.0)), ("input", (3, 7), (-4.0, 4.0)),
         args=_cross_entropy_batch(), note="(batch of 32 x 10 classes)"),
    Case("binary_cross_entropy_with_logits", "different units",
         ("input", (0, 0), (-4.0, 4.0)), ("input", (1, 1), (-4.0, 4.0))),
    # ranking & embedding
    Case("triplet_margin_loss", "same unit", ("anchor", (0, 0), (-1.5, 2.5)), ("negative", (0, 0), (-1.0, 3.0))),
    Case("triplet_margin_loss", "different units", ("anchor", (0, 0), (-1.5, 2.5)),
         ("anchor", (1, 1), (-1.0, 3.0))),
    Case("cosine_embedding_loss", "same unit", ("input1", (0, 1), (-2.0, 2.0)), ("input2", (0, 1), (-2.0, 2.0))),
    Case("cosine_embedding_loss", "different units", ("input1", (0, 1), (-2.0, 2.0)),
         ("input1", (1, 1), (-2.0, 2.0))),
    # sequence
    Case("ctc_loss", "same unit", ("log_probs", (2, 0, 1), (-4.0, 0.0)), ("log_probs", (2, 0, 2), (-4.0, 0.0)),
         note="(one frame)"),
    Case("ctc_loss", "same unit", ("log_probs", (1, 0, 1), (-4.0, 0.0)), ("log_probs", (3, 0, 2), (-4.0, 0.0)),
         note="(two frames)"),
    Case("ctc_loss", "different units", ("log_probs", (2, 0, 1), (-4.0, 0.0)),
         ("log_probs", (2, 1, 1), (-4.0, 0.0))),
    # segmentation
    Case("dice_loss", "same unit", ("input", (0, 0, 0), (0.0, 1.0)), ("input", (0, 1, 1), (0.0, 1.0))),
    Case("dice_loss", "different units", ("input", (0, 0, 0), (0.0, 1.0)), ("input", (1, 1, 2), (0.0, 1.0))),
    # distribution
    Case("gaussian_nll_loss", "same unit", ("input", (0, 1), (-1.0, 3.0)), ("var", (0, 1), (0.05, 3.0)),
         note="(mean and variance of one element)"),
    Case("gaussian_nll_loss", "different units", ("input", (0, 0), (-1.0, 3.0)), ("input", (1, 1), (0.0, 5.0))),
    Case("kl_div", "different units", ("input", (0, 1), (-4.0, 0.0)), ("input", (1, 0), (-4.0, 0.0))),
    # activation (reduction-free: the surface is the sum of the outputs)
    Case("log_softmax", "same unit", ("input", (0, 0), (-3.0, 5.0)), ("input", (0, 2), (-3.0, 5.0))),
    Case("log_softmax", "different units", ("input", (0, 0), (-3.0, 5.0)), ("input", (1, 1), (-3.0, 5.0))),
]


def case_inputs(case: Case):
    """numpy arguments and keyword arguments: the registry example unless the case brings its own."""
    spec = losses.get_spec(case.name)
    names = {a.name for a in spec.arguments}
    source = case.args if case.args is not None else spec.example
    args = {k: np.asarray(v, dtype=np.int64 if spec.argument(k).dtype == "int" else np.float64)
            for k, v in source.items() if k in names}
    kwargs = {k: v for k, v in spec.example.items() if k not in names} if case.args is None else {}
    kwargs.update(case.kwargs)
    return args, kwargs


def grid_values(element):
    low, high = element[2]
    return np.linspace(low, high, GRID)


# ----------------------------------------------------------------------------------------- torch


def torch_function(name: str) -> Callable:
    return TORCH_FUNCTIONS.get(name) or getattr(F, name)


def _setters(base: dict, elements: list):
    """Ways to write the grid values into the arguments inside f: name -> set(xv, yv) -> args dict.

    ``elements`` is [(argument, index), (argument, index)] for x and y.
    """
    touched = sorted({a for a, _ in elements})

    def masks(arg):
        out = []
        for slot, (a, index) in enumerate(elements):
            if a == arg:
                mask = torch.zeros(base[arg].shape, dtype=torch.bool)
                mask[index] = True
                out.append((slot, index, mask))
        return out

    per_arg = {arg: masks(arg) for arg in touched}

    def fold(table: dict, put):
        """A setter that writes x and y into their arguments one element at a time:
        ``put(arg, tensor, item, value)`` returns the tensor with one more element written."""

        def setter(xv, yv):
            values = (xv, yv)
            d = dict(base)
            for arg, items in table.items():
                t = base[arg]
                for item in items:
                    t = put(arg, t, item, values[item[0]])
                d[arg] = t
            return d

        return setter

    where = fold(per_arg, lambda arg, t, item, v: torch.where(item[2], v, t))
    onehots = {arg: [(slot, index, mask.to(torch.float64)) for slot, index, mask in items]
               for arg, items in per_arg.items()}
    onehot = fold(onehots, lambda arg, t, item, v: t + item[2] * (v - base[arg][item[1]]))

    flats = {arg: sorted((int(np.ravel_multi_index(index, tuple(base[arg].shape))), slot)
                         for slot, index, _ in items) for arg, items in per_arg.items()}

    def cat(xv, yv):
        values = (xv, yv)
        d = dict(base)
        for arg, items in flats.items():
            flat = base[arg].reshape(-1)
            pieces, start = [], 0
            for position, slot in items:
                pieces += [flat[start:position], values[slot].reshape(1)]
                start = position + 1
            pieces.append(flat[start:])
            d[arg] = torch.cat(pieces).reshape(base[arg].shape)
        return d

    index_tensors = {arg: [(slot, tuple(torch.tensor(i) for i in index)) for slot, index, _ in items]
                     for arg, items in per_arg.items()}
    index_put = fold(index_tensors, lambda arg, t, item, v: t.index_put(item[1], v))

    return {"where": where, "onehot": onehot, "cat": cat, "index_put": index_put}


def torch_vmap_runners(case: Case, args: dict, kwargs: dict, xs: np.ndarray, ys: np.ndarray) -> dict:
    """One runner per way of writing the elements: () -> (z, dz_dx, dz_dy) as (ny, nx) numpy arrays."""
    fn = torch_function(case.name)
    base = {k: torch.from_numpy(v) for k, v in args.items()}
    X = torch.from_numpy(xs).repeat(len(ys))
    Y = torch.from_numpy(ys).repeat_interleave(len(xs))
    shape = (len(ys), len(xs))
    runners = {}
    for form, setter in _setters(base, [case.x[:2], case.y[:2]]).items():
        def f(xv, yv, setter=setter):
            return fn(**setter(xv, yv), **kwargs).sum()

        g = vmap(grad_and_value(f, argnums=(0, 1)))

        def run(g=g):
            (dx, dy), z = g(X, Y)
            return z.reshape(shape), dx.reshape(shape), dy.reshape(shape)

        runners[f"vmap/{form}"] = run
    return runners


def _per_copy_reduction(name: str, kwargs: dict, args: dict) -> Callable:
    """(copies, values of one copy) -> the loss of each copy, as torch reduces one batch."""
    reduction = kwargs.get("reduction", losses.get_spec(name).defaults().get("reduction", "none"))
    if name == "ctc_loss" and reduction == "mean":
        lengths = torch.from_numpy(args["target_lengths"]).reshape(-1).clamp(min=1)
        return lambda per: (per / lengths).mean(1)
    if reduction == "mean":
        return lambda per: per.mean(1)
    if reduction == "batchmean":
        batch = args["input"].shape[0]
        return lambda per: per.sum(1) / batch
    return lambda per: per.sum(1)


def batched_runner(case: Case, args: dict, kwargs: dict, xs: np.ndarray, ys: np.ndarray):
    """The G grid copies of the whole batch in one call along the batch axis, autograd once.

    Every tensor argument is repeated copy-major along its batch axis (axis 1 for CTC's log_probs,
    0 otherwise), the two elements are written with one index_put each, the loss runs with
    reduction='none' and each copy's values are reduced as torch reduces a batch.
    """
    fn = torch_function(case.name)
    axes = {k: (1 if (case.name, k) == ("ctc_loss", "log_probs") else 0) for k in args}
    base = {k: torch.from_numpy(v) for k, v in args.items()}
    batch = base[case.x[0]].shape[axes[case.x[0]]]
    copies = len(xs) * len(ys)
    reps = {k: [copies if d == axes[k] else 1 for d in range(v.dim())] for k, v in base.items()}
    reduce = _per_copy_reduction(case.name, kwargs, args)
    options = dict(kwargs)
    if "reduction" in options or "reduction" in losses.get_spec(case.name).defaults():
        options["reduction"] = "none"
    X0 = torch.from_numpy(xs).repeat(len(ys))
    Y0 = torch.from_numpy(ys).repeat_interleave(len(xs))
    offsets = torch.arange(copies) * batch
    shape = (len(ys), len(xs))

    def run():
        X = X0.clone().requires_grad_()
        Y = Y0.clone().requires_grad_()
        big = {k: v.repeat(*reps[k]) for k, v in base.items()}
        for (arg, index, _), values in ((case.x, X), (case.y, Y)):
            where = tuple(offsets + i if d == axes[arg] else torch.tensor(i) for d, i in enumerate(index))
            big[arg] = big[arg].index_put(where, values)
        out = fn(**big, **options)
        z = reduce(out.reshape(copies, -1))
        dx, dy = torch.autograd.grad(z.sum(), (X, Y))
        return z.detach().reshape(shape), dx.reshape(shape), dy.reshape(shape)

    return run


def ctc_vmap_estimate(case, args, kwargs, points=7) -> float:
    """Seconds vmap would take on the full grid, from a points x points grid (it loops per point)."""
    xs = np.linspace(*case.x[2], points)
    ys = np.linspace(*case.y[2], points)
    run = torch_vmap_runners(case, args, kwargs, xs, ys)["vmap/where"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
    return elapsed * GRID * GRID / points ** 2


# ----------------------------------------------------------------------------------------- timing


def clock(fn) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def check(numpy_result, torch_result) -> float:
    """Largest relative error over z, dz/dx, dz/dy; raises if any entry is outside rtol."""
    worst = 0.0
    for what, ours, ref in zip(("z", "dz_dx", "dz_dy"), numpy_result, torch_result):
        ref = ref.detach().numpy() if isinstance(ref, torch.Tensor) else np.asarray(ref)
        ours = np.asarray(ours)
        assert ours.shape == ref.shape, (what, ours.shape, ref.shape)
        atol = 1e-12 * max(1.0, float(np.nanmax(np.abs(ref))))
        same_nan = np.isnan(ours) == np.isnan(ref)
        if not same_nan.all():
            raise AssertionError(f"{what}: NaN in one result only")
        ok = ~np.isnan(ref)
        err = np.abs(ours[ok] - ref[ok])
        bad = err > atol + RTOL * np.abs(ref[ok])
        if bad.any():
            raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} entries differ, "
                                 f"max |diff| {err.max():.3g}")
        rel = err / np.maximum(np.abs(ref[ok]), atol / RTOL)
        worst = max(worst, float(rel.max(initial=0.0)))
    return worst


@contextmanager
def torch_threads(count: int):
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass
class Row:
    case: Case
    numpy_s: float
    torch_s: float
    torch_form: str
    error: float
    numpy_median_s: float
    torch_median_s: float
    failed: list
    numpy_path: str = ""  # Landscape.method: separable, surface or grid

    @property
    def ratio(self) -> float:
        return self.numpy_s / self.torch_s


def run_case(case: Case, repeat: int, budget: float, thread_choices: list) -> Row:
    args, kwargs = case_inputs(case)
    xs, ys = grid_values(case.x), grid_values(case.y)

    def numpy_run():
        land = losses.landscape(case.name, args, kwargs, x=(case.x[0], case.x[1], xs), y=(case.y[0], case.y[1], ys))
        return land.z, land.dz_dx, land.dz_dy

    runners = {} if case.name == "ctc_loss" else torch_vmap_runners(case, args, kwargs, xs, ys)
    runners["batched+autograd"] = batched_runner(case, args, kwargs, xs, ys)

    ours = numpy_run()
    path = losses.landscape(case.name, args, kwargs, x=(case.x[0], case.x[1], xs), y=(case.y[0], case.y[1], ys)).method
    error, failed, timings = 0.0, [], {}
    # Every torch form runs once (warm-up and agreement check) and is timed once; the fastest form then
    # goes on to the interleaved timing, both with torch's default thread count and with one thread.
    for form, run in runners.items():
        try:
            result = run()
        except Exception:  # a form vmap cannot batch (e.g. .item() inside the loss): skip it
            failed.append(form)
            continue
        error = max(error, check(ours, result))
        timings[(form, thread_choices[0])] = [clock(run)]
    if not timings:
        raise RuntimeError(f"no torch form ran for {case.label}")
    form = min(timings, key=lambda key: min(timings[key]))[0]
    finalists = [(form, threads) for threads in thread_choices]
    for key in finalists:
        timings.setdefault(key, [])

    numpy_times = []
    numpy_run()
    started = time.perf_counter()
    for done in range(1, repeat + 1):  # interleaved, so that a burst of load hits both sides alike
        numpy_times.append(clock(numpy_run))
        for form, threads in finalists:
            with torch_threads(threads):
                timings[(form, threads)].append(clock(runners[form]))
        if done >= 3 and time.perf_counter() - started > budget:
            break
    best = min(finalists, key=lambda key: min(timings[key]))
    label = f"{best[0]}, {best[1]} thread{'s' if best[1] > 1 else ''}"
    return Row(case, min(numpy_times), min(timings[best]), label, error,
               statistics.median(numpy_times), statistics.median(timings[best]), failed, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=25,
                        help="at most this many interleaved timed runs per side and case (default 25)")
    parser.add_argument("--budget", type=float, default=4.0,
                        help="seconds of interleaved timing per case after which to stop (at least 3 runs)")
    parser.add_argument("--only", nargs="*", help="loss names to run (default: all cases)")
    parser.add_argument("--no-vmap-estimate", action="store_true",
                        help="skip estimating vmap's per-point fallback for ctc_loss")
    options = parser.parse_args(argv)

    torch.set_default_dtype(torch.float64)
    default_threads = torch.get_num_threads()
    thread_choices = sorted({default_threads, 1}, reverse=True)
    cases = [c for c in CASES if not options.only or c.name in options.only]
    started = time.perf_counter()
    load = os.getloadavg()[0]
    print(f"losses.landscape (numpy {np.__version__}) vs torch {torch.__version__} on a {GRID}x{GRID} grid, float64; "
          f"torch threads: its default {default_threads}"
          + (" or 1, whichever is faster" if default_threads > 1 else "")
          + f"; minimum of up to {options.repeat} interleaved runs; load average {load:.1f} on "
          f"{os.cpu_count()} CPUs")
    print(f"{'loss':<34} {'family':<14} {'case':<62} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6}  "
          f"{'numpy path':<10}  torch form")
    rows = []
    for case in cases:
        row = run_case(case, options.repeat, options.budget, thread_choices)
        rows.append(row)
        family = losses.get_spec(case.name).family
        print(f"{case.name:<34} {family:<14} {case.label:<62} {row.numpy_s * 1e3:9.2f} {row.torch_s * 1e3:9.2f} "
              f"{row.ratio:6.3f}  {row.numpy_path:<10}  {row.torch_form}", flush=True)

    for row in rows:
        if row.failed:
            print(f"note: {row.case.name} ({row.case.label}): vmap could not batch {', '.join(row.failed)} "
                  f"(the loss inspects a batched value, e.g. .item() in a check), so torch ran batched")
    print(f"\nall {len(rows)} cases agree with torch (z, dz/dx, dz/dy; rtol {RTOL:g}); "
          f"largest relative difference {max(r.error for r in rows):.1e}")
    if any(r.case.name == "ctc_loss" for r in rows) and not options.no_vmap_estimate:
        ctc = next(r.case for r in rows if r.case.name == "ctc_loss")
        estimate = ctc_vmap_estimate(ctc, *case_inputs(ctc))
        print(f"ctc_loss: torch.func.vmap has no batching rule for _ctc_loss (it loops per point); on this grid "
              f"vmap(grad_and_value) would take about {estimate:.0f} s, so torch is timed as one batched call")

    per_loss: dict[str, Row] = {}
    for row in rows:  # each loss counts with its slowest case (the largest ratio)
        if row.case.name not in per_loss or row.ratio > per_loss[row.case.name].ratio:
            per_loss[row.case.name] = row
    ratios = [r.ratio for r in per_loss.values()]
    median = statistics.median(ratios)
    worst = max(per_loss.values(), key=lambda r: r.ratio)
    median_medians = statistics.median(
        max(r.numpy_median_s / r.torch_median_s for r in rows if r.case.name == name) for name in per_loss)
    print(f"\nper loss (its slowest case), numpy/torch over {len(per_loss)} losses of "
          f"{len({losses.get_spec(n).family for n in per_loss})} families:")
    for name, row in per_loss.items():
        print(f"  {name:<34} {row.ratio:6.3f}")
    print(f"median ratio {median:.3f} (target <= {MEDIAN_TARGET}): {'met' if median <= MEDIAN_TARGET else 'NOT met'}")
    print(f"max ratio    {worst.ratio:.3f} ({worst.case.name}; target <= 1, no loss slower than torch): "
          f"{'met' if worst.ratio <= 1 else 'NOT met'}")
    print(f"(median over all {len(rows)} cases {statistics.median(r.ratio for r in rows):.3f}; "
          f"median ratio from the median instead of the minimum times {median_medians:.3f}; "
          f"{time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
