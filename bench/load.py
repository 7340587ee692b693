"""Load benchmark: N learners at once, each a real Streamlit websocket session (no browser), on the app's pages
and on Streamlit's one-widget floor app in the same run.

Run from the repository root (it starts its own servers on free loopback ports)::

    .venv/bin/python bench/load.py                                  # N = 1, 10, 30, 60; think 3 s and 0
    .venv/bin/python bench/load.py --learners 10,30 --think 3 --pages playground
    .venv/bin/python bench/load.py --replicas 2                     # two app processes behind deploy/nginx.conf

A learner opens its page (the whole class arrives at once), then makes ``--edits`` edits, each after a think
time drawn from an exponential distribution (mean ``--think`` seconds; 0 for back-to-back edits).  An edit is
what the browser sends when a widget changes: a ``rerun_script`` BackMsg with the new widget value (and the
fragment to rerun when the widget sits in an ``st.fragment``).  Its latency is the time from sending it to the
``script_finished`` message.  Every reply is checked for the changed number (the playground's loss value
recomputed here by the backend from the edited tensor, the landscape's step count, the curves' Huber delta in
the chart, the floor's tripled value); a wrong or missing number, a script exception or a timeout counts as
an error.

Per page and N: p50, p95 and max latency, errors, edits per second, the server's CPU seconds per edit (user +
system time of the server process from /proc during the edit phase) and its resident memory, kilobytes per
edit; then each page against the floor at the same N and think time, and a summary: CPU per edit against the
floor (target ≤ 1.5×) and the learners one process holds with p95 ≤ 1 s at the think time.

Bounded: at most ``--max-learners`` sessions, each reply within ``--timeout`` seconds, each run within
``--budget`` seconds; servers on 127.0.0.1 only, stopped at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.stclient import ProtocolError, Run, Session, double_array, string_value  # noqa: E402
from tools.serve import free_port, start_server, stop_server, wait_healthy  # noqa: E402,F401  (free_port: for bench/profile_edit.py)

CLOCK_TICK = os.sysconf("SC_CLK_TCK")
P95_TARGET = 1.0
CPU_TARGET = 1.5

Check = Callable[[Run], str | None]


# --- what a learner edits on each page, and how the reply is checked ---------------------------------------------

@dataclass
class Scenario:
    """A page and the edit its learners make.  ``change(session, rng)`` returns the widget key prefix, the new
    widget state and a check of the reply (an error text or None)."""

    name: str
    script: str  # the served script: app.py, or the floor app
    page: str  # URL path of the page ('' for a single-page app)
    query: str
    change: Callable[[Session, random.Random], tuple[str, object, Check]]
    memo: dict = field(default_factory=dict)  # what learners agree on (e.g. the examples per note)


def _metric(run: Run, index: int = 0):
    metrics = run.of_kind("metric")
    return metrics[index].proto if len(metrics) > index else None


def playground_change(session: Session, rng: random.Random):
    """Type a new number into the first cell of ``input``; the reply must show the loss the backend computes
    for the edited tensors (read back from the URL the page wrote, so the whole state is the link's)."""
    import losses
    from ui.figures.common import short
    from ui.text.tensors import format_number

    q = dict(urllib.parse.parse_qsl(session.query_string))
    loss_id = q.get("loss", "l1_loss")
    tensors = {k: np.asarray(json.loads(q[k]), dtype=np.float64) for k in ("input", "target")}
    current = float(tensors["input"].flat[0])
    value = current
    while value == current:
        value = round(rng.uniform(-5, 5), 2)
    tensors["input"].flat[0] = value
    text = format_number(value)
    expected, _ = losses.value_and_grad(loss_id, **tensors, reduction=q.get("reduction", "mean"))
    expected = short(expected if np.ndim(expected) == 0 else np.sum(expected), 6)
    edits = {"edited_rows": {"0": {"0": text}}, "added_rows": [], "deleted_rows": []}

    def check(run: Run):
        shown = _metric(run)
        if shown is None or shown.body != expected:
            return f"playground: loss {shown.body if shown else None!r}, expected {expected!r} for input[0]={text}"
        if urllib.parse.quote(f"[[{text},") not in session.query_string:
            return f"playground: the URL does not carry input[0]={text}"
        return None

    return "pg_input__grid", string_value(json.dumps(edits)), check


def landscape_change(session: Session, rng: random.Random):
    """Move the descent's "Steps" slider; the reply must name the new step count and redraw the path."""
    current = session.widget("ls_steps").proto.value
    steps = current[0] if current else 30
    new = steps
    while new == steps:
        new = rng.randint(1, 200)

    def check(run: Run):
        labels = [m.proto.label for m in run.of_kind("metric")]
        if not any(re.search(rf"\b{new}\b", label) for label in labels):
            return f"landscape: no metric names {new} steps ({labels})"
        if not run.of_kind("plotly_chart"):
            return "landscape: the descent chart was not redrawn"
        return None

    session.widget("ls_steps").proto.value[:] = [new]
    return "ls_steps", double_array(new), check


def curves_change(session: Session, rng: random.Random):
    """Move the Huber loss's ``delta`` slider; the chart's legend must carry the new delta."""
    from ui.text.tensors import format_number

    widget = session.widget("cv_huber_loss_delta").proto
    current = widget.value[0] if widget.value else 1.0
    new = current
    while new == current:
        new = round(rng.randint(1, 100) * 0.05, 2)
    wanted = f"delta = {format_number(new)}"

    def check(run: Run):
        charts = run.of_kind("plotly_chart")
        if not charts or wanted not in charts[0].proto.spec:
            return f"curves: the chart does not show {wanted!r}"
        return None

    widget.value[:] = [new]
    return "cv_huber_loss_delta", double_array(new), check


def examples_change(session: Session, rng: random.Random, memo: dict):
    """Pick another note in "Show the examples of"; every learner must see the same number of example cards for
    a note (the first learner to see it sets it), fewer for one note than for all four."""
    widget = session.widget("ex_note").proto
    options = list(widget.options)
    current = memo.setdefault(id(session), 0)
    choice = rng.choice([i for i in range(len(options)) if i != current])
    memo[id(session)] = choice

    def check(run: Run):
        cards = sum(1 for m in run.of_kind("metric") if m.proto.label.startswith("Loss Lab"))
        if cards == 0:
            return f"examples: no example card for {options[choice]!r}"
        seen = memo.setdefault(("cards", choice), cards)
        if seen != cards:
            return f"examples: {cards} cards for {options[choice]!r}, another learner saw {seen}"
        every = memo.get(("cards", 0))
        if choice != 0 and every is not None and cards >= every:
            return f"examples: one note shows {cards} cards, all four {every}"
        return None

    return "ex_note", string_value(options[choice]), check


def floor_change(session: Session, rng: random.Random):
    widget = session.widget("floor_value").proto
    current = widget.value[0] if widget.value else 1.0
    new = current
    while new == current:
        new = round(rng.uniform(0, 100), 2)
    widget.value[:] = [new]
    expected = f"{new * 3:.2f}"

    def check(run: Run):
        shown = _metric(run)
        if shown is None or shown.body != expected:
            return f"floor: {shown and shown.body!r} != {expected}"
        return None

    return "floor_value", double_array(new), check


def first_slider_change(page: str):
    """For a page without its own scenario yet (e.g. /train when it lands): move its first plain slider within
    its range; the reply must finish and differ from the one before."""

    def change(session: Session, rng: random.Random):
        sliders = [(k, e) for k, e in session.widgets.items() if e.kind == "slider" and not e.proto.options]
        if not sliders:
            raise ProtocolError(f"{page}: no plain slider to move")
        key, element = sliders[0]
        low, high, step = element.proto.min, element.proto.max, element.proto.step or 1
        current = element.proto.value[0] if element.proto.value else low
        new = current
        while new == current:
            new = low + step * rng.randint(0, max(1, int(round((high - low) / step))))
        element.proto.value[:] = [new]
        before = session.last.elements if session.last else {}

        def check(run: Run):
            after = {p: e.proto.SerializeToString() for p, e in run.elements.items()}
            if after == {p: e.proto.SerializeToString() for p, e in before.items()}:
                return f"{page}: the reply to {key}={new} equals the one before"
            return None

        return key, double_array(new), check

    return change


def scenarios() -> dict[str, Scenario]:
    """Every page the bench knows, the floor first.  A page joins by one entry here."""
    found = {
        "floor": Scenario("floor", "bench/floor_load.py", "", "", floor_change),
        "playground": Scenario("playground", "app.py", "playground", "lang=en", playground_change),
        "curves": Scenario("curves", "app.py", "curves", "lang=en", curves_change),
        "landscape": Scenario("landscape", "app.py", "landscape", "lang=en", landscape_change),
    }
    examples = Scenario("examples", "app.py", "examples", "lang=en", None)
    examples.change = lambda s, rng: examples_change(s, rng, examples.memo)
    found["examples"] = examples
    if (ROOT / "pages" / "train.py").exists():
        found["train"] = Scenario("train", "app.py", "train", "lang=en", first_slider_change("train"))
    return found


# --- servers ------------------------------------------------------------------------------------------------------

def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


# --- one run: N learners on one page -----------------------------------------------------------------------------

@dataclass
class Result:
    scenario: str
    learners: int
    think: float
    latencies: list = field(default_factory=list)
    opens: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0
    rss: float = 0.0
    bytes: int = 0
    replicas: set = field(default_factory=set)

    @property
    def edits(self) -> int:
        return len(self.latencies)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return math.nan
        values = sorted(self.latencies)
        return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]

    @property
    def cpu_per_edit(self) -> float:
        return self.cpu / self.edits if self.edits else math.nan


