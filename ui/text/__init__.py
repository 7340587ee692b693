"""Text for the learner: UI catalogs and the language choice (``i18n``), the backend's refusals in the learner's
language (``errors``), the explanations in ``content/`` (``content``), and reading and writing numbers and tensors
as text (``tensors``).  Imports only ``losses``, the standard library and numpy; no other ``ui`` wing.
"""
