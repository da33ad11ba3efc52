"""The sticky pull-request status comment: its Markdown body and the create-or-update ("upsert").

Owns: ``MARKER`` (the hidden HTML comment that identifies lpublish's status comment), ``render_status``
(validation summary, preview URL, before/after screenshots of the changed pages, page weights,
production deploy plan, changed-image thumbnails),
``render_closed`` and ``upsert_comment``. The upsert only ever touches a comment that carries the marker
AND was written by the same account, so a person quoting the marker (or another bot) is left alone, and
reruns update the one comment in place instead of adding new ones. It talks to GitHub only through the
forge interface (``GitHubForge`` in production, the local forge in tests and practice mode).
Must not import UI libraries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urljoin, urlsplit

from lpublish import __version__
from lpublish.ci.inputs import DeployPlanSummary, StatusInputs, changed_images, page_weights
from lpublish.ci.screenshots import MAX_PAGES, ScreenshotResult
from lpublish.findings import Severity
from lpublish.i18n import t
from lpublish.units import format_bytes

logger = logging.getLogger(__name__)

#: Hidden marker at the top of the status comment. Never change it: existing comments are found by it.
MARKER = "<!-- lpublish:status -->"
#: Added once the pull request is closed (so a rerun of the cleanup does not fold the body twice).
CLOSED_MARKER = "<!-- lpublish:closed -->"
_LAST_OPEN = "<!-- lpublish:last-status -->"
_LAST_CLOSE = "<!-- /lpublish:last-status -->"
#: Rows of findings shown in the comment; the rest are counted (the job log has them all).
MAX_FINDING_ROWS = 30
#: File names listed per deploy action before "and N more".
MAX_PLAN_ROWS = 25
#: Pages listed with their weight (the heaviest, when there are more).
MAX_PAGE_ROWS = 30
#: Thumbnails shown; more images are listed by name only.
MAX_THUMBNAILS = 12
#: GitHub rejects comment bodies longer than 65,536 characters; stay below with room for the marker.
MAX_BODY = 60_000


class CommentForge(Protocol):
    """The part of the forge interface the comment needs (``lpublish.publish.forge.Forge`` has it)."""

    def list_comments(self, number: int) -> Sequence[Any]: ...

    def create_comment(self, number: int, body: str) -> Any: ...

    def update_comment(self, comment_id: int, body: str) -> Any: ...


@dataclass(frozen=True)
class CommentResult:
    """What the upsert did: ``created``, ``updated``, ``unchanged`` or ``none`` (nothing to mark)."""

    action: Literal["created", "updated", "unchanged", "none"]
    comment_id: int | None = None
    url: str = ""


# --- Markdown helpers -------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Make arbitrary text (file names, messages) safe inside Markdown tables and inline HTML."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("`", "'")
        .replace("\r", " ")
        .replace("\n", " ")
    )


def _code(path: str) -> str:
    return f"<code>{md_escape(path)}</code>"


# --- the status body --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderContext:
    """Where things are, for links: the site folder in the repo, the web URL and repo for thumbnails."""

    site_prefix: str = "."
    web_url: str = "https://github.com"
    repo: str = ""
    page_budget: int = 0
    preview_url: str = ""
    #: Why there is no preview (a catalog key under ``ci.preview.*``), when there is none.
    no_preview_reason: str = "ci.preview.none"
    #: Before/after screenshots (``screenshots.json``); ``None``: no screenshot section.
    screenshots: ScreenshotResult | None = None
    #: The folder the pictures are published in: a URL, or a path relative to the preview URL
    #: (``__lpublish-screenshots/``); empty, or relative without a preview: not published as images.
    screenshots_url: str = ""
    #: The workflow artifact holding the pictures (a zip for signed-in readers), linked when given.
    screenshots_artifact_url: str = ""


def _check_section(inputs: StatusInputs) -> tuple[str, list[str]]:
    """(headline, lines) for the validation result."""
    check = inputs.check
    if check is None:
        return t("ci.head.unknown"), [t("ci.check.missing")]
    findings = list(check.findings)
    # The build reports problems the check cannot see (a page over its budget, a broken template).
    if inputs.build is not None:
        seen = {(f.code, f.file, f.message) for f in findings}
        findings += [f for f in inputs.build.report.findings if (f.code, f.file, f.message) not in seen]
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    files = check.files_checked
    head = t("ci.head.not_ready", errors=errors) if errors else t("ci.head.ready")
    lines = [t("ci.check.summary", files=files, errors=errors, warnings=warnings)]
    if findings:
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        findings.sort(key=lambda f: (order[f.severity], f.file, f.code))
        icon = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
        lines.append("")
        lines.append(f"<details{' open' if errors else ''}><summary>{t('ci.check.details')}</summary>")
        lines.append("")
        lines.append(f"| | {t('ci.col.file')} | {t('ci.col.problem')} |")
        lines.append("|---|---|---|")
        for finding in findings[:MAX_FINDING_ROWS]:
            message = md_escape(finding.message)
            if finding.hint:
                message += f"<br><sub>{md_escape(finding.hint)}</sub>"
            file = finding.file or t("ci.check.site_wide")
            lines.append(
                f"| {icon[str(finding.severity)]} | {_code(file)} | {message} <sub>({md_escape(finding.code)})</sub> |"
            )
        if len(findings) > MAX_FINDING_ROWS:
            lines.append("")
            lines.append(t("ci.check.more", count=len(findings) - MAX_FINDING_ROWS))
        lines.append("")
        lines.append("</details>")
    return head, lines


def _preview_section(inputs: StatusInputs, ctx: RenderContext) -> list[str]:
    url = (inputs.preview.url if inputs.preview else "") or ctx.preview_url
    if url:
        return [t("ci.preview.ready", url=url)]
    return [t(ctx.no_preview_reason)]


def _pages_section(inputs: StatusInputs, ctx: RenderContext) -> list[str]:
    weights = page_weights(inputs.build)
    if not weights:
        return [t("ci.pages.none")]
    lines = [f"| {t('ci.col.page')} | {t('ci.col.weight')} | |", "|---|---:|---|"]
    if len(weights) > MAX_PAGE_ROWS:
        # A big site: show the heaviest pages (those are the ones near or over the budget).
        shown = sorted(sorted(weights, key=lambda w: -w.bytes)[:MAX_PAGE_ROWS], key=lambda w: w.path)
    else:
        shown = weights
    for page in shown:
        over = ctx.page_budget and page.bytes > ctx.page_budget
        flag = t("ci.pages.over", budget=format_bytes(ctx.page_budget)) if over else "✅"
        lines.append(f"| {_code(page.path)} | {format_bytes(page.bytes)} | {flag} |")
    if len(weights) > len(shown):
        lines += ["", t("ci.pages.more", count=len(weights) - len(shown))]
    return lines


def _file_list(label: str, paths: list[str]) -> list[str]:
    if not paths:
        return []
    # Pages first: a reviewer recognises "index.html", not "assets/hero-960.3f2a9c.avif".
    paths = sorted(paths, key=lambda p: (p.startswith("assets/") or "/assets/" in p, p))
    shown = ", ".join(_code(p) for p in paths[:MAX_PLAN_ROWS])
    if len(paths) > MAX_PLAN_ROWS:
        shown += " " + t("ci.plan.and_more", count=len(paths) - MAX_PLAN_ROWS)
    return [f"- **{label}** ({len(paths)}): {shown}"]


def plan_lines(plan: DeployPlanSummary | None) -> list[str]:
    """The production deploy plan in Markdown (also used by the deploy and schedule summaries)."""
    if plan is None:
        return [t("ci.plan.none")]
    refused = [t("ci.plan.refused", reason=md_escape(r)) for r in plan.refused]
    if not plan.changed:
        return [*refused, t("ci.plan.nothing", unchanged=plan.unchanged)]
    key = "ci.plan.headline_dry" if plan.dry_run else "ci.plan.headline"
    lines = [
        *refused,
        t(
            key,
            uploaded=len(plan.uploaded),
            size=format_bytes(plan.bytes_uploaded),
            copied=len(plan.copied),
            deleted=len(plan.deleted),
            unchanged=plan.unchanged,
        ),
        "",
    ]
    lines += _file_list(t("ci.plan.upload"), plan.uploaded)
    lines += _file_list(t("ci.plan.copy"), plan.copied)
    lines += _file_list(t("ci.plan.delete"), plan.deleted)
    lines += _file_list(t("ci.plan.invalidate"), plan.invalidation_paths)
    return lines


def thumbnail_url(ctx: RenderContext, sha: str, path: str) -> str:
    """A URL GitHub renders for a file at a commit (works for private repositories for their readers)."""
    return f"{ctx.web_url.rstrip('/')}/{ctx.repo}/blob/{sha}/{path}?raw=true"


def _images_section(inputs: StatusInputs, ctx: RenderContext) -> list[str]:
    images = changed_images(inputs.changed_files, ctx.site_prefix)
    if not images:
        return [t("ci.images.none")]
    if not (ctx.repo and inputs.sha):
        return [", ".join(_code(p) for p in images)]
    cells = []
    for path in images[:MAX_THUMBNAILS]:
        url = md_escape(thumbnail_url(ctx, inputs.sha, path))
        name = md_escape(path.rsplit("/", 1)[-1])
        cells.append(f'<a href="{url}"><img src="{url}" width="160" alt="{name}"></a><br><sub>{name}</sub>')
    rows = ["| " + " | ".join(cells[i : i + 4]) + " |" for i in range(0, len(cells), 4)]
    header = "| " + " | ".join([" "] * min(4, len(cells))) + " |"
    sep = "|" + "---|" * min(4, len(cells))
    lines = [header, sep, *rows]
    if len(images) > MAX_THUMBNAILS:
        lines += ["", t("ci.images.more", count=len(images) - MAX_THUMBNAILS)]
    return lines


def screenshots_base(inputs: StatusInputs, ctx: RenderContext) -> str:
    """The absolute URL of the published pictures' folder (with a trailing slash), or empty."""
    url = ctx.screenshots_url.strip()
    if not url:
        return ""
    if not urlsplit(url).scheme:
        preview = (inputs.preview.url if inputs.preview else "") or ctx.preview_url
        if not preview:
            return ""  # published with a preview that was not deployed: nowhere to show them from
        url = urljoin(preview.rstrip("/") + "/", url)
    return url.rstrip("/") + "/"


