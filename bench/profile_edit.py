"""Where an edit's server time goes: cProfile around each script run of a real server, driven by one learner.

Run from the repository root::

    .venv/bin/python bench/profile_edit.py                       # every page of bench/load.py, 15 edits each
    .venv/bin/python bench/profile_edit.py --pages playground --edits 30 --top 40

It serves the app with ``streamlit run`` in a child process whose script runner is wrapped in cProfile (only the
script thread: Streamlit runs each rerun there), opens each page with one websocket learner of bench/load.py,
warms it up with two edits, then profiles ``--edits`` edits and prints the functions with the most cumulative
and own time, and the server's whole CPU per edit against the profiled script time (the rest is the event loop:
serialising and sending the deltas, the websocket).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import cpu_seconds, scenarios  # noqa: E402
from bench.stclient import Session  # noqa: E402
from tools.serve import free_port, wait_healthy  # noqa: E402
from tools.serve import stop_server as stop  # noqa: E402

# The child: wrap ScriptRunner._run_script in a profiler while the flag file exists, add each run's stats to
# one file.
CHILD = r"""
import cProfile, os, pstats, sys, threading
from streamlit.runtime.scriptrunner import script_runner
flag, out = os.environ["LOSSLAB_PROFILE_FLAG"], os.environ["LOSSLAB_PROFILE_OUT"]
lock, total = threading.Lock(), [None]
plain = script_runner.ScriptRunner._run_script
def profiled(self, rerun_data):
    if not os.path.exists(flag):
        return plain(self, rerun_data)
    prof = cProfile.Profile()
    prof.enable()
    try:
        return plain(self, rerun_data)
    finally:
        prof.disable()
        with lock:
            if total[0] is None:
                total[0] = pstats.Stats(prof)
            else:
                total[0].add(prof)
            total[0].dump_stats(out)
script_runner.ScriptRunner._run_script = profiled
from streamlit.web import cli
sys.argv = ["streamlit", "run", *sys.argv[1:]]
cli.main()
"""


async def drive(scn, base: str, edits: int, flag: Path, pid: int) -> tuple[float, float]:
    s = Session(base, timeout=120)
    try:
        await s.open(scn.page, scn.query)
        rng = random.Random(2)
        for _ in range(2):
            key, state, _ = scn.change(s, rng)
            await s.edit(key, state)
        flag.touch()
        cpu0, wall = cpu_seconds([pid]), 0.0
        for _ in range(edits):
            key, state, check = scn.change(s, rng)
            run = await s.edit(key, state)
            wall += run.seconds
            problem = check(run)
            if problem:
                raise RuntimeError(problem)
        flag.unlink()
        return (cpu_seconds([pid]) - cpu0) / edits, wall / edits
    finally:
        await s.close()


def main(argv=None) -> int:
    known = scenarios()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default=",".join(n for n in known if n != "floor"))
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for name in [n.strip() for n in args.pages.split(",") if n.strip()]:
        scn = known[name]
        with tempfile.TemporaryDirectory() as tmp:
            flag, out = Path(tmp) / "on", Path(tmp) / "stats"
            port = free_port()
            env = dict(os.environ, LOSSLAB_PROFILE_FLAG=str(flag), LOSSLAB_PROFILE_OUT=str(out))
            proc = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT / scn.script), "--server.port", str(port),
                                     "--server.address", "127.0.0.1", "--server.headless", "true"],
                                    cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_healthy(base)
                cpu, wall = asyncio.run(drive(scn, base, args.edits, flag, proc.pid))
                time.sleep(0.2)
                stats = pstats.Stats(str(out))
                script = stats.total_tt / args.edits
                print(f"\n=== {name}: {args.edits} edits; server CPU {cpu * 1000:.0f} ms per edit, of which the "
                      f"script thread (profiled, with cProfile's overhead) {script * 1000:.0f} ms; latency "
                      f"{wall * 1000:.0f} ms")
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
            finally:
                stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
