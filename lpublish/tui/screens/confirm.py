"""A yes/no question before something that cannot be undone from the TUI (e.g. withdrawing a request).

Owns: ``ConfirmDialog`` (``ModalScreen[bool]``; Escape means no).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from lpublish.i18n import t
from lpublish.tui.screens.base import BaseModal
from lpublish.tui.widgets.prose import Prose


class ConfirmDialog(BaseModal[bool]):
    """Ask ``question``; dismisses with ``True`` only when the designer confirms."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#no"

    def __init__(self, title: str, question: str, confirm: str) -> None:
        super().__init__(id="confirm")
        self.title_text = title
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Prose(self.question, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(t("tui.confirm.no"), id="no")
                yield Button(self.confirm, id="yes", variant="error")

    def action_close(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
