"""The error dialog: what happened, what to do next, and that the designer's work is kept.

Owns: ``ErrorDialog``, fed by the app's single ``Worker.StateChanged`` handler (and by start-up when the
config cannot be loaded). Known failures are ``LpublishError``; anything else is shown as the catalog's
"internal problem" message, never as a traceback.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label

from lpublish.errors import LpublishError
from lpublish.i18n import t
from lpublish.tui.screens.base import BaseModal
from lpublish.tui.widgets.prose import Prose


class ErrorDialog(BaseModal[None]):
    """A modal showing one ``LpublishError``: title, message, details, hint, "your work is kept"."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#error-ok"

    def __init__(self, error: LpublishError, *, work_kept: bool = True) -> None:
        super().__init__(id="error-dialog")
        self.error = error
        self.work_kept = work_kept

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog error"):
            yield Label(self.error.title, id="error-title", classes="dialog-title")
            with VerticalScroll(id="error-body"):
                yield Prose(self.error.message, id="error-message", markup=False)
                if self.error.details:
                    yield Prose(
                        "\n".join(f"• {d}" for d in self.error.details), id="error-details", markup=False
                    )
                if self.error.hint:
                    yield Label(t("common.next_step"), classes="subtitle")
                    yield Prose(self.error.hint, id="error-hint", markup=False)
                if self.work_kept:
                    yield Prose(t("tui.error.work_kept"), id="error-kept", classes="muted")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.error.ok"), id="error-ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)
