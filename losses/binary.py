"""Placeholder until this family is written: the registry imports it."""

__all__: list[str] = []
SPECS = ()
