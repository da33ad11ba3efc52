"""Responsive image variants for the build: widths, formats, encoding, the content-keyed cache.

Owns: choosing variant widths (never upscaling), encoding AVIF / WebP / JPEG-or-PNG with fixed encoder
settings (so rebuilds are byte-identical), the incremental cache in ``<site>/.lpublish-cache/`` keyed by
source content + parameters, parallel encoding across cores, and the ``<picture>`` markup. Must not
import UI libraries.

Determinism notes (measured 2026-11, Pillow 12): the AVIF encoder's output depends on its thread count,
so it always runs with ``max_threads=1`` (parallelism comes from encoding different images in different
processes instead). No metadata (EXIF, XMP, ICC) is written.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import html
import io
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from lpublish.errors import CancelledError
from lpublish.media_types import CONTENT_TYPES
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress

logger = logging.getLogger(__name__)

#: Bump when encoder settings or resizing change, so old cache entries are not reused.
CACHE_VERSION = 1
#: libavif speed (0 slowest/best .. 10 fastest). 6 is libavif's own default and a good size/time balance.
AVIF_SPEED = 6
#: WebP method (0 fast .. 6 slowest/best). 4 is libwebp's default.
WEBP_METHOD = 4
PIL_FORMAT = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
EXTENSION = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
#: A format's type for ``<source type=...>``: the one content-type table's, by the format's extension.
MIME = {fmt: CONTENT_TYPES[f".{ext}"] for fmt, ext in EXTENSION.items()}
#: Formats the build reads as responsive sources; anything else (SVG, GIF) is copied as it is.
RASTER_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif"}


class ImageReadError(Exception):
    """A source image could not be decoded (reported as a build finding)."""


@dataclass(frozen=True)
class SourceInfo:
    """What the build needs to know about a source image before encoding it."""

    sha256: str
    width: int
    height: int
    alpha: bool


@dataclass(frozen=True)
class Variant:
    """One encoded variant, stored in the cache and copied to ``assets/`` under a content-hashed name."""

    key: str
    format: str
    width: int
    height: int
    size: int
    sha256: str
    name: str

    @property
    def path(self) -> str:
        """The output path (posix, relative to the build output)."""
        return f"assets/{self.name}"


@dataclass
class ResponsiveImage:
    """A source image and all its variants: formats in preference order, fallback last."""

    source: str
    width: int
    height: int
    formats: list[str]
    sha256: str = ""
    variants: list[Variant] = field(default_factory=list)

    @property
    def fallback(self) -> str:
        return self.formats[-1]

    def of_format(self, fmt: str) -> list[Variant]:
        return sorted((v for v in self.variants if v.format == fmt), key=lambda v: v.width)

    def largest(self, fmt: str | None = None) -> Variant:
        return self.of_format(fmt or self.fallback)[-1]

    def html(
        self, url: Callable[[str], str], *, alt: str, sizes: str, css_class: str = "", eager: bool = False
    ) -> str:
        """``<picture>`` markup with ``srcset``/``sizes`` per format and a sized fallback ``<img>``."""
        lines = [f'<picture class="{html.escape(css_class)}">' if css_class else "<picture>"]
        for fmt in self.formats[:-1]:
            srcset = ", ".join(f"{url(v.path)} {v.width}w" for v in self.of_format(fmt))
            lines.append(
                f'<source type="{MIME[fmt]}" srcset="{html.escape(srcset)}" sizes="{html.escape(sizes)}">'
            )
        fallback = self.of_format(self.fallback)
        best = fallback[-1]
        srcset = ", ".join(f"{url(v.path)} {v.width}w" for v in fallback)
        loading = 'fetchpriority="high"' if eager else 'loading="lazy"'
        lines.append(
            f'<img src="{html.escape(url(best.path))}" srcset="{html.escape(srcset)}" '
            f'sizes="{html.escape(sizes)}" width="{best.width}" height="{best.height}" '
            f'alt="{html.escape(alt)}" {loading} decoding="async">'
        )
        lines.append("</picture>")
        return "".join(lines)


def variant_widths(source_width: int, widths: Iterable[int]) -> list[int]:
    """Target widths for a source: the configured ones it can fill, never upscaled.

    The source's own width is added when it is narrower than the largest configured width, so the
    sharpest variant is never thrown away (this also covers "smaller than every configured width").
    """
    wanted = sorted({w for w in widths if w > 0})
    chosen = [w for w in wanted if w <= source_width]
    if not wanted or source_width < wanted[-1]:
        chosen.append(source_width)
    return sorted(set(chosen))


def safe_stem(path: Path) -> str:
    """An ASCII file-name stem for output names (designers' names may be Japanese or have spaces)."""
    text = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode("ascii").lower()
    stem = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40]
    return stem or "image"


