"""The explanations in content/: complete, the same structure in both languages, linked correctly, no typed results.

Every registry id has a page in each language with the fixed skeleton of H2 sections (position i in English is
position i in Chinese) and the same number of H3s under each; concept pages mirror each other heading by
heading; every /reference link names a page that exists; the glossary parses; Chinese text spaces Latin words;
and no page quotes a number that the live example computes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import losses
import train
from ui.compute.runner import run_backend
from ui.state.urlstate import example_arrays, example_parameters
from ui.text import content, live
from ui.text.i18n import LANGS

ROOT = Path(__file__).resolve().parents[1]
IDS = [spec.id for spec in losses.SPECS]
PRESETS = list(train.PRESETS)
HAN = r"[\u4e00-\u9fff]"
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
URL = re.compile(r"\]\([^)]*\)|https?://\S+")


def text_of(kind: str, doc_id: str, lang: str) -> str:
    return content.path_for(kind, doc_id, lang).read_text(encoding="utf-8")


def all_pages():
    for lang in LANGS:
        for doc_id in IDS:
            yield "loss", doc_id, lang
        for doc_id in content.CONCEPTS:
            yield "concept", doc_id, lang
        for doc_id in PRESETS:
            yield "train", doc_id, lang


PAGES = list(all_pages())
PAGE_IDS = [f"{lang}/{kind}/{doc_id}" for kind, doc_id, lang in PAGES]


def sections(markdown: str) -> list[tuple[str, int]]:
    """(H2 title, number of H3s under it), in order."""
    out: list[tuple[str, int]] = []
    for level, title in content.headings(markdown):
        if level == 2:
            out.append((title, 0))
        elif level == 3 and out:
            out[-1] = (out[-1][0], out[-1][1] + 1)
    return out


# ---------------------------------------------------------------- loss and activation pages

@pytest.mark.parametrize("doc_id", IDS)
def test_every_registry_id_has_a_page_in_both_languages(doc_id):
    for lang in LANGS:
        path = content.path_for("loss", doc_id, lang)
        assert path.is_file(), f"missing {path.relative_to(content.CONTENT.parent)}"


def assert_skeleton(kind: str, doc_id: str, skeleton: dict) -> None:
    """Both languages' file of ``doc_id``: one H1 title first, the H2 sections ``skeleton[lang]`` in order, and
    as many H3s under each section in en as in zh."""
    structure = {}
    for lang in LANGS:
        text = text_of(kind, doc_id, lang)
        where = content.path_for(kind, doc_id, lang).relative_to(content.CONTENT)
        assert re.match(r"# \S.*\n", text), f"{where} must start with '# <title>'"
        assert [level for level, _ in content.headings(text)].count(1) == 1, f"{where}: one H1 only"
        found = sections(text)
        assert [title for title, _ in found] == list(skeleton[lang]), f"{where} H2s: {found}"
        structure[lang] = [count for _, count in found]
    assert structure["en"] == structure["zh"], f"{kind}/{doc_id}: H3s per section differ between en and zh: {structure}"


@pytest.mark.parametrize("doc_id", IDS)
def test_loss_pages_follow_the_skeleton_in_both_languages(doc_id):
    assert_skeleton("loss", doc_id, content.SECTIONS)


@pytest.mark.parametrize("doc_id", IDS)
@pytest.mark.parametrize("lang", LANGS)
def test_loss_pages_have_a_formula_in_their_formula_section(doc_id, lang):
    text = content.without_code(text_of("loss", doc_id, lang))
    formula_title = re.escape(content.SECTIONS[lang][1])
    match = re.search(rf"^## {formula_title}\n(.*?)(?=^## )", text, re.M | re.S)
    assert match and FORMULA.search(match.group(1)), f"{lang}/{doc_id}.md: no $...$ formula under its formula section"


def test_no_page_without_a_registry_id_or_concept():
    for lang in LANGS:
        ids = {p.stem for p in (content.CONTENT / lang).glob("*.md")}
        assert ids == set(IDS), f"{lang}: pages without an id {ids - set(IDS)}, ids without a page {set(IDS) - ids}"
        concepts = {p.stem for p in (content.CONTENT / lang / "concepts").glob("*.md")}
        assert concepts == set(content.CONCEPTS), f"{lang}: concept pages {sorted(concepts)}"


# ---------------------------------------------------------------- concept pages

@pytest.mark.parametrize("concept", content.CONCEPTS)
def test_concept_pages_mirror_each_other(concept):
    levels = {}
    for lang in LANGS:
        text = text_of("concept", concept, lang)
        assert re.match(r"# \S.*\n", text), f"{lang}/concepts/{concept}.md must start with '# <title>'"
        levels[lang] = [level for level, _ in content.headings(text)]
        assert levels[lang].count(1) == 1
    assert levels["en"] == levels["zh"], f"{concept}: heading levels differ: {levels}"


@pytest.mark.parametrize("concept", content.CONCEPTS)
def test_concept_pages_load_with_a_title(concept):
    for lang in LANGS:
        doc = content.load("concept", concept, lang)
        assert doc is not None and doc.title and doc.body.strip()


# ---------------------------------------------------------------- the lessons of /train's presets

def test_every_preset_has_a_lesson_in_both_languages_and_no_lesson_lacks_a_preset():
    for lang in LANGS:
        found = {p.stem for p in (content.CONTENT / lang / "train").glob("*.md")}
        assert found == set(PRESETS), f"{lang}/train: lessons {sorted(found)}, presets {PRESETS}"


@pytest.mark.parametrize("preset", PRESETS)
def test_lessons_follow_the_skeleton_in_both_languages(preset):
    assert_skeleton("train", preset, content.TRAIN_SECTIONS)
    for lang in LANGS:
        doc = content.load("train", preset, lang)
        assert doc is not None and doc.title and doc.body.strip()


def race_numbers() -> dict[str, str]:
    """What the default race of every preset shows: each run's final loss, metrics and parameters."""
    found: dict[str, str] = {}
    for preset in PRESETS:
        if preset == "your_data":
            continue
        for run in train.race(preset).runs:
            values = [run.loss[-1], *(m[-1] for m in run.metrics.values()), *run.flat_params[-1]]
            for value in values:
                for text in significant_forms(float(value)):
                    found.setdefault(text, f"{preset}/{run.spec.loss}")
    return found


