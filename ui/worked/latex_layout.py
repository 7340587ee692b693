"""Fitting written-out LaTeX derivations to a narrow column.

The pages show a computation as lines ``left = a = b = c`` aligned on their
first '=' (``\\begin{aligned}``).  KaTeX does not wrap, so a long line runs off
the column (the playground's result column is about 400 px wide at 1280 px).
:func:`layout` breaks such a line into ``left = a = b`` and a continuation
``= c`` (which aligns under the '='), and breaks headers at their ``,\\quad``.
:func:`latex_width` estimates the rendered width from the source: within
about 10 % of what KaTeX 0.16 draws for the LaTeX that ``ui/worked/lines.py`` writes
(measured once in headless chromium), erring on the wide side.
"""

from __future__ import annotations

EM_PX = 19.36  # KaTeX's display font size on a Streamlit page (1.21 × 16 px)
COLUMN_EM = 20.5  # about 400 px: what one aligned block may take
SUM_EM = 15.5  # what one sum of terms may take before more of its terms are elided
SYMBOLS = {  # \x commands of one non-letter character
    ",": 0.17, ";": 0.28, " ": 0.33, "!": -0.17, "{": 0.5, "}": 0.5, "|": 0.5, "\\": 0.0,
}
COMMANDS = {
    "ell": 0.42, "log": 1.45, "cos": 1.6, "tanh": 2.0, "max": 1.8, "min": 1.7, "sigma": 0.57, "pi": 0.57,
    "alpha": 0.64, "beta": 0.57, "gamma": 0.55, "delta": 0.45, "epsilon": 0.41, "varepsilon": 0.47,
    "cdot": 0.78, "times": 1.22, "infty": 1.0, "cdots": 1.5, "vdots": 0.5, "varnothing": 0.5,
    "quad": 1.0, "qquad": 2.0, "ne": 1.33, "in": 1.22, "notin": 1.22, "to": 1.56, "ge": 1.33, "mid": 0.83,
    "langle": 0.39, "rangle": 0.39, "sum": 1.06, "prod": 0.95, "textstyle": 0.0, "nolimits": 0.0,
    "left": 0.0, "right": 0.0, "displaystyle": 0.0,
}
TEXTLIKE = {"text": 0.5, "mathrm": 0.5, "texttt": 0.53, "mathbf": 0.6, "mathcal": 0.7, "operatorname": 0.5}
CHARS = {"=": 1.33, "<": 1.33, ">": 1.33, ",": 0.45, ".": 0.28, "(": 0.39, ")": 0.39, "[": 0.28, "]": 0.28,
         "|": 0.28, "/": 0.5, ":": 0.56, "'": 0.3, "!": 0.28, "+": 1.22, "-": 1.22, "*": 0.5}
OPENERS = set("([{=,<>") | {"start"}
SCRIPT = 0.72


class _Reader:
    def __init__(self, text: str):
        self.text, self.i = text, 0

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def group(self) -> str:
        """The next {...} group's inside, or the next single token."""
        while self.peek() == " ":
            self.i += 1
        if self.peek() == "{":
            depth, start = 0, self.i
            while self.i < len(self.text):
                c = self.text[self.i]
                if c == "\\":
                    self.i += 2
                    continue
                depth += {"{": 1, "}": -1}.get(c, 0)
                self.i += 1
                if depth == 0:
                    return self.text[start + 1: self.i - 1]
            return self.text[start + 1:]
        if self.peek() == "\\":
            start = self.i
            self.i += 1
            while self.peek().isalpha():
                self.i += 1
            if self.i == start + 1:
                self.i += 1
            return self.text[start: self.i]
        c = self.peek()
        self.i += 1
        return c


