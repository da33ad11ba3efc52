"""Helpers for the TUI tests: the screen as plain text, waiting for workers, test images, git."""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path
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


def make_jpeg(path: Path, width: int, height: int, *, quality: int = 80) -> Path:
    """A small-in-bytes JPEG with some structure (colour bands), like a simple banner."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (30, 60, 120))
    draw = ImageDraw.Draw(image)
    band = max(1, width // 12)
    for index, x in enumerate(range(0, width, band)):
        draw.rectangle((x, 0, x + band, height), fill=(40 + index * 15 % 200, 120, 200 - index * 10 % 150))
    image.save(path, "JPEG", quality=quality)
    return path


def git_show(bare: Path, ref: str, path: str) -> bytes:
    """The bytes of ``path`` at ``ref`` in a bare repository (what reviewers will see)."""
    return subprocess.run(
        ["git", "--git-dir", str(bare), "show", f"{ref}:{path}"], capture_output=True, check=True
    ).stdout


def make_photo(path: Path, width: int, height: int, *, quality: int = 92) -> Path:
    """A photo-like JPEG (gradient + grain) that is heavy in bytes, like a camera export."""
    from PIL import Image

    grain = Image.effect_noise((width, height), 30).convert("L")
    gradient = Image.linear_gradient("L").resize((width, height))
    Image.merge("RGB", (gradient, grain, Image.blend(gradient, grain, 0.5))).save(
        path, "JPEG", quality=quality
    )
    return path
