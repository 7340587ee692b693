"""deploy/nginx.conf run by Debian's nginx on loopback in front of two app processes: websocket sessions pass
through it and keep their replica, the page works in a browser under its Content-Security-Policy, and when a
replica stops its learners reconnect to the other one and see their numbers again (the state is in the URL).

The tests share one pair of replicas; the last one stops a replica, so it stays last in this file.
"""

from __future__ import annotations

import asyncio
import random
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bench.load import playground_change
from bench.stclient import REPLICA_HEADER, Session
from tests.e2e.conftest import READY, settle

SESSIONS = 20
EDITS = 3
LIMIT = 150  # seconds for a whole scenario


def run_async(coro):
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def loss_shown(run) -> str:
    metrics = run.of_kind("metric")
    assert metrics, "the playground shows no loss value"
    return metrics[0].proto.body


async def learner(url: str, seed: int) -> tuple[set, str]:
    """Open the playground through nginx, make EDITS checked edits, reconnect once; the replicas it met."""
    s = Session(url, timeout=90)
    try:
        await s.open("playground", "lang=en")
        met = {s.replica}
        rng = random.Random(seed)
        for _ in range(EDITS):
            key, state, check = playground_change(s, rng)
            problem = check(await s.edit(key, state))
            assert problem is None, problem
            met.add(s.replica)
        shown = loss_shown(s.last)
        again = await s.reconnect()  # a new websocket with the same cookie, as after a network blip
        met.add(s.replica)
        assert loss_shown(again) == shown
        return met, shown
    finally:
        await s.close()


def test_the_headers_the_app_lacks_are_added(balancer):
    with urllib.request.urlopen(f"{balancer.url}/playground", timeout=30) as r:
        headers = r.headers
    assert "frame-ancestors" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in headers  # frame-ancestors decides, so that the embed use keeps working
    assert headers[REPLICA_HEADER]
    assert "losslab_route=" in headers["Set-Cookie"]


def test_twenty_sessions_complete_their_edits_each_on_one_replica(replicas, balancer):
    async def main():
        async with asyncio.timeout(LIMIT):
            return await asyncio.gather(*(learner(balancer.url, seed) for seed in range(SESSIONS)))

    outcomes = run_async(main())
    assert len(outcomes) == SESSIONS
    addresses = {r.address for r in replicas}
    for met, _ in outcomes:
        assert len(met) == 1, f"a session moved between replicas: {met}"
        assert met <= addresses
    used = set().union(*(met for met, _ in outcomes))
    assert used == addresses, f"nginx sent every session to {used}"


def test_the_app_works_under_the_content_security_policy(browser, balancer):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        page = context.new_page()
        page.add_init_script("""window.__csp = [];
            document.addEventListener('securitypolicyviolation',
              e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")
        console = []
        page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
        response = page.goto(f"{balancer.url}/landscape?lang=en")
        assert "script-src" in response.headers["content-security-policy"]
        page.wait_for_selector("[data-testid='stMain'] h1", timeout=120000)
        page.wait_for_selector(READY, timeout=120000)
        settle(page)
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2",
                               timeout=60000)
        assert page.locator(".js-plotly-plot .gl-container canvas").count() >= 1  # the WebGL surface
        assert page.locator(".katex, [data-testid='stMetric']").count() > 0
        steps = page.locator("[data-testid='stSlider']").filter(has_text="Steps").locator("input[type='range']")
        steps.focus()
        page.keyboard.press("ArrowRight")
        settle(page)
        page.wait_for_function("() => location.search.includes('steps=31')", timeout=30000)
        assert page.get_by_text("Loss after 31 steps").is_visible()
        violations = page.evaluate("window.__csp")
        assert violations == [], violations
        assert not [m for m in console if "Content Security Policy" in m or "Refused to" in m], console
    finally:
        context.close()


def test_a_stopped_replica_moves_its_learners_with_their_numbers(replicas, balancer):
    """Last in the file: it stops a replica."""

    async def main():
        sessions = [Session(balancer.url, timeout=90) for _ in range(10)]
        try:
            rng = random.Random(7)
            for s in sessions:
                await s.open("playground", "lang=en")
            shown = {}
            for s in sessions:
                key, state, check = playground_change(s, rng)
                run = await s.edit(key, state)
                assert check(run) is None
                shown[id(s)] = (s.replica, loss_shown(run), s.query_string)
            victim = next(r for r in replicas if r.address == sessions[0].replica)
            survivor = next(r for r in replicas if r is not victim)
            await asyncio.to_thread(victim.stop)
            moved = [s for s in sessions if shown[id(s)][0] == victim.address]
            stayed = [s for s in sessions if s not in moved]
            assert moved and stayed, "the sessions did not spread over both replicas"
            for s in moved:
                run = await s.reconnect()  # the browser's reconnect after its websocket closed
                assert s.replica == survivor.address
                assert loss_shown(run) == shown[id(s)][1]
                assert s.query_string == shown[id(s)][2]
            for s in sessions:  # and everyone keeps editing
                key, state, check = playground_change(s, rng)
                assert check(await s.edit(key, state)) is None
                assert s.replica == survivor.address
        finally:
            await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    async def bounded():
        async with asyncio.timeout(LIMIT):
            await main()

    run_async(bounded())
