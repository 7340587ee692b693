"""/ (home): what a loss is, gradient descent fitting a line, and the losses by task."""

import numpy as np
import streamlit as st

import losses
from losses.spec import FAMILIES
from ui.figures.common import line_fit, loss_history
from ui.state import lossform
from ui.state.charts import show_chart
from ui.state.page import lang, require_shell, sync_url, t
from ui.text import content
from ui.text.numbers import short

require_shell()

TRUE_W, TRUE_B = 2.0, 1.0
# The line is fitted with the mean squared error: named through the backend's function, not an id string.
FIT_LOSS = losses.functional.mse_loss


@st.cache_data(show_spinner=False, max_entries=64)
def descend(steps: int, lr: float):
    """Gradient descent on the MSE of a line fit; the gradient comes from the backend's mse_loss."""
    rng = np.random.default_rng(7)
    x = np.linspace(0.0, 2.0, 12)
    y = TRUE_W * x + TRUE_B + rng.normal(scale=0.35, size=x.shape)
    w, b = 0.0, 0.0
    iterates, history = [], []
    for _ in range(steps):
        value, grads = losses.value_and_grad(FIT_LOSS.__name__, w * x + b, y)
        history.append(float(value))
        dpred = grads["input"]
        w, b = w - lr * float(dpred @ x), b - lr * float(dpred.sum())
        iterates.append((w, b))
        if not np.isfinite(w) or abs(w) > 1e6:
            break
    final = float(FIT_LOSS(w * x + b, y))
    return x, y, iterates, history, final


st.title(f"📉 {t('app.title')}")
st.caption(t("app.subtitle"))

st.header(t("home.what_title"))
st.markdown(t("home.what_body"))

st.header(t("home.fit_title"))
st.markdown(t("home.fit_body"))
c1, c2 = st.columns(2)
steps = c1.slider(t("home.steps"), 1, 40, 6, key="home_steps")
lr = c2.select_slider(t("home.lr"), options=[0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.1],
                      value=0.2, key="home_lr")
x, y, iterates, history, final = descend(steps, lr)
labels = {k: t(f"home.{k}") for k in ("data", "true_line", "iterate", "residual")}
fig_col, loss_col = st.columns([3, 2])
show_chart(line_fit(x, y, TRUE_W, TRUE_B, iterates, labels, len(iterates)), "home_fit",
           f"line_fit_steps-{steps}_lr-{lr}", where=fig_col)
show_chart(loss_history(history, t("home.step_axis"), t("home.loss_axis")), "home_loss",
           f"loss_history_steps-{steps}_lr-{lr}", where=loss_col)
w, b = iterates[-1]
if np.isfinite(final) and final < 1e6 and abs(w) < 1e6:
    loss_col.markdown(t("home.fit_result", k=len(iterates), w=short(w), b=short(b), tw=short(TRUE_W),
                        tb=short(TRUE_B), loss=short(final)))
else:
    loss_col.warning(t("home.diverged"))
loss_col.page_link("pages/train.py", label=t("home.open_train"), icon="🏁",
                   query_params={"lang": lang(), "preset": "optimizers"})

st.header(t("home.map_title"))
st.caption(t("home.map_body"))
groups = losses.by_family()
cols = st.columns(2)
for i, family in enumerate(FAMILIES):
    with cols[i % 2]:
        st.markdown(f"**{t('family.' + family)}**")
        for spec in groups[family]:
            suffix = f" · {spec.torch_class}" if spec.torch_class else ""
            st.page_link("pages/playground.py", label=spec.title[lang()] + suffix,
                         query_params={"loss": spec.id, "lang": lang()})

st.page_link("pages/playground.py", label=t("home.start"), icon="🧪",
             query_params={"loss": lossform.default_spec().id, "lang": lang()})

st.header(t("home.concepts_title"))
concept_cols = st.columns(2)
for i, concept in enumerate(content.CONCEPTS):
    doc = content.load("concept", concept, lang())
    concept_cols[i % 2].page_link("pages/reference.py", label=doc.title if doc else concept, icon="📖",
                                  query_params={"concept": concept, "lang": lang()})
sync_url({})
