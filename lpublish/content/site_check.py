"""Checking the whole site's content: references, and each slot's images against its rules.

Owns: ``check_content`` (what ``lpublish check`` runs without files; the CLI adds the campaign checks
of ``lpublish.site``) and ``changed_files`` (what a branch changes against a base, from git).

- Every image reference (``lpublish.content.references``) must resolve: a broken one is an error, so
  CI stops a bad merge whatever made it.
- The images each slot names (a file slot's file, a key slot's key, a list slot's entries, a legacy
  folder slot's files) are checked against the slot's rules with the alt text from where the site
  reads it. Problems of images that were already on the site are warnings ("already on the site");
  errors are for what a change brings (``changed``: site-relative paths a branch adds or edits).
- Files that are not images are never "not an image" problems, except inside a folder slot's folder.

Must not import UI libraries.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from lpublish.assets.alt import ALT_FILE, read_alt_texts
from lpublish.assets.validate import EXTENSION_FORMATS, CheckJob, run_checks
from lpublish.config import SiteConfig, SlotSection
from lpublish.content.documents import DocumentError, open_document, parse_data
from lpublish.content.dotted import KeyPathError, get_at
from lpublish.content.html_alt import read_alt
from lpublish.content.place import shows_file
from lpublish.content.references import IMAGE_SUFFIXES, ReferenceIndex, build_index, resolver
from lpublish.content.sitefiles import DirFiles, SiteFiles
from lpublish.errors import ContentError, UsageError
from lpublish.findings import Finding, Report, Severity, error, info, is_hazard, warning
from lpublish.progress import ProgressCallback, check_cancel, no_progress

logger = logging.getLogger(__name__)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, str(f.severity), f.file, f.field, repr(sorted(f.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def reference_findings(index: ReferenceIndex) -> list[Finding]:
    """``reference.broken`` for every reference that names no file."""
    out = []
    for ref in index.broken:
        finding = error("reference.broken", ref.source, raw=ref.raw, kind=ref.kind)
        out.append(replace(finding, line=ref.line))
    return out


def _data(config: SiteConfig, section: SlotSection) -> tuple[Any, Finding | None]:
    try:
        return parse_data(open_document(config.site_path(section.source))), None
    except FileNotFoundError:
        return None, error("slot.source-missing", section.source)
    except (OSError, DocumentError) as exc:
        return None, error("slot.source-invalid", section.source, reason=str(exc))


def slot_images(
    config: SiteConfig, files: SiteFiles
) -> tuple[list[tuple[str, str, str | None]], list[Finding]]:
    """(slot, site-relative image, alt text or ``None`` = not kept by the site) for every image a
    file, key or list slot names, and the problems found reading the slots' places."""
    paths = resolver(config, files)
    images: list[tuple[str, str, str | None]] = []
    findings: list[Finding] = []
    for name, section in sorted(config.slots.items()):
        if section.kind == "file":
            if not paths.exists(section.file):
                findings.append(error("slot.file-missing", section.file, slot=name))
                continue
            alt: str | None = None
            if section.alt_html:
                text = files.read_text(section.alt_html)
                if text is None:
                    findings.append(error("slot.source-missing", section.alt_html))
                else:
                    alts = read_alt(text, shows_file(section))
                    if not alts:
                        findings.append(
                            warning(
                                "slot.alt-target-missing", section.alt_html, slot=name, image=section.file
                            )
                        )
                    alt = alts[0] if alts else ""
            images.append((name, section.file, alt))
        elif section.kind in ("key", "list"):
            data, problem = _data(config, section)
            if problem is not None:
                findings.append(problem)
                continue
            if section.kind == "key":
                try:
                    value = get_at(data, section.key)
                except KeyPathError:
                    findings.append(warning("slot.key-missing", section.source, field=section.key, slot=name))
                    continue
                alt_value = None
                if section.alt_key:
                    try:
                        alt_value = str(get_at(data, section.alt_key) or "")
                    except KeyPathError:
                        alt_value = ""
                entries = [(value, alt_value)]
            else:
                try:
                    listed = get_at(data, section.list_path)
                except KeyPathError:
                    findings.append(
                        warning("slot.key-missing", section.source, field=section.list_path, slot=name)
                    )
                    continue
                if not isinstance(listed, list):
                    findings.append(
                        error("slot.not-a-list", section.source, field=section.list_path, slot=name)
                    )
                    continue
                alt_field = section.fields.get("alt")
                entries = []
                for entry in listed:
                    if isinstance(entry, dict):
                        entries.append(
                            (
                                entry.get(section.fields["image"]),
                                str(entry.get(alt_field) or "") if alt_field else None,
                            )
                        )
            for value, alt_text in entries:
                if not isinstance(value, str) or not value.strip():
                    continue
                target = paths.resolve(value, section.source)[1]
                if target is not None:  # a broken one is reported as reference.broken
                    images.append((name, target, alt_text))
    return images, findings


