"""UI strings in one catalog per language, and the learner's language choice.

A language's catalog is every TOML file in ``ui/text/locales/<lang>/`` (one per
page or area, so pages can be written side by side), flattened to dotted keys.  The language
comes from, in order: the URL (``?lang=``), the session, the browser's locale
(zh for zh-*, else en).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}
LOCALES = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        with open(path, "rb") as fh:
            table = _flatten(tomllib.load(fh))
        clash = set(table) & set(merged)
        if clash:
            raise ValueError(f"{path.name} repeats keys of another catalog file: {sorted(clash)[:5]}")
        merged.update(table)
    return merged


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def translate(lang: str, key: str, **values) -> str:
    text = catalog(lang).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    return text.format(**values) if values else text


def locale_language(locale: str | None) -> str:
    return "zh" if locale and locale.lower().startswith("zh") else "en"
