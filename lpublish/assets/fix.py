"""One-key fixes: write a new, clean, deterministic file that meets the slot's rules.

Owns: ``FixResult`` and ``fix_image``. A fix applies EXIF orientation, converts to 8-bit sRGB with real
colour management (``ImageCms``; a naive ``convert`` only when a CMYK file carries no profile), flattens
alpha where the slot forbids it, keeps the first frame of a forbidden animation, downscales to the
slot's maximum, converts to an allowed format, drops trailing data and *all* metadata (EXIF, GPS, XMP,
ICC after conversion), and re-encodes with fixed settings, stepping quality (then size) down until the
byte budget fits. Same input, same output bytes. The original file is never touched.
Must not import UI libraries.
"""

from __future__ import annotations

import io
import logging
import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps

from lpublish.assets.inspect import RASTER_FORMATS, ImageInfo, inspect_bytes, open_image, read_file
from lpublish.assets.names import EXTENSIONS
from lpublish.assets.validate import (
    EXTENSION_FORMATS,
    AssetCheck,
    check_image,
    slot_section,
    target_name,
)
from lpublish.config import SiteConfig, SlotSection
from lpublish.errors import ContentError, UsageError
from lpublish.i18n import t
from lpublish.units import format_bytes

logger = logging.getLogger(__name__)

_PIL_SAVE = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF", "gif": "GIF"}
#: Quality steps tried, in order, when the byte budget is not met at the configured quality.
_QUALITY_FLOOR = 45
#: Below the floor only when the smallest allowed size still does not fit.
_QUALITY_LAST_RESORT = 20
_QUALITY_STEP = 7
#: Each further attempt shrinks the image by this factor (after quality alone did not fit).
_SHRINK = 0.9
_MAX_SHRINKS = 12

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@dataclass
class FixResult:
    """What ``fix_image`` did: the new file, translated change lines, sizes, and its re-check."""

    source: Path
    output: Path
    changes: list[str]
    before_bytes: int
    after_bytes: int
    check: AssetCheck
    before_size: tuple[int, int] = (0, 0)
    after_size: tuple[int, int] = (0, 0)
    format: str = ""
    notes: list[str] = field(default_factory=list)


def _to_srgb(image: Image.Image, icc: bytes | None, changes: list[str]) -> Image.Image:
    """Convert to 8-bit sRGB (keeping an alpha channel if there is one) with colour management."""
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits (Pillow's convert("L") would clip instead of scale).
        image = image.point(lambda v: v * (1 / 257)).convert("L") if mode == "I" else _i16_to_l(image)
        changes.append(t("assets.change.bit_depth"))
        mode = "L"
    if mode == "P" or mode == "PA":
        image = image.convert("RGBA" if "transparency" in image.info or mode == "PA" else "RGB")
        mode = image.mode
    if mode in ("LA", "La"):
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode == "RGBa":
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode == "1":
        image = image.convert("L")
        mode = "L"
    source: ImageCms.ImageCmsProfile | None = None
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        except (OSError, ImageCms.PyCMSError):
            source = None
    if mode == "CMYK":
        if source is not None:
            image = _apply_profile(image, source, "CMYK", "RGB")
            changes.append(t("assets.change.cmyk_managed"))
        else:
            image = image.convert("RGB")
            changes.append(t("assets.change.cmyk_naive"))
        return image
    if source is not None and mode in ("RGB", "RGBA"):
        description = (ImageCms.getProfileDescription(source) or "").lower().replace(" ", "").replace("-", "")
        if "srgb" not in description and "iec61966" not in description:
            image = _apply_profile(image, source, mode, mode)
            changes.append(t("assets.change.to_srgb", profile=ImageCms.getProfileDescription(source).strip()))
    if mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in mode else "RGB")
    return image


def _i16_to_l(image: Image.Image) -> Image.Image:
    return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")


def _apply_profile(
    image: Image.Image, source: ImageCms.ImageCmsProfile, in_mode: str, out_mode: str
) -> Image.Image:
    transform = ImageCms.buildTransform(
        source, _SRGB, in_mode, out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
    )
    result = ImageCms.applyTransform(image, transform)
    assert result is not None  # applyTransform returns None only with inPlace=True
    return result


