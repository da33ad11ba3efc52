"""What an image file really is: format from content, dimensions, colour, metadata, structure.

Owns: ``ImageInfo``, ``inspect_image`` (cheap, header-level: no pixel decoding), ``decode_image`` (the
full decode that catches truncation, which ``Image.verify()`` does not), format sniffing by magic bytes
and small structural walkers (JPEG markers, PNG chunks, GIF blocks, RIFF, ISO-BMFF boxes) that find where
the image really ends (trailing data) and whether it is cut short.

Safety: Pillow only ever sees the one decoder the content was sniffed as (``formats=[...]``), and the
pixel count is checked against ``[site] max_pixels`` before any pixel is decoded
(``DecompressionBombWarning`` is turned into an error too). Must not import UI libraries.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageSequence

from lpublish.errors import ContentError
from lpublish.i18n import t

#: Canonical format name -> Pillow's decoder name. Nothing outside this allowlist is ever decoded.
PIL_FORMATS: dict[str, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF", "gif": "GIF"}
RASTER_FORMATS = tuple(PIL_FORMATS)
#: Files larger than this are not read at all (no slot wants them; reading would only waste memory).
HARD_MAX_BYTES = 256 * 1024 * 1024
#: Frames decoded at most when fully checking an animation (a cap against frame-count bombs).
MAX_FRAMES = 1000

_EXIF_ORIENTATION = 0x0112
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_SERIAL_TAGS = (0xA431, 0xA435, 0xC62F)  # BodySerialNumber, LensSerialNumber, CameraSerialNumber (DNG)


@dataclass(frozen=True)
class ImageInfo:
    """Facts about one image file, read from its content (never from its name).

    ``width``/``height`` are as stored; ``display_size`` applies the EXIF orientation.
    ``bit_depth`` is bits per channel. ``trailing_bytes`` counts bytes after the image's end marker.
    """

    format: str
    width: int
    height: int
    bytes: int
    mode: str
    has_alpha: bool
    animated: bool
    frames: int
    bit_depth: int
    icc_description: str | None
    exif_orientation: int | None
    has_gps: bool
    has_xmp: bool
    sha256: str
    icc_is_srgb: bool = True
    icc_color_space: str | None = None
    has_camera_serial: bool = False
    has_exif: bool = False
    trailing_bytes: int = 0
    structure_truncated: bool = False

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as a browser shows the image (EXIF orientations 5-8 swap them)."""
        if self.exif_orientation in (5, 6, 7, 8):
            return self.height, self.width
        return self.width, self.height

    @property
    def is_vector(self) -> bool:
        return self.format == "svg"


class ImageProblem(ContentError):
    """A file that cannot be inspected as an image; ``code`` is the finding code that describes why."""

    def __init__(self, code: str, file: str = "", **params: Any) -> None:
        self.code = code
        self.finding_params = params
        detail = t(f"finding.{code}.message", default=code, file=file, **params)
        super().__init__("assets.unreadable", file=file, detail=detail)


# --- sniffing ------------------------------------------------------------------------------------


def _ftyp_brands(head: bytes) -> set[bytes]:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return set()
    size = struct.unpack(">I", head[:4])[0]
    end = min(max(size, 16), len(head))
    brands = {head[8:12]}
    brands.update(head[i : i + 4] for i in range(16, end - 3, 4))
    return brands


def sniff_format(head: bytes) -> str | None:
    """The canonical format of a file from its first bytes, or ``None`` when it is not a known image."""
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _ftyp_brands(head) & {b"avif", b"avis"}:
        return "avif"
    if _looks_like_svg(head):
        return "svg"
    return None


def _text_start(head: bytes) -> bytes:
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def _looks_like_svg(head: bytes) -> bool:
    start = _text_start(head[:8192])
    if not start.startswith(b"<"):
        return False
    lowered = start.lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return False
    return re.search(rb"<svg[\s>/]", lowered) is not None


def describe_content(head: bytes) -> tuple[str, bool]:
    """A short name for what a non-image file is, and whether it is an image format we don't take."""
    brands = _ftyp_brands(head)
    if brands & {b"heic", b"heix", b"mif1", b"msf1", b"hevc"}:
        return "HEIC", True
    known: list[tuple[bytes, str, bool]] = [
        (b"II*\x00", "TIFF", True),
        (b"MM\x00*", "TIFF", True),
        (b"BM", "BMP", True),
        (b"8BPS", "PSD", True),
        (b"\x00\x00\x01\x00", "ICO", True),
        (b"%PDF", "PDF", False),
        (b"PK\x03\x04", "ZIP", False),
        (b"\x7fELF", "program", False),
        (b"MZ", "program", False),
    ]
    for magic, name, is_image in known:
        if head.startswith(magic):
            return name, is_image
    start = _text_start(head[:4096]).lower()
    if start.startswith((b"<!doctype html", b"<html")) or re.search(rb"<(html|body|script)[\s>]", start):
        return "HTML", False
    if start.startswith(b"<"):
        return "XML", False
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "binary", False
    return "text", False


