"""Benchmark: the curves and landscape pages against Streamlit's own floor.

Run from the repository root (a few minutes; it starts its own servers on free local ports)::

    .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --runs 5     # fewer edits per case, quicker and noisier

The floor is a trivial page drawing one chart of the same kind and size, written the idiomatic way
(validated plotly figures): ``bench/floor_contour.py`` (a 61 × 61 contour map with a line, as the landscape's
descent view at its default grid), ``bench/floor_surface.py`` (a 61 × 61 3D surface) and
``bench/floor_curves.py`` (a two-panel chart of five 401-point curves and their derivatives, as the curves
page's default).  Each pair is edited with the same kind of slider:

* landscape "Steps" against the contour floor: the descent path is redrawn (contour map and loss history);
* landscape "Range" against the surface floor: the window changes, so the surface, the contour and the path
  are recomputed and redrawn (two stops, back and forth);
* curves Huber ``delta`` against the curves floor: the compared loss is recomputed and the chart redrawn.

Two measurements, printed with the ratio page / floor (target: at most 1.5):

* server: Streamlit's AppTest, the time of ``at.run()`` after setting the slider to a new value, median of
  3 × ``--runs`` edits after two warm-up edits.  The page's sliders sit in ``st.fragment``; when one moves,
  the browser asks the server to rerun that fragment only, and so does this measure: AppTest has no public
  way to ask for it, so the bench finds the fragment's id in AppTest's fragment storage and adds it to the
  rerun request AppTest sends (``fragment_rerun``), exactly the request the browser's edit makes.  It stops
  if those internals change, and checks that each rerun redrew the chart with the new value.  The floor
  has no fragment: each edit reruns its whole (short) script.  For information the bench also prints a
  rerun of the whole page against the floor's (a new loss, a language switch or a followed link pays it).
* browser: ``streamlit run``, Debian's chromium driven by Playwright with the flags of tools/serve.py;
  the time from the key press that moves the slider to the end of the redraw of the charts it changes (the
  last plotly ``plotly_afterplot`` event or change to a chart's DOM, then the next painted frame), median of
  ``--runs``.  In the browser the pages' sliders sit in ``st.fragment``, so only that part reruns.

The machine this runs on may be shared: page and floor are edited in turn and medians taken, which keeps the
ratios meaningful when the absolute times move.
"""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.serve import READY, launch_chromium, start_server, stop_server, wait_healthy  # noqa: E402

# Each case: (name, script served, URL path, AppTest page or None, slider key, slider label, values the
# slider takes in turn under AppTest, the key that moves it in the browser, the st.fragment holding the slider
# or None).  The range sliders alternate between two stops (as a learner going back and forth), the others
# step to a new value each time.
SPANS = [3.0, 2.0]
CASES = [
    ("landscape: steps", "app.py", "/landscape?lang=en", "pages/landscape.py", "ls_steps", "Steps",
     list(range(31, 60)), "ArrowRight", "descent"),
    ("floor: one contour map", "bench/floor_contour.py", "/", None, "floor_steps", "Steps",
     list(range(31, 60)), "ArrowRight", None),
    ("landscape: range", "app.py", "/landscape?lang=en", "pages/landscape.py", "ls_span", "Range around", SPANS,
     "alternate", "window"),
    ("floor: one surface", "bench/floor_surface.py", "/", None, "floor_span", "Range", SPANS, "alternate", None),
    ("curves: delta", "app.py", "/curves?lang=en", "pages/curves.py", "cv_huber_loss_delta", "delta",
     [round(1 + 0.05 * i, 2) for i in range(1, 30)], "ArrowRight", "explore"),
    ("floor: one curves chart", "bench/floor_curves.py", "/", None, "floor_delta", "delta",
     [round(1 + 0.05 * i, 2) for i in range(1, 30)], "ArrowRight", None),
]
PAIRS = [("landscape: steps", "floor: one contour map"), ("landscape: range", "floor: one surface"),
         ("curves: delta", "floor: one curves chart")]