def _choose_format(source: str, requested: str | None, section: SlotSection, alpha: bool) -> str:
    allowed = [f for f in section.formats if f in RASTER_FORMATS]
    if not allowed:
        raise ContentError("assets.fix_no_raster_format", formats=", ".join(section.formats))
    if requested in allowed:
        return requested
    if source in allowed and source != "gif":
        return source
    order = ("png", "webp", "avif", "jpeg", "gif") if alpha else ("jpeg", "webp", "png", "avif", "gif")
    return next(f for f in order if f in allowed)


def _flatten(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Fixed encoder settings, no metadata and no timestamps: the same pixels give the same bytes.
    image.info = {}
    options: dict[str, Any] = {}
    if fmt == "jpeg":
        options = {"quality": quality, "optimize": True, "progressive": True, "subsampling": 2}
    elif fmt == "png":
        options = {"optimize": True}
    elif fmt == "webp":
        options = {"quality": quality, "method": 4, "exact": False}
    elif fmt == "avif":
        options = {"quality": quality, "speed": 6}
    image.save(buffer, _PIL_SAVE[fmt], **options)
    return buffer.getvalue()


def _fit_budget(
    image: Image.Image, fmt: str, quality: int, section: SlotSection
) -> tuple[bytes, Image.Image, int]:
    """Encode, stepping quality down, then size (never below the slot's minimum), then quality again.

    Quality first down to a floor that still looks good, then shrinking (sharper than very low
    quality at full size), and only as a last resort quality below the floor at the smallest size.
    """
    budget = section.max_bytes
    lossy = fmt in ("jpeg", "webp", "avif")
    encoded = _encode(image, fmt, quality)
    if not budget or len(encoded) <= budget:
        return encoded, image, quality
    if lossy:
        while len(encoded) > budget and quality - _QUALITY_STEP >= _QUALITY_FLOOR:
            quality -= _QUALITY_STEP
            encoded = _encode(image, fmt, quality)
    current = image
    # The smallest scale that keeps both sides at or above the slot's minimum (and never enlarges).
    min_scale = min(
        1.0, max((section.min_width or 1) / image.width, (section.min_height or 1) / image.height)
    )
    scale = 1.0
    for _ in range(_MAX_SHRINKS):
        if len(encoded) <= budget or scale <= min_scale:
            break
        scale = max(min_scale, scale * _SHRINK)
        size = (math.ceil(image.width * scale - 1e-9), math.ceil(image.height * scale - 1e-9))
        current = image.resize(size, Image.Resampling.LANCZOS)
        encoded = _encode(current, fmt, quality)
    if lossy:
        while len(encoded) > budget and quality - _QUALITY_STEP >= _QUALITY_LAST_RESORT:
            quality -= _QUALITY_STEP
            encoded = _encode(current, fmt, quality)
    return encoded, current, quality


def _output_path(source: Path, out: Path, name: str, fmt: str) -> Path:
    if out.is_dir():
        return out / name
    ext = EXTENSIONS[fmt]
    claimed = EXTENSION_FORMATS.get(out.suffix.lower().lstrip("."))
    return out if claimed == fmt else out.with_suffix("." + ext)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a picture behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    # 0o666 minus the umask: the normal permissions of a new file (mkstemp would make it 0o600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def fix_image(path: Path, slot: str, config: SiteConfig, out: Path) -> FixResult:
    """Write a fixed copy of ``path`` for ``slot`` to ``out`` (a file path, or a folder to write into).

    When ``out`` is a folder the file gets its slot name (safe, lowercase, real extension). When it is
    a file whose extension names an allowed format, that format is used; otherwise the extension is
    corrected. Raises ``ContentError`` when nothing can be fixed (not an image, truncated, corrupt) and
    ``UsageError`` when ``out`` is the original file. The result carries the re-check of the output.
    """
    section = slot_section(config, slot)
    max_pixels = config.site.max_pixels
    data = read_file(path, file=str(path))
    info = inspect_bytes(data, max_pixels=max_pixels, file=str(path))
    if info.is_vector:
        raise ContentError("assets.fix_svg", file=path.name)
    if section.animation == "allow" and info.animated:
        raise ContentError("assets.fix_animated", file=path.name)
    changes: list[str] = []
    image = open_image(data, info.format, max_pixels=max_pixels, file=str(path))
    try:
        icc = image.info.get("icc_profile")
        if info.animated:
            image.seek(0)
            changes.append(t("assets.change.first_frame", frames=info.frames))
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ContentError("assets.fix_unreadable", file=path.name, error=str(exc)[:120]) from None
        working = image.copy() if not info.animated else image.convert(image.mode)
    finally:
        image.close()
    before_size = info.display_size
    if info.exif_orientation not in (None, 1):
        working = ImageOps.exif_transpose(working)
        changes.append(t("assets.change.rotated"))
    if info.bit_depth > 8 and not working.mode.startswith("I"):
        changes.append(t("assets.change.bit_depth"))
    working = _to_srgb(working, icc, changes)
    requested = EXTENSION_FORMATS.get(out.suffix.lower().lstrip(".")) if not out.is_dir() else None
    has_alpha = False
    if working.mode == "RGBA":
        low, _high = working.getchannel("A").getextrema()
        has_alpha = isinstance(low, int | float) and low < 255
    keep_alpha = has_alpha and section.allow_alpha
    fmt = _choose_format(info.format, requested, section, keep_alpha)
    if fmt == "jpeg":
        keep_alpha = False
    if working.mode == "RGBA" and not keep_alpha:
        working = _flatten(working) if has_alpha else working.convert("RGB")
        if has_alpha:
            changes.append(t("assets.change.flattened"))
    width, height = working.size
    scale = min(
        (section.max_width or width) / width,
        (section.max_height or height) / height,
        1.0,
    )
    if scale < 1.0:
        new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
        working = working.resize(new_size, Image.Resampling.LANCZOS)
    if fmt == "png" and not keep_alpha and requested != "png" and section.max_bytes:
        # A photo saved as PNG rarely fits a byte budget losslessly; a lossy format the slot takes
        # keeps full size at a fraction of the bytes (shrinking a PNG instead would lose more).
        lossy = [f for f in ("jpeg", "webp", "avif") if f in section.formats]
        if lossy and len(_encode(working.copy(), "png", 0)) > section.max_bytes:
            fmt = lossy[0]
    if fmt != info.format:
        changes.append(t("assets.change.converted", before=info.format.upper(), after=fmt.upper()))
    if info.trailing_bytes:
        changes.append(t("assets.change.trailing", size=format_bytes(info.trailing_bytes)))
    stripped = [
        label
        for label, present in (
            ("GPS", info.has_gps),
            ("EXIF", info.has_exif),
            ("XMP", info.has_xmp),
            ("ICC", bool(icc)),
        )
        if present
    ]
    if stripped:
        changes.append(t("assets.change.metadata", kinds=", ".join(stripped)))
    quality = {"jpeg": config.build.jpeg_quality, "webp": config.build.webp_quality}.get(
        fmt, config.build.avif_quality
    )
    encoded, working, used_quality = _fit_budget(working, fmt, quality, section)
    if working.size != (width, height):
        # one line for the whole resize (slot maximum and byte budget together)
        changes.append(
            t("assets.change.resized", before=f"{width}x{height}", after=f"{working.width}x{working.height}")
        )
    if section.max_bytes and info.bytes > section.max_bytes:
        changes.append(
            t(
                "assets.change.recompressed",
                before=format_bytes(info.bytes),
                after=format_bytes(len(encoded)),
                quality=used_quality,
            )
        )
    name = target_name(path.name, slot, section, _renamed(info, fmt))
    output = _output_path(path, out, name, fmt)
    if _same_file(path, output):
        raise UsageError("assets.fix_overwrite", file=str(path))
    if output.name != path.name:
        changes.append(t("assets.change.renamed", name=output.name))
    _write_atomic(output, encoded)
    logger.info(
        "fixed %s for slot %s -> %s (%s, %d -> %d bytes)", path, slot, output, fmt, info.bytes, len(encoded)
    )
    for change in changes:
        logger.debug("fix applied to %s: %s", path.name, change)
    check = check_image(output, slot, config, display_name=output.name)
    return FixResult(
        source=path,
        output=output,
        changes=changes,
        before_bytes=info.bytes,
        after_bytes=len(encoded),
        check=check,
        before_size=before_size,
        after_size=working.size,
        format=fmt,
    )


def _renamed(info: ImageInfo, fmt: str) -> ImageInfo:
    """``info`` with the output format, so the target name gets the right extension."""
    from dataclasses import replace

    return replace(info, format=fmt)
