"""A Streamlit session without a browser: the websocket protocol the frontend speaks, for load and balancer tests.

The browser opens ``/_stcore/stream`` (subprotocol ``streamlit``), sends a ``BackMsg`` asking for a script run
(page name, query string, the widget values it holds, the fragment to rerun, the hashes of the messages it has
cached) and draws the ``ForwardMsg`` deltas until ``script_finished``.  ``Session`` does the same and keeps what a
check needs: every element of the last run by its position, the widgets by their user key, the query string
the app wrote to the URL, the replica that answered (a header the balancer adds).

Only loopback addresses are allowed: these sessions are for benchmarks and tests on this machine.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
REPLICA_HEADER = "X-Loss-Lab-Replica"
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


class ProtocolError(RuntimeError):
    """The server's answer was not a finished script run (compile error, closed socket, timeout)."""


@dataclass
class Element:
    path: tuple
    kind: str
    proto: object
    fragment_id: str


@dataclass
class Run:
    """One script run as the browser sees it: the elements it drew and how long it took."""

    elements: dict = field(default_factory=dict)  # delta path -> Element
    status: int | None = None
    seconds: float = 0.0
    bytes: int = 0

    def of_kind(self, kind: str) -> list[Element]:
        return [e for _, e in sorted(self.elements.items()) if e.kind == kind]

    def exceptions(self) -> list[str]:
        return [e.proto.message for e in self.of_kind("exception")]


def widget_key(widget_id: str) -> str:
    """The ``key=`` a widget was given (Streamlit's ids read ``$$ID-<hash>-<key>``); '' without one."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "$$ID" else ""


class Session:
    """One learner's websocket session with a Streamlit server at ``base`` (http://127.0.0.1:port)."""

    def __init__(self, base: str, timeout: float = 60.0):
        parsed = urllib.parse.urlparse(base)
        if parsed.hostname not in {h.strip("[]") for h in LOOPBACK}:
            raise ValueError(f"{base}: only loopback servers are driven")
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.ws = None
        self.replica = ""
        self.page_name = ""
        self.page_script_hash = ""
        self.query_string = ""
        self.widgets: dict[str, Element] = {}   # user key -> the widget's element in the last run that drew it
        self.states: dict[str, WidgetState] = {}  # widget id -> the value this learner gave it
        self.cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message, as the browser's message cache
        self.last: Run | None = None
        self.cookies = http.cookiejar.CookieJar()

    def _load_page(self, page: str) -> None:
        """GET the page's HTML as the browser does first: a balancer's affinity cookie is set here."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        with opener.open(f"{self.base}/{page}", timeout=self.timeout) as r:
            r.read()

    async def connect(self, page: str = "") -> None:
        """Load the page (once: the cookies stay) and open the websocket with its cookies."""
        if not any(True for _ in self.cookies):
            await asyncio.to_thread(self._load_page, page)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        url = "ws" + self.base[4:] + "/_stcore/stream"
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], origin=self.base, max_size=None,
                                           additional_headers={"Cookie": cookie} if cookie else None,
                                           open_timeout=self.timeout, ping_interval=None, close_timeout=2)
        # nginx lists every upstream it tried ("a, b" when a was down): the last one answered.
        self.replica = self.ws.response.headers.get(REPLICA_HEADER, "").split(",")[-1].strip()

    async def reconnect(self) -> Run:
        """What the browser does when its websocket drops: connect again (the balancer may pick another
        replica) and run the page with the URL it shows, which holds the learner's state."""
        await self.close()
        await self.connect(self.page_name)
        self.states.clear()
        self.cache.clear()
        return await self._request()

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            finally:
                self.ws = None

    async def open(self, page: str, query: str = "") -> Run:
        """Connect (if needed) and run ``page`` (its URL path, '' for the main page) with ``query``."""
        if self.ws is None:
            await self.connect(page)
        self.page_name, self.query_string = page, query
        self.page_script_hash = ""
        self.states.clear()
        return await self._request()

    async def edit(self, key: str, state: WidgetState) -> Run:
        """Give the widget whose user key starts with ``key`` a new value and wait for the rerun it triggers
        (only its fragment when the widget sits in one, as the browser asks)."""
        widget = self.widget(key)
        state.id = widget.proto.id
        self.states[state.id] = state
        return await self._request(fragment_id=widget.fragment_id)

    async def _request(self, fragment_id: str = "") -> Run:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query_string
        rerun.page_name = self.page_name
        rerun.page_script_hash = self.page_script_hash
        rerun.fragment_id = fragment_id
        rerun.widget_states.widgets.extend(self.states.values())
        rerun.cached_message_hashes.extend(self.cache)
        info = rerun.context_info
        info.url = f"{self.base}/{self.page_name}" + (f"?{self.query_string}" if self.query_string else "")
        info.locale, info.timezone, info.color_scheme = "en-US", "UTC", "light"
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = Run()
        try:
            async with asyncio.timeout(self.timeout):
                while run.status not in FINISHED:
                    data = await self.ws.recv()
                    run.bytes += len(data)
                    self._receive(data, run)
        except TimeoutError as exc:
            raise ProtocolError(f"no finished run within {self.timeout} s") from exc
        except websockets.ConnectionClosed as exc:
            raise ProtocolError(f"connection closed: {exc}") from exc
        run.seconds = time.perf_counter() - start
        self.last = run
        return run

    def _receive(self, data: bytes, run: Run) -> None:
        fwd = ForwardMsg()
        fwd.ParseFromString(data)
        kind = fwd.WhichOneof("type")
        if kind == "ref_hash":  # the server skipped a message this session has cached
            cached = self.cache.get(fwd.ref_hash)
            if cached is None:
                raise ProtocolError(f"reference to a message never received ({fwd.ref_hash})")
            path = fwd.metadata.delta_path
            fwd = ForwardMsg()
            fwd.CopyFrom(cached)
            fwd.metadata.delta_path[:] = path
            kind = fwd.WhichOneof("type")
        elif fwd.metadata.cacheable and fwd.hash:
            self.cache[fwd.hash] = fwd
        if kind == "new_session":
            self.page_script_hash = fwd.new_session.page_script_hash
        elif kind == "navigation":  # st.navigation chose the page: later reruns ask for it by its hash
            self.page_script_hash = fwd.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = fwd.page_info_changed.query_string
        elif kind == "script_finished":
            status = fwd.script_finished
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.elements.clear()  # a rerun follows (e.g. st.navigation settling the page): start over
            elif status not in FINISHED:
                raise ProtocolError(f"script finished with status {status}")
            run.status = status
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            ekind = element.WhichOneof("type")
            proto = getattr(element, ekind)
            item = Element(tuple(fwd.metadata.delta_path), ekind, proto, fwd.delta.fragment_id)
            run.elements[item.path] = item
            key = widget_key(getattr(proto, "id", ""))
            if key:
                self.widgets.pop(key, None)  # the newest last, so that widget() finds the current version
                self.widgets[key] = item

    def widget(self, prefix: str) -> Element:
        """The widget whose key starts with ``prefix`` (keys carry a version suffix that changes with links)."""
        found = [k for k in self.widgets if k.startswith(prefix)]
        if not found:
            raise ProtocolError(f"no widget with a key starting {prefix!r}")
        return self.widgets[found[-1]]


def double_array(*values: float) -> WidgetState:
    state = WidgetState()
    state.double_array_value.data.extend(values)
    return state


def string_value(text: str) -> WidgetState:
    state = WidgetState()
    state.string_value = text
    return state
