"""Messages the TUI's workers and widgets post upward ("attributes down, messages up").

Owns: the small message classes shared between screens. Worker threads post these with
``post_message`` (thread-safe); screens react in ``on_*`` handlers on the UI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from lpublish.progress import ProgressEvent


class LanguageChanged(Message):
    """The designer switched the language; screens re-draw their text."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language


class SignedIn(Message):
    """The home screen learned who is signed in (``login`` ``None``: nobody)."""

    def __init__(self, login: str | None, requests: int | None) -> None:
        super().__init__()
        self.login = login
        self.requests = requests


class Progress(Message):
    """A progress event from a core operation running in a worker."""

    def __init__(self, event: ProgressEvent) -> None:
        super().__init__()
        self.event = event
