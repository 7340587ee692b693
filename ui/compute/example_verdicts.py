"""A card's call run on both sides (our backend, today's torch), and the verdict that compares the note with today.

Results are plain picklable data (a refusal is a :class:`Refusal`, not the exception, whose constructor pickle
cannot replay), so the page can cache them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from losses import LossInputError
from ui.compute.example_cards import Call, Card
from ui.compute.runner import run_backend, run_torch


@dataclass(frozen=True)
class Refusal:
    """A backend refusal in picklable form; :meth:`exception` rebuilds it for ui.text.errors.describe."""

    code: str
    argument: str
    found: object
    allowed: object
    message: str

    @classmethod
    def of(cls, exc: LossInputError) -> Refusal:
        return cls(exc.code, exc.argument, exc.found, exc.allowed, str(exc))

    def exception(self) -> LossInputError:
        return LossInputError(self.code, self.argument, self.found, self.allowed, self.message)


@dataclass(frozen=True)
class Result:
    """One call's value on our backend and on torch.

    ``torch_available`` is False without torch; ``torch_error`` is torch's own message.
    """

    value: np.ndarray | None
    refusal: Refusal | None
    torch_value: np.ndarray | None
    torch_error: str | None
    torch_available: bool

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def torch_ok(self) -> bool:
        return self.torch_available and self.torch_error is None


def run(call: Call) -> Result:
    arrays = call.arrays()
    ours = run_backend(call.loss, arrays, call.params)
    theirs = run_torch(call.loss, arrays, call.params)
    return Result(
        value=ours.value if ours.ok else None,
        refusal=None if ours.ok else Refusal.of(ours.error),
        torch_value=None if theirs.value is None else np.asarray(theirs.value),
        torch_error=theirs.error,
        torch_available=theirs.available,
    )


# --- the verdict ------------------------------------------------------------------------------

VERDICTS = ("same", "different", "error_then_works_now", "works_then_error_now", "error_then_and_now",
            "no_number_runs", "no_number_fails")


@dataclass(frozen=True)
class Verdict:
    """How the note's outcome compares with today's.

    ``basis`` is 'torch' when today's torch judged, 'backend' when torch is missing (our backend
    mirrors torch 2.13).  ``now`` is today's scalar value, when there is one.
    """

    kind: str
    basis: str
    now: float | None = None


def printed_tolerance(printed: str) -> float:
    """Half a unit of the last digit torch prints: tensor(...) shows 4 decimals, ``1`` stands for 1.0000."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** -max(decimals, 4) + 1e-12


def verdict(card_: Card, result: Result) -> Verdict:
    printed = [q.printed for q in card_.quotes if q.printed is not None]
    then_error = any(q.error for q in card_.quotes)
    if result.torch_available:
        basis, now_ok, now_value = "torch", result.torch_error is None, result.torch_value
    else:
        basis, now_ok, now_value = "backend", result.ok, result.value
    now = float(now_value) if now_ok and now_value is not None and np.ndim(now_value) == 0 else None
    if printed:
        if not now_ok:
            return Verdict("works_then_error_now", basis)
        same = now is not None and all(abs(now - float(p)) <= printed_tolerance(p) for p in printed)
        return Verdict("same" if same else "different", basis, now)
    if then_error:
        return Verdict("error_then_works_now" if now_ok else "error_then_and_now", basis, now)
    return Verdict("no_number_runs" if now_ok else "no_number_fails", basis, now)