_SHOT_PROBLEMS = {
    "no-browser": "designer.shots.problem_no_browser",
    "no-base": "designer.shots.problem_no_base",
}


def _screenshots_section(inputs: StatusInputs, ctx: RenderContext) -> list[str]:
    """Before and after pictures of each changed page, desktop and phone, so nobody has to open it."""
    result = ctx.screenshots
    assert result is not None
    base = screenshots_base(inputs, ctx)
    lines: list[str] = []
    if result.problem in _SHOT_PROBLEMS:
        lines.append(t(_SHOT_PROBLEMS[result.problem]))
    elif not result.shots and not result.failed:
        lines.append(t("designer.shots.none"))
    if result.shots:
        pictures = bool(base)
        head = f"| {t('ci.col.page')} | {t('designer.shots.width')} | {t('designer.body.before')} "
        lines += [head + f"| {t('designer.body.after')} |", "|---|---|---|---|"]
        for shot in result.shots:
            shown = 320 if shot.width >= 1000 else 180
            kind = t("designer.shots.desktop") if shot.width >= 1000 else t("designer.shots.phone")

            def cell(name: str, label: str, shown: int = shown) -> str:
                if not pictures:
                    return _code(name)
                url = md_escape(base + name)
                return f'<a href="{url}"><img src="{url}" width="{shown}" alt="{md_escape(label)}"></a>'

            before = cell(shot.before, t("designer.shots.alt_before", page=shot.page, width=shot.width))
            after = cell(shot.after, t("designer.shots.alt_after", page=shot.page, width=shot.width))
            before = before if shot.before else t("designer.shots.new_page")
            lines.append(f"| {_code(shot.page)} | {kind} ({shot.width} px) | {before} | {after} |")
        if not pictures:
            lines += ["", t("designer.shots.not_published")]
    if result.failed:
        lines += ["", t("designer.shots.failed", pages=", ".join(_code(p) for p in result.failed))]
    if result.skipped and result.problem != "no-browser":
        lines += ["", t("designer.shots.more", count=len(result.skipped), max=MAX_PAGES)]
    if ctx.screenshots_artifact_url and (result.shots or result.failed):
        lines += ["", t("designer.shots.artifact", url=md_escape(ctx.screenshots_artifact_url))]
    return lines


