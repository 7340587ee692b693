"""What a page computes: the backend and torch runners (``runner``, ``torch_reference``, ``torch_extras``), the
sweeps behind curves and landscapes (``visual``), the comparison of every loss on one pair (``compare``) and the
notes' worked examples (``examples``).  May import ``ui.text``, ``train`` and ``losses``; never streamlit widgets
or figures.
"""
