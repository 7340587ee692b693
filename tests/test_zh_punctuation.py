"""Chinese text uses the full-width colon (issue 18: the examples page wrote "结论: 一致")."""

import re
from pathlib import Path

import pytest

from tests.app.apptest import open_page, texts
from ui.text.i18n import catalog

ROOT = Path(__file__).resolve().parents[1]
# An ASCII colon right after Chinese text (or a full-width bracket), or right before it; URLs (://) aside.
ASCII_COLON = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] ?:(?!//)|(?<!:):(?!//) ?[\u4e00-\u9fff]")


def offences(text: str) -> list[str]:
    return [text[max(0, m.start() - 20):m.end() + 20] for m in ASCII_COLON.finditer(text)]


def test_the_pattern_finds_the_issue_example():
    assert offences("**结论: 一致**") and offences("结论:一致") and not offences("结论：一致")
    assert not offences("见 https://pytorch.org 与 `a:b`")


def test_chinese_catalog_uses_full_width_colons():
    found = {key: offences(value) for key, value in catalog("zh").items() if offences(value)}
    assert not found


def test_chinese_content_uses_full_width_colons():
    found = {}
    for path in sorted((ROOT / "content" / "zh").rglob("*.md")):
        bad = offences(path.read_text(encoding="utf-8"))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert not found


@pytest.mark.parametrize("page", ["pages/examples.py", "pages/playground.py"])
def test_rendered_chinese_pages_use_full_width_colons(page):
    # The catalogs can be clean while the code joins a label and a value with ": " (the examples' verdict did).
    at = open_page(page, "zh")
    assert not at.exception
    assert not offences(texts(at))