def render_status(inputs: StatusInputs, ctx: RenderContext, *, marker: bool = True) -> str:
    """The whole status comment (``marker=False`` gives the job-summary version)."""
    head, check_lines = _check_section(inputs)
    out: list[str] = [MARKER] if marker else []
    out += [f"## {head}", "", *check_lines]
    if inputs.problems:
        out += ["", t("ci.inputs.problems", files=", ".join(sorted(inputs.problems)))]
    out += ["", f"### {t('ci.section.preview')}", "", *_preview_section(inputs, ctx)]
    if ctx.screenshots is not None:
        out += ["", f"### {t('designer.shots.title')}", "", *_screenshots_section(inputs, ctx)]
    out += ["", f"### {t('ci.section.pages')}", "", *_pages_section(inputs, ctx)]
    out += ["", f"### {t('ci.section.plan')}", "", *plan_lines(inputs.plan)]
    out += ["", f"### {t('ci.section.images')}", "", *_images_section(inputs, ctx)]
    sha = inputs.sha[:7] if inputs.sha else "-"
    out += ["", "---", f"<sub>{t('ci.footer', sha=sha, version=__version__)}</sub>", ""]
    return _limit("\n".join(out))


def render_closed(previous: str | None, *, merged: bool, preview_removed: bool) -> str:
    """The body after the pull request was closed: what happened to the preview, last status folded."""
    head = t("ci.closed.merged") if merged else t("ci.closed.closed")
    preview = t("ci.closed.preview_removed") if preview_removed else t("ci.closed.preview_kept")
    out = [MARKER, CLOSED_MARKER, f"## {head}", "", preview]
    old = (previous or "").replace(MARKER, "").strip()
    if CLOSED_MARKER in old:
        # Already marked once (a rerun): keep the status that was folded away, do not nest it again.
        start, end = old.find(_LAST_OPEN), old.find(_LAST_CLOSE)
        old = old[start + len(_LAST_OPEN) : end].strip() if 0 <= start < end else ""
    if old:
        out += ["", f"<details><summary>{t('ci.closed.last_status')}</summary>", _LAST_OPEN, "", old, ""]
        out += [_LAST_CLOSE, "</details>"]
    out.append("")
    return _limit("\n".join(out))


