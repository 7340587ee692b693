"""Shared pieces of the Loss Lab pages: i18n, URL state, tensor editing, figures, checks against torch."""
