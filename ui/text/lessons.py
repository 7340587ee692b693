"""Lessons: a teacher's prepared sequence of states, one TOML file per lesson in ``content/lessons/``.

Both languages live in the same file, so a step cannot exist in one language and be missing in the other:
every text field is a table ``{ en = "...", zh = "..." }``.  A lesson file holds

    order = 1                                # position in the list of lessons
    title = { en = "...", zh = "..." }
    summary = { en = "...", zh = "..." }

    [[steps]]
    page = "playground"                      # the page whose state the step shows: playground or curves
    state = { loss = "...", input = "[[1,1],[1,1]]", target = "[[0,1],[2,3]]" }
    refused = false                          # true when the step shows that the backend refuses this call
    title = { en = "...", zh = "..." }
    note = { en = "...", zh = "..." }        # the teacher's note
    question = { en = "...", zh = "..." }    # a question to ask the class

``state`` holds the query parameters the page's own links use (``ui.state.urlstate``), as strings, so the step
opens the full page exactly as a shared link would.  No number that the state computes is written here: the
lesson page computes it when it runs.  The lesson's id is its file name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ui.text.i18n import LANGS

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"
# The pages a step may open, with the view keys each reads beside the loss state (see the pages' DEFAULTS).
PAGES = {
    "playground": ("pages/playground.py", frozenset()),
    "curves": ("pages/curves.py", frozenset({"el", "with", "span", "points"})),
}
TEXT_FIELDS = ("title", "note", "question")
ID = re.compile(r"[a-z0-9][a-z0-9\-]*")


class LessonFormatError(ValueError):
    """A lesson file that does not follow the format above; the message names the file and the field."""


@dataclass(frozen=True)
class Step:
    page: str
    state: dict
    refused: bool
    title: dict
    note: dict
    question: dict

    @property
    def page_path(self) -> str:
        return PAGES[self.page][0]

    @property
    def view_keys(self) -> frozenset:
        return PAGES[self.page][1]


@dataclass(frozen=True)
class Lesson:
    id: str
    order: int
    title: dict
    summary: dict
    steps: tuple


def _texts(where: str, table: dict, name: str) -> dict:
    value = table.get(name)
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise LessonFormatError(f"{where}: {name} must be a table with exactly the keys {', '.join(LANGS)}")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise LessonFormatError(f"{where}: {name}.{lang} is empty")
    return {lang: value[lang].strip() for lang in LANGS}


def _step(where: str, table: dict) -> Step:
    page = table.get("page")
    if page not in PAGES:
        raise LessonFormatError(f"{where}: page {page!r} is not one of {', '.join(PAGES)}")
    state = table.get("state")
    if not isinstance(state, dict) or "loss" not in state or not all(isinstance(v, str) for v in state.values()):
        raise LessonFormatError(f"{where}: state must be a table of strings naming at least the loss")
    refused = table.get("refused", False)
    if not isinstance(refused, bool):
        raise LessonFormatError(f"{where}: refused must be true or false")
    texts = {name: _texts(where, table, name) for name in TEXT_FIELDS}
    return Step(page=page, state=dict(state), refused=refused, **texts)


def parse(lesson_id: str, text: str) -> Lesson:
    where = f"content/lessons/{lesson_id}.toml"
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonFormatError(f"{where}: {exc}") from None
    steps = table.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonFormatError(f"{where}: a lesson needs at least one [[steps]] table")
    order = table.get("order")
    if not isinstance(order, int):
        raise LessonFormatError(f"{where}: order must be an integer")
    return Lesson(id=lesson_id, order=order, title=_texts(where, table, "title"),
                  summary=_texts(where, table, "summary"),
                  steps=tuple(_step(f"{where} step {i}", s) for i, s in enumerate(steps, start=1)))


@cache
def all_lessons() -> tuple[Lesson, ...]:
    """Every lesson in ``content/lessons/``, in their ``order``."""
    found = []
    for path in sorted(LESSONS.glob("*.toml")):
        if not ID.fullmatch(path.stem):
            raise LessonFormatError(f"{path.name}: a lesson's file name is its id: lowercase letters, digits, '-'")
        found.append(parse(path.stem, path.read_text(encoding="utf-8")))
    return tuple(sorted(found, key=lambda lesson: (lesson.order, lesson.id)))


def find(lesson_id: str) -> Lesson | None:
    return next((lesson for lesson in all_lessons() if lesson.id == lesson_id), None)