def test_no_race_result_is_typed_into_a_lesson():
    numbers = race_numbers()
    assert numbers, "the races computed nothing"
    offenders = []
    for lang in LANGS:
        for preset in PRESETS:
            text = text_of("train", preset, lang)
            for number, source in numbers.items():
                if re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text):
                    offenders.append(f"{lang}/train/{preset}: {number} (from the race {source})")
    assert not offenders, "race results are computed when the page runs, not typed:\n" + "\n".join(offenders)


# ---------------------------------------------------------------- links, glossary, Chinese typography

@pytest.mark.parametrize("kind, doc_id, lang", PAGES, ids=PAGE_IDS)
def test_reference_links_point_to_existing_pages(kind, doc_id, lang):
    text = text_of(kind, doc_id, lang)
    for link_kind, target in content.links(text):
        known = losses.REGISTRY if link_kind == "loss" else content.CONCEPTS
        assert target in known, f"{lang}/{doc_id}: link to unknown {link_kind} {target!r}"
    internal = re.findall(r"\]\((/[^)]*)\)", text)
    malformed = [u for u in internal if not re.fullmatch(r"/reference\?(loss|concept)=[A-Za-z0-9_\-]+", u)]
    assert not malformed, f"{lang}/{doc_id}: internal links must be /reference?loss=<id> or ?concept=<id>: {malformed}"
    shown = content.load(kind, doc_id, lang).rendered()
    assert "](/reference" not in shown, f"{lang}/{doc_id}: a link text the renderer cannot convert (a ']' inside?)"
    assert shown.count(f"&amp;lang={lang}\" target=\"_self\"") == len(content.links(text))


