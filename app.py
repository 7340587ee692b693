"""Loss Lab · 损失函数实验室: the entry point. Registers the pages and the language choice."""

import streamlit as st

from ui.compute.runner import torch_version
from ui.state import guard, narrow
from ui.state.charts import figure_format_picker
from ui.state.page import init_language, language_selector, t
from ui.state.present import init_presentation, presentation_toggle

st.set_page_config(page_title="Loss Lab · 损失函数实验室", page_icon="📉", layout="wide")
st.session_state._shell_run = True
init_language()
init_presentation()

PAGES = [
    st.Page("pages/home.py", title=t("nav.home"), icon="🏠", default=True),
    st.Page("pages/playground.py", title=t("nav.playground"), icon="🧪", url_path="playground"),
    st.Page("pages/curves.py", title=t("nav.curves"), icon="📈", url_path="curves"),
    st.Page("pages/landscape.py", title=t("nav.landscape"), icon="⛰️", url_path="landscape"),
    st.Page("pages/reference.py", title=t("nav.reference"), icon="📖", url_path="reference"),
    st.Page("pages/examples.py", title=t("nav.examples"), icon="📓", url_path="examples"),
    st.Page("pages/train.py", title=t("nav.train"), icon="🏁", url_path="train"),
    st.Page("pages/lesson.py", title=t("nav.lesson"), icon="🎓", url_path="lesson"),
    st.Page("pages/quiz.py", title=t("nav.quiz"), icon="❓", url_path="quiz"),
]

page = st.navigation(guard.with_not_found(PAGES))
narrow.install()
language_selector()
presentation_toggle()
figure_format_picker()
guard.refuse_long_link()
st.sidebar.caption(t("app.subtitle"))
page.run()
version = torch_version()
st.caption(t("app.footer", torch=version) if version else t("app.footer_no_torch"))
