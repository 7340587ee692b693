"""Layers point down only: pages → ui.state → ui.figures / ui.worked → ui.compute → ui.text → train → losses.

Every import statement of the tree (at any depth: a function-level import counts) is read with ``ast``; an
import of a higher layer, or of a sibling wing of the same height (figures and worked do not import each
other), fails.  ``losses`` imports no ui, streamlit, plotly or torch; only ui.state and pages draw with
streamlit; nothing imports ``pages``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"pages": 6, "ui.state": 5, "ui.figures": 4, "ui.worked": 4, "ui.compute": 3, "ui.text": 2, "train": 1,
          "losses": 0}
# What each layer may not import from outside the project, whatever it imports inside it.
FORBIDDEN_OUTSIDE = {
    "losses": ("streamlit", "plotly", "torch", "pandas"),
    "train": ("streamlit", "plotly", "torch"),
    "ui.text": ("streamlit", "plotly", "torch"),
    "ui.compute": ("streamlit", "plotly"),
    "ui.worked": ("streamlit", "plotly"),
    "ui.figures": ("streamlit",),
}


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to (``ui.state.page`` → ``ui.state``)."""
    for layer in sorted(LAYERS, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file; relative imports resolved against the file's package."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.append((node.lineno, stem))
            # `from ui import state` imports the wing ui.state
            found += [(node.lineno, f"{stem}.{alias.name}") for alias in node.names if layer_of(f"{stem}.{alias.name}")
                      and not layer_of(stem)]
    return found


FILES = sorted(p for top in ("pages", "ui", "losses", "train") if (ROOT / top).exists()
               for p in (ROOT / top).rglob("*.py"))


def violations(path: Path) -> list[str]:
    own = layer_of(module_name(path))
    problems = []
    for line, target in imports(path):
        other = layer_of(target)
        if other is None:
            top = target.split(".")[0]
            if top in FORBIDDEN_OUTSIDE.get(own, ()):
                problems.append(f"line {line}: {own} imports {target}")
            continue
        if other == "pages":
            problems.append(f"line {line}: {own} imports pages ({target})")
        elif other != own and LAYERS[other] >= LAYERS[own]:
            problems.append(f"line {line}: {own} imports {target}, which is not below it")
    return problems


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_imports_point_down(path):
    assert not violations(path), f"{path.relative_to(ROOT)}: " + "; ".join(violations(path))


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    fake = ROOT / "ui" / "text" / "_layer_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: "from ui.state.page import t\nimport streamlit\n"
                        if self == fake else Path.read_bytes(self).decode())
    found = violations(fake)
    assert any("ui.state.page" in v for v in found) and any("streamlit" in v for v in found)