def test_links_get_the_language_appended():
    text = "See [Huber](/reference?loss=huber_loss) and [reductions](/reference?concept=reductions)."
    assert content.localise_links(text, "zh") == ("See [Huber](/reference?loss=huber_loss&lang=zh) and "
                                                  "[reductions](/reference?concept=reductions&lang=zh).")
    assert content.links(text) == [("loss", "huber_loss"), ("concept", "reductions")]


def test_glossary_parses_with_unique_terms():
    with open(content.GLOSSARY, "rb") as fh:
        terms = tomllib.load(fh)["term"]
    assert len(terms) >= 30
    english = [term["en"].strip().lower() for term in terms]
    assert len(english) == len(set(english)), sorted({e for e in english if english.count(e) > 1})
    for term in terms:
        assert term.get("en", "").strip() and term.get("zh", "").strip(), term
        assert set(term) <= {"en", "zh", "note_en", "note_zh", "avoid_zh"}, term
        for pattern in term.get("avoid_zh", ()):
            re.compile(pattern)
    assert content.glossary() == tuple(terms)


def prose(markdown: str) -> str:
    """The text a reader reads as Chinese sentences: without code, formulas and link targets."""
    text = content.without_code(markdown)
    text = FORMULA.sub(" ", text)
    text = INLINE_CODE.sub(" ", text)
    return URL.sub(" ", text)


@pytest.mark.parametrize("kind, doc_id", [(k, d) for k, d, lang in PAGES if lang == "zh"])
def test_chinese_puts_spaces_between_chinese_and_latin(kind, doc_id):
    text = prose(text_of(kind, doc_id, "zh"))
    bad = [m.group(0) for m in re.finditer(rf".{{0,8}}(?:{HAN}[A-Za-z0-9]|[A-Za-z0-9]{HAN}).{{0,8}}", text)]
    assert not bad, f"zh/{doc_id}: add a space between Chinese and Latin words or digits: {bad[:8]}"


def glossary_violations(text: str) -> list[str]:
    """Renderings the glossary rules out (its ``avoid_zh`` patterns), found in a Chinese text's prose."""
    found = []
    for term in content.glossary():
        for pattern in term.get("avoid_zh", ()):
            for m in re.finditer(pattern, text):
                found.append(f"{m.group(0)!r} (the glossary writes {term['zh']!r} for {term['en']!r}) in "
                             f"{text[max(0, m.start() - 12):m.end() + 12]!r}")
    return found


def chinese_ui_strings() -> list[str]:
    strings = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            strings.append(node)

    for path in sorted((ROOT / "ui" / "text" / "locales" / "zh").glob("*.toml")):
        with open(path, "rb") as fh:
            walk(tomllib.load(fh))
    return strings


@pytest.mark.parametrize("kind, doc_id", [(k, d) for k, d, lang in PAGES if lang == "zh"])
def test_chinese_pages_use_the_glossary_terms(kind, doc_id):
    bad = glossary_violations(prose(text_of(kind, doc_id, "zh")))
    assert not bad, f"zh/{doc_id}: " + "; ".join(bad)


def test_chinese_ui_strings_use_the_glossary_terms():
    bad = [v for text in chinese_ui_strings() for v in glossary_violations(prose(text))]
    assert not bad, "; ".join(bad)


def test_the_glossary_check_would_catch_a_stray_rendering():
    text = "把多热掩码传给损失，锚点到正样本的距离，对分母截断梯度。锚点样本不算。"
    found = " ".join(glossary_violations(text))
    assert "'多热'" in found and "'锚点'" in found and "'截断梯度'" in found
    assert len(glossary_violations("锚点样本、正样本与 multi-hot 掩码")) == 0


# ---------------------------------------------------------------- live numbers in the explanations