# --- structure walkers ----------------------------------------------------------------------------


@dataclass
class Structure:
    """Where the image data ends and what the container says about itself."""

    end: int | None = None  # offset just past the image's end; None when the end was not found
    truncated: bool = False
    bit_depth: int | None = None
    frames: int | None = None
    metadata: set[str] | None = None


_JPEG_MARKER = re.compile(rb"\xff[\x01-\xcf\xd8-\xfe]")


def _jpeg_structure(data: bytes) -> Structure:
    n = len(data)
    pos = 2
    while pos < n:
        if data[pos] != 0xFF:
            # Not a marker where one must be: the end is unknown; the decoder judges the damage.
            return Structure(end=None)
        while pos < n and data[pos] == 0xFF:
            pos += 1
        if pos >= n:
            break
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return Structure(end=pos)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if pos + 2 > n:
            break
        length = (data[pos] << 8) | data[pos + 1]
        if length < 2:
            return Structure(end=None)
        pos += length
        if marker != 0xDA:
            continue
        # Entropy-coded data: find the next real marker in one C-level regex scan (FF00 is a stuffed
        # byte, FFD0-D7 are restart markers, extra FFs are fill); a per-byte Python loop is 20x slower.
        found = _JPEG_MARKER.search(data, pos)
        if found is None:
            return Structure(truncated=True)
        pos = found.start()
    return Structure(truncated=True)


def _png_structure(data: bytes) -> Structure:
    n = len(data)
    pos = 8
    result = Structure(metadata=set())
    assert result.metadata is not None
    while pos + 8 <= n:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if pos + 12 + length > n:
            result.truncated = True
            return result
        body = data[pos + 8 : pos + 8 + min(length, 64)]
        if kind == b"IHDR" and length >= 13:
            result.bit_depth = body[8]
        elif kind == b"acTL" and length >= 8:
            result.frames = struct.unpack(">I", body[:4])[0]
        elif kind == b"eXIf":
            result.metadata.add("exif")
        elif kind in (b"iTXt", b"tEXt", b"zTXt"):
            result.metadata.add("xmp" if body.startswith(b"XML:com.adobe.xmp\x00") else "text")
        elif kind == b"tIME":
            result.metadata.add("time")
        pos += 12 + length
        if kind == b"IEND":
            result.end = pos
            return result
    result.truncated = True
    return result


def _gif_skip_sub_blocks(data: bytes, pos: int) -> int:
    n = len(data)
    while pos < n:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size
    return -1


def _gif_structure(data: bytes) -> Structure:
    n = len(data)
    if n < 13:
        return Structure(truncated=True)
    packed = data[10]
    pos = 13 + (3 * (2 ** ((packed & 7) + 1)) if packed & 0x80 else 0)
    frames = 0
    while pos < n:
        block = data[pos]
        pos += 1
        if block == 0x3B:
            return Structure(end=pos, frames=frames)
        if block == 0x21:
            pos = _gif_skip_sub_blocks(data, pos + 1)
        elif block == 0x2C:
            if pos + 9 > n:
                break
            local = data[pos + 8]
            pos += 9 + (3 * (2 ** ((local & 7) + 1)) if local & 0x80 else 0)
            pos = _gif_skip_sub_blocks(data, pos + 1)  # +1: the LZW minimum code size byte
            frames += 1
        else:
            return Structure(end=None, frames=frames)
        if pos < 0:
            break
    return Structure(truncated=True, frames=frames)


def _riff_structure(data: bytes) -> Structure:
    if len(data) < 12:
        return Structure(truncated=True)
    size = struct.unpack("<I", data[4:8])[0]
    end = 8 + size + (size & 1)
    if end > len(data):
        # An odd-sized RIFF without its pad byte is common and harmless.
        if end - 1 == len(data) and size & 1:
            return Structure(end=len(data))
        return Structure(truncated=True)
    return Structure(end=end)


_BMFF_TOP = {b"ftyp", b"meta", b"moov", b"mdat", b"free", b"skip", b"uuid", b"moof", b"mfra", b"pdin"}
_BMFF_TOP |= {b"styp", b"sidx", b"ssix", b"prft", b"emsg", b"meco", b"wide"}


