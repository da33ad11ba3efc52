"""Real image files for tests that publish them: a JPEG with some structure, in any size and colour."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw


def make_jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int] = (200, 120, 40)) -> Path:
    """A real JPEG with some structure (so it is not a trivially tiny file)."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    step = max(size) // 12
    for i in range(0, max(size), step):
        draw.line([(i, 0), (0, i)], fill=(255 - colour[0], 90, 200), width=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=80)
    return path
