"""The TUI as a designer sees it, for tests: the screen as plain text, and waiting until workers are
done and messages have landed (Textual Pilot)."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text (what a designer reads)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, record=True, legacy_windows=False
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let workers finish (failed ones included: the app turns them into dialogs) and messages land."""
    for _ in range(rounds):
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
