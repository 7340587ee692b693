"""Benchmark: the /train page's step scrubber against Streamlit's own floor for the same figures.

Run from the repository root (a minute or two; the browser part starts its own servers on free local ports)::

    .venv/bin/python bench/train_page.py
    .venv/bin/python bench/train_page.py --runs 5 --no-browser   # quicker: the server measure only

The page opens on its default race (the outliers preset: four runs of 400 steps).  Moving the "Step shown" slider
reruns the page's ``scrub`` fragment only (the race comes from st.cache_data): the fitted lines, the curves with
the step marked, the contour with the paths cut at the step, and the table of that step.  The floor
(``bench/floor_train.py``) is a trivial page drawing charts of the same kinds and sizes with one slider, written
the idiomatic way, whose every edit reruns its whole short script.

Measured exactly as bench/pages.py measures fragment reruns (its ``ServerCase``, ``fragment_rerun`` and
``BrowserCase`` are reused): server, the time of AppTest's rerun of the fragment after setting the slider, median
of 3 × ``--runs`` edits after two warm-ups, page and floor in turn; browser, the time from the key press that moves
the slider to the painted end of the redraw in chromium, median of ``--runs``.  Target: page / floor ≤ 1.5.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pages)

STEPS = list(range(390, 340, -1))  # a new step each edit, as a learner dragging back through the race
PAGE = ("app.py", "/train?lang=en", "pages/train.py", "tr_t_v1", "scrub")
FLOOR = ("bench/floor_train.py", "/", None, "floor_t", None)
TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured edits (after two warm-ups)")
    parser.add_argument("--no-browser", action="store_true", help="the server measure only")
    options = parser.parse_args()

    results = {}
    made = [pages.ServerCase(script, page, key, STEPS, fragment=fragment)
            for script, _, page, key, fragment in (PAGE, FLOOR)]
    results["server"] = pages.interleaved(*made, 3 * options.runs)
    del made
    gc.collect()
    print(f"server   page {1000 * results['server'][0]:7.1f} ms   floor {1000 * results['server'][1]:7.1f} ms",
          flush=True)

    if not options.no_browser:
        from playwright.sync_api import sync_playwright

        servers = [pages.start_server(script, []) for script, *_ in (PAGE, FLOOR)]
        try:
            for _, url in servers:
                pages.wait_healthy(url)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=pages.CHROMIUM, args=pages.CHROMIUM_ARGS)
                cases = [pages.BrowserCase(browser, url + path, "Step shown", "ArrowLeft")
                         for (_, url), (_, path, *_rest) in zip(servers, (PAGE, FLOOR))]
                results["browser"] = pages.interleaved(*cases, options.runs)
                for case in cases:
                    case.close()
                browser.close()
        finally:
            for proc, _ in servers:
                proc.terminate()
            for proc, _ in servers:
                proc.wait(timeout=10)
        print(f"browser  page {1000 * results['browser'][0]:7.1f} ms   floor {1000 * results['browser'][1]:7.1f} ms",
              flush=True)

    print()
    print(f"{'/train: step scrubber':24s} {'measure':8s} {'page ms':>9s} {'floor ms':>9s} {'ratio':>6s}  "
          f"(target <= {TARGET})")
    worst = 0.0
    for measure, (page_time, floor_time) in results.items():
        ratio = page_time / floor_time
        worst = max(worst, ratio)
        print(f"{'':24s} {measure:8s} {1000 * page_time:9.1f} {1000 * floor_time:9.1f} {ratio:6.2f}"
              + ("" if ratio <= TARGET else "  above target"))
    print(f"\nworst ratio {worst:.2f}: target {'met' if worst <= TARGET else 'NOT met'} "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
