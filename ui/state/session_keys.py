"""Every ``st.session_state`` key of a loss form, its tensor editors and its page's view, declared in one place.

A form is named by a short prefix (``PLAYGROUND.prefix`` is ``"pg"``; the curves and landscape pages use
``"cv"`` and ``"ls"``).  :class:`FormKeys` spells every key the form keeps; :class:`EditorKeys` every key of
one tensor editor.  Modules ask these objects for a key instead of writing f-strings of their own, so two
modules cannot disagree about a key and a new one is added here once.  The spellings are part of the app's
contract with its tests (AppTests find widgets by key), so they stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EditorKeys:
    """The keys of one tensor editor (``key`` is ``<prefix>_<argument name>``)."""

    key: str

    @property
    def ndim(self) -> str:
        return f"{self.key}__ndim"

    @property
    def version(self) -> str:
        """Renewed when a tensor is loaded into the editor, so its widgets start again from the new cells."""
        return f"{self.key}__ver"

    @property
    def base(self) -> str:
        """The cells the grid widget starts from."""
        return f"{self.key}__base"

    @property
    def cells(self) -> str:
        """The cells as last typed."""
        return f"{self.key}__cells"

    @property
    def json(self) -> str:
        return f"{self.key}__json"

    @property
    def shape_error(self) -> str:
        return f"{self.key}__shape_error"

    @property
    def shape_form(self) -> str:
        return f"{self.key}__shape_form"

    @property
    def shape_text(self) -> str:
        return f"{self.key}__shape_text"

    @property
    def fill(self) -> str:
        return f"{self.key}__fill"

    @property
    def add_column(self) -> str:
        return f"{self.key}__add"

    @property
    def remove_column(self) -> str:
        return f"{self.key}__del"

    def grid(self, version: int) -> str:
        return f"{self.key}__grid_v{version}"

    def area(self, version: int) -> str:
        return f"{self.key}__area_v{version}"

    def use(self, version: int) -> str:
        """The checkbox that switches an optional tensor on."""
        return f"{self.key}__use_v{version}"


@dataclass(frozen=True)
class FormKeys:
    """The keys of one loss form and of the page view built on it."""

    prefix: str

    @property
    def state(self) -> str:
        """The form's own dict: loss id, last valid tensors, parameters, optional tensors in use, version."""
        return self.prefix

    @property
    def link_errors(self) -> str:
        """What was wrong with the link the form was loaded from, shown once by the loss picker."""
        return f"{self.prefix}__link_errors"

    @property
    def sync_picker(self) -> str:
        """Set when the form was loaded from a link: the picker then shows the link's loss."""
        return f"{self.prefix}__sync_picker"

    @property
    def loss_widget(self) -> str:
        return f"{self.prefix}__loss_widget"

    @property
    def form_open(self) -> str:
        """The toggle that shows the form on the curves and landscape pages."""
        return f"{self.prefix}__form_open"

    @property
    def playground_seen(self) -> str:
        """The playground state this page last took over (viewstate.adopt_playground)."""
        return f"{self.prefix}__pg_seen"

    @property
    def view(self) -> str:
        """The page's view settings (elements, sliders) with the version that renews their widgets."""
        return f"{self.prefix}_view"

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
