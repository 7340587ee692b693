"""The UI catalogs: the same keys in both languages, placeholders that match, and the language choice."""

import re
import string

import pytest

from ui.text.i18n import LANGS, catalog, locale_language, translate


def test_both_catalogs_have_the_same_keys():
    en, zh = set(catalog("en")), set(catalog("zh"))
    assert en - zh == set(), f"missing in zh: {sorted(en - zh)}"
    assert zh - en == set(), f"missing in en: {sorted(zh - en)}"


def fields(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_placeholders_match(key):
    assert fields(catalog("en")[key]) == fields(catalog("zh")[key]), key


def test_chinese_strings_space_latin_words():
    """A space between Chinese characters and Latin words or digits (the glossary's rule)."""
    han = r"[\u4e00-\u9fff]"
    bad = {}
    for key, text in catalog("zh").items():
        stripped = re.sub(r"\$[^$]*\$|`[^`]*`|\{[^}]*\}", " ", text)
        if re.search(rf"{han}[A-Za-z0-9]|[A-Za-z0-9]{han}", stripped):
            bad[key] = text
    assert not bad, bad


@pytest.mark.parametrize("locale, expected", [("zh-CN", "zh"), ("zh-TW", "zh"), ("zh", "zh"), ("en-US", "en"),
                                              ("fr-FR", "en"), (None, "en"), ("", "en")])
def test_browser_locale_picks_the_default_language(locale, expected):
    assert locale_language(locale) == expected


def test_missing_key_falls_back_to_english_then_the_key():
    assert translate("zh", "no.such.key") == "no.such.key"
    assert translate("en", "nav.home") == "Home"
    assert LANGS == ("en", "zh")


def test_every_shape_note_of_the_registry_is_translated():
    """The tensor editors label each argument with its registry shape note, in the learner's language."""
    import losses

    notes = {a.shape for spec in losses.SPECS for a in spec.arguments}
    for lang in LANGS:
        missing = {note for note in notes if f"shape_note.{note}" not in catalog(lang)}
        assert not missing, (lang, sorted(missing))
    assert catalog("zh")["shape_note.(C), (N, C) or (N, C, d1, ..., dk)"] == "(C)、(N, C) 或 (N, C, d1, ..., dk)"


def _code_text() -> str:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [root / "app.py", *(p for d in ("ui", "pages", "train") for p in (root / d).rglob("*.py"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_string_of_the_catalog_is_used():
    """A string no page asks for is a translation nobody sees, and it rots (three were left behind when the share
    box replaced the old link captions).  A key counts as used when the code names it in full, or builds it from
    a literal prefix (``f"why.{code}"``), a literal suffix (``f"{area}.intro"``), or reads its whole table
    (``"phrase_pattern."``)."""
    code = _code_text()
    literals = set(re.findall(r"[\"']([A-Za-z_][\w.]*)[\"']", code))
    prefixes = set(re.findall(r"f[\"']([A-Za-z_][\w.]*)\{", code))
    suffixes = set(re.findall(r"f[\"'][^\"'{]*\{[^}]*\}(\.[\w.]+)[\"']", code))
    tables = {lit for lit in literals if lit.endswith(".")}
    unused = [key for key in catalog("en")
              if key not in literals
              and key.partition(".")[2] not in literals  # a section joined at run time: t(f"{area}.{name}")
              and not any(key.startswith(p) for p in prefixes | tables)
              and not any(key.endswith(s) for s in suffixes)]
    assert not unused, unused