async def run_load(scn: Scenario, base: str, pids: list[int], learners: int, think: float, edits: int,
                   seed: int, timeout: float, budget: float) -> Result:
    result = Result(scn.name, learners, think)
    sessions = [Session(base, timeout) for _ in range(learners)]
    deadline = time.perf_counter() + budget

    async def arrive(s: Session):
        run = await s.open(scn.page, scn.query)
        result.opens.append(run.seconds)
        if run.exceptions():
            raise ProtocolError(f"{scn.name}: the page raised {run.exceptions()[0][:200]}")

    async def learner(s: Session, rng: random.Random):
        for _ in range(edits):
            if think:
                await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.perf_counter())))
            if time.perf_counter() > deadline:
                result.errors.append("budget: the run ran out of time")
                return
            key, state, check = scn.change(s, rng)
            try:
                run = await s.edit(key, state)
            except ProtocolError as exc:
                result.errors.append(str(exc))
                return
            result.latencies.append(run.seconds)
            result.bytes += run.bytes
            problem = (f"{scn.name}: exception {run.exceptions()[0][:200]}" if run.exceptions() else None) or check(run)
            if problem:
                result.errors.append(problem)

    try:
        opened = await asyncio.gather(*(arrive(s) for s in sessions), return_exceptions=True)
        ready = []
        for s, outcome in zip(sessions, opened):
            if isinstance(outcome, BaseException):
                result.errors.append(f"open: {outcome!r}"[:300])
            else:
                ready.append(s)
                result.replicas.add(s.replica)
        cpu0, t0 = cpu_seconds(pids), time.perf_counter()
        rngs = [random.Random(seed * 1000 + i) for i in range(len(ready))]
        try:
            async with asyncio.timeout(max(1.0, deadline - time.perf_counter()) + timeout):
                await asyncio.gather(*(learner(s, r) for s, r in zip(ready, rngs)))
        except TimeoutError:
            result.errors.append("budget: learners still waiting when the run's time was up")
        result.seconds = time.perf_counter() - t0
        result.cpu = cpu_seconds(pids) - cpu0
        result.rss = rss_mb(pids)
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return result


