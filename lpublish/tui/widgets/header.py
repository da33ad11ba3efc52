"""The app's header: Textual's, with an icon every font has.

Owns: ``AppHeader``. Textual's default icon "⭘" (U+2B58) is missing from common terminal and browser
fonts and shows as an empty box (seen in ``lpublish serve``); "≡" is in all of them.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Header

ICON = "≡"


class AppHeader(Header):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("icon", ICON)
        super().__init__(*args, **kwargs)
