"""Shared behaviour for the TUI's screens: translated key hints and going back with Escape.

Owns: ``translate_bindings`` (key hints in the Footer come from the catalog, so they follow the language
switch) and ``BaseScreen``, which every full screen derives from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import on
from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker

from lpublish.i18n import t

if TYPE_CHECKING:
    from rich.text import Text

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
            replace(b, description=t(b.description)) if b.description.startswith(("tui.", "designer.")) else b
            for b in bindings
        ]
    node._bindings = BindingsMap.from_keys(keys)


def show_message(widget: Static, text: str | Text) -> None:
    """Put ``text`` in a message line that takes no room while it has nothing to say."""
    widget.update(text)
    widget.display = bool(str(text))


def show_binding(node: DOMNode, action: str, shown: bool) -> None:
    """Show or hide ``action``'s key in the footer (e.g. only when there is something to act on)."""
    keys: dict[str, list[Binding]] = {}
    for key, bindings in node._bindings.key_to_bindings.items():
        keys[key] = [replace(b, show=shown) if b.action == action else b for b in bindings]
    node._bindings = BindingsMap.from_keys(keys)


def after_typing(node: DOMNode, action: Callable[[], object]) -> None:
    """Run ``action`` once the focused widget has handled every key already sent to it.

    Priority bindings (Ctrl+S) run as soon as the app sees the key, while the characters typed just
    before it still wait in the focused field's queue: reading the field then loses them. Posting the
    action to that field's own queue runs it after those keys, so it reads the field's final value.
    """
    focused = node.app.focused
    if focused is None:
        action()
    else:
        focused.call_later(action)


def typing_in_field(node: DOMNode) -> bool:
    """Whether a text field has focus (letter shortcuts stay out of the way then)."""
    return isinstance(node.app.focused, Input | TextArea)


def is_letter_binding(node: DOMNode, action: str) -> bool:
    """Whether ``action`` is bound to a single printable key on ``node`` (``m``, ``?``)."""
    for key, bindings in node._bindings.key_to_bindings.items():
        if any(b.action == action for b in bindings) and (len(key) == 1 or key == "question_mark"):
            return True
    return False


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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A letter typed into a field is text, never a command (a stray "m" once merged a request).
        return not (typing_in_field(self) and is_letter_binding(self, action))

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
