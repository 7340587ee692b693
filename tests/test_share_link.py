"""ui.state.share's link: from the browser's URL when Streamlit has it, else from the proxy's headers."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from ui.state import share


@pytest.fixture
def fake(monkeypatch):
    def make(url=None, headers=None, page="playground", query=None, present=False, lang="en"):
        context = SimpleNamespace(url=url, headers=headers or {})
        params = SimpleNamespace(to_dict=lambda: dict(query or {}))
        monkeypatch.setattr(share, "st", SimpleNamespace(context=context, query_params=params))
        monkeypatch.setattr(share, "_current_page_path", lambda: page)
        monkeypatch.setattr(share, "lang", lambda: lang)
        monkeypatch.setattr(share, "present_query", lambda: {"present": "1"} if present else {})
    return make


def test_the_browser_url_keeps_a_proxy_prefix_and_the_query_is_encoded(fake):
    fake(url="https://school.example/losslab/playground", query={"loss": "l1_loss", "input": "[[1,1],[1,1]]"},
         present=True, lang="zh")
    link = share.share_link()
    assert link.startswith("https://school.example/losslab/playground?lang=zh&loss=l1_loss&input=%5B%5B1%2C1%5D")
    assert dict(parse_qsl(urlsplit(link).query)) == {"lang": "zh", "loss": "l1_loss", "input": "[[1,1],[1,1]]",
                                                     "present": "1"}


def test_without_the_browser_url_the_forwarded_headers_name_host_scheme_and_prefix(fake):
    fake(headers={"Host": "127.0.0.1:8501", "X-Forwarded-Host": "school.example", "X-Forwarded-Proto": "https",
                  "X-Forwarded-Prefix": "/losslab/"}, page="curves")
    assert share.page_url() == "https://school.example/losslab/curves"


def test_the_home_page_link_ends_in_a_slash_and_a_bare_request_gives_a_relative_link(fake):
    fake(url="http://127.0.0.1:8501/losslab", page="")
    assert share.page_url() == "http://127.0.0.1:8501/losslab/"
    fake(page="examples")
    assert share.share_link({"note": "en-summary"}) == "/examples?lang=en&note=en-summary"


def test_a_stale_present_flag_in_the_query_follows_the_mode(fake):
    fake(url="http://h/reference", query={"loss": "mse_loss", "present": "1", "lang": "en"}, present=False)
    assert "present" not in share.share_link()


def test_a_link_too_long_for_a_phone_gets_no_qr_code():
    assert share.qr_svg("http://h/p?" + "a" * 100).startswith("<svg")
    assert share.qr_svg("http://h/p?" + "x" * 3000) is None
