"""Picking an image file: a folder tree showing only folders and images, shortcuts to the usual
places (home, Desktop, Downloads, Pictures) and a field to paste a path.

Owns: ``ImageDirectoryTree`` and ``FilePickerScreen`` (a ``ModalScreen[Path | None]``). In browser
mode (``lpublish serve``) the tree shows the files of the machine running lpublish.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from lpublish.i18n import t
from lpublish.tui.screens.base import BaseModal
from lpublish.tui.state import IMAGE_SUFFIXES
from lpublish.tui.widgets.prose import Prose

SHORTCUTS = ("Desktop", "Downloads", "Pictures")


class ImageDirectoryTree(DirectoryTree):
    """Folders and image files only; hidden files stay hidden.

    The icons are characters every terminal font and browser font has (Textual's emoji folders show
    as empty boxes in many terminals and in ``lpublish serve``).
    """

    ICON_NODE_EXPANDED = "▾ "
    ICON_NODE = "▸ "
    ICON_FILE = "  "

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
                    yield path
            except OSError:
                continue


def clean_pasted_path(text: str) -> Path | None:
    """A path pasted or dropped into the field: quotes and ``file://`` removed, ``~`` expanded."""
    value = text.strip().strip("'\"")
    if value.startswith("file://"):
        from urllib.parse import unquote, urlparse

        value = unquote(urlparse(value).path)
    # Terminals escape spaces when a file is dropped on them.
    value = value.replace("\\ ", " ")
    if not value:
        return None
    return Path(value).expanduser()


class FilePickerScreen(BaseModal[Path | None]):
    """Choose one image file; returns its path (``None`` when closed)."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#picker-tree"

    def __init__(self, start: Path) -> None:
        super().__init__(id="picker")
        self.start = start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker-dialog"):
            yield Label(t("tui.picker.title"), classes="dialog-title")
            with Horizontal(id="picker-shortcuts"):
                yield Button(t("tui.picker.home"), id="go-home", classes="small")
                for name in SHORTCUTS:
                    if (Path.home() / name).is_dir():
                        yield Button(
                            t(f"tui.picker.{name.lower()}"), id=f"go-{name.lower()}", classes="small"
                        )
            yield ImageDirectoryTree(self.start, id="picker-tree")
            yield Label(t("tui.picker.paste"), classes="field-label")
            yield Input(placeholder=t("tui.picker.paste_placeholder"), id="picker-path", compact=True)
            yield Prose("", id="picker-error", classes="field-error")

    @on(Button.Pressed)
    def _shortcut(self, event: Button.Pressed) -> None:
        event.stop()
        name = (event.button.id or "").removeprefix("go-")
        folder = Path.home() if name == "home" else Path.home() / name.capitalize()
        tree = self.query_one(ImageDirectoryTree)
        tree.path = folder
        tree.focus()

    @on(DirectoryTree.FileSelected)
    def _chosen(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(event.path)

    @on(Input.Submitted, "#picker-path")
    def _pasted(self, event: Input.Submitted) -> None:
        event.stop()
        path = clean_pasted_path(event.value)
        error = self.query_one("#picker-error", Static)
        if path is None:
            return
        if path.is_dir():
            self.query_one(ImageDirectoryTree).path = path
            error.update("")
            return
        if not path.is_file():
            error.update(t("tui.picker.not_found", path=str(path)))
            return
        self.dismiss(path)