def read_source(path: Path, max_pixels: int) -> SourceInfo:
    """Hash a source and read its size without decoding pixels (raises ``ImageReadError``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageReadError(type(exc).__name__) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(PIL_FORMAT.values())) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise ImageReadError("too-many-pixels")
                orientation = img.getexif().get(0x0112, 1)
                if orientation in (5, 6, 7, 8):  # rotated a quarter turn: exif_transpose swaps axes
                    width, height = height, width
                alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    except ImageReadError:
        raise
    except Exception as exc:  # Pillow raises many types for bad files; all mean "cannot read"
        raise ImageReadError(type(exc).__name__) from None
    return SourceInfo(hashlib.sha256(data).hexdigest(), width, height, alpha)


def cache_key(info: SourceInfo, fmt: str, width: int, quality: int) -> str:
    params = {
        "v": CACHE_VERSION,
        "src": info.sha256,
        "fmt": fmt,
        "w": width,
        "q": quality,
        "avif_speed": AVIF_SPEED,
        "webp_method": WEBP_METHOD,
        "pillow": Image.__version__,
    }
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def _encode(img: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "avif":
        img.save(buffer, "AVIF", quality=quality, speed=AVIF_SPEED, max_threads=1, autotiling=False)
    elif fmt == "webp":
        img.save(buffer, "WEBP", quality=quality, method=WEBP_METHOD)
    elif fmt == "jpeg":
        img.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True, subsampling="4:2:0")
    elif fmt == "png":
        img.save(buffer, "PNG", optimize=True)
    else:  # pragma: no cover - guarded by the caller
        raise ValueError(fmt)
    return buffer.getvalue()


def _decode(source: str, width: int, max_pixels: int) -> Image.Image:
    """Decode ``source`` for a variant ``width`` px wide, upright, as RGB or RGBA.

    JPEG sources at least twice as wide as the variant are decoded at a reduced DCT scale (libjpeg's
    1/2, 1/4, 1/8), never below twice the variant's size, so Lanczos still has detail to work with: the
    same "shrink on load" sharp does. The scale depends only on ``width``, never on which other
    variants are being made, so a variant is byte-identical however the cache was filled.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    with Image.open(source, formats=list(PIL_FORMAT.values())) as opened:
        if opened.format == "JPEG":
            raw_w, raw_h = opened.size
            quarter_turn = opened.getexif().get(0x0112, 1) in (5, 6, 7, 8)
            upright_w, upright_h = (raw_h, raw_w) if quarter_turn else (raw_w, raw_h)
            if width * 2 <= upright_w:
                height = max(1, round(upright_h * width / upright_w))
                want = (height * 2, width * 2) if quarter_turn else (width * 2, height * 2)
                opened.draft("RGB", want)
        opened.load()
        img = ImageOps.exif_transpose(opened) or opened
        has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
        return img.convert("RGBA" if has_alpha else "RGB")


