"""Share control, presentation mode and the code export under AppTest, in both languages."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.app.apptest import ROOT, open_page
from ui.state.present import STYLE
from ui.text.i18n import translate

PAGES = {
    "pages/playground.py": {"loss": "mse_loss", "reduction": "sum"},
    "pages/curves.py": {"loss": "huber_loss", "delta": "0.5"},
    "pages/landscape.py": {"loss": "l1_loss"},
    "pages/reference.py": {"loss": "smooth_l1_loss"},
    "pages/examples.py": {"note": "en-summary"},
}


SHARE_KEYS = ("share", "cv_share", "ls_share", "ref_share", "ex_share", "qz_share", "lesson_share", "tr_share")


def open_share(at) -> None:
    """Open the share control as a click on it would: it draws its content only while open."""
    keys = [f"{key}_open" for key in SHARE_KEYS if f"{key}_open" in at.session_state]
    assert len(keys) == 1, keys
    at.session_state[keys[0]] = True
    at.run()
    assert not at.exception


def share_link(at) -> str:
    """The link in the share control (the code block inside the ``*_share_control`` container)."""
    if not [c for c in at.code if "?lang=" in c.value]:
        open_share(at)
    links = [c.value for c in at.code if c.language in (None, "plaintext", "") and "?lang=" in c.value]
    assert len(links) == 1, [c.value for c in at.code]
    return links[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_shares_its_full_encoded_state(page, lang):
    at = open_page(page, lang, **PAGES[page])
    assert not at.exception
    link = share_link(at)
    assert "[" not in link and "," not in link, link  # URL-encoded
    parts = urlsplit(link)
    assert parts.path.endswith("/" + page.removeprefix("pages/").removesuffix(".py"))
    shared = dict(parse_qsl(parts.query))
    assert shared["lang"] == lang
    for key, value in PAGES[page].items():
        assert shared[key] == value, (key, shared)
    assert "present" not in shared
    qr = [img for el in at.get("image") for img in el.proto.imgs if img.caption in ("QR code of the link above",
                                                                                     "上面链接的二维码")]
    assert len(qr) == 1 and qr[0].url.startswith("data:image/svg+xml;base64,"), "no QR code"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_closed_share_control_encodes_nothing(page, monkeypatch):
    """Closed, the control neither encodes a QR code nor sends one: an edit does not pay for it."""
    from ui.state import share

    calls = []
    encode = share.qr_svg
    monkeypatch.setattr(share, "qr_svg", lambda link: calls.append(link) or encode(link))
    at = open_page(page, "en", **PAGES[page])
    assert not at.exception and not calls and not at.get("image")
    open_share(at)
    assert len(calls) == 1 and len(at.get("image")) == 1


def test_present_link_turns_the_mode_on_and_is_kept_in_share_links():
    # The reference page, not the playground: AppTest cannot rerun a Chinese page holding the editors' fill
    # selectbox (its format_func turns 'zeros' into a label, and the harness then looks the raw value up).
    # the share control open from the start: a rerun to open it would lose the page's tree in AppTest (after
    # such a rerun it no longer lists the top toggle or the style-only st.html; a browser keeps both)
    at = open_page("pages/reference.py", "zh", state={"ref_share_open": True}, present="1", loss="l1_loss")
    assert not at.exception
    assert at.session_state["present"] is True
    assert at.query_params.get("present") == ["1"] or at.query_params.get("present") == "1"
    styles = [el for el in at.get("html") if "stSidebar" in str(el.proto)]
    assert styles and STYLE.strip()[:30] in str(styles[0].proto.body)
    assert dict(parse_qsl(urlsplit(share_link(at)).query))["present"] == "1"
    exit_toggle = at.toggle(key="_present_widget")
    assert exit_toggle.value is True and exit_toggle.label == "退出演示模式"
    exit_toggle.set_value(False).run()
    assert not at.exception
    assert at.session_state["present"] is False
    assert not [el for el in at.get("html") if "stSidebar" in str(el.proto)]
    assert "present" not in dict(parse_qsl(urlsplit(share_link(at)).query))


def test_the_toggle_turns_the_mode_on_and_writes_the_url():
    at = open_page("pages/curves.py", "en")
    toggle = at.sidebar.toggle(key="_present_widget")
    assert toggle.label == "Presentation mode"
    toggle.set_value(True).run()
    assert not at.exception
    assert at.session_state["present"] is True
    assert "present=1" in share_link(at)


def test_present_0_and_unknown_values_leave_the_mode_off():
    for value in ("0", "maybe"):
        at = open_page("pages/reference.py", "en", present=value, loss="l1_loss")
        assert not at.exception and at.session_state["present"] is False
        assert not at.warning, [w.value for w in at.warning]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_playground_code_prints_what_the_page_shows(lang):
    at = open_page("pages/playground.py", lang, loss="huber_loss", reduction="sum", delta="0.5",
                   input="[[1.5,1],[1,-2]]")
    assert not at.exception
    scripts = [c.value for c in at.code if c.language == "python"]
    torch_script = next(s for s in scripts if "import torch" in s)
    numpy_script = next(s for s in scripts if "import losses" in s)
    assert "reduction='sum'" in torch_script and "delta=0.5" in torch_script
    shown = next(m.value for m in at.metric if m.label.startswith("Loss Lab"))
    for script in (torch_script, numpy_script):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        value = json.loads(done.stdout.splitlines()[0].partition(" = ")[2])
        assert f"{value:.6g}" == shown
    labels = {b.proto.label for b in at.get("download_button")}
    for name in ("huber_loss_reduction-sum_delta-0.5_2x2_torch.py", "huber_loss_reduction-sum_delta-0.5_2x2_numpy.py"):
        assert any(label.endswith(name) for label in labels), labels
    assert {translate(lang, f"download.{k}") for k in ("tensors", "gradients", "comparison")} <= labels


def test_csv_downloads_hold_every_element_of_every_tensor_and_both_gradients():
    from io import StringIO

    import numpy as np
    import pandas as pd

    from ui.state.downloads import gradients_csv, tensors_csv

    tensors = {"input": np.array([[1.0, 2.0], [3.0, 4.0]]), "target": np.array([0, 2])}
    frame = pd.read_csv(StringIO(tensors_csv(tensors)))
    assert list(frame.columns) == ["tensor", "index", "value"]
    assert frame[frame.tensor == "input"].value.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert frame[frame.tensor == "target"]["index"].tolist() == ["[0]", "[1]"]
    grads = pd.read_csv(StringIO(gradients_csv({"input": np.array([0.5, -0.25])}, {"input": np.array([0.5, -0.2])})))
    assert grads.loss_lab.tolist() == [0.5, -0.25] and grads.torch.tolist() == [0.5, -0.2]


def test_figures_get_the_download_config_and_the_presentation_theme():
    plain = open_page("pages/playground.py", "en")
    present = open_page("pages/playground.py", "en", present="1")
    for at, size in ((plain, 13), (present, 20)):
        charts = at.get("plotly_chart")
        assert charts
        config = json.loads(charts[0].proto.config)
        assert config["modeBarButtons"] == [["toImage"]]
        assert config["toImageButtonOptions"]["filename"] == "l1_loss_2x2_elements"
        spec = json.loads(charts[0].proto.spec)
        assert spec["layout"]["font"]["size"] == size