def _bmff_structure(data: bytes) -> Structure:
    n = len(data)
    pos = 0
    while pos + 8 <= n:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind not in _BMFF_TOP:
            return Structure(end=pos)
        if size == 1:
            if pos + 16 > n:
                return Structure(truncated=True)
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif size == 0:
            size = n - pos
        if size < 8 or pos + size > n:
            return Structure(truncated=True)
        pos += size
    return Structure(end=pos)


def structure(data: bytes, fmt: str) -> Structure:
    """Walk the container of ``data`` (already sniffed as ``fmt``) without decoding pixels."""
    walker = {
        "jpeg": _jpeg_structure,
        "png": _png_structure,
        "gif": _gif_structure,
        "webp": _riff_structure,
        "avif": _bmff_structure,
    }.get(fmt)
    return walker(data) if walker else Structure(end=len(data))


# --- opening with limits ---------------------------------------------------------------------------


def open_image(data: bytes, fmt: str, *, max_pixels: int, file: str = "") -> Image.Image:
    """Open ``data`` with only the ``fmt`` decoder, refusing images above ``max_pixels``.

    Reads the header only. Raises ``ImageProblem`` (``image.too-many-pixels`` or ``image.corrupt``).
    """
    pil_format = PIL_FORMATS[fmt]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pil_format])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width, height = _claimed_size(data, fmt)
        raise ImageProblem(
            "image.too-many-pixels", file, width=width, height=height, max_pixels=max_pixels
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise ImageProblem("image.corrupt", file, error=_short_error(exc)) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageProblem("image.corrupt", file, error="zero size")
    if width * height > max_pixels:
        image.close()
        raise ImageProblem("image.too-many-pixels", file, width=width, height=height, max_pixels=max_pixels)
    return image


def _claimed_size(data: bytes, fmt: str) -> tuple[int, int]:
    """Width and height as the header claims them (for messages about oversized images)."""
    if fmt == "png" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if fmt == "gif" and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if fmt == "jpeg":
        for match in re.finditer(rb"\xff[\xc0-\xc3\xc5-\xc7\xc9-\xcb\xcd-\xcf]", data[:65536]):
            start = match.end() + 3
            if start + 4 <= len(data):
                h, w = struct.unpack(">HH", data[start : start + 4])
                return int(w), int(h)
    return 0, 0


def _short_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def _icc(profile_bytes: bytes | None) -> tuple[str | None, bool, str | None]:
    """(description, is sRGB, colour space) of an embedded ICC profile."""
    if not profile_bytes:
        return None, True, None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
        description = (ImageCms.getProfileDescription(profile) or "").strip() or "unnamed"
        space = str(profile.profile.xcolor_space).strip()
    except (OSError, ImageCms.PyCMSError, ValueError, TypeError):
        return "unreadable", False, None
    squashed = description.lower().replace(" ", "").replace("-", "")
    is_srgb = "srgb" in squashed or "iec61966" in squashed or space in ("GRAY", "CMYK")
    return description, is_srgb and space != "CMYK", space


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        return True
    return "transparency" in image.info


def inspect_bytes(data: bytes, *, max_pixels: int, file: str = "") -> ImageInfo:
    """``inspect_image`` for content already in memory."""
    if not data:
        raise ImageProblem("file.empty", file)
    fmt = sniff_format(data[:8192])
    digest = hashlib.sha256(data).hexdigest()
    if fmt is None:
        kind, is_image = describe_content(data[:8192])
        raise ImageProblem("image.unsupported-format" if is_image else "image.not-an-image", file, kind=kind)
    if fmt == "svg":
        from lpublish.assets.svg import svg_size

        width, height = svg_size(data)
        return ImageInfo(
            format="svg",
            width=width,
            height=height,
            bytes=len(data),
            mode="vector",
            has_alpha=True,
            animated=False,
            frames=1,
            bit_depth=8,
            icc_description=None,
            exif_orientation=None,
            has_gps=False,
            has_xmp=False,
            sha256=digest,
        )
    walked = structure(data, fmt)
    try:
        image = open_image(data, fmt, max_pixels=max_pixels, file=file)
    except ImageProblem as problem:
        if problem.code == "image.corrupt" and walked.truncated:
            raise ImageProblem("image.truncated", file) from None
        raise
    try:
        with warnings.catch_warnings():
            # A damaged EXIF block makes Pillow warn ("Truncated File Read") on stderr; what we can
            # read is enough, and a designer should not see parser noise.
            warnings.simplefilter("ignore", UserWarning)
            exif = image.getexif()
            orientation_raw = exif.get(_EXIF_ORIENTATION)
            gps = exif.get_ifd(_GPS_IFD) if _GPS_IFD in exif else {}
            exif_ifd = exif.get_ifd(_EXIF_IFD) if _EXIF_IFD in exif else {}
        orientation = int(orientation_raw) if isinstance(orientation_raw, int) else None
        serial = any(tag in exif_ifd or tag in exif for tag in _SERIAL_TAGS)
        metadata = walked.metadata or set()
        has_xmp = "xmp" in image.info or "XML:com.adobe.xmp" in image.info or "xmp" in metadata
        description, is_srgb, space = _icc(image.info.get("icc_profile"))
        frames = walked.frames if walked.frames is not None else int(getattr(image, "n_frames", 1) or 1)
        bits = walked.bit_depth if fmt == "png" and walked.bit_depth else int(getattr(image, "bits", 8) or 8)
        if image.mode.startswith("I;16") or image.mode == "I":
            bits = max(bits, 16)
        trailing = len(data) - walked.end if walked.end is not None else 0
        return ImageInfo(
            format=fmt,
            width=image.width,
            height=image.height,
            bytes=len(data),
            mode=image.mode,
            has_alpha=_has_alpha(image),
            animated=frames > 1,
            frames=max(1, frames),
            bit_depth=bits,
            icc_description=description,
            exif_orientation=orientation,
            has_gps=bool(gps),
            has_xmp=has_xmp,
            sha256=digest,
            icc_is_srgb=is_srgb,
            icc_color_space=space,
            has_camera_serial=serial,
            has_exif=len(exif) > 0 or "exif" in metadata,
            trailing_bytes=max(0, trailing),
            structure_truncated=walked.truncated,
        )
    except ImageProblem:
        raise
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, KeyError, TypeError) as exc:
        if walked.truncated or "truncated" in str(exc).lower():
            raise ImageProblem("image.truncated", file) from None
        raise ImageProblem("image.corrupt", file, error=_short_error(exc)) from None
    finally:
        image.close()