# Arms a timer on the next key press and records every redraw of a chart after it: plotly's afterplot event,
# or any change to a chart's DOM (a chart mounted anew).  The redraw has ended once the script has finished
# and no chart has changed for QUIET_MS; its end is the frame painted after the last change.
QUIET_MS = 500
ARM = """() => {
  const b = {t0: null, last: null, painted: null};
  window.__bench = b;
  const seen = () => {
    const w = window.__bench;
    if (!w || w.t0 === null) return;
    const t = performance.now();
    w.last = t;
    requestAnimationFrame(() => requestAnimationFrame(() => { if (w.last === t) w.painted = performance.now(); }));
  };
  if (!window.__benchHooks) {
    window.__benchHooks = true;
    document.addEventListener('keydown', () => {
      const w = window.__bench; if (w && w.t0 === null) w.t0 = performance.now();
    }, true);
    new MutationObserver(records => {
      if (records.some(r => r.target.closest && r.target.closest('.js-plotly-plot'))) window.__benchSeen();
    }).observe(document.body, {subtree: true, childList: true, attributes: true});
    const hook = () => {
      document.querySelectorAll('.js-plotly-plot').forEach(p => {
        if (!p.__benchHooked && p.on) { p.__benchHooked = true; p.on('plotly_afterplot', () => window.__benchSeen()); }
      });
      requestAnimationFrame(hook);
    };
    hook();
  }
  window.__benchSeen = seen;
}"""
REDRAWN = (f"() => {{ const b = window.__bench; return b.t0 !== null && b.last !== null && b.painted !== null "
           f"&& performance.now() - b.last > {QUIET_MS}; }}")


# --- server: AppTest --------------------------------------------------------------------------------------------

def quiet_streamlit() -> None:
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def fragment_id(at, function_name: str) -> str:
    """The id under which the last run registered the ``st.fragment`` wrapping ``function_name``.

    Read from AppTest's fragment storage (its closures keep the decorated function): Streamlit internals,
    checked here so that a change in them stops the bench instead of skewing it.
    """
    found = []
    for fid, fragment in at._fragment_storage._fragments.items():
        cells = dict(zip(fragment.__code__.co_freevars, (c.cell_contents for c in fragment.__closure__ or ())))
        if getattr(cells.get("non_optional_func"), "__name__", None) == function_name:
            found.append(fid)
    if len(found) != 1:
        raise RuntimeError(f"fragment {function_name!r}: found {len(found)} registered fragments of that name")
    return found[0]


@contextmanager
def fragment_rerun(fid: str | None):
    """Make AppTest's next run a rerun of fragment ``fid`` only, as the server does when a widget inside a
    fragment changes (the browser sends the fragment's id; ScriptRunner then runs only that fragment).
    AppTest has no public way to ask for it, so its RerunData gets the fragment queue the browser's request
    would carry."""
    if fid is None:
        yield
        return
    from streamlit.testing.v1 import local_script_runner

    plain = local_script_runner.RerunData
    local_script_runner.RerunData = functools.partial(plain, fragment_id_queue=[fid])
    try:
        yield
    finally:
        local_script_runner.RerunData = plain


class ServerCase:
    """A page under AppTest; ``edit(i)`` sets the slider to its i-th value and times the rerun.

    With ``fragment`` (the name of the function decorated with ``st.fragment`` that holds the slider) the
    rerun is that fragment's alone, as in the served app; ``full=True`` times a rerun of the whole page.
    """

    def __init__(self, script: str, page: str | None, key: str, values: list, fragment: str | None = None,
                 full: bool = False):
        from streamlit.testing.v1 import AppTest

        quiet_streamlit()
        self.key, self.values, self.name = key, values, f"{script} {page or ''}"
        self.at = AppTest.from_file(str(ROOT / script), default_timeout=120)
        if page is not None:
            self.at.query_params["lang"] = "en"
            self.at.switch_page(page)
        self.at.run()
        quiet_streamlit()
        self.check()
        self.charts = len(self.at.get("plotly_chart"))
        self.fragment = None if fragment is None or full else fragment_id(self.at, fragment)

    def check(self) -> None:
        if self.at.exception:
            raise RuntimeError(f"{self.name}: {self.at.exception[0].message}")

    def edit(self, i: int) -> float:
        widget = self.at.select_slider(key=self.key) if self.key.endswith("span") else self.at.slider(key=self.key)
        value = self.values[i % len(self.values)]
        widget.set_value(value)
        with fragment_rerun(self.fragment):
            start = time.perf_counter()
            self.at.run()
            elapsed = time.perf_counter() - start
        self.check()
        # The rerun really drew: the slider holds the new value and a chart was sent.
        widget = self.at.select_slider(key=self.key) if self.key.endswith("span") else self.at.slider(key=self.key)
        if widget.value != value or not self.at.get("plotly_chart"):
            raise RuntimeError(f"{self.name}: the rerun did not redraw the chart for {self.key}={value}")
        return elapsed


# --- browser: Playwright ----------------------------------------------------------------------------------------

def settle(pg) -> None:
    pg.wait_for_timeout(300)
    pg.wait_for_selector(READY, timeout=90000)
    pg.wait_for_timeout(150)
    pg.wait_for_selector(READY, timeout=90000)