def _env(reader: _Reader, name: str) -> float:
    end = reader.text.find(rf"\end{{{name}}}", reader.i)
    body = reader.text[reader.i: end if end >= 0 else len(reader.text)]
    reader.i = len(reader.text) if end < 0 else end + len(rf"\end{{{name}}}")
    rows = [row.split("&") for row in body.split(r"\\")]
    cols = max(len(r) for r in rows)
    widths = [max(latex_width(r[c]) if c < len(r) else 0 for r in rows) for c in range(cols)]
    return sum(widths) + 1.0 * (cols - 1) + (1.2 if name == "cases" else 0.4)


def latex_width(text: str) -> float:
    reader = _Reader(text)
    width, previous, last_script = 0.0, "start", None
    while reader.i < len(text):
        c = reader.peek()
        if c == " ":
            reader.i += 1
            continue
        if c in "^_":
            reader.i += 1
            w = SCRIPT * latex_width(reader.group())
            if last_script is not None and last_script[0] != c:
                # a subscript and a superscript stack: the wider one counts
                extra = max(0.0, w - last_script[1])
                width += extra
                last_script = None
            else:
                width += w
                last_script = (c, w)
            continue
        last_script = None
        if c == "{":
            width += latex_width(reader.group())
            previous = "x"
            continue
        if c == "\\":
            token = reader.group()
            name = token[1:]
            if len(name) == 1 and not name.isalpha():
                width += SYMBOLS.get(name, 0.5)
            elif name in ("frac", "tfrac", "dfrac"):
                top, bottom = latex_width(reader.group()), latex_width(reader.group())
                scale = 0.72 if name == "tfrac" else 1.0
                width += scale * max(top, bottom) + 0.35
            elif name in TEXTLIKE:
                width += TEXTLIKE[name] * len(reader.group().replace("\\", ""))
            elif name == "begin":
                width += _env(reader, reader.group())
            else:
                width += COMMANDS.get(name, 0.6)
            previous = name if name in ("cdot", "quad", "ne", "in", "to", "mid", "left") else "x"
            continue
        reader.i += 1
        if c == "-" and (previous in OPENERS or previous in ("cdot", "quad", "ne", "in", "to", "mid", "left")):
            width += 0.78
        elif c in CHARS:
            width += CHARS[c]
        elif c.isdigit():
            width += 0.5
        elif c.isalpha():
            width += 0.52
        elif c == "&":
            pass
        else:
            width += 0.5
        previous = c if c in "([{=,<>+-" else "x"
    return width


def estimate(text: str) -> float:
    """:func:`latex_width` corrected by the median ratio measured against KaTeX."""
    return latex_width(text) / 1.09


def split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where it stands outside braces, brackets and environments."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        if text.startswith(r"\begin", i):
            depth += 1
        elif text.startswith(r"\end", i):
            depth -= 1
        c = text[i]
        if c == "\\":  # a command, or an escaped character such as \{ that does not open anything
            i += 1
            if i < len(text) and text[i].isalpha():
                while i < len(text) and text[i].isalpha():
                    i += 1
            else:
                i += 1
            continue
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return parts


def layout(lines: list[str], column: float = COLUMN_EM) -> list[str]:
    """The lines broken so that the aligned block fits ``column`` em where it can."""
    pieces = []
    for line in lines:
        if estimate(line) > column:
            pieces += [p.strip() for p in split_top(line, r",\quad")]
        else:
            pieces.append(line)
    chains = []
    for piece in pieces:
        parts = [p.strip() for p in split_top(piece, "=")]
        chains.append((parts[0], parts[1:]))
    left = max((estimate(lhs) for lhs, rest in chains if rest), default=0.0)
    budget = column - left - 1.4  # the '=' and its spaces
    out = []
    for lhs, rest in chains:
        if not rest:
            out.append(lhs)
            continue
        head, current = lhs, rest[0]
        for segment in rest[1:]:
            joined = f"{current} = {segment}"
            if estimate(joined) <= budget:
                current = joined
            else:
                out.append(f"{head} = {current}" if head else f"= {current}")
                head, current = "", segment
        out.append(f"{head} = {current}" if head else f"= {current}")
    return out
