"""The explanations in content/: loading a page, its title and sections, its links, and the glossary.

A loss's page is ``content/<lang>/<id>.md``, a concept's ``content/<lang>/concepts/<id>.md``, the lesson of
a /train preset ``content/<lang>/train/<preset>.md``; the first line is ``# <title>``.  Links between pages
are written ``(/reference?loss=<id>)`` or ``(/reference?concept=<id>)``; the reader's language is appended
when a page is shown, so following a link keeps it.  Formulas stay as ``$...$`` / ``$$...$$`` for st.markdown's KaTeX.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ui.text import live

CONTENT = Path(__file__).resolve().parents[2] / "content"
GLOSSARY = CONTENT / "glossary.toml"

# The concept pages in reading order: the order of the index and of the home page's list.
CONCEPTS = (
    "what-is-a-loss",
    "reductions",
    "logits-and-probabilities",
    "multilabel-vs-multiclass",
    "regression-and-outliers",
    "class-imbalance",
    "segmentation-losses",
    "pairs-and-triplets",
    "hdr-relative-mse",
    "notes-errata",
)

# Every loss page has exactly these H2 sections, in this order; position i in one language is position i in
# the other.
SECTIONS = {
    "en": ("Definition and intuition", "Formula", "Parameters", "Shapes", "When to use it", "Common mistakes",
           "Related losses", "References"),
    "zh": ("定义与直觉", "公式", "参数", "形状", "何时使用", "常见错误", "与相邻损失的关系", "参考资料"),
}

# A /train preset's lesson has exactly these H2 sections, in this order, in both languages.
TRAIN_SECTIONS = {
    "en": ("What the race shows", "What to watch", "Why", "Try this"),
    "zh": ("这场比赛比什么", "看什么", "为什么", "试一试"),
}
FOLDERS = {"loss": "", "concept": "concepts", "train": "train"}

LINK = re.compile(r"\]\(/reference\?(loss|concept)=([A-Za-z0-9_\-]+)\)")
MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\(/reference\?(loss|concept)=([A-Za-z0-9_\-]+)\)")
FENCE = re.compile(r"^```.*?^```[^\n]*$", re.M | re.S)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#*$", re.M)


@dataclass(frozen=True)
class Document:
    kind: str  # "loss", "concept" or "train"
    id: str
    lang: str
    title: str
    body: str  # the markdown after the title line

    def rendered(self) -> str:
        """The body as st.markdown shows it (with unsafe_allow_html): links carry the language and stay in the tab."""
        return localise_links(live.render(self.body), self.lang, same_tab=True)


def path_for(kind: str, doc_id: str, lang: str) -> Path:
    return CONTENT / lang / FOLDERS[kind] / f"{doc_id}.md"


@cache
def load(kind: str, doc_id: str, lang: str) -> Document | None:
    """The page, or None when there is none (an unknown id, or a file not written yet)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", doc_id or ""):
        return None
    path = path_for(kind, doc_id, lang)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    title, body = split_title(text)
    return Document(kind=kind, id=doc_id, lang=lang, title=title, body=body)


def split_title(text: str) -> tuple[str, str]:
    """``# Title`` on the first line, and the rest."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    if not first.startswith("# "):
        return "", text
    return first[2:].strip(), rest.lstrip("\n")


def localise_links(markdown: str, lang: str, same_tab: bool = False) -> str:
    """Append the language to every /reference link.

    st.markdown opens a markdown link in a new tab; with ``same_tab`` the link becomes an ``<a target="_self">``
    (its text stays markdown), so reading on from one page to the next happens in the same tab.
    """
    if not same_tab:
        return LINK.sub(lambda m: f"](/reference?{m.group(1)}={m.group(2)}&lang={lang})", markdown)
    return MARKDOWN_LINK.sub(
        lambda m: f'<a href="/reference?{m.group(2)}={m.group(3)}&amp;lang={lang}" target="_self">{m.group(1)}</a>',
        markdown)


def without_code(markdown: str) -> str:
    """The text outside fenced code blocks (where a '#' line is a comment, not a heading)."""
    return FENCE.sub("", markdown)


def headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in HEADING.finditer(without_code(markdown))]


def links(markdown: str) -> list[tuple[str, str]]:
    """The (kind, id) of every /reference link in a page."""
    return [(m.group(1), m.group(2)) for m in LINK.finditer(markdown)]


@cache
def glossary() -> tuple[dict, ...]:
    """The glossary's terms: ``en``, ``zh`` and optional ``note_en`` / ``note_zh``."""
    with open(GLOSSARY, "rb") as fh:
        return tuple(tomllib.load(fh).get("term", ()))
