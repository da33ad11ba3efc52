"""Reading what the workflow steps produced: check, build and deploy JSON, and the changed-file list.

Owns: ``StatusInputs`` and the tolerant readers behind it. A step may have failed before writing its file,
or written an error instead of JSON; the comment must still be posted and say so plainly, so every reader
returns ``None`` (or an empty list) plus a note rather than raising. The deploy JSON is normalised into
``DeployPlanSummary`` so the comment does not depend on every detail of the deploy engine's output.
Must not import UI libraries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg")


@dataclass
class PageWeight:
    """One built page and the bytes a visitor downloads for it."""

    path: str
    bytes: int


@dataclass
class DeployPlanSummary:
    """What a deploy did (or, for a dry run, would do), reduced to what a reviewer needs."""

    uploaded: list[str] = field(default_factory=list)
    copied: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes_uploaded: int = 0
    invalidation_paths: list[str] = field(default_factory=list)
    url: str = ""
    dry_run: bool = False
    #: Guard refusals reported by a dry run (the real deploy would stop with these reasons).
    refused: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the target differs from the build (anything to upload, copy or delete)."""
        return bool(self.uploaded or self.copied or self.deleted)


@dataclass
class StatusInputs:
    """Everything the status comment and job summary are made from."""

    pr: int
    sha: str = ""
    check: dict[str, Any] | None = None
    build: dict[str, Any] | None = None
    preview: DeployPlanSummary | None = None
    plan: DeployPlanSummary | None = None
    changed_files: list[str] = field(default_factory=list)
    #: Files that were given but could not be read (file name -> reason), shown in the comment.
    problems: dict[str, str] = field(default_factory=dict)


def read_json(path: Path | None, problems: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The JSON object in ``path``; ``None`` when missing, empty or not an object (noted in problems)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        if problems is not None:
            problems[path.name] = "missing"
        return None
    # A command may print progress lines before its JSON; the JSON object starts at the first "{" line.
    start = text.find("{")
    if start < 0:
        if problems is not None:
            problems[path.name] = "empty"
        return None
    try:
        data = json.loads(text[start:])
    except json.JSONDecodeError:
        if problems is not None:
            problems[path.name] = "invalid"
        return None
    if not isinstance(data, dict):
        if problems is not None:
            problems[path.name] = "invalid"
        return None
    return data


def read_changed(path: Path | None) -> list[str]:
    """Repository-relative paths from ``git diff --name-only`` (missing file: none)."""
    if path is None:
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return sorted({line.strip() for line in lines if line.strip()})


def changed_images(changed: list[str], site_prefix: str) -> list[str]:
    """The changed files that are images under the site folder (repository-relative)."""
    prefix = "" if site_prefix in ("", ".") else site_prefix.strip("/") + "/"
    return [p for p in changed if p.startswith(prefix) and p.lower().endswith(IMAGE_SUFFIXES)]


def _path_of(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("path", "key", "dest", "name"):
            value = item.get(key)
            if isinstance(value, str):
                return value
    return None


def _paths(value: Any) -> list[str]:
    if isinstance(value, list):
        return [p for p in (_path_of(v) for v in value) if p]
    return []


def _count(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, list):
        return len(value)
    return 0


def plan_summary(data: dict[str, Any] | None) -> DeployPlanSummary | None:
    """Normalise ``lpublish deploy --json`` output (the ``DeployResult`` fields) into a summary.

    Lists of paths may sit at the top level or under ``plan`` (as ``upload``/``copy``/``delete`` or
    ``uploaded``/``copied``/``deleted``), as strings or objects with a ``path`` or ``key``.
    """
    if data is None:
        return None
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    assert isinstance(plan, dict)

    def pick(*names: str) -> list[str]:
        for source in (data, plan):
            for name in names:
                found = _paths(source.get(name))
                if found:
                    return found
        return []

    unchanged = 0
    for source in (data, plan):
        unchanged = unchanged or _count(source.get("unchanged"))
    invalidation = data.get("invalidation_paths") or plan.get("invalidation_paths") or plan.get("invalidate")
    size = _count(data.get("bytes_uploaded")) or _count(plan.get("bytes_uploaded"))
    if not size:
        # A dry run uploads nothing yet: the plan's upload actions carry the sizes it would send.
        uploads = plan.get("uploads") or plan.get("upload") or []
        size = (
            sum(int(a.get("size") or 0) for a in uploads if isinstance(a, dict))
            if isinstance(uploads, list)
            else 0
        )
    refused = data.get("refused")
    return DeployPlanSummary(
        uploaded=pick("uploaded", "upload", "uploads"),
        copied=pick("copied", "copy", "copies"),
        deleted=pick("deleted", "delete", "deletes"),
        unchanged=unchanged,
        bytes_uploaded=size,
        invalidation_paths=[str(p) for p in invalidation] if isinstance(invalidation, list) else [],
        url=str(data.get("url") or ""),
        dry_run=bool(data.get("dry_run", False)),
        refused=[str(r) for r in refused] if isinstance(refused, list) else [],
    )


def page_weights(build: dict[str, Any] | None) -> list[PageWeight]:
    """Per-page weights from ``lpublish build --format json`` (``BuildResult.pages``)."""
    if not build:
        return []
    pages = build.get("pages")
    nested = build.get("build")
    if pages is None and isinstance(nested, dict):
        # `lpublish build --format json` prints the report with the build result under "build".
        pages = nested.get("pages")
    if not isinstance(pages, list):
        return []
    weights: list[PageWeight] = []
    for page in pages:
        if not isinstance(page, dict):
            continue
        path = next((page[k] for k in ("path", "url", "output") if isinstance(page.get(k), str)), None)
        size = next(
            (page[k] for k in ("weight", "total_bytes", "weight_bytes", "bytes", "size") if k in page),
            None,
        )
        if path is not None and isinstance(size, int) and not isinstance(size, bool):
            weights.append(PageWeight(path, size))
    return sorted(weights, key=lambda w: w.path)


def load_inputs(
    pr: int,
    *,
    sha: str = "",
    check: Path | None = None,
    build: Path | None = None,
    preview: Path | None = None,
    plan: Path | None = None,
    changed: Path | None = None,
) -> StatusInputs:
    """Read every file a workflow step produced; missing or broken files become notes, not errors."""
    problems: dict[str, str] = {}
    check_data = read_json(check, problems)
    if check_data is not None and not isinstance(check_data.get("findings"), list):
        problems[check.name if check else "check"] = "invalid"
        check_data = None
    # Preview and plan steps are skipped when no AWS role is configured: a missing file is normal there.
    return StatusInputs(
        pr=pr,
        sha=sha,
        check=check_data,
        build=read_json(build, problems),
        preview=plan_summary(read_json(preview)),
        plan=plan_summary(read_json(plan)),
        changed_files=read_changed(changed),
        problems=problems,
    )