@pytest.mark.parametrize("kind, doc_id, lang", PAGES, ids=PAGE_IDS)
def test_every_live_call_is_computed_by_the_backend(kind, doc_id, lang):
    text = text_of(kind, doc_id, lang)
    for source, call in live.calls(text):
        value = live.evaluate(call)
        assert np.all(np.isfinite(value)), f"{lang}/{doc_id}: {source} gives {value}"
    shown = content.load(kind, doc_id, lang).rendered()
    assert "{{" not in shown and "<!-- let" not in shown, f"{lang}/{doc_id}: a live call was left unrendered"


@pytest.mark.parametrize("kind, doc_id", [(k, d) for k, d, lang in PAGES if lang == "en"])
def test_both_languages_show_the_same_live_numbers(kind, doc_id):
    def shown(lang):
        text = text_of(kind, doc_id, lang)
        return sorted(live.tensor_text(live.evaluate(call)) for _, call in live.calls(text))

    assert shown("en") == shown("zh"), f"{doc_id}: the two languages compute different numbers"


def test_pages_carry_the_live_examples_the_issues_asked_for():
    for kind, doc_id in [("loss", "l1_loss"), ("loss", "smooth_l1_loss"), ("loss", "mse_loss"),
                         ("concept", "class-imbalance"), ("concept", "pairs-and-triplets")]:
        for lang in LANGS:
            assert live.calls(text_of(kind, doc_id, lang)), f"{lang}/{doc_id} computes no live number"


def test_a_live_number_is_computed_when_the_page_is_shown(monkeypatch):
    markdown = "<!-- let x = [1.0, 2.0] -->\nThe mean is {{l1_loss(input=x, target=[0.0, 0.0])}}, " \
               "the gradient {{l1_loss(input=x, target=[0.0, 0.0]).grad.input}}."
    assert live.render(markdown) == "The mean is 1.5, the gradient `[0.5, 0.5]`."
    real = losses.value_and_grad
    monkeypatch.setattr(losses, "value_and_grad",
                        lambda name, **kw: (np.asarray(42.0), real(name, **kw)[1]))
    assert live.render(markdown).startswith("The mean is 42,")


@pytest.mark.parametrize("markdown, message", [
    ("{{no_such_loss(input=[1.0])}}", "unknown loss"),
    ("{{l1_loss(input=x, target=[1.0])}}", "not defined"),
    ("{{l1_loss(input=[1.0, 2.0], target=[1.0, 2.0, 3.0])}}", "refused"),
    ("{{l1_loss(input=[1.0], target=[1.0]).grad.target}}", "no gradient"),
    ("{{l1_loss(input=[1.0], target=[1.0], reduction='none')[3]}}", "outside"),
])
def test_a_broken_live_call_is_reported_not_shown_as_a_traceback(markdown, message):
    with pytest.raises(live.LiveCallError, match=message):
        for _, call in live.calls(markdown):
            live.evaluate(call)
    shown = live.render(markdown)
    assert shown.startswith("`{{") and shown.endswith("}}`")


# ---------------------------------------------------------------- no computed numbers typed into the text

def computed_numbers() -> dict[str, str]:
    """Each registry example's value (and its elements when it is a tensor), as the page would show them.

    Also the notes' 2x2 pair (ones against [[0, 1], [2, 3]]) under every loss that accepts it, because that is
    the example a writer is most tempted to quote.
    """
    found: dict[str, str] = {}
    notes_pair = {"input": np.ones((2, 2)), "target": np.array([[0.0, 1.0], [2.0, 3.0]])}
    for spec in losses.SPECS:
        calls = [(example_arrays(spec), example_parameters(spec))]
        if {a.name for a in spec.arguments if not a.optional} == {"input", "target"}:
            calls.append((notes_pair, spec.defaults()))
        for tensors, params in calls:
            outcome = run_backend(spec.id, tensors, params)
            if not outcome.ok:
                continue
            for value in np.atleast_1d(outcome.value).ravel():
                for text in significant_forms(float(value)):
                    found.setdefault(text, spec.id)
    return found


