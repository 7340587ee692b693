"""The computation written out by hand with the learner's numbers, in LaTeX (``lines``), and fitting it to a narrow
column (``latex_layout``).  May import ``ui.compute``, ``ui.text`` and ``losses``.
"""
