"""Progress reporting and cancellation for long operations.

Owns: the ``Progress`` callback protocol, ``ProgressEvent`` and ``Cancel`` helpers. Long core operations
take ``progress`` (a callable) and ``cancel`` (a ``threading.Event``); the TUI posts messages from the
callback, the CLI prints lines, CI prints plain lines. Must not import UI libraries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from lpublish.errors import CancelledError


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a long operation: ``stage`` is a catalog key, ``done``/``total`` count units."""

    stage: str
    done: int = 0
    total: int = 0
    detail: str = ""

    @property
    def fraction(self) -> float | None:
        if self.total <= 0:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """A progress callback that ignores everything (the default)."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise ``CancelledError`` when the user asked to stop. Call it between safe steps."""
    if cancel is not None and cancel.is_set():
        raise CancelledError()
