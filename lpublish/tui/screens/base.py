"""Shared behaviour for the TUI's screens: translated key hints and going back with Escape.

Owns: ``translate_bindings`` (key hints in the Footer come from the catalog, so they follow the language
switch) and ``BaseScreen``, which every full screen derives from.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from lpublish.i18n import t

if TYPE_CHECKING:
    from lpublish.tui.app import LpublishApp

ResultType = TypeVar("ResultType")


def translate_bindings(node: DOMNode) -> None:
    """Replace catalog keys in the node's binding descriptions with text in the current language."""
    merged = type(node)._merged_bindings
    if merged is None:
        return
    keys: dict[str, list[Binding]] = {}
    for key, bindings in merged.key_to_bindings.items():
        keys[key] = [
            replace(b, description=t(b.description)) if b.description.startswith("tui.") else b
            for b in bindings
        ]
    node._bindings = BindingsMap.from_keys(keys)


def show_message(widget: Any, text: Any) -> None:
    """Put ``text`` in a message line that takes no room while it has nothing to say."""
    widget.update(text)
    widget.display = bool(str(text))


class BaseScreen(Screen[ResultType]):
    """A full screen with translated key hints; Escape goes back (home has nowhere to go back to)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "tui.key.back")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def lapp(self) -> LpublishApp:
        return cast("LpublishApp", self.app)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.dismiss()

    @on(Worker.StateChanged)
    def _forward_worker_state(self, event: Worker.StateChanged) -> None:
        # Worker state messages do not bubble: hand them to the app's single error handler.
        self.lapp.worker_state_changed(event)

    async def retranslate(self) -> None:
        """Re-draw this screen's text after a language switch."""
        translate_bindings(self)
        await self.recompose()
        self.refresh_bindings()


class BaseModal(ModalScreen[ResultType]):
    """A dialog with translated key hints; Escape closes it without a value."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "tui.key.close")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    @property
    def lapp(self) -> LpublishApp:
        return cast("LpublishApp", self.app)

    def action_close(self) -> None:
        self.dismiss(None)
