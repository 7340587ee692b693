"""The computation written out by hand, with the learner's numbers substituted, in LaTeX.

For every loss and activation of the registry: a line with the formula, then
one unit (an element, a sample, a sequence or a slice) per line with its
numbers substituted, then the reduction with the denominator torch uses.  The
way the notes do it by hand: |1 - 0| + |1 - 1| + |1 - 2| + |1 - 3| = 4; 4/4 = 1.

The builders live beside the backend's families (``ui/worked/regression.py`` ...
``activations.py``), each registered for the arithmetic it writes
(``spec.worked.kind``); the reduction line (``ui/worked/reduction.py``) reads
the spec's ``reduction_unit`` and ``mean_denominator``.  Nothing here or there
knows a loss id.

Where the numbers come from:

* the inputs of each term are the backend's canonical arrays
  (``spec.function.prepare``: the learner's tensors after torch's broadcasting,
  padding and reshaping), so the positions shown are the ones computed;
* intermediate numbers (a log-sum-exp, a cosine, a distance, a Dice sum) are
  computed in numpy from those arrays;
* the value at the end of each term and the reduced value are the backend's own
  (``elements``, its ``reduction='none'`` output, and ``value``).

:func:`explain` also records, for each of those, the number its written-out
formula gives in numpy, so the tests can check that what a learner reads adds
up to what the page shows.  :func:`worked_lines` is what pages call: the lines
only, and none rather than an exception should something unexpected happen.

Each line has the form ``left = right``: pages align the lines on their first
'=' (``line.replace("=", "&=", 1)`` inside ``\\begin{aligned}``).  So the left
side never contains '=' (subscripts such as ``i=1`` are avoided there).  Lines
too wide for the result column are broken by :mod:`ui.worked.latex_layout` into
continuations ``= ...`` that align under the '=', and sums too long for a line
keep their first and last terms around a \\cdots.  The lines are
language-neutral: the only words are torch's own (reduction names,
``ignore_index``, ``zero_infinity``), so both languages show the same lines.
"""

from __future__ import annotations

import logging

import numpy as np

import losses
from ui.compute.runner import call_kwargs
from ui.text.numbers import latex as plain
from ui.worked import activations, binary, classification, distribution, ranking, regression, segmentation, sequence
from ui.worked.core import BUILDERS, Call, Worked
from ui.worked.latex_layout import layout
from ui.worked.reduction import reduce

__all__ = ["BUILDERS", "Worked", "builder_for", "explain", "plain", "prepare_call", "worked_lines"]
FAMILIES = (activations, binary, classification, distribution, ranking, regression, segmentation, sequence)
log = logging.getLogger(__name__)


def builder_for(spec):
    """The builder registered for the spec's ``worked.kind``, or None."""
    return BUILDERS.get(spec.worked.kind)


def prepare_call(loss: str, tensors: dict, params: dict, elements, value) -> Call:
    spec = losses.get_spec(loss)
    kwargs = call_kwargs(spec, tensors, params)
    problem = spec.function.prepare(**kwargs)
    if np.size(elements) != int(np.prod(problem.none_shape, dtype=np.int64)):
        raise ValueError(f"{loss}: {np.size(elements)} elements given for an output of shape {problem.none_shape}")
    with np.errstate(all="ignore"):
        unreduced = spec.function.compute(problem.arrays, problem.params)
    return Call(spec=spec, arrays=problem.arrays, params=problem.params, reduction=problem.reduction,
                none_shape=tuple(problem.none_shape), values=np.asarray(elements, dtype=np.float64).ravel(),
                value=np.asarray(value), mean_scale=unreduced.mean_scale, kwargs=kwargs)


def explain(loss: str, tensors: dict, params: dict, elements, value) -> Worked:
    """The written-out computation and its checks; raises what the backend raises for refused input."""
    call = prepare_call(loss, tensors, params, elements, value)
    work = Worked()
    # entries near float64's limit overflow in the terms as they do in the backend: inf, not a warning
    with np.errstate(over="ignore", invalid="ignore"):
        BUILDERS[call.spec.worked.kind](work, call)
        if call.spec.mean_denominator != "none":
            reduce(work, call)
    work.lines = layout(work.lines)
    return work


_reported: set[tuple[str, str]] = set()


def _swallowed(loss: str, exc: Exception) -> None:
    """Log what a builder raised, once per loss and kind of error: the page carries on without the lines,
    and the log says why instead of staying silent (or repeating itself on every rerun)."""
    key = (loss, type(exc).__name__)
    if key not in _reported:
        _reported.add(key)
        log.warning("worked arithmetic of %s failed; the page shows none", loss, exc_info=exc)


def worked_lines(loss: str, tensors: dict, params: dict, elements, value) -> list[str]:
    """LaTeX lines: the formula, the terms with numbers, the reduction; empty if it cannot be written out."""
    spec = losses.REGISTRY.get(loss)
    if spec is None or builder_for(spec) is None:
        return []
    try:
        return explain(loss, tensors, params, elements, value).lines
    except Exception as exc:  # a page shows the rest of its numbers rather than a traceback
        _swallowed(loss, exc)
        return []