def read_file(path: Path, *, file: str = "") -> bytes:
    """The bytes of ``path``; every way this can fail becomes an ``ImageProblem`` with a plain code."""
    label = file or str(path)
    try:
        if not path.exists():
            raise ImageProblem("file.not-found", label)
        if path.is_dir():
            raise ImageProblem("file.is-directory", label)
        if not path.is_file():
            raise ImageProblem("file.not-regular", label)
        size = path.stat().st_size
        if size > HARD_MAX_BYTES:
            raise ImageProblem("file.too-big", label, size=size, limit=HARD_MAX_BYTES)
        return path.read_bytes()
    except ImageProblem:
        raise
    except PermissionError:
        raise ImageProblem("file.unreadable", label, error="permission denied") from None
    except OSError as exc:
        raise ImageProblem("file.unreadable", label, error=_short_error(exc)) from None


def inspect_image(path: Path, *, max_pixels: int) -> ImageInfo:
    """Header-level facts about the image at ``path`` (no pixel decoding; cheap).

    Detects the format from the content, refuses decompression bombs before decoding, and reads
    dimensions, mode, bit depth, ICC profile, EXIF orientation, GPS, camera serials, XMP, animation and
    trailing data. Raises ``ImageProblem`` (a ``ContentError``) for files that are not readable images.
    """
    return inspect_bytes(read_file(path), max_pixels=max_pixels, file=str(path))


def decode_image(data: bytes, fmt: str, *, max_pixels: int, file: str = "") -> None:
    """Decode every pixel (and every frame, up to ``MAX_FRAMES``) to prove the file is complete.

    JPEGs are decoded at 1/8 scale with ``Image.draft``: the whole entropy-coded stream is still read
    (so truncation and corruption are caught) but the inverse DCT work shrinks 64-fold. Raises
    ``ImageProblem`` (``image.truncated`` or ``image.corrupt``).
    """
    if fmt not in PIL_FORMATS:
        return
    image = open_image(data, fmt, max_pixels=max_pixels, file=file)
    try:
        if fmt == "jpeg":
            image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
        if getattr(image, "is_animated", False):
            # Frames cost pixels too: stop once the frames decoded add up to the pixel limit (an
            # animation bomb of small frames), and at MAX_FRAMES whatever their size.
            pixels = image.width * image.height
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                if index >= MAX_FRAMES or index * pixels > max_pixels:
                    break
                frame.load()
        else:
            image.load()
    except (OSError, SyntaxError, ValueError, struct.error, EOFError, Image.DecompressionBombError) as exc:
        message = str(exc).lower()
        if "truncated" in message or "end of file" in message or isinstance(exc, EOFError):
            raise ImageProblem("image.truncated", file) from None
        raise ImageProblem("image.corrupt", file, error=_short_error(exc)) from None
    finally:
        image.close()
