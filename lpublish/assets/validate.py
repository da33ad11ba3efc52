"""Validating image and SVG files against a slot's rules.

Owns: ``AssetCheck`` (one file's findings), ``check_image`` (one file), ``check_images`` (many files,
in parallel across processes when there are enough of them), the slot lookup with a helpful error, and
the target file name a candidate would get in its slot folder. Every finding code produced here is
documented in ``docs/checks.md``. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from lpublish.assets.inspect import (
    RASTER_FORMATS,
    ImageInfo,
    ImageProblem,
    decode_image,
    inspect_bytes,
    read_file,
)
from lpublish.assets.names import EXTENSIONS, looks_like_traversal, safe_filename
from lpublish.config import SiteConfig, SlotSection
from lpublish.errors import UsageError
from lpublish.findings import Finding, Severity, error, warning
from lpublish.findings import info as info_finding
from lpublish.hashing import sha256_file
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.units import format_bytes

logger = logging.getLogger(__name__)

#: File extensions (lowercase, no dot) -> the canonical format they claim to be.
EXTENSION_FORMATS: dict[str, str] = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "jpe": "jpeg",
    "jfif": "jpeg",
    "png": "png",
    "apng": "png",
    "webp": "webp",
    "avif": "avif",
    "gif": "gif",
    "svg": "svg",
}
#: Below this many files a process pool costs more to start than it saves.
POOL_THRESHOLD = 12


@dataclass
class AssetCheck:
    """The result of checking one file for one slot.

    ``target_name`` is the safe name the file gets when added to the slot folder (empty when the file
    could not be read as an image).
    """

    path: Path
    slot: str
    info: ImageInfo | None
    findings: list[Finding] = field(default_factory=list)
    target_name: str = ""

    @property
    def ok(self) -> bool:
        """No error findings (warnings and notes are allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def fixable(self) -> bool:
        """Every error has a one-key fix (and there is something to fix or the file is fine)."""
        return self.info is not None and all(f.fix for f in self.findings if f.severity is Severity.ERROR)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def slot_section(config: SiteConfig, slot: str) -> SlotSection:
    """The rules of ``slot``; an unknown slot is a usage error that lists the slots that exist."""
    section = config.slots.get(slot)
    if section is None:
        available = ", ".join(sorted(config.slots)) or "-"
        raise UsageError("assets.unknown_slot", slot=slot, slots=available)
    return section


def target_name(original: str, slot: str, section: SlotSection, info: ImageInfo) -> str:
    """The file name a candidate gets in the slot folder: the slot's fixed name, else a safe name."""
    ext = EXTENSIONS.get(info.format, info.format)
    if section.kind == "file":
        return section.file.rsplit("/", 1)[-1]  # a file slot is replaced at its own path
    if section.filename:
        return f"{section.filename}.{ext}"
    return safe_filename(original, slot, info.sha256, ext)


def aspect_crop(width: int, height: int, ratio: float) -> tuple[int, int]:
    """The largest centred crop of ``width`` x ``height`` with aspect ``ratio`` (width / height)."""
    if width / height > ratio:
        return max(1, math.floor(height * ratio)), height
    return width, max(1, math.floor(width / ratio))


def _aspect_label(section: SlotSection) -> str:
    if isinstance(section.aspect, str):
        return section.aspect.replace(" ", "")
    return f"{section.aspect_ratio:.3g}"


def slot_findings(info: ImageInfo, section: SlotSection, file: str) -> list[Finding]:
    """Findings about ``info`` measured against the slot's rules (no I/O)."""
    out: list[Finding] = []
    raster_allowed = [f for f in section.formats if f in RASTER_FORMATS]
    if info.format not in section.formats:
        fix = "convert" if info.format in RASTER_FORMATS and raster_allowed else None
        out.append(
            error(
                "image.format-not-allowed",
                file,
                fix=fix,
                format=info.format.upper(),
                allowed=", ".join(f.upper() for f in section.formats),
            )
        )
    if section.max_bytes and info.bytes > section.max_bytes:
        fix = "recompress" if info.format in RASTER_FORMATS else None
        out.append(
            error(
                "image.too-many-bytes",
                file,
                fix=fix,
                size=format_bytes(info.bytes),
                max_bytes=format_bytes(section.max_bytes),
            )
        )
    if info.is_vector:
        return out
    width, height = info.display_size
    min_w, min_h = section.min_width or 0, section.min_height or 0
    if width < min_w or height < min_h:
        out.append(
            error(
                "image.too-small",
                file,
                width=width,
                height=height,
                min_width=section.min_width or "-",
                min_height=section.min_height or "-",
            )
        )
    ratio = section.aspect_ratio
    if ratio is not None and abs((width / height) / ratio - 1) > section.aspect_tolerance:
        crop_w, crop_h = aspect_crop(width, height, ratio)
        out.append(
            error(
                "image.wrong-aspect",
                file,
                width=width,
                height=height,
                aspect=_aspect_label(section),
                crop_width=crop_w,
                crop_height=crop_h,
            )
        )
    # Reported even with a wrong shape: every problem at once, so nobody fixes one and meets the next.
    if (section.max_width and width > section.max_width) or (
        section.max_height and height > section.max_height
    ):
        out.append(
            error(
                "image.too-large",
                file,
                fix="downscale",
                width=width,
                height=height,
                max_width=section.max_width or "-",
                max_height=section.max_height or "-",
            )
        )
    if info.mode == "CMYK" or info.icc_color_space == "CMYK":
        out.append(error("image.cmyk", file, fix="to-srgb"))
    elif not info.icc_is_srgb:
        out.append(error("image.color-profile", file, fix="to-srgb", profile=info.icc_description or "?"))
    if info.bit_depth > 8:
        out.append(error("image.high-bit-depth", file, fix="to-8-bit", bits=info.bit_depth))
    if info.has_alpha and not section.allow_alpha:
        out.append(error("image.alpha-not-allowed", file, fix="flatten"))
    if info.animated and section.animation != "allow":
        make = error if section.animation == "error" else warning
        out.append(make("image.animated", file, fix="first-frame", frames=info.frames))
    if info.trailing_bytes:
        out.append(
            error("image.trailing-data", file, fix="re-encode", size=format_bytes(info.trailing_bytes))
        )
    if info.exif_orientation not in (None, 1):
        out.append(warning("image.exif-orientation", file, fix="rotate", orientation=info.exif_orientation))
    if info.has_gps:
        out.append(error("image.gps-location", file, fix="strip-metadata"))
    if info.has_camera_serial:
        out.append(warning("image.camera-serial", file, fix="strip-metadata"))
    kinds = [k for k, present in (("XMP", info.has_xmp), ("EXIF", info.has_exif)) if present]
    if kinds and not info.has_gps and not info.has_camera_serial:
        out.append(info_finding("image.metadata", file, fix="strip-metadata", kinds=", ".join(kinds)))
    return out


def _extension_findings(path: Path, info: ImageInfo, file: str) -> list[Finding]:
    suffix = path.suffix.lower().lstrip(".")
    claimed = EXTENSION_FORMATS.get(suffix)
    if claimed == info.format:
        return []
    return [
        warning(
            "image.wrong-extension",
            file,
            fix="rename",
            format=info.format.upper(),
            extension=("." + suffix) if suffix else "-",
        )
    ]


def _svg_findings(data: bytes, file: str) -> list[Finding]:
    from lpublish.assets.svg import svg_problems

    return [error(code, file, **params) for code, params in svg_problems(data)]


def _problem_finding(problem: ImageProblem, file: str) -> Finding:
    return error(problem.code, file, **problem.finding_params)


def _folder_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    except OSError:
        return []


_hash_cache: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file, cached by (path, size, mtime) so repeated checks don't re-read the slot."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _hash_lock:
        cached = _hash_cache.get(key)
    if cached is not None:
        return cached
    try:
        digest = sha256_file(path)
    except OSError:
        return None
    with _hash_lock:
        _hash_cache[key] = digest
    return digest


def site_image_files(config: SiteConfig) -> list[Path]:
    """Image files in every slot folder and one level below (campaign folders), sorted."""
    found: set[Path] = set()
    for section in config.slots.values():
        folder = config.site_path(section.folder)
        for candidate in _folder_files(folder):
            found.add(candidate)
        try:
            subfolders = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
        except OSError:
            subfolders = []
        for sub in subfolders:
            found.update(_folder_files(sub))
    return sorted(p for p in found if p.suffix.lower().lstrip(".") in EXTENSION_FORMATS)


def _candidate_findings(
    path: Path, info: ImageInfo, config: SiteConfig, slot: str, section: SlotSection, file: str, name: str
) -> list[Finding]:
    """Duplicate (anywhere in the site) and name-collision (in the slot folder) findings for a candidate."""
    out: list[Finding] = []
    site_files = site_image_files(config)
    if not site_files:
        return out
    try:
        me = path.resolve()
    except OSError:
        me = path
    others = [p for p in site_files if p.resolve() != me]
    for other in others:
        try:
            same_size = other.stat().st_size == info.bytes  # cheap filter: hash only equal sizes
        except OSError:
            continue
        if same_size and file_sha256(other) == info.sha256:
            rel = (
                other.relative_to(config.root).as_posix() if other.is_relative_to(config.root) else str(other)
            )
            out.append(warning("image.duplicate", file, other=rel))
            break
    if not section.filename and section.kind != "file":
        folder = config.site_path(section.folder)
        clash = next((p for p in others if p.parent == folder and p.name.lower() == name.lower()), None)
        if clash is not None and file_sha256(clash) != info.sha256:
            out.append(warning("name.collision", file, name=name, other=clash.name))
    return out


def check_image(
    path: Path,
    slot: str,
    config: SiteConfig,
    *,
    alt: str | None = None,
    display_name: str | None = None,
    decode: bool = True,
    in_site: bool = False,
) -> AssetCheck:
    """Check the file at ``path`` as an image for ``slot``; every problem becomes a finding.

    ``alt`` is checked only when given (``None`` means "not asked yet"; ``""`` means "left empty").
    ``display_name`` is what findings call the file (default: the path as given). ``decode=False`` skips
    the full pixel decode (header-level only: fast, but truncation inside the data is not caught).
    ``in_site`` means the file already lives in the slot folder (name rules are then warnings to act on,
    not renames lpublish will do itself). Raises ``UsageError`` only for an unknown slot.
    """
    section = slot_section(config, slot)
    file = display_name or str(path)
    max_pixels = config.site.max_pixels
    check = AssetCheck(path=path, slot=slot, info=None)
    try:
        data = read_file(path, file=file)
        image_info = inspect_bytes(data, max_pixels=max_pixels, file=file)
    except ImageProblem as problem:
        check.findings.append(_problem_finding(problem, file))
        if alt is not None and section.alt_required and not alt.strip():
            check.findings.append(error("alt.missing", file))
        return check
    check.info = image_info
    findings = check.findings
    if image_info.is_vector:
        findings.extend(_svg_findings(data, file))
    elif decode:
        try:
            decode_image(data, image_info.format, max_pixels=max_pixels, file=file)
        except ImageProblem as problem:
            findings.append(_problem_finding(problem, file))
    if image_info.structure_truncated and not any(f.code == "image.truncated" for f in findings):
        findings.append(error("image.truncated", file))
    findings.extend(slot_findings(image_info, section, file))
    findings.extend(_extension_findings(path, image_info, file))
    name = path.name
    check.target_name = target_name(name, slot, section, image_info)
    if looks_like_traversal(name):
        findings.append(error("name.unsafe", file, fix="rename", name=name, target=check.target_name))
    elif in_site:
        if check.target_name != name:
            findings.append(
                warning("name.not-normalized", file, fix="rename", name=name, target=check.target_name)
            )
    else:
        if check.target_name != name:
            findings.append(info_finding("name.will-rename", file, name=name, target=check.target_name))
        findings.extend(_candidate_findings(path, image_info, config, slot, section, file, check.target_name))
    if alt is not None and section.alt_required and not alt.strip():
        findings.append(error("alt.missing", file))
    logger.debug(
        "checked %s for slot %s (%s%s%s): %s",
        file,
        slot,
        image_info.format,
        ", decoded" if decode and not image_info.is_vector else "",
        ", name and duplicates" if not in_site else "",
        ", ".join(f.code for f in findings) or "no findings",
    )
    return check


# --- many files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckJob:
    """One file to check, with everything ``check_image`` needs besides the config."""

    path: Path
    slot: str
    alt: str | None = None
    display_name: str | None = None
    in_site: bool = False


def _run_jobs(jobs: Sequence[CheckJob], config: SiteConfig, decode: bool) -> list[AssetCheck]:
    return [
        check_image(
            j.path, j.slot, config, alt=j.alt, display_name=j.display_name, decode=decode, in_site=j.in_site
        )
        for j in jobs
    ]


def _pool_context() -> multiprocessing.context.BaseContext:
    # forkserver: workers fork from a clean server that has the checker preloaded, so starting them is
    # cheap and safe even when the caller is a threaded TUI (plain fork is not).
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["lpublish.assets.validate"])
        return ctx
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_checks(
    jobs: Sequence[CheckJob],
    config: SiteConfig,
    *,
    workers: int = 0,
    decode: bool = True,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> list[AssetCheck]:
    """Check ``jobs`` in order; with several workers and enough files, in a process pool.

    ``workers``: 0 = all cores, 1 = in this process. Results come back in the order of ``jobs``.
    """
    for job in jobs:
        slot_section(config, job.slot)  # an unknown slot is a usage error before any work starts
    total = len(jobs)
    count = workers or default_workers()
    logger.info(
        "checking %d image(s)%s, %s",
        total,
        "" if decode else " (headers only)",
        "in this process" if count <= 1 or total < POOL_THRESHOLD else f"in {count} worker processes",
    )
    stage = "assets.progress.checking"
    progress(ProgressEvent(stage, 0, total))
    if count <= 1 or total < POOL_THRESHOLD:
        results: list[AssetCheck] = []
        for index, job in enumerate(jobs):
            check_cancel(cancel)
            results.extend(_run_jobs([job], config, decode))
            progress(ProgressEvent(stage, index + 1, total, job.display_name or job.path.name))
        return results
    # Chunks amortize inter-process overhead while keeping progress and cancellation responsive.
    size = max(1, min(32, total // (count * 4) or 1))
    chunks = [list(jobs[i : i + size]) for i in range(0, total, size)]
    slots: list[list[AssetCheck] | None] = [None] * len(chunks)
    done = 0
    with ProcessPoolExecutor(max_workers=count, mp_context=_pool_context()) as pool:
        futures: dict[Future[list[AssetCheck]], int] = {
            pool.submit(_run_jobs, chunk, config, decode): index for index, chunk in enumerate(chunks)
        }
        try:
            for future in as_completed(futures):
                check_cancel(cancel)
                index = futures[future]
                slots[index] = future.result()
                done += len(chunks[index])
                progress(ProgressEvent(stage, done, total))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [check for chunk in slots if chunk is not None for check in chunk]


def check_images(
    items: list[tuple[Path, str]],
    config: SiteConfig,
    *,
    workers: int = 0,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    decode: bool = True,
) -> list[AssetCheck]:
    """Check many ``(path, slot)`` candidates, in order; see ``run_checks`` for ``workers``."""
    jobs = [CheckJob(path, slot) for path, slot in items]
    return run_checks(jobs, config, workers=workers, decode=decode, progress=progress, cancel=cancel)