def _folder_jobs(config: SiteConfig, name: str, section: SlotSection, report: Report) -> list[CheckJob]:
    """The legacy folder slot: every file directly in the folder, alt text from ``alt.toml``."""
    folder = config.site_path(section.path)
    if not folder.is_dir():
        return []
    jobs = []
    try:
        texts: dict[str, str] | None = read_alt_texts(folder)
    except ContentError:
        texts = None
        report.findings.append(error("alt.file-invalid", f"{section.path}/{ALT_FILE}"))
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != ALT_FILE
    )
    whole_site = section.path in ("", ".")
    for path in files:
        rel = path.relative_to(config.root).as_posix()
        if path.is_symlink():
            report.findings.append(error("file.symlink", rel))
            continue
        if path.suffix.lower().lstrip(".") not in EXTENSION_FORMATS:
            if path.suffix and not whole_site and section.path != config.site.campaigns_dir.strip("/"):
                report.findings.append(warning("file.unexpected", rel))
            continue
        alt = None if texts is None else texts.get(path.name, "")
        jobs.append(CheckJob(path, name, alt=alt, display_name=rel, in_site=True))
    if texts:
        names = {p.name for p in files}
        for missing in sorted(set(texts) - names):
            report.findings.append(warning("alt.orphan", f"{section.path}/{ALT_FILE}", name=missing))
    by_lower: dict[str, Path] = {}
    for path in files:
        other = by_lower.setdefault(path.name.lower(), path)
        if other is not path:
            rel = path.relative_to(config.root).as_posix()
            report.findings.append(error("name.collision", rel, name=path.name, other=other.name))
    return jobs


def check_content(
    config: SiteConfig,
    *,
    changed: set[str] | None = None,
    files: SiteFiles | None = None,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    workers: int = 0,
    decode: bool = True,
) -> Report:
    """Every content problem in the site, as one ``Report``.

    ``changed`` (site-relative paths) are judged as new: their problems are errors. Every other image
    was already on the site: its problems are warnings.
    """
    files = files or DirFiles.for_config(config)
    changed = changed or set()
    logger.info("checking the content of %s (%d changed file(s))", config.root, len(changed))
    report = Report()
    index = build_index(config, files)
    report.findings.extend(reference_findings(index))
    check_cancel(cancel)
    images, problems = slot_images(config, files)
    report.findings.extend(problems)
    jobs: list[CheckJob] = []
    seen: set[tuple[str, str]] = set()
    for slot, rel, alt in images:
        if (slot, rel) in seen:
            continue
        seen.add((slot, rel))
        jobs.append(CheckJob(config.site_path(rel), slot, alt=alt, display_name=rel, in_site=True))
    for name, section in sorted(config.slots.items()):
        if section.kind == "folder":
            jobs.extend(_folder_jobs(config, name, section, report))
    checked = {j.display_name for j in jobs}
    for rel in sorted(changed):
        # A new image in a key or list slot's folder is judged by that slot's rules, even before a
        # page uses it (an image lpublish did not place there; image-unused says so too).
        owner = _folder_owner(config, rel)
        if (
            owner
            and rel not in checked
            and (config.root / rel).is_file()
            and Path(rel).suffix.lower() in IMAGE_SUFFIXES
        ):
            jobs.append(CheckJob(config.site_path(rel), owner, alt=None, display_name=rel, in_site=True))
    checks = run_checks(jobs, config, workers=workers, decode=decode, progress=progress, cancel=cancel)
    first_by_hash: dict[str, str] = {}
    existing_with_errors: set[str] = set()
    for check in checks:
        rel = (
            check.path.relative_to(config.root).as_posix()
            if check.path.is_relative_to(config.root)
            else str(check.path)
        )
        for finding in check.findings:
            if finding.is_error and rel not in changed and not is_hazard(finding.code):
                existing_with_errors.add(rel)
                finding = replace(finding, severity=Severity.WARNING)
            report.findings.append(finding)
        if check.info is not None:
            earlier = first_by_hash.setdefault(check.info.sha256, rel)
            if earlier != rel:
                report.findings.append(info("image.duplicate", rel, other=earlier))
    for rel in sorted(existing_with_errors):
        report.findings.append(warning("content.already-on-site", rel))
    if changed:
        used = set(index.by_target)
        for rel in sorted(changed):
            unused = rel not in used and (config.root / rel).is_file() and not _in_folder_slot(config, rel)
            if unused and Path(rel).suffix.lower() in IMAGE_SUFFIXES:
                report.findings.append(warning("content.image-unused", rel))
    report.files_checked = len(jobs)
    report.findings = _dedupe(report.findings)
    logger.info("content check: %d image(s), %d finding(s)", len(jobs), len(report.findings))
    return report


def _folder_owner(config: SiteConfig, rel: str) -> str | None:
    """The key or list slot whose ``path`` folder holds ``rel`` directly (the first, by name)."""
    folder = rel.rpartition("/")[0]
    for name, section in sorted(config.slots.items()):
        if section.kind in ("key", "list") and section.path.strip("/") == folder:
            return name
    return None


def _in_folder_slot(config: SiteConfig, rel: str) -> bool:
    return any(s.kind == "folder" and rel.startswith(s.path.strip("/") + "/") for s in config.slots.values())


def changed_files(config: SiteConfig, base: str) -> set[str]:
    """Site-relative paths that differ between ``base`` (a git ref) and the working tree, plus new
    untracked files. ``UsageError`` when the site is not in git or ``base`` is unknown."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=config.root, capture_output=True, text=True, check=False, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError("content.changed_git", base=base, reason=str(exc)) from None
        if done.returncode != 0:
            raise UsageError(
                "content.changed_git", base=base, reason=done.stderr.strip().splitlines()[-1:] or ""
            )
        return done.stdout

    git("rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    listed = git("diff", "--name-only", "--relative", "--diff-filter=ACMR", "-z", base, "--", ".")
    untracked = git("ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    return {p for p in (listed + untracked).split("\0") if p}
