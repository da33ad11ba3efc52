"""Cropping an image to a slot's aspect ratio: where the crop box sits, and writing the cropped copy.

Owns: ``CropBox``, ``crop_box`` (the largest box of the wanted aspect, placed by a preset or around a
focal point), ``move_box`` (nudging it, always inside the picture) and ``crop_image`` (a new file with
only the box's pixels). Coordinates are in the picture as a browser shows it (EXIF rotation applied).
Deterministic (same inputs, same bytes), never upscales (a crop only removes pixels) and never touches
the original. Must not import UI libraries.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import ImageOps

from lpublish.assets.inspect import inspect_bytes, open_image, read_file
from lpublish.assets.names import EXTENSIONS
from lpublish.errors import ContentError

Position = Literal["center", "top", "bottom", "left", "right"]
POSITIONS: tuple[Position, ...] = ("center", "top", "bottom", "left", "right")


@dataclass(frozen=True)
class CropBox:
    """A rectangle in the picture: ``left``/``top`` corner and its size, in pixels."""

    left: int
    top: int
    width: int
    height: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """As Pillow's ``(left, upper, right, lower)``."""
        return (self.left, self.top, self.left + self.width, self.top + self.height)


@dataclass(frozen=True)
class CropResult:
    """The cropped copy: where it is, the box used, and the sizes before and after."""

    source: Path
    output: Path
    box: CropBox
    before_size: tuple[int, int]
    after_size: tuple[int, int]


def box_size(width: int, height: int, ratio: float) -> tuple[int, int]:
    """The largest ``ratio`` (width / height) rectangle that fits ``width`` x ``height``."""
    if width / height > ratio:
        return max(1, min(width, int(height * ratio))), height
    return width, max(1, min(height, int(width / ratio)))


def crop_box(
    width: int,
    height: int,
    ratio: float,
    *,
    position: Position = "center",
    focal: tuple[float, float] | None = None,
) -> CropBox:
    """The crop box for a ``width`` x ``height`` picture.

    ``focal`` is a point as fractions of the picture (``(0.5, 0.3)``: middle, upper third); the box is
    centred on it as far as the picture allows. Otherwise ``position`` places it: ``center``, or against
    the ``top``/``bottom``/``left``/``right`` edge (centred the other way).
    """
    if width <= 0 or height <= 0 or ratio <= 0:
        raise ValueError("width, height and ratio must be positive")
    box_w, box_h = box_size(width, height, ratio)
    if focal is not None:
        fx = min(max(focal[0], 0.0), 1.0)
        fy = min(max(focal[1], 0.0), 1.0)
        left = round(fx * width - box_w / 2)
        top = round(fy * height - box_h / 2)
    else:
        left = (width - box_w) // 2
        top = (height - box_h) // 2
        if position == "top":
            top = 0
        elif position == "bottom":
            top = height - box_h
        elif position == "left":
            left = 0
        elif position == "right":
            left = width - box_w
    return _clamp(CropBox(left, top, box_w, box_h), width, height)


def move_box(box: CropBox, dx: int, dy: int, width: int, height: int) -> CropBox:
    """``box`` moved by ``dx``/``dy`` pixels, stopped at the picture's edges."""
    return _clamp(CropBox(box.left + dx, box.top + dy, box.width, box.height), width, height)


def _clamp(box: CropBox, width: int, height: int) -> CropBox:
    left = min(max(box.left, 0), width - box.width)
    top = min(max(box.top, 0), height - box.height)
    return CropBox(left, top, box.width, box.height)


def picture_size(path: Path, *, max_pixels: int) -> tuple[int, int]:
    """Width and height as a browser shows ``path`` (what crop boxes refer to)."""
    data = read_file(path, file=str(path))
    return inspect_bytes(data, max_pixels=max_pixels, file=str(path)).display_size


def crop_image(path: Path, box: CropBox, out_dir: Path, *, max_pixels: int, quality: int = 95) -> CropResult:
    """Write the pixels inside ``box`` to a new file in ``out_dir`` (same format and name as ``path``).

    JPEG and WebP are saved at high ``quality`` (the one-key fix may recompress later, once, to fit the
    slot's byte budget); PNG stays lossless. The colour profile is kept, other metadata is not.
    """
    data = read_file(path, file=str(path))
    info = inspect_bytes(data, max_pixels=max_pixels, file=str(path))
    if info.is_vector or info.format not in ("jpeg", "png", "webp", "avif"):
        raise ContentError("designer.crop.unsupported", file=path.name, format=info.format.upper())
    image = open_image(data, info.format, max_pixels=max_pixels, file=str(path))
    try:
        image.load()
        icc = image.info.get("icc_profile")
        picture = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ContentError("assets.fix_unreadable", file=path.name, error=str(exc)[:120]) from None
    finally:
        image.close()
    width, height = picture.size
    if box.width > width or box.height > height or box != _clamp(box, width, height):
        raise ContentError("designer.crop.outside", file=path.name)
    cropped = picture.crop(box.box)
    if info.format == "jpeg" and cropped.mode not in ("RGB", "L", "CMYK"):
        cropped = cropped.convert("RGB")
    buffer = io.BytesIO()
    options: dict[str, object] = {"icc_profile": icc} if icc else {}
    if info.format in ("jpeg", "webp", "avif"):
        options["quality"] = quality
    if info.format == "jpeg":
        options["optimize"] = True
    cropped.save(buffer, format=info.format.upper(), **options)
    out_dir.mkdir(parents=True, exist_ok=True)
    ext = EXTENSIONS.get(info.format, info.format)
    output = out_dir / f"{path.stem}.{ext}"
    if output.resolve() == path.resolve():
        raise ContentError("designer.crop.same_file", file=str(path))
    # Atomic: a half-written crop never stands in for the real one.
    handle, tmp = tempfile.mkstemp(dir=out_dir, prefix=".crop-")
    with os.fdopen(handle, "wb") as fh:
        fh.write(buffer.getvalue())
    os.replace(tmp, output)
    return CropResult(path, output, box, (width, height), cropped.size)