def _limit(body: str) -> str:
    if len(body) <= MAX_BODY:
        return body
    return body[:MAX_BODY] + "\n\n" + t("ci.truncated") + "\n"


# --- upsert ------------------------------------------------------------------------------------------


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def comment_author(comment: Any) -> str:
    """The login of a comment's author, from a forge dataclass, a githubkit model or a plain dict."""
    for name in ("author", "user_login", "login"):
        value = _get(comment, name)
        if isinstance(value, str):
            return value
    user = _get(comment, "user")
    login = _get(user, "login") if user is not None else None
    return login if isinstance(login, str) else ""


def _is_ours(comment: Any, author: str) -> bool:
    body = _get(comment, "body") or ""
    return MARKER in str(body) and comment_author(comment).lower() == author.lower()


def find_status_comment(forge: CommentForge, pr: int, *, author: str) -> Any | None:
    """lpublish's status comment on ``pr``: carries the marker and was written by ``author``."""
    for comment in forge.list_comments(pr):
        if _is_ours(comment, author):
            return comment
    return None


def upsert_comment(forge: CommentForge, pr: int, body: str, *, author: str) -> CommentResult:
    """Create the status comment once; afterwards update it in place (unchanged bodies are not sent)."""
    if MARKER not in body:
        body = MARKER + "\n" + body
    existing = find_status_comment(forge, pr, author=author)
    if existing is None:
        logger.info("status comment on #%s: none by %s yet, creating it (%d chars)", pr, author, len(body))
        created = forge.create_comment(pr, body)
        return CommentResult("created", _get(created, "id"), str(_get(created, "html_url") or ""))
    comment_id = int(_get(existing, "id"))
    url = str(_get(existing, "html_url") or "")
    if str(_get(existing, "body") or "") == body:
        logger.info("status comment %s on #%s: unchanged, not sent", comment_id, pr)
        return CommentResult("unchanged", comment_id, url)
    logger.info("status comment %s on #%s: updating in place (%d chars)", comment_id, pr, len(body))
    forge.update_comment(comment_id, body)
    return CommentResult("updated", comment_id, url)


def mark_closed(
    forge: CommentForge, pr: int, *, author: str, merged: bool, preview_removed: bool
) -> CommentResult:
    """Rewrite the status comment for a closed pull request (nothing to do when there is none)."""
    existing = find_status_comment(forge, pr, author=author)
    if existing is None:
        return CommentResult("none")
    body = render_closed(str(_get(existing, "body") or ""), merged=merged, preview_removed=preview_removed)
    return upsert_comment(forge, pr, body, author=author)
