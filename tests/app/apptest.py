"""Running a page of the app in Streamlit's AppTest, the way a learner arrives at it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def open_page(page: str, lang: str = "en", timeout: float = 120, state: dict | None = None, **query) -> AppTest:
    """Run app.py on ``page`` (e.g. "pages/playground.py") with ``?lang=`` and other query parameters;
    ``state`` holds session-state values the session starts with (an expander the learner keeps open)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    return at


def alert_text(at: AppTest) -> str:
    """The page's warnings and errors, joined: where a bad link or cell is explained."""
    return " ".join(w.value for w in at.warning) + " " + " ".join(e.value for e in at.error)


def texts(at: AppTest) -> str:
    """All text the page shows (markdown, captions, titles, metrics, alerts), for 'key content present' checks."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success",
                 "latex", "code"):
        parts += [str(getattr(el, "value", "")) for el in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)
