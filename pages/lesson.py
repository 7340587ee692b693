"""/lesson: a teacher's prepared sequence of states (content/lessons/), one step at a time, computed live.

``?lesson=<id>&step=<k>`` shows step k (from 1) of a lesson; without ``lesson`` the page lists the lessons.
"""

import streamlit as st

from ui.state import live
from ui.state.page import lang, query, require_shell, t
from ui.state.share import share_control
from ui.text import lessons

require_shell()


def go_to(step: int) -> None:
    """Move to another step, keeping every other query parameter (language, presentation ...)."""
    st.query_params["step"] = str(step)


def lesson_list() -> None:
    st.subheader(t("lesson.list_title"))
    for lesson in lessons.all_lessons():
        with st.container(border=True):
            st.markdown(f"**{lesson.title[lang()]}**")
            st.caption(lesson.summary[lang()])
            st.page_link("pages/lesson.py", label=t("lesson.start", count=len(lesson.steps)), icon="▶️",
                         query_params={"lang": lang(), "lesson": lesson.id, "step": "1"})


def read_step(text, count: int) -> tuple[int, bool]:
    """The 1-based step from the URL text, and whether it was usable (else the first step stands in)."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return 1, False
    return (value, True) if 1 <= value <= count else (1, False)


def show_step(lesson, number: int) -> None:
    step = lesson.steps[number - 1]
    count = len(lesson.steps)
    st.title(lesson.title[lang()])
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button(t("lesson.previous"), key="lesson_prev", icon="⬅️", disabled=number == 1,
                  on_click=go_to, args=(number - 1,))
        st.button(t("lesson.next"), key="lesson_next", icon="➡️", disabled=number == count,
                  on_click=go_to, args=(number + 1,))
        st.markdown(t("lesson.progress", step=number, count=count))
        st.page_link("pages/lesson.py", label=t("lesson.all"), icon="📚", query_params={"lang": lang()})
    st.progress(number / count)
    st.subheader(step.title[lang()])
    st.info(f"**{t('lesson.question')}** {step.question[lang()]}", icon="❓")
    with st.expander(t("lesson.note"), expanded=True, icon="📝"):
        st.markdown(step.note[lang()])
    st.markdown(f"**{t('lesson.live')}** · {t('lesson.live_help')}")
    live.panel(step.state, key=f"lesson_{lesson.id}_{number}", view_keys=step.view_keys)
    st.page_link(step.page_path, label=t(f"lesson.open_{step.page}"), icon="↗️",
                 query_params={"lang": lang(), **step.state})


q = query()
if st.query_params.get("lang") != lang():
    st.query_params["lang"] = lang()  # a shared link opens in the language it was shown in
chosen = lessons.find(q["lesson"]) if "lesson" in q else None
if chosen is None:
    st.title(t("lesson.title"))
    st.caption(t("lesson.intro"))
    if "lesson" in q:
        st.error(t("lesson.unknown", found=q["lesson"][:60],
                   known=", ".join(lesson.id for lesson in lessons.all_lessons())), icon="⚠️")
    lesson_list()
else:
    number, usable = read_step(q.get("step", "1"), len(chosen.steps))
    if not usable:
        st.error(t("lesson.bad_step", found=str(q.get("step"))[:40], count=len(chosen.steps)), icon="⚠️")
    show_step(chosen, number)
share_control(key="lesson_share")
