"""The presets' data, generated from a seed, and the learner's pasted rows.

A :class:`Dataset` holds inputs ``x`` (``(N,)`` for a line fit, ``(N, 2)`` for points) and targets ``y`` whose form
says the task:

* ``'regression'``: real targets ``(N,)``;
* ``'binary'``: 0/1 targets ``(N,)``;
* ``'multiclass'``: class indices ``(N,)`` in ``[0, C-1]``;
* ``'multilabel'``: 0/1 targets ``(N, C)``, a point may carry several labels.

``marks`` holds per-point flags the lessons talk about (which points are outliers, which carry two labels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from losses import LossInputError

__all__ = ["Dataset", "GENERATORS", "generate", "parse_rows", "MAX_ROWS", "TASKS"]

TASKS = ("regression", "binary", "multiclass", "multilabel")
MAX_ROWS = 5000


@dataclass
class Dataset:
    x: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int = 1
    marks: dict = field(default_factory=dict)

    @property
    def n_in(self) -> int:
        return 1 if self.x.ndim == 1 else self.x.shape[1]

    @property
    def n_out(self) -> int:
        """Outputs of the model: one for a line or a binary classifier, one per class otherwise."""
        return self.n_classes if self.task in ("multiclass", "multilabel") else 1

    def __len__(self) -> int:
        return len(self.x)


def outliers(rng: np.random.Generator) -> Dataset:
    """A line y = 1.5 x + 0.5 with small noise, and a few points thrown far above it."""
    n, n_out = 40, 5
    x = np.sort(rng.uniform(-2.0, 2.0, n))
    y = 1.5 * x + 0.5 + rng.normal(0.0, 0.2, n)
    bad = np.zeros(n, dtype=bool)
    bad[rng.choice(n, n_out, replace=False)] = True
    # All outliers on one side: the mean of the residuals moves, their median barely does.
    y[bad] += rng.uniform(6.0, 10.0, n_out)
    return Dataset(x, y, "regression", marks={"outlier": bad})


def long_tail(rng: np.random.Generator) -> Dataset:
    """HDR-like pixels: true values log-uniform over four decades (0.01 to 100), observed with 20 % noise."""
    n = 60
    y = 10.0 ** rng.uniform(-2.0, 2.0, n)
    x = y * (1.0 + rng.normal(0.0, 0.2, n))
    order = np.argsort(x)
    return Dataset(x[order], y[order], "regression", marks={"decade": np.floor(np.log10(y[order])).astype(int)})


def saturation(rng: np.random.Generator) -> Dataset:
    """Two well separated clouds of points; the preset starts the classifier confidently wrong on them."""
    n = 60
    labels = (np.arange(n) % 2).astype(np.float64)
    centers = np.where(labels[:, None] == 1.0, [1.0, 1.0], [-1.0, -1.0])
    x = centers + rng.normal(0.0, 0.6, (n, 2))
    return Dataset(x, labels, "binary")


def imbalance(rng: np.random.Generator) -> Dataset:
    """About one positive in twenty, in a cluster that overlaps the negatives."""
    n, n_pos = 400, 20
    negatives = rng.normal(0.0, 1.0, (n - n_pos, 2))
    positives = rng.normal([1.8, 1.8], 0.6, (n_pos, 2))
    x = np.vstack([negatives, positives])
    y = np.concatenate([np.zeros(n - n_pos), np.ones(n_pos)])
    order = rng.permutation(n)
    return Dataset(x[order], y[order], "binary")


def multilabel(rng: np.random.Generator) -> Dataset:
    """Three classes at the corners of a triangle; the points between two corners carry both labels."""
    pure, shared, c = 35, 15, 3
    centers = np.array([[-1.8, -1.0], [1.8, -1.0], [0.0, 2.0]])
    xs, ys = [], []
    for k in range(c):
        xs.append(centers[k] + rng.normal(0.0, 0.5, (pure, 2)))
        ys.append(np.tile(np.eye(c)[k], (pure, 1)))
    for a, b in ((0, 1), (0, 2), (1, 2)):
        xs.append((centers[a] + centers[b]) / 2 + rng.normal(0.0, 0.35, (shared, 2)))
        ys.append(np.tile(np.eye(c)[a] + np.eye(c)[b], (shared, 1)))
    x, y = np.vstack(xs), np.vstack(ys)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    return Dataset(x, y, "multilabel", n_classes=c, marks={"two_labels": y.sum(axis=1) > 1})


def line(rng: np.random.Generator) -> Dataset:
    """A clean line fit, y = 0.8 x - 0.4 plus noise: the loss over (w, b) is a tilted bowl."""
    n = 50
    x = rng.uniform(-3.0, 3.0, n)
    y = 0.8 * x - 0.4 + rng.normal(0.0, 0.3, n)
    return Dataset(x, y, "regression")


GENERATORS = {"outliers": outliers, "long_tail": long_tail, "saturation": saturation, "imbalance": imbalance,
              "multilabel": multilabel, "optimizers": line}


def generate(name: str, seed: int) -> Dataset:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 32:
        raise LossInputError("range", "seed", repr(seed), "an integer in [0, 4294967295]",
                             f"seed must be an integer in [0, 4294967295], found {seed!r}")
    return GENERATORS[name](np.random.default_rng(int(seed)))


def _cell_error(code: str, row: int, col: int, found, allowed: str, message: str) -> LossInputError:
    exc = LossInputError(code, "data", found, allowed, message)
    # ui/text/errors.py reads these to say "(row 3, column 2)" in the learner's language.
    exc.location, exc.cell = (row, col), True
    exc.row = row
    return exc


def parse_rows(text: str, max_rows: int = MAX_ROWS) -> Dataset:
    """The learner's pasted rows: ``x,y`` (a line fit) or ``x1,x2,label`` (labels 0/1, or 0..C-1 for C > 2 classes).

    Commas, semicolons, tabs or spaces separate the values; blank lines and lines starting with ``#`` are skipped.
    Every bad row raises a :class:`LossInputError` naming the row (1-based line number) and, for a bad value, the
    column.  A first line that is not numeric is taken as a header and skipped.
    """
    if not isinstance(text, str):
        raise LossInputError("dtype", "data", type(text).__name__, "text", "data must be text (rows of numbers)")
    rows: list[list[float]] = []
    numbers: list[int] = []
    width = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [c for c in stripped.replace(";", ",").replace("\t", ",").replace(" ", ",").split(",") if c != ""]
        values = []
        for col, cell in enumerate(cells, start=1):
            try:
                value = float(cell)
            except ValueError:
                if not rows and all(not _is_number(c) for c in cells):
                    values = None  # a header line
                    break
                raise _cell_error("not_numeric", line_no, col, repr(cell), "numbers",
                                  f"row {line_no}, column {col}: {cell!r} is not a number") from None
            if not math.isfinite(value):
                raise _cell_error("not_finite", line_no, col, repr(cell), "finite numbers",
                                  f"row {line_no}, column {col}: {cell!r} is not a finite number")
            values.append(value)
        if values is None:
            continue
        if len(values) not in (2, 3):
            raise _cell_error("lengths", line_no, len(values), f"{len(values)} values",
                              "2 values (x, y) or 3 (x1, x2, label)",
                              f"row {line_no} has {len(values)} values; write x,y or x1,x2,label")
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise _cell_error("lengths", line_no, len(values), f"{len(values)} values",
                              f"{width} values like row {numbers[0]}",
                              f"row {line_no} has {len(values)} values, row {numbers[0]} has {width}")
        if len(rows) >= max_rows:
            raise LossInputError("too_large", "data", f"more than {max_rows} rows", max_rows,
                                 f"data has more than {max_rows} rows")
        rows.append(values)
        numbers.append(line_no)
    if len(rows) < 2:
        raise LossInputError("empty", "data", f"{len(rows)} rows", "at least 2 rows",
                             f"data needs at least 2 rows of numbers, found {len(rows)}")
    table = np.array(rows)
    if width == 2:
        return Dataset(table[:, 0], table[:, 1], "regression")
    labels = table[:, 2]
    for value, line_no in zip(labels, numbers):
        if value != round(value) or value < 0:
            raise _cell_error("class_index", line_no, 3, repr(float(value)), "0, 1, 2, ...",
                              f"row {line_no}: the label {value:g} is not a class number 0, 1, 2, ...")
    n_classes = int(labels.max()) + 1
    if n_classes > 10:
        raise LossInputError("range", "data", f"{n_classes} classes", "at most 10 classes",
                             f"data has labels up to {n_classes - 1}; at most 10 classes are allowed")
    if n_classes <= 2:
        return Dataset(table[:, :2], labels.astype(np.float64), "binary", n_classes=2)
    return Dataset(table[:, :2], labels.astype(np.int64), "multiclass", n_classes=n_classes)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
