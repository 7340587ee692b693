"""Memory: 200 learners open the playground (each with a link of its own, so that caches see new keys) and leave;
the server's resident memory comes back to within 20% of what it was after the first one (sessions are
cleaned up, caches are bounded).  Bounded in count and time, loopback only."""

from __future__ import annotations

import asyncio
import secrets
import time
import urllib.parse

from bench.load import rss_mb
from bench.stclient import Session
from tests.deploy.conftest import Replica
from tests.deploy.test_balancer import run_async

SESSIONS = 200
AT_ONCE = 8
LIMIT = 240


def link(i: int) -> str:
    tensor = f"[[{1 + i / 100:g},1],[1,1]]"
    return urllib.parse.urlencode({"lang": "en", "loss": "l1_loss", "input": tensor, "target": "[[0,1],[2,3]]"})


async def visit(url: str, i: int) -> None:
    s = Session(url, timeout=90)
    try:
        run = await s.open("playground", link(i))
        assert not run.exceptions(), run.exceptions()
        assert run.of_kind("metric"), "the playground drew no loss value"
    finally:
        await s.close()


def test_rss_returns_after_200_sessions_open_and_close():
    server = Replica(secrets.token_hex(32))
    try:
        server.wait()

        async def main():
            async with asyncio.timeout(LIMIT):
                await visit(server.url, 0)
                await asyncio.sleep(1)
                first = rss_mb([server.proc.pid])
                queue = iter(range(1, SESSIONS))

                async def worker():
                    for i in queue:
                        await visit(server.url, i)

                await asyncio.gather(*(worker() for _ in range(AT_ONCE)))
                # Give the server a moment to finish the closed sessions' cleanup.
                for _ in range(20):
                    await asyncio.sleep(0.5)
                    if rss_mb([server.proc.pid]) <= 1.2 * first:
                        break
                return first, rss_mb([server.proc.pid])

        start = time.time()
        first, after = run_async(main())
        print(f"RSS after the first session {first:.0f} MB, after {SESSIONS}: {after:.0f} MB")
        assert after <= 1.2 * first, f"RSS {first:.0f} MB after one session, {after:.0f} MB after {SESSIONS} " \
                                     f"({time.time() - start:.0f} s)"
    finally:
        server.stop()