def significant_forms(value: float) -> set[str]:
    """The ways a writer would print ``value`` to about four significant digits; trivial numbers excluded."""
    if not np.isfinite(value):
        return set()
    forms = {f"{value:.4g}", f"{value:.4f}".rstrip("0").rstrip("."), f"{value:.3f}".rstrip("0").rstrip(".")}
    # 0, 1, 2, 0.5, 1.5, 0.25 ... occur as constants everywhere: keep only numbers with 3+ significant digits
    return {f for f in forms if len(re.sub(r"^[-0.]+|[.]", "", f)) >= 3 and "e" not in f}


def test_no_computed_example_value_is_typed_into_the_markdown():
    numbers = computed_numbers()
    assert numbers, "the backend computed nothing"
    offenders = []
    for kind, doc_id, lang in PAGES:
        text = text_of(kind, doc_id, lang)
        for number, source in numbers.items():
            for m in re.finditer(rf"(?<![\d.]){re.escape(number)}(?!\d)", text):
                offenders.append(f"{lang}/{doc_id}: {number} (the live value of {source}) in "
                                 f"{text[max(0, m.start() - 30):m.end() + 10]!r}")
    assert not offenders, "numbers are computed when the page runs, not typed:\n" + "\n".join(offenders)


def test_the_number_check_would_catch_a_typed_value(tmp_path: Path):
    """The check above is not vacuous: the cross-entropy example's value is among the numbers it looks for."""
    outcome = run_backend("cross_entropy", example_arrays(losses.get_spec("cross_entropy")),
                          example_parameters(losses.get_spec("cross_entropy")))
    assert f"{float(outcome.value):.4g}" in computed_numbers()


# ---------------------------------------------------------------- lessons (content/lessons/*.toml)

from ui.state.urlstate import read_loss_state  # noqa: E402
from ui.text import lessons  # noqa: E402

LESSONS = lessons.all_lessons()
LESSON_STEPS = [(lesson, i) for lesson in LESSONS for i in range(len(lesson.steps))]
LESSON_STEP_IDS = [f"{lesson.id}/{i + 1}" for lesson, i in LESSON_STEPS]


def lesson_texts(lesson, lang: str) -> list[str]:
    found = [lesson.title[lang], lesson.summary[lang]]
    for step in lesson.steps:
        found += [getattr(step, name)[lang] for name in lessons.TEXT_FIELDS]
    return found


