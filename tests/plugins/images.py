"""Real image files for tests: a JPEG with some structure in any size and colour, and a photo-like
JPEG that is heavy in bytes, like a camera export."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw


def make_jpeg(
    path: Path,
    size: tuple[int, int],
    colour: tuple[int, int, int] = (200, 120, 40),
    *,
    quality: int = 80,
) -> Path:
    """A real JPEG with some structure (so it is not a trivially tiny file); folders are made."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    step = max(size) // 12
    for i in range(0, max(size), step):
        draw.line([(i, 0), (0, i)], fill=(255 - colour[0], 90, 200), width=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=quality)
    return path


def make_photo(path: Path, size: tuple[int, int], *, quality: int = 92) -> Path:
    """A photo-like JPEG (gradient + grain) that is heavy in bytes, like a camera export."""
    grain = Image.effect_noise(size, 30).convert("L")
    gradient = Image.linear_gradient("L").resize(size)
    Image.merge("RGB", (gradient, grain, Image.blend(gradient, grain, 0.5))).save(
        path, "JPEG", quality=quality
    )
    return path