# --- report -------------------------------------------------------------------------------------------------------

HEADER = (f"{'page':<11} {'think':>5} {'N':>4} {'p50 s':>6} {'p95 s':>6} {'max s':>6} {'err':>4} {'edits/s':>7} "
          f"{'cpu ms/edit':>11} {'RSS MB':>7} {'KB/edit':>7} {'open p95':>8}  {'p95/floor':>9} {'cpu/floor':>9}")


def fmt(x: float, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def row(r: Result, floor: Result | None) -> str:
    rate = r.edits / r.seconds if r.seconds else math.nan
    kb = r.bytes / r.edits / 1024 if r.edits else math.nan
    opens = sorted(r.opens)
    open95 = opens[min(len(opens) - 1, math.ceil(0.95 * len(opens)) - 1)] if opens else math.nan
    p95_ratio = cpu_ratio = math.nan
    if floor is not None and floor is not r:
        p95_ratio = r.pct(0.95) / floor.pct(0.95) if floor.pct(0.95) else math.nan
        cpu_ratio = r.cpu_per_edit / floor.cpu_per_edit if floor.cpu_per_edit else math.nan
    return (f"{r.scenario:<11} {r.think:>5g} {r.learners:>4} {fmt(r.pct(0.5), 3):>6} {fmt(r.pct(0.95), 3):>6} "
            f"{fmt(max(r.latencies) if r.latencies else math.nan, 3):>6} {len(r.errors):>4} {fmt(rate, 1):>7} "
            f"{fmt(r.cpu_per_edit * 1000, 0):>11} {fmt(r.rss, 0):>7} {fmt(kb, 1):>7} {fmt(open95, 2):>8}  "
            f"{fmt(p95_ratio):>9} {fmt(cpu_ratio):>9}")


def held(results: list[Result], target: float = P95_TARGET) -> str:
    """The learners one setup holds with p95 ≤ target, interpolated linearly between the measured N."""
    points = sorted((r.learners, r.pct(0.95)) for r in results if r.edits)
    below = None
    for n, p95 in points:
        if p95 > target:
            if below is None:
                return f"< {n}"
            n0, p0 = below
            return f"≈ {n0 + (n - n0) * (target - p0) / (p95 - p0):.0f}"
        below = (n, p95)
    return f"≥ {points[-1][0]}" if points else "—"


def summary(results: list[Result], names: list[str], thinks: list[float]) -> list[str]:
    lines = ["", "Summary (CPU per edit: all edits of the runs at that think time; held: p95 ≤ "
             f"{P95_TARGET:g} s, interpolated between measured N)"]
    for think in thinks:
        floor = [r for r in results if r.scenario == "floor" and r.think == think]
        floor_cpu = sum(r.cpu for r in floor) / max(1, sum(r.edits for r in floor))
        if floor:
            lines.append(f"think {think:g} s: floor {floor_cpu * 1000:.0f} ms CPU per edit, holds {held(floor)} "
                         "learners")
        else:
            lines.append(f"think {think:g} s (no floor measured):")
        for name in names:
            if name == "floor":
                continue
            mine = [r for r in results if r.scenario == name and r.think == think]
            cpu = sum(r.cpu for r in mine) / max(1, sum(r.edits for r in mine))
            versus = ""
            if floor_cpu:
                ratio = cpu / floor_cpu
                versus = (f" = {ratio:4.2f}× floor (target ≤ {CPU_TARGET:g}×: "
                          f"{'ok' if ratio <= CPU_TARGET else 'over'})")
            lines.append(f"  {name:<11} {cpu * 1000:5.0f} ms CPU per edit{versus}; holds {held(mine)} learners; "
                         f"errors {sum(len(r.errors) for r in mine)}")
    return lines


# --- main ---------------------------------------------------------------------------------------------------------

def parse_list(text: str, kind=float) -> list:
    return [kind(x) for x in text.split(",") if x.strip()]


async def warm_up(scn: Scenario, base: str, timeout: float) -> None:
    """One learner opens the page and edits twice, so imports, caches and torch are loaded before timing."""
    s = Session(base, timeout)
    try:
        run = await s.open(scn.page, scn.query)
        if run.exceptions():
            raise ProtocolError(f"{scn.name}: the page raised {run.exceptions()[0][:300]}")
        rng = random.Random(0)
        for _ in range(2):
            key, state, check = scn.change(s, rng)
            problem = check(await s.edit(key, state))
            if problem:
                raise ProtocolError(f"warm-up: {problem}")
    finally:
        await s.close()


def main(argv: list[str] | None = None) -> int:
    known = scenarios()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", default="1,10,30,60", help="comma-separated N (default 1,10,30,60)")
    parser.add_argument("--think", default="3,0", help="mean think times in seconds (default 3,0)")
    parser.add_argument("--edits", type=int, default=5, help="edits per learner (default 5)")
    parser.add_argument("--pages", default=",".join(n for n in known if n != "floor"),
                        help=f"pages to load (known: {', '.join(n for n in known if n != 'floor')})")
    parser.add_argument("--replicas", type=int, default=1,
                        help="app processes; more than one runs them behind deploy/nginx.conf (needs nginx)")
    parser.add_argument("--url", help="drive an app already running at this loopback URL (with --pids)")
    parser.add_argument("--pids", default="", help="server process ids for CPU and memory with --url")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor app")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a reply may take (default 60)")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds one run may take (default 240)")
    parser.add_argument("--max-learners", type=int, default=300, help="refuse larger N (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    learners = parse_list(args.learners, int)
    thinks = parse_list(args.think)
    names = [n.strip() for n in args.pages.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown pages {unknown}; known: {sorted(known)}")
    if max(learners) > args.max_learners or min(learners) < 1:
        parser.error(f"N must lie in 1..{args.max_learners}")
    names = ([] if args.no_floor else ["floor"]) + [n for n in names if n != "floor"]

    procs: list[subprocess.Popen] = []
    balancer = None
    try:
        targets: dict[str, tuple[str, list[int]]] = {}
        if args.url:
            pids = parse_list(args.pids, int)
            if not pids:
                parser.error("--url needs --pids (the server processes to measure)")
            app = (args.url.rstrip("/"), pids)
        elif args.replicas > 1:
            from deploy.loopback import Balancer

            replicas = [start_server("app.py") for _ in range(args.replicas)]
            procs += [p for p, _ in replicas]
            for _, url in replicas:
                wait_healthy(url)
            balancer = Balancer([int(url.rsplit(":", 1)[1]) for _, url in replicas])
            balancer.start()
            app = (balancer.url, [p.pid for p, _ in replicas])
        else:
            proc, url = start_server("app.py")
            procs.append(proc)
            wait_healthy(url)
            app = (url, [proc.pid])
        if "floor" in names:
            proc, url = start_server(known["floor"].script)
            procs.append(proc)
            wait_healthy(url)
            targets["floor"] = (url, [proc.pid])
        for name in names:
            targets.setdefault(name, app)

        print(f"Load: {args.edits} edits per learner, think time exponential with mean {thinks} s, "
              f"{args.replicas} app process(es){' behind nginx' if balancer else ''}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        for name in names:
            asyncio.run(warm_up(known[name], targets[name][0], args.timeout))

        results: list[Result] = []
        print(HEADER, flush=True)
        for think in thinks:
            for n in learners:
                floor = None
                for name in names:
                    base, pids = targets[name]
                    client0 = time.process_time()
                    r = asyncio.run(run_load(known[name], base, pids, n, think, args.edits, args.seed, args.timeout,
                                             args.budget))
                    r.client_cpu = time.process_time() - client0
                    results.append(r)
                    floor = r if name == "floor" else floor
                    print(row(r, floor), flush=True)
                    for e in sorted(set(r.errors))[:3]:
                        print(f"    error: {e}", flush=True)
        for line in summary(results, names, thinks):
            print(line)
        if balancer:
            spread = sorted({x for r in results if r.scenario != "floor" for x in r.replicas})
            print(f"replicas seen through nginx: {spread}")
        client = sum(r.client_cpu for r in results) / max(1, sum(r.edits for r in results))
        print(f"load generator: {client * 1000:.0f} ms of its own CPU per edit (it shares the machine)")
        return 0
    finally:
        if balancer:
            balancer.stop()
        for p in procs:
            stop_server(p)


if __name__ == "__main__":
    sys.exit(main())
