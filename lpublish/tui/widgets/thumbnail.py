"""A small picture of an image drawn with half blocks ("▀": top pixel in the foreground colour,
bottom pixel in the background colour), so any true-colour terminal can show it.

Owns: ``thumbnail_cells`` (Pillow work, safe to run in a worker thread: JPEGs are decoded at a reduced
scale with ``draft()`` so a 24-megapixel photo takes milliseconds) and the ``Thumbnail`` widget.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

RGB = tuple[int, int, int]
Cells = list[list[tuple[RGB, RGB]]]


def thumbnail_cells(path: Path, columns: int, rows: int, *, max_pixels: int = 50_000_000) -> Cells | None:
    """Colours for ``columns`` x ``rows`` half-block cells, keeping the aspect ratio.

    Returns ``None`` for files Pillow cannot show (SVG, damaged files): the findings explain why.
    """
    if path.suffix.lower() == ".svg":
        return None
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            if image.width * image.height > max_pixels:
                return None
            # draft() lets the JPEG decoder skip most of the work for a small target size.
            image.draft("RGB", (columns * 2, rows * 4))
            picture = ImageOps.exif_transpose(image)
            picture = picture.convert("RGBA")
            picture.thumbnail((columns, rows * 2))
            background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
            background.alpha_composite(picture)
            flat = background.convert("RGB")
    except Exception:  # any undecodable file: show no picture, the findings say what is wrong
        return None
    width, height = flat.size
    pixels = flat.load()
    assert pixels is not None
    cells: Cells = []
    for y in range(0, height, 2):
        row: list[tuple[RGB, RGB]] = []
        for x in range(width):
            top = pixels[x, y]
            bottom = pixels[x, y + 1] if y + 1 < height else top
            row.append((_rgb(top), _rgb(bottom)))
        cells.append(row)
    return cells


def _rgb(value: object) -> RGB:
    if isinstance(value, tuple):
        return (int(value[0]), int(value[1]), int(value[2]))
    number = int(value)  # type: ignore[call-overload]
    return (number, number, number)


def cells_to_text(cells: Cells) -> Text:
    """Rich text of half blocks for ``cells``."""
    text = Text(no_wrap=True, overflow="crop")
    for index, row in enumerate(cells):
        if index:
            text.append("\n")
        for top, bottom in row:
            text.append("▀", Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}"))
    return text


class Thumbnail(Static):
    """Shows ``Cells`` (computed in a worker); empty until set."""

    def show(self, cells: Cells | None, fallback: str = "") -> None:
        self.update(cells_to_text(cells) if cells else Text(fallback))