class BrowserCase:
    """A served page in its own browser context; ``edit(i)`` moves the slider and times the redraw."""

    def __init__(self, browser, url: str, label: str, move: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
        self.pg = pg = self.context.new_page()
        self.move = move
        pg.goto(url)
        pg.wait_for_selector(READY, timeout=120000)
        settle(pg)
        pg.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0 && "
                             "[...document.querySelectorAll('.js-plotly-plot')].every(p => p._fullLayout)",
                             timeout=120000)
        self.thumb = pg.locator("[data-testid='stSlider']").filter(has_text=label).locator("input[type='range']").first

    def edit(self, i: int) -> float:
        pg = self.pg
        pg.evaluate(ARM)
        self.thumb.focus()
        pg.keyboard.press(self.move if self.move != "alternate" else ("ArrowRight", "ArrowLeft")[i % 2])
        settle(pg)
        pg.wait_for_function(REDRAWN, timeout=60000)
        return pg.evaluate("() => (window.__bench.painted - window.__bench.t0) / 1000")

    def close(self) -> None:
        self.context.close()


def interleaved(page, floor, runs: int) -> tuple[float, float]:
    """Medians of page and floor edits taken in turn, after two warm-up edits each."""
    page_times, floor_times = [], []
    for i in range(runs + 2):
        p, f = page.edit(i), floor.edit(i)
        if i >= 2:
            page_times.append(p)
            floor_times.append(f)
    return statistics.median(page_times), statistics.median(floor_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured edits per case (after two warm-ups)")
    parser.add_argument("--only", default="", help="run only the pairs whose page name contains this text")
    parser.add_argument("--no-post-script-gc", action="store_true",
                        help="serve every page with runner.postScriptGC off (Streamlit's full garbage collection "
                             "after each run, which costs the app, with torch loaded, some 200 ms per rerun)")
    options = parser.parse_args()
    pairs = [pair for pair in PAIRS if options.only in pair[0]]

    servers = {}
    wanted = {name for pair in pairs for name in pair}
    for script in dict.fromkeys(case[1] for case in CASES if case[0] in wanted):
        extra = ["--runner.postScriptGC", "false"] if options.no_post_script_gc else None
        servers[script] = start_server(script, extra)
    try:
        for proc, url in servers.values():
            wait_healthy(url, proc)

        cases = {case[0]: case for case in CASES}
        server, whole, browser_ms = {}, {}, {}
        for page, floor in pairs:
            # the rerun the edit causes (the slider's fragment), then a rerun of the whole page, each
            # interleaved with the floor's
            for results, full, label in ((server, False, "server"), (whole, True, "whole page")):
                made = [ServerCase(*(cases[n][i] for i in (1, 3, 4, 6, 8)), full=full) for n in (page, floor)]
                # a rerun takes milliseconds: three times the browser's edits for steadier medians
                results[page], results[floor] = interleaved(*made, 3 * options.runs)
                del made  # an AppTest left alive makes every later garbage collection longer
                gc.collect()
                print(f"{label:10s} {page:24s} {1000 * results[page]:7.1f} ms   {floor:24s} "
                      f"{1000 * results[floor]:7.1f} ms", flush=True)

        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = launch_chromium(p)
            for page, floor in pairs:
                made = [BrowserCase(browser, servers[cases[n][1]][1] + cases[n][2], cases[n][5], cases[n][7])
                        for n in (page, floor)]
                browser_ms[page], browser_ms[floor] = interleaved(*made, options.runs)
                for case in made:
                    case.close()
                print(f"browser  {page:24s} {1000 * browser_ms[page]:7.1f} ms   {floor:24s} "
                      f"{1000 * browser_ms[floor]:7.1f} ms", flush=True)
            browser.close()
    finally:
        for proc, _ in servers.values():
            stop_server(proc)

    print()
    print(f"{'page: edit':18s} {'measure':10s} {'page ms':>9s} {'floor ms':>9s} {'ratio':>6s}  (target <= 1.5)")
    worst = 0.0
    for page, floor in pairs:
        for measure, values in (("server", server), ("browser", browser_ms)):
            ratio = values[page] / values[floor]
            worst = max(worst, ratio)
            print(f"{page:18s} {measure:10s} {1000 * values[page]:9.1f} {1000 * values[floor]:9.1f} {ratio:6.2f}"
                  + ("" if ratio <= 1.5 else "  above target"))
    print()
    print("for information, not the edit's cost: a rerun of the whole page (a new loss, a language switch, a link)")
    for page, floor in pairs:
        print(f"{page:18s} {'whole page':10s} {1000 * whole[page]:9.1f} {1000 * whole[floor]:9.1f} "
              f"{whole[page] / whole[floor]:6.2f}")
    print(f"\nworst ratio {worst:.2f}: target {'met' if worst <= 1.5 else 'NOT met'} "
          f"(load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
