"""Help: what lpublish does for the designer, in a few plain sentences, and the keys.

Owns: ``HelpScreen``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Label

from lpublish.i18n import t
from lpublish.tui.screens.base import BaseScreen
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose


class HelpScreen(BaseScreen[None]):
    """A short guide; the full one is docs/designers/guide.*.md."""

    def __init__(self) -> None:
        super().__init__(id="help")

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(classes="page"):
            yield Label(t("tui.help.title"), classes="page-title")
            yield Prose(t("tui.help.body"), markup=False)
        yield Footer(compact=True)
