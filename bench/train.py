"""Benchmark: a four-run race of 500 steps on each /train preset, the numpy loop of ``train`` against the same
loop in torch (float64, CPU), timed in the same run.

Run from the repository root::

    .venv/bin/python bench/train.py              # every preset, about a minute
    .venv/bin/python bench/train.py --repeat 5   # more rounds, steadier minimum on a busy machine

Each preset races four runs: its default runs, completed to four with copies of its first run under Adam (a
preset with fewer defaults still races four).  numpy is ``train.race(...)`` (data, model, every run, every
recorded metric); torch is ``ui.compute.train_torch.torch_race(race)`` (autograd model, torch.nn.functional loss,
torch.optim, lr_scheduler, one intra-op thread, which is torch's fastest for tensors this small).  Both are timed
interleaved, warm-up first, and the minimum over ``--repeat`` rounds is kept, the estimate least disturbed by
other processes.  Before timing, the parameters of the two are compared (largest difference printed; above 1e-9
relative the script fails).  Prints per preset the two times and numpy/torch, and the median ratio; target
(issue 14): median <= 0.5.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import train  # noqa: E402
from ui.compute import train_torch  # noqa: E402

STEPS = 500
RUNS = 4
YOUR_DATA = "\n".join(f"{x1:.4f},{x2:.4f},{int(x1 * x1 + x2 * x2 > 1.0)}"
                      for x1, x2 in np.random.default_rng(11).normal(size=(200, 2)))


def four_runs(preset: train.Preset, data) -> list:
    runs = list(preset.default_runs(data))
    while len(runs) < RUNS:
        first = runs[0]
        runs.append(train.RunSpec(first.loss, first.loss_options, "adam", {"lr": 0.02}, head=first.head))
    return runs[:RUNS]


def seconds(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    rows = []
    for name, preset in train.PRESETS.items():
        text = YOUR_DATA if name == "your_data" else None
        runs = four_runs(preset, preset.dataset(0, text))
        race = train.race(name, runs, steps=args.steps, text=text)  # warm-up, and the race torch replays
        torch_runs = train_torch.torch_race(race)
        worst = max(train_torch.max_parameter_difference(race, torch_runs))
        scale = max(float(np.abs(r.flat_params).max()) for r in race.runs)
        if worst > 1e-9 * max(scale, 1.0):
            print(f"{name}: numpy and torch disagree by {worst:.3g}", file=sys.stderr)
            return 1
        numpy_times, torch_times = [], []
        for _ in range(args.repeat):  # interleaved, so that a busy spell hits both sides
            numpy_times.append(seconds(train.race, name, runs, steps=args.steps, text=text))
            torch_times.append(seconds(train_torch.torch_race, race))
        t_numpy, t_torch = min(numpy_times), min(torch_times)
        rows.append((name, t_numpy, t_torch, t_numpy / t_torch, worst))
        print(f"{name:12s} numpy {t_numpy * 1e3:8.1f} ms   torch {t_torch * 1e3:8.1f} ms   "
              f"numpy/torch {t_numpy / t_torch:5.2f}   max |d theta| {worst:.1e}", flush=True)
    median = statistics.median(r[3] for r in rows)
    per_step = statistics.median(r[1] for r in rows) / (RUNS * (args.steps + 1)) * 1e6
    print(f"median numpy/torch over {len(rows)} presets: {median:.2f} (target <= 0.5); "
          f"numpy {per_step:.0f} us per run step (median preset)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
