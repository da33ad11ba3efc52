"""Checking the whole site: every file in every slot folder, alt texts, names, duplicates, campaigns.

Owns: ``check_site`` (what ``lpublish check`` runs without files, and what CI runs on every pull
request). Files directly inside each slot folder are checked against that slot, with their alt text
from ``alt.toml``; sub-folders are not walked (campaign folders hold their images and are checked by
``lpublish.site.campaigns.check_campaigns`` with the campaign's own alt text). Must not import UI
libraries.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from lpublish.assets.alt import ALT_FILE, read_alt_texts
from lpublish.assets.validate import EXTENSION_FORMATS, CheckJob, run_checks
from lpublish.config import SiteConfig
from lpublish.errors import ContentError
from lpublish.findings import Finding, Report, error, info, warning
from lpublish.progress import ProgressCallback, check_cancel, no_progress


def _relative(config: SiteConfig, path: Path) -> str:
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """The same finding reported twice (a social image checked as a slot file and for a campaign)."""
    seen: set[tuple[str, str, str, str, str]] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, str(f.severity), f.file, f.field, repr(sorted(f.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check_site(
    config: SiteConfig,
    *,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    workers: int = 0,
    decode: bool = True,
) -> Report:
    """Every problem in the site's images and campaigns, as one ``Report``."""
    report = Report()
    jobs: list[CheckJob] = []
    campaigns_folder = config.site_path(config.site.campaigns_dir)
    for slot, section in sorted(config.slots.items()):
        check_cancel(cancel)
        folder = config.site_path(section.path)
        if not folder.is_dir():
            continue
        try:
            texts: dict[str, str] | None = read_alt_texts(folder)
        except ContentError:
            texts = None
            report.findings.append(error("alt.file-invalid", _relative(config, folder / ALT_FILE)))
        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        files = [p for p in files if p.name != ALT_FILE]
        for path in files:
            rel = _relative(config, path)
            if path.is_symlink():
                # A link could publish a file from anywhere on the machine that builds the site.
                report.findings.append(error("file.symlink", rel))
                continue
            if path.suffix.lower().lstrip(".") not in EXTENSION_FORMATS and path.suffix:
                # The campaigns folder is also a content folder (README, notes): only image folders
                # should hold nothing but images.
                if folder != campaigns_folder:
                    report.findings.append(warning("file.unexpected", rel))
                continue
            alt = None if texts is None else texts.get(path.name, "")
            jobs.append(CheckJob(path, slot, alt=alt, display_name=rel, in_site=True))
        if texts:
            names = {p.name for p in files}
            for name in sorted(set(texts) - names):
                report.findings.append(warning("alt.orphan", _relative(config, folder / ALT_FILE), name=name))
        by_lower: dict[str, Path] = {}
        for path in files:
            other = by_lower.setdefault(path.name.lower(), path)
            if other is not path:
                report.findings.append(
                    error("name.collision", _relative(config, path), name=path.name, other=other.name)
                )
    checks = run_checks(jobs, config, workers=workers, decode=decode, progress=progress, cancel=cancel)
    first_by_hash: dict[str, str] = {}
    for check in checks:
        report.findings.extend(check.findings)
        if check.info is None:
            continue
        rel = _relative(config, check.path)
        earlier = first_by_hash.setdefault(check.info.sha256, rel)
        if earlier != rel:
            report.findings.append(info("image.duplicate", rel, other=earlier))
    report.files_checked = len(jobs) + sum(
        1 for f in report.findings if f.code in ("file.unexpected", "file.symlink")
    )
    check_cancel(cancel)
    report.findings.extend(_campaign_findings(config))
    report.findings = _dedupe(report.findings)
    return report


def _campaign_findings(config: SiteConfig) -> list[Finding]:
    try:
        # Looked up by name: the site package is built in parallel and may not provide it yet.
        check_campaigns = importlib.import_module("lpublish.site.campaigns").check_campaigns
    except (ImportError, AttributeError):
        return []
    findings: list[Finding] = check_campaigns(config)
    return findings
