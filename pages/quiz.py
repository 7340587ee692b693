"""/quiz: questions generated from the registry, answered by the backend; ``?seed=`` gives a class one quiz."""

import streamlit as st

from ui.compute import quiz
from ui.state import narrow
from ui.state.page import lang, query, require_shell, t
from ui.state.share import share_control
from ui.text.tensors import TensorInputError

require_shell()


def new_quiz() -> None:
    st.session_state.quiz_seed = quiz.fresh_seed()
    st.query_params["seed"] = str(st.session_state.quiz_seed)


def current_seed() -> tuple[int, str | None]:
    """The seed in use, and the URL's unusable seed text when there was one (the session's seed stands in)."""
    text = query().get("seed")
    if text is not None:
        try:
            st.session_state.quiz_seed = quiz.read_seed(text)
            return st.session_state.quiz_seed, None
        except TensorInputError:
            pass
    seed = st.session_state.setdefault("quiz_seed", quiz.fresh_seed())
    st.query_params["seed"] = str(seed)  # so the link in the address bar gives the class this quiz
    return seed, text


def answer_widget(question, key: str):
    """The learner's answer: a choice index, the typed text, or None before they answer."""
    if question.numeric:
        text = st.text_input(t("quiz.number", tolerance=quiz.show(question.tolerance)), key=key,
                             placeholder=t("quiz.number_placeholder"))
        return text if text.strip() else None
    return st.radio(t("quiz.answer"), list(range(len(question.choices))), index=None, key=key,
                    format_func=lambda i: question.choices[i])


def feedback(question, given, first: dict, slot) -> None:
    try:
        right = question.is_right(given)
    except TensorInputError:
        st.warning(t("quiz.not_number", found=str(given)[:40]), icon="⚠️")
        return
    first.setdefault(slot, right)
    if right:
        st.success(f"{t('quiz.right')} {question.explanation}", icon="✅")
    else:
        st.error(f"{t('quiz.wrong', answer=question.shown_answer)} {question.explanation}", icon="❌")
    page, link_query = question.link
    st.page_link(page, label=t("quiz.explain"), icon="🔎", query_params={"lang": lang(), **link_query})


st.title(t("quiz.title"))
st.caption(t("quiz.intro"))
if st.query_params.get("lang") != lang():
    st.query_params["lang"] = lang()
seed, bad_seed = current_seed()
if bad_seed is not None:
    st.error(t("quiz.bad_seed", found=bad_seed[:40], seed=seed), icon="⚠️")
questions = quiz.generate(seed, lang())
first = st.session_state.setdefault("quiz_first", {})

top = st.container(horizontal=True, vertical_alignment="center", gap="medium")
score = top.empty()
top.button(t("quiz.new"), key="quiz_new", icon="🔀", on_click=new_quiz)
st.caption(t("quiz.seed", seed=seed) + " " + t("quiz.first_counts"))
score_strip = narrow.result_box("strip_score")  # on a phone the score above scrolls away: this copy sticks

for i, question in enumerate(questions):
    with st.container(border=True):
        st.markdown(f"**{i + 1}.** {question.prompt}")
        if question.call:
            st.code(question.call, language="python")
        given = answer_widget(question, key=f"quiz_{seed}_{i}")
        if given is not None:
            feedback(question, given, first, (seed, i))

answered = [first[(seed, i)] for i in range(len(questions)) if (seed, i) in first]
score_text = t("quiz.score_value", right=sum(answered), answered=len(answered))
score.metric(t("quiz.score", total=len(questions)), score_text, border=True, width="content")
score_strip.markdown(t("strip.score", colon=t("punct.colon"), value=score_text, total=len(questions)))
share_control(key="qz_share")
