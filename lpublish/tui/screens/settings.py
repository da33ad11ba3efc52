"""Settings: the language of the screens (remembered for the next start).

Owns: ``SettingsScreen``. The choice is saved by ``LpublishApp.change_language``.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Label, RadioButton, RadioSet

from lpublish.i18n import current_language, t
from lpublish.tui.screens.base import BaseScreen
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose


class SettingsScreen(BaseScreen[None]):
    """Choose 日本語 or English."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#language"

    def __init__(self) -> None:
        super().__init__(id="settings")

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(classes="page"):
            yield Label(t("tui.settings.title"), classes="page-title")
            yield Prose(t("tui.settings.language_help"), classes="muted")
            with RadioSet(id="language"):
                yield RadioButton("日本語", value=current_language() == "ja", id="lang-ja")
                yield RadioButton("English", value=current_language() == "en", id="lang-en")
            yield Prose(t("tui.settings.remembered"), classes="muted")
        yield Footer(compact=True)

    async def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        language = "ja" if event.pressed.id == "lang-ja" else "en"
        if language != current_language():
            await self.lapp.change_language(language)
