"""How much work one request may ask for: every bound the pages enforce, in one table.

A class server runs every learner in the same process, so one link that asks for a million elements or a
huge grid would stall the others.  Each limit is checked where the request is read (the URL, an editor, a
slider's link value) and refused with a message that names it; up to the limit the pages stay quick because
past the ``*_SHOWN`` sizes they summarise instead of drawing element by element.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    elements_per_tensor: int = 1024  # one tensor, whatever its shape
    total_elements: int = 2048  # all the tensors of one call together
    rank: int = 4  # dimensions of one tensor
    query_characters: int = 32_000  # the whole query string of a link
    curve_points: int = 1001  # points along one curve
    grid_points: int = 201  # points along each side of a landscape grid (201 × 201 evaluations)
    descent_steps: int = 200  # gradient-descent steps on the landscape
    overlays: int = 8  # losses drawn over the main one on the curves page
    # Past these sizes the pages summarise rather than draw each element (the browser's cost grows with
    # every annotated heatmap cell and every editor column, not the server's).
    annotated_cells: int = 64  # heatmap cells that carry their number as text
    grid_cells: int = 64  # elements an editor shows as a grid of cells; bigger tensors are edited as JSON


LIMITS = Limits()
