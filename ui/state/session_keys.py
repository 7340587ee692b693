"""Every ``st.session_state`` key of a loss form, its tensor editors and its page's view, declared in one place.

A form is named by a short prefix (``PLAYGROUND.prefix`` is ``"pg"``; the curves and landscape pages use
``"cv"`` and ``"ls"``).  :class:`FormKeys` spells every key the form keeps; :class:`EditorKeys` every key of
one tensor editor.  Modules ask these objects for a key instead of writing f-strings of their own, so two
modules cannot disagree about a key and a new one is added here once.  The spellings are part of the app's
contract with its tests (AppTests find widgets by key), so they stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


def _key(name: str, suffix: str, doc: str = "") -> property:
    """A key spelled ``<name><suffix>``, where ``name`` is the object's ``key`` or ``prefix``."""
    return property(lambda self: getattr(self, name) + suffix, doc=doc or None)


def _versioned(name: str, suffix: str, doc: str = ""):
    """A key that carries a version, ``<name><suffix><version>``: renewed to start a widget afresh."""
    def key(self, version: int) -> str:
        return f"{getattr(self, name)}{suffix}{version}"
    key.__doc__ = doc or None
    return key


@dataclass(frozen=True)
class EditorKeys:
    """The keys of one tensor editor (``key`` is ``<prefix>_<argument name>``)."""

    key: str

    ndim = _key("key", "__ndim")
    version = _key("key", "__ver", "Renewed when a tensor is loaded, so the editor's widgets start from the new cells.")
    base = _key("key", "__base", "The cells the grid widget starts from.")
    cells = _key("key", "__cells", "The cells as last typed.")
    json = _key("key", "__json")
    as_text = _key("key", "__as_text", "The tensor is edited as JSON text: 3 or more dimensions, or too many cells.")
    shape_error = _key("key", "__shape_error")
    shape_form = _key("key", "__shape_form")
    shape_text = _key("key", "__shape_text")
    fill = _key("key", "__fill")
    add_column = _key("key", "__add")
    remove_column = _key("key", "__del")
    grid = _versioned("key", "__grid_v")
    area = _versioned("key", "__area_v")
    use = _versioned("key", "__use_v", "The checkbox that switches an optional tensor on.")


@dataclass(frozen=True)
class FormKeys:
    """The keys of one loss form and of the page view built on it."""

    prefix: str

    state = _key("prefix", "", "The form's own dict: loss id, last valid tensors, parameters, optional tensors in "
                               "use, version.")
    link_errors = _key("prefix", "__link_errors", "What was wrong with the link the form was loaded from.")
    sync_picker = _key("prefix", "__sync_picker", "Set when a link loaded the form: the picker shows its loss.")
    loss_widget = _key("prefix", "__loss_widget")
    form_open = _key("prefix", "__form_open", "The toggle that shows the form on the curves and landscape pages.")
    playground_seen = _key("prefix", "__pg_seen", "The playground state this page last took over.")
    view = _key("prefix", "_view", "The page's view settings with the version that renews their widgets.")

    def editor(self, argument: str) -> EditorKeys:
        return EditorKeys(f"{self.prefix}_{argument}")

    def parameter(self, loss_id: str, name: str, version: int) -> str:
        return f"{self.prefix}_{loss_id}_{name}_v{version}"

    def widget(self, name: str) -> str:
        """A widget of the page's view (``cv_el``, ``ls_grid``)."""
        return f"{self.prefix}_{name}"


def widget_stamp(key: str) -> str:
    """Which view version widget ``key`` last showed (viewstate.bind)."""
    return f"{key}__ver"


PLAYGROUND = FormKeys("pg")