def encode_source(
    source: str,
    plan: list[tuple[int, list[tuple[str, str, int]]]],
    cache_dir: str,
    max_pixels: int,
    source_width: int,
) -> list[tuple[str, str, int, int, int, str]]:
    """Worker: for each ``(width, jobs)`` of ``source``, decode, resize and encode every job.

    A job is ``(cache key, format, quality)``. Each result is written into the cache (atomically) and
    described as ``(key, format, width, height, size, sha256)``. Runs in a worker process, so it takes
    and returns plain values only. Every width is resized from the source (not from a smaller variant).
    """
    results = []
    for width, jobs in plan:
        img = _decode(source, width, max_pixels)
        if width < img.width:
            # Height from the source's full size, so a reduced-scale decode cannot change it by rounding.
            full_height = img.height * source_width / img.width
            height = max(1, round(full_height * width / source_width))
            img = img.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        for key, fmt, quality in jobs:
            frame = img.convert("RGB") if fmt == "jpeg" and img.mode != "RGB" else img
            data = _encode(frame, fmt, quality)
            target = cache_path(Path(cache_dir), key, fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            results.append((key, fmt, img.width, img.height, len(data), hashlib.sha256(data).hexdigest()))
    return results


def cache_path(cache_dir: Path, key: str, fmt: str) -> Path:
    return cache_dir / "variants" / key[:2] / f"{key}.{EXTENSION[fmt]}"


class VariantCache:
    """The index of encoded variants (key -> sizes and hash), persisted as JSON next to the files."""

    def __init__(self, cache_dir: Path) -> None:
        self.dir = cache_dir
        self.index_path = cache_dir / "variants.json"
        self.entries: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.index_path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.entries = dict(data.get("entries", {}))
        except (OSError, ValueError, AttributeError):
            self.entries = {}  # a missing or damaged cache only costs time

    def get(self, key: str, fmt: str) -> dict[str, Any] | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        path = cache_path(self.dir, key, fmt)
        try:
            if path.stat().st_size != entry["size"]:
                return None
        except OSError:
            return None
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        self.entries[key] = entry

    def prune(self, current: dict[str, str], root: Path) -> None:
        """Forget variants of sources that were replaced (``current``: rel path -> sha256) or deleted.

        Entries for sources that still exist but were not used by this build stay (a preview uses
        scheduled campaigns' images that a normal build skips; switching must not re-encode them).
        """
        for key in sorted(self.entries):
            entry = self.entries[key]
            source = str(entry.get("source", ""))
            stale = not source or (
                current[source] != entry.get("src") if source in current else not (root / source).is_file()
            )
            if stale:
                fmt = str(entry.get("format", ""))
                if fmt in EXTENSION:
                    cache_path(self.dir, key, fmt).unlink(missing_ok=True)
                del self.entries[key]

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": CACHE_VERSION, "entries": self.entries}, sort_keys=True, indent=1)
        tmp = self.index_path.with_name(f".variants.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.index_path)


@dataclass(frozen=True)
class ImageRequest:
    """An image a page uses: its site-relative path and the widths/formats it needs."""

    source: Path
    rel: str
    widths: tuple[int, ...]
    formats: tuple[str, ...]
    #: Output name stem (ASCII); variants are ``assets/<stem>-<width>.<hash>.<ext>``.
    stem: str = ""


@dataclass
class VariantSettings:
    jpeg_quality: int = 82
    webp_quality: int = 80
    avif_quality: int = 60
    workers: int = 0
    max_pixels: int = 50_000_000
    #: Below this many source pixels in total, encode in this process: starting worker processes
    #: costs more than it saves for a few small images.
    parallel_min_pixels: int = 2_000_000

    def quality(self, fmt: str) -> int:
        return {"avif": self.avif_quality, "webp": self.webp_quality, "jpeg": self.jpeg_quality}.get(fmt, 0)


def _pool_context() -> Any:
    # "fork" copies whatever threads the parent has (the preview server, the TUI); forkserver and
    # spawn start clean workers and are safe in a threaded process.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def generate_variants(
    requests: list[ImageRequest],
    cache: VariantCache,
    settings: VariantSettings,
    *,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> tuple[dict[str, ResponsiveImage], dict[str, str], int, int]:
    """Produce every variant the requests need, reusing cached ones.

    Returns ``(images by rel path, errors by rel path, generated count, reused count)``. Cache misses
    are encoded in parallel worker processes, one task per source image (decoded once).
    """
    images: dict[str, ResponsiveImage] = {}
    failures: dict[str, str] = {}
    tasks: list[tuple[ImageRequest, SourceInfo, list[tuple[int, list[tuple[str, str, int]]]]]] = []
    reused = 0
    for request in sorted(requests, key=lambda r: r.rel):
        if request.rel in images or request.rel in failures:
            continue
        try:
            info = read_source(request.source, settings.max_pixels)
        except ImageReadError as exc:
            logger.info("responsive images: %s unreadable: %s", request.rel, exc)
            failures[request.rel] = str(exc)
            continue
        formats = [*request.formats, "png" if info.alpha else "jpeg"]
        image = ResponsiveImage(request.rel, info.width, info.height, formats, info.sha256)
        images[request.rel] = image
        plan: list[tuple[int, list[tuple[str, str, int]]]] = []
        for width in variant_widths(info.width, request.widths):
            jobs = []
            for fmt in formats:
                key = cache_key(info, fmt, width, settings.quality(fmt))
                entry = cache.get(key, fmt)
                if entry is not None:
                    image.variants.append(_variant(request, key, fmt, entry))
                    reused += 1
                else:
                    jobs.append((key, fmt, settings.quality(fmt)))
            if jobs:
                plan.append((width, jobs))
        if plan:
            tasks.append((request, info, plan))
    logger.info(
        "responsive images: %d source(s), %d variant(s) reused from %s, %d source(s) to encode",
        len(images),
        reused,
        cache.dir,
        len(tasks),
    )
    generated = 0
    for request, info, produced, failure in _run_tasks(tasks, cache.dir, settings, progress, cancel):
        if produced is None:
            failures[request.rel] = failure
            images.pop(request.rel, None)
            continue
        for key, fmt, width, height, size, sha in produced:
            entry = {
                "format": fmt,
                "width": width,
                "height": height,
                "size": size,
                "sha256": sha,
                "source": request.rel,
                "src": info.sha256,
            }
            cache.put(key, entry)
            images[request.rel].variants.append(_variant(request, key, fmt, entry))
            generated += 1
    for image in images.values():
        image.variants.sort(key=lambda v: (image.formats.index(v.format), v.width))
    logger.debug("responsive images: %d variant(s) encoded, %d failure(s)", generated, len(failures))
    return images, failures, generated, reused


Task = tuple[ImageRequest, SourceInfo, list[tuple[int, list[tuple[str, str, int]]]]]
Outcome = tuple[ImageRequest, SourceInfo, list[tuple[str, str, int, int, int, str]] | None, str]


def _run_tasks(
    tasks: list[Task],
    cache_dir: Path,
    settings: VariantSettings,
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> list[Outcome]:
    """Encode the tasks, in worker processes when worthwhile; failures become reasons."""
    if not tasks:
        return []
    # One unit of work per (source, width): big variants first, so the cores finish together.
    units = sorted(
        ((request, info, [(width, jobs)]) for request, info, plan in tasks for width, jobs in plan),
        key=lambda u: (-u[2][0][0] * len(u[2][0][1]), u[0].rel),
    )
    total = len(units)
    progress(ProgressEvent("site.progress.images", 0, total))
    workers = max(1, min(settings.workers or (os.cpu_count() or 1), total))
    if sum(info.width * info.height for _, info, _ in tasks) < settings.parallel_min_pixels:
        workers = 1
    produced: dict[str, list[tuple[str, str, int, int, int, str]]] = {}
    failed: dict[str, str] = {}

    def record(
        request: ImageRequest, result: list[tuple[str, str, int, int, int, str]] | None, why: str
    ) -> None:
        if result is None:
            failed.setdefault(request.rel, why)
        else:
            produced.setdefault(request.rel, []).extend(result)

    if workers == 1:
        for done, (request, info, plan) in enumerate(units, start=1):
            check_cancel(cancel)
            try:
                record(
                    request,
                    encode_source(str(request.source), plan, str(cache_dir), settings.max_pixels, info.width),
                    "",
                )
            except Exception as exc:  # a file Pillow cannot encode is a finding, not a crash
                record(request, None, type(exc).__name__)
            progress(ProgressEvent("site.progress.images", done, total, request.source.name))
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
            futures = {
                pool.submit(
                    encode_source, str(request.source), plan, str(cache_dir), settings.max_pixels, info.width
                ): request
                for request, info, plan in units
            }
            try:
                for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
                    request = futures[future]
                    try:
                        record(request, future.result(), "")
                    except Exception as exc:
                        record(request, None, type(exc).__name__)
                    progress(ProgressEvent("site.progress.images", done, total, request.source.name))
                    check_cancel(cancel)
            except CancelledError:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    # Completion order varies between runs; results must not.
    outcomes: list[Outcome] = []
    for request, info, _ in sorted(tasks, key=lambda t: t[0].rel):
        if request.rel in failed:
            outcomes.append((request, info, None, failed[request.rel]))
        else:
            outcomes.append((request, info, sorted(produced.get(request.rel, [])), ""))
    return outcomes


def _variant(request: ImageRequest, key: str, fmt: str, entry: dict[str, Any]) -> Variant:
    stem = request.stem or safe_stem(request.source)
    name = f"{stem}-{entry['width']}.{entry['sha256'][:12]}.{EXTENSION[fmt]}"
    return Variant(
        key, fmt, int(entry["width"]), int(entry["height"]), int(entry["size"]), entry["sha256"], name
    )