def test_at_least_four_lessons_from_the_notes():
    assert len(LESSONS) >= 4
    assert len({lesson.order for lesson in LESSONS}) == len(LESSONS), "each lesson has its own place in the list"
    assert all(len(lesson.steps) >= 3 for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_lessons_have_the_same_structure_in_both_languages(lesson):
    """Every text in both languages (the parser insists), with the same formulas in the same places."""
    for en, zh in zip(lesson_texts(lesson, "en"), lesson_texts(lesson, "zh")):
        assert en.strip() and zh.strip()
        assert FORMULA.findall(en) == FORMULA.findall(zh), f"{lesson.id}: formulas differ between\n{en}\n{zh}"
        assert en.count("**") == zh.count("**")


@pytest.mark.parametrize("lesson, index", LESSON_STEPS, ids=LESSON_STEP_IDS)
def test_lesson_steps_are_states_the_backend_reads(lesson, index):
    step = lesson.steps[index]
    loss_id, tensors, params, errors = read_loss_state(step.state, losses.SPECS[0].id, set(step.view_keys))
    assert not errors, errors
    assert loss_id == step.state["loss"]
    outcome = run_backend(loss_id, tensors, params)
    assert outcome.ok != step.refused, f"{lesson.id} step {index + 1}: refused={step.refused} but {outcome.error}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_lessons_type_no_number_their_steps_compute(lesson):
    computed = set()
    for step in lesson.steps:
        loss_id, tensors, params, _ = read_loss_state(step.state, losses.SPECS[0].id, set(step.view_keys))
        outcome = run_backend(loss_id, tensors, params)
        if outcome.ok:
            for value in [*np.atleast_1d(outcome.value).ravel(), *np.atleast_1d(outcome.elements).ravel()]:
                computed |= significant_forms(float(value))
    for lang in LANGS:
        for text in lesson_texts(lesson, lang):
            # a signed number is another number: torch's clamp of log at −100 is a constant, not the 100 computed
            typed = [n for n in computed if re.search(rf"(?<![\d.\-−]){re.escape(n)}(?!\d)", text)]
            assert not typed, f"{lesson.id} ({lang}) types {typed}, which the page computes: {text[:80]}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_lesson_chinese_spaces_latin_words(lesson):
    for text in lesson_texts(lesson, "zh"):
        bad = [m.group(0) for m in re.finditer(rf".{{0,8}}(?:{HAN}[A-Za-z0-9]|[A-Za-z0-9]{HAN}).{{0,8}}", prose(text))]
        assert not bad, f"{lesson.id}: add a space between Chinese and Latin words or digits: {bad[:8]}"
        assert not re.search(rf"{HAN}[,:;()?!]|[,:;()?!]{HAN}", prose(text)), f"{lesson.id}: full-width punctuation"


@pytest.mark.parametrize("broken, message", [
    ('order = 1\ntitle = { en = "A" }\nsummary = { en = "s", zh = "s" }\n'
     '[[steps]]\npage = "playground"\nstate = { loss = "l1_loss" }\n'
     'title = { en = "t", zh = "t" }\nnote = { en = "n", zh = "n" }\nquestion = { en = "q", zh = "q" }\n', "title"),
    ('order = 1\ntitle = { en = "A", zh = "A" }\nsummary = { en = "s", zh = "s" }\n'
     '[[steps]]\npage = "playground"\nstate = { loss = "l1_loss" }\n'
     'title = { en = "t", zh = "t" }\nnote = { en = "n", zh = "" }\nquestion = { en = "q", zh = "q" }\n', "note.zh"),
    ('order = 1\ntitle = { en = "A", zh = "A" }\nsummary = { en = "s", zh = "s" }\n'
     '[[steps]]\npage = "nowhere"\nstate = { loss = "l1_loss" }\n'
     'title = { en = "t", zh = "t" }\nnote = { en = "n", zh = "n" }\nquestion = { en = "q", zh = "q" }\n', "page"),
    ('order = 1\ntitle = { en = "A", zh = "A" }\nsummary = { en = "s", zh = "s" }\n', "steps"),
    ('order = 1\ntitle = { en = "A", zh = "A" }\nsummary = { en = "s", zh = "s" }\n'
     '[[steps]]\npage = "playground"\nstate = { input = "[1]" }\n'
     'title = { en = "t", zh = "t" }\nnote = { en = "n", zh = "n" }\nquestion = { en = "q", zh = "q" }\n', "state"),
])
def test_the_lesson_parser_refuses_a_file_missing_a_language_or_a_field(broken, message):
    with pytest.raises(lessons.LessonFormatError, match=message):
        lessons.parse("broken", broken)


def test_the_lesson_number_check_would_catch_a_typed_value():
    lesson = next(lesson for lesson in LESSONS if any(not s.refused for s in lesson.steps))
    step = next(s for s in lesson.steps if not s.refused)
    loss_id, tensors, params, _ = read_loss_state(step.state, losses.SPECS[0].id, set(step.view_keys))
    value = float(np.atleast_1d(run_backend(loss_id, tensors, params).value).ravel()[0]) + 0.123
    forms = significant_forms(value)
    assert forms and re.search(rf"(?<![\d.\-−]){re.escape(sorted(forms)[0])}(?!\d)", f"it is {sorted(forms)[0]}.")
