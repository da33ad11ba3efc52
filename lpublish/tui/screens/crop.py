"""The crop step: the picture with the slot's crop box on it, moved with the arrow keys or presets,
applied with one key.

Owns: ``CropScreen`` (``Screen[CropBox | None]``) and ``draw_box`` (dims the cells outside the box, so
the designer sees what stays). The box itself is ``lpublish.assets.crop``; writing the cropped copy
happens in the image screen's worker, never here, and never over the original.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Label, Static

from lpublish.assets.crop import CropBox, Position, crop_box, move_box
from lpublish.i18n import t
from lpublish.tui.screens.base import BaseScreen
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose
from lpublish.tui.widgets.thumbnail import Cells, Thumbnail, thumbnail_cells

COLUMNS = 60
ROWS = 14
#: Focal points of the number keys, laid out like a keypad (7 = top left, 5 = centre, 3 = bottom right).
FOCAL_KEYS: dict[str, tuple[float, float]] = {
    "7": (1 / 6, 1 / 6),
    "8": (0.5, 1 / 6),
    "9": (5 / 6, 1 / 6),
    "4": (1 / 6, 0.5),
    "5": (0.5, 0.5),
    "6": (5 / 6, 0.5),
    "1": (1 / 6, 5 / 6),
    "2": (0.5, 5 / 6),
    "3": (5 / 6, 5 / 6),
}


def draw_box(cells: Cells, box: CropBox, width: int, height: int) -> Cells:
    """``cells`` with everything outside ``box`` darkened (the part the crop removes)."""
    rows = len(cells)
    cols = len(cells[0]) if cells else 0
    if not cols:
        return cells
    sx = cols / width
    sy = rows * 2 / height
    left, right = box.left * sx, (box.left + box.width) * sx
    top, bottom = box.top * sy, (box.top + box.height) * sy

    def dim(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
        return (rgb[0] // 4, rgb[1] // 4, rgb[2] // 4)

    out: Cells = []
    for y, row in enumerate(cells):
        new_row = []
        for x, (upper, lower) in enumerate(row):
            inside_x = left - 0.5 <= x < right - 0.5 or (right - left < 1 and int(left) == x)
            up_in = inside_x and top - 0.5 <= 2 * y < bottom - 0.5
            low_in = inside_x and top - 0.5 <= 2 * y + 1 < bottom - 0.5
            new_row.append((upper if up_in else dim(upper), lower if low_in else dim(lower)))
        out.append(new_row)
    return out


class CropCells(Message):
    def __init__(self, cells: Cells | None) -> None:
        super().__init__()
        self.cells = cells


class CropScreen(BaseScreen[CropBox | None]):
    """Place the crop box for ``ratio`` on the picture at ``path`` (``size`` as a browser shows it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "apply", "designer.key.crop_apply", priority=True),
        Binding("left", "move(-1, 0)", "designer.key.crop_move", show=False),
        Binding("right", "move(1, 0)", show=False),
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("shift+left", "move(-5, 0)", show=False),
        Binding("shift+right", "move(5, 0)", show=False),
        Binding("shift+up", "move(0, -5)", show=False),
        Binding("shift+down", "move(0, 5)", show=False),
        Binding("c", "preset('center')", "designer.key.crop_center"),
        Binding("t", "preset('top')", "designer.key.crop_top"),
        Binding("b", "preset('bottom')", "designer.key.crop_bottom"),
        Binding("l", "preset('left')", "designer.key.crop_left"),
        Binding("r", "preset('right')", "designer.key.crop_right"),
        *[Binding(key, f"focal('{key}')", show=False) for key in FOCAL_KEYS],
    ]

    def __init__(
        self, path: Path, size: tuple[int, int], ratio: float, aspect: str, *, max_pixels: int
    ) -> None:
        super().__init__(id="crop")
        self.path = path
        self.size_px = size
        self.ratio = ratio
        self.aspect = aspect
        self.max_pixels = max_pixels
        self.box = crop_box(size[0], size[1], ratio)
        self.cells: Cells | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(classes="page", id="crop-body"):
            yield Label(t("designer.crop.title", aspect=self.aspect), classes="page-title")
            yield Prose(t("designer.crop.help"), classes="muted")
            yield Thumbnail("", id="crop-thumb")
            yield Static("", id="crop-box", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._load()
        self._show()

    @work(thread=True, exclusive=True, exit_on_error=False, group="crop-thumb")
    def _load(self) -> None:
        self.post_message(CropCells(thumbnail_cells(self.path, COLUMNS, ROWS, max_pixels=self.max_pixels)))

    def on_crop_cells(self, message: CropCells) -> None:
        self.cells = message.cells
        self._show()

    def _show(self) -> None:
        width, height = self.size_px
        if self.cells:
            self.query_one("#crop-thumb", Thumbnail).show(draw_box(self.cells, self.box, width, height))
        self.query_one("#crop-box", Static).update(
            t(
                "designer.crop.box",
                width=self.box.width,
                height=self.box.height,
                left=self.box.left,
                top=self.box.top,
                full_width=width,
                full_height=height,
            )
        )

    def action_move(self, dx: int, dy: int) -> None:
        width, height = self.size_px
        # One step is 2 % of the room the box has to move (at least a pixel).
        step_x = max(1, (width - self.box.width) // 50)
        step_y = max(1, (height - self.box.height) // 50)
        self.box = move_box(self.box, dx * step_x, dy * step_y, width, height)
        self._show()

    def action_preset(self, position: Position) -> None:
        self.box = crop_box(*self.size_px, self.ratio, position=position)
        self._show()

    def action_focal(self, key: str) -> None:
        self.box = crop_box(*self.size_px, self.ratio, focal=FOCAL_KEYS[key])
        self._show()

    def action_apply(self) -> None:
        self.dismiss(self.box)

    def action_back(self) -> None:
        self.dismiss(None)
