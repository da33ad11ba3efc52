"""The publish flow: submit a change set as a pull request, update it, withdraw it, list requests.

Owns: ``submit``, ``update``, ``resume_draft``, ``withdraw``, ``list_requests`` and their results, the
branch naming rule, the reviewers' PR body (table, thumbnails, checklist, hidden machine-readable
marker) and placing files where the config says. Each call validates first (refusing with
``ContentError`` when an image has errors), keeps a local draft until the forge confirmed the pull
request, works in a separate git worktree or the managed clone (never the designer's own checkout) and
raises ``ExternalError`` with plain next steps on any failure. Must not import UI libraries.
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from lpublish.assets.validate import check_image
from lpublish.config import SiteConfig
from lpublish.content.slots import has_alt_target
from lpublish.errors import ContentError, ExternalError, LpublishError, UsageError
from lpublish.findings import Finding, Severity
from lpublish.hashing import sha256_file
from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.publish import request_body
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.drafts import Draft, DraftStore
from lpublish.publish.forge import Forge, ForgeUser, PullRequest
from lpublish.publish.placement import git_index, place_image, refuse_broken, remove_entry, touched_paths
from lpublish.publish.request_body import MARKER as MARKER
from lpublish.publish.request_body import parse_marker
from lpublish.publish.request_body import raw_url as raw_url
from lpublish.publish.workspace import NonFastForward, Workspace, open_workspace
from lpublish.text import slugify

RequestState = Literal[
    "checks-running",
    "checks-failed",
    "changes-requested",
    "in-review",
    "approved",
    "merged",
    "live",
    "closed",
]

#: Error keys of ``update`` when the request is no longer open (the draft is kept to send anew).
REQUEST_GONE = frozenset({"designer.request_merged", "designer.request_closed"})
_FAILED = {"failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale", "error"}


@dataclass
class SubmitResult:
    """The open request: PR number and URL, the branch, the draft that was used (now removed)."""

    number: int
    url: str
    branch: str
    draft_id: str | None = None
    #: Things that did not work but did not stop the request (e.g. a reviewer could not be added).
    warnings: list[str] = field(default_factory=list)
    #: True when an open request got a new commit (``update``), False when a request was opened.
    updated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "url": self.url,
            "branch": self.branch,
            "warnings": self.warnings,
            "updated": self.updated,
        }


@dataclass
class RequestStatus:
    """One request as the designer sees it.

    ``state`` is one of ``checks-running``, ``checks-failed``, ``changes-requested``, ``in-review``
    (checks passed, waiting for a reviewer), ``approved``, ``merged``, ``live``, ``closed``.
    """

    number: int
    title: str
    url: str
    state: str
    preview_url: str | None = None
    branch: str = ""
    checks: dict[str, int] = field(default_factory=dict)
    review: str | None = None
    merged: bool = False
    deployed: bool = False
    live_url: str | None = None
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "url": self.url,
            "state": self.state,
            "preview_url": self.preview_url,
            "branch": self.branch,
            "checks": self.checks,
            "review": self.review,
            "merged": self.merged,
            "deployed": self.deployed,
            "live_url": self.live_url,
            "updated_at": self.updated_at,
        }


# --- validation --------------------------------------------------------------------------------------


@dataclass
class _Checked:
    image: ImageChange
    format: str
    width: int | None
    height: int | None
    bytes: int
    sha256: str
    findings: list[Finding]


def validate_changeset(config: SiteConfig, changeset: ChangeSet) -> list[_Checked]:
    """Check every image against its slot; raise ``ContentError`` listing every error."""
    if not changeset.title.strip():
        raise UsageError("publish.no_title")
    if changeset.empty:
        raise UsageError("publish.nothing_to_publish")
    checked: list[_Checked] = []
    problems: list[str] = []
    for image in changeset.images:
        if image.slot not in config.slots:
            raise UsageError("publish.unknown_slot", slot=image.slot, slots=", ".join(sorted(config.slots)))
        if not image.source.is_file():
            raise UsageError("common.file_not_found", path=str(image.source))
        # A slot whose alt text the site keeps nowhere lpublish can write asks for none.
        wanted_alt = image.alt if has_alt_target(config.slots[image.slot]) else None
        result = check_image(image.source, image.slot, config, alt=wanted_alt, display_name=image.source.name)
        findings = list(result.findings)
        info = result.info
        if info is not None:
            fmt, width, height = info.format, info.width, info.height
        else:
            fmt, width, height = image.source.suffix.lower().lstrip("."), None, None
        checked.append(
            _Checked(
                image, fmt, width, height, image.source.stat().st_size, sha256_file(image.source), findings
            )
        )
        problems.extend(f"{image.source.name}: {f.message}" for f in findings if f.severity is Severity.ERROR)
    for removal in changeset.removals:
        if removal.slot not in config.slots:
            raise UsageError("publish.unknown_slot", slot=removal.slot, slots=", ".join(sorted(config.slots)))
        if config.slots[removal.slot].kind != "list":
            raise UsageError("content.remove_needs_list", slot=removal.slot)
    if changeset.campaign_dir is not None and not (changeset.campaign_dir / "index.md").is_file():
        raise UsageError("publish.campaign_missing", path=str(changeset.campaign_dir))
    if changeset.campaign_dir is not None or changeset.campaign_fields is not None:
        from lpublish.site.campaign_map import require_campaign_support

        require_campaign_support(config)
    if changeset.campaign_fields is not None:
        from lpublish.site.campaigns import validate_campaign_fields

        for source in changeset.campaign_images.values():
            if not source.is_file():
                raise UsageError("common.file_not_found", path=str(source))
        problems.extend(
            f.message
            for f in validate_campaign_fields(config, dict(changeset.campaign_fields))
            if f.severity is Severity.ERROR and not (f.field == "hero_alt" and not changeset.campaign_images)
        )
    if problems:
        raise ContentError("publish.refused", count=len(problems), details=problems)
    return checked


# --- placing files --------------------------------------------------------------------------------------


def _place_images(
    ws: Workspace,
    config: SiteConfig,
    checked: list[_Checked],
    changeset: ChangeSet,
    before_ref: str = "",
) -> list[dict[str, Any]]:
    """Put images into their slots and remove list entries (the slot kind decides how); the marker
    entries. A folder slot's files get safe names and ``alt.toml``; file, key and list slots edit the
    site's own files in place.

    A replaced file is recorded with ``before_ref`` (the commit the change starts from), so reviewers
    see the old picture, pinned to that commit, next to the new one.
    """
    entries: list[dict[str, Any]] = []
    prefix = f"{ws.site_rel}/" if ws.site_rel else ""
    for item in checked:
        image = item.image
        placed = place_image(ws.site_dir, config, image, fmt=item.format, sha256=item.sha256)
        entry: dict[str, Any] = {}
        if placed.replaced and before_ref:
            entry = {"before": prefix + placed.replaced, "before_ref": before_ref}
        entries.append(
            entry
            | {
                "path": prefix + placed.path,
                "slot": image.slot,
                "action": placed.action,
                "replaced": prefix + placed.replaced if placed.replaced else None,
                "source": prefix + placed.source if placed.source else None,
                "key": placed.key,
                "fields": placed.fields,
                "width": item.width,
                "height": item.height,
                "bytes": item.bytes,
                "original_bytes": image.original_bytes,
                "alt": " ".join(image.alt.split()),
                "findings": [
                    {
                        "code": f.code,
                        "severity": str(f.severity),
                        "params": _jsonable(f.params),
                        "file": f.file,
                    }
                    for f in item.findings
                ],
            }
        )
    for removal in changeset.removals:
        placed = remove_entry(ws.site_dir, config, removal)
        entries.append(
            {
                "path": prefix + placed.path,
                "slot": removal.slot,
                "action": "remove",
                "replaced": prefix + placed.replaced if placed.replaced else None,
                "source": prefix + placed.source if placed.source else None,
                "key": placed.key,
                "fields": placed.fields,
                "width": None,
                "height": None,
                "bytes": None,
                "original_bytes": None,
                "alt": placed.fields.get("alt", ""),
                "findings": [],
            }
            | ({"before_ref": before_ref} if before_ref else {})
        )
    return entries


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in params.items()
    }


def _place_campaign(ws: Workspace, config: SiteConfig, changeset: ChangeSet) -> str | None:
    """Put the campaign into the workspace (copy the prepared folder, or write it from form values),
    then check it as it will be published; the slug, or ``None`` when the change has no campaign."""
    if config.campaign.content_dir:
        # The site's own generator makes the page: a new entry of its content folder.
        from lpublish.site.campaign_entry import place_entry

        fields = dict(changeset.campaign_fields) if changeset.campaign_fields is not None else None
        placed = place_entry(
            config,
            fields,
            dict(changeset.campaign_images),
            prepared=changeset.campaign_dir,
            dest_root=ws.site_dir,
        )
        return placed.slug
    if changeset.campaign_fields is not None:
        from lpublish.site.campaigns import write_campaign

        folder = write_campaign(
            config, dict(changeset.campaign_fields), dict(changeset.campaign_images), dest_root=ws.site_dir
        )
        slug = folder.name
    elif changeset.campaign_dir is not None:
        slug = changeset.campaign_dir.name
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
            raise ContentError("publish.bad_campaign_slug", slug=slug)
        target = ws.site_dir / config.site.campaigns_dir / slug
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(changeset.campaign_dir, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    else:
        return None
    _check_placed_campaign(ws, config, slug)
    return slug


def _check_placed_campaign(ws: Workspace, config: SiteConfig, slug: str) -> None:
    """Run the site's campaign checks on the workspace copy; refuse when this campaign has errors."""
    from lpublish.site.campaigns import check_campaigns

    placed = config.model_copy(deep=True).bind(ws.site_dir, ws.site_dir / "lpublish.toml")
    prefix = f"{config.site.campaigns_dir.strip('/')}/{slug}/"
    from lpublish.site.page_files import check_page_content

    findings = check_campaigns(placed) + check_page_content(placed).findings
    errors = [
        f"{f.file}: {f.message}"
        for f in findings
        if f.severity is Severity.ERROR and f.file.replace("\\", "/").startswith(prefix)
    ]
    if errors:
        raise ContentError("publish.refused", count=len(errors), details=errors)


def _page_files(ws: Workspace, config: SiteConfig, slug: str | None) -> list[str]:
    """Every file the campaign page will publish (hero, social image, body images), repository paths,
    for the reviewers' table (``lpublish.site.page_files``)."""
    if not slug:
        return []
    from lpublish.site.page_files import check_page_content

    placed = config.model_copy(deep=True).bind(ws.site_dir, ws.site_dir / "lpublish.toml")
    prefix = f"{config.site.campaigns_dir.strip('/')}/{slug}/"
    site = f"{ws.site_rel}/" if ws.site_rel else ""
    return sorted({site + f.path for f in check_page_content(placed).files if f.page.startswith(prefix)})


def _touched_dirs(ws_site_rel: str, config: SiteConfig, changeset: ChangeSet) -> list[str]:
    prefix = f"{ws_site_rel}/" if ws_site_rel else ""
    dirs: set[str] = set()
    for path in touched_paths(config, changeset):
        # Folders only: a sparse checkout's cone is made of folders (files at the top are always in).
        folder = path if path == "." or "." not in path.rsplit("/", 1)[-1] else path.rpartition("/")[0]
        full = (prefix + folder).strip("/") if folder not in ("", ".") else prefix.strip("/")
        dirs.add(full or (prefix + path).strip("/"))
    slug = changeset.campaign_slug
    if slug and config.campaign.content_dir:
        from lpublish.site.campaign_entry import campaign_paths

        dirs.update(prefix + p for p in campaign_paths(config))
    elif slug:
        dirs.add(prefix + f"{config.site.campaigns_dir.strip('/')}/{slug}")
    if changeset.campaign_fields is not None and "og_image" in changeset.campaign_images:
        social = config.slots.get(config.campaign.social_slot)
        dirs.add(prefix + (social.path if social else config.site.images_dir).strip("/"))
    return sorted(dirs)


# --- names, identity, body ------------------------------------------------------------------------------


def branch_name(login: str, title: str, taken: set[str], now: datetime | None = None) -> str:
    """``lpublish/<login>/<yyyymmdd>-<slug>``, with ``-2``, ``-3`` ... until it is not in ``taken``."""
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    safe_login = re.sub(r"[^A-Za-z0-9-]", "-", login).lower()
    base = f"lpublish/{safe_login}/{day}-{slugify(title, fallback='request', max_length=40)}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def noreply_email(user: ForgeUser, web_url: str) -> str:
    """GitHub's private commit address: ``<id>+<login>@users.noreply.<host>``."""
    host = (urlsplit(web_url).hostname or "github.com").lower()
    return f"{user.id}+{user.login}@users.noreply.{host}"


def render_body(config: SiteConfig, data: dict[str, Any]) -> str:
    """The reviewers' PR body (``lpublish.publish.request_body``), for the whole request in ``data``."""
    return request_body.render_body(config, data)


# --- the flows ----------------------------------------------------------------------------------------------


def _check_access(forge: Forge, config: SiteConfig) -> ForgeUser:
    user = forge.get_user()
    repo = forge.get_repo()
    if repo.can_push is False:
        raise ExternalError("publish.forbidden", repo=config.forge.repo)
    return user


def _place_and_commit(
    ws: Workspace,
    config: SiteConfig,
    changeset: ChangeSet,
    checked: list[_Checked],
    user: ForgeUser,
    paths: list[str],
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Put the change's files in place and commit them as the designer (shared by submit and update).

    Refuses (``ContentError``, nothing committed) when the change would break an image reference
    that resolved before it."""
    before = git_index(ws.git, ws.root, ws.site_rel, config)
    entries = _place_images(ws, config, checked, changeset, before_ref=ws.git("rev-parse", "HEAD").strip())
    campaign = _place_campaign(ws, config, changeset)
    # Stage first: the index then holds exactly what the commit will (the checkout may be sparse).
    add = ["add", "--all"] + (["--sparse"] if ws.managed else [])
    ws.git(*add, "--", *paths)
    refuse_broken(before, git_index(ws.git, ws.root, ws.site_rel, config))
    progress(ProgressEvent("publish.progress.commit"))
    sha = ws.commit(
        _commit_message(changeset.title, entries, campaign),
        name=user.name or user.login,
        email=noreply_email(user, config.forge.web_url),
        paths=paths,
    )
    if sha is None:
        raise ContentError("publish.no_changes")
    check_cancel(cancel)
    progress(ProgressEvent("publish.progress.push"))
    return entries, campaign


def _pin(ws: Workspace, entries: list[dict[str, Any]]) -> str:
    """The pushed commit, recorded in each new entry so its thumbnail outlives the branch."""
    sha = ws.git("rev-parse", "HEAD").strip()
    for entry in entries:
        entry["commit"] = sha
    return sha


def _campaign_info(ws: Workspace, config: SiteConfig, slug: str | None) -> dict[str, Any] | None:
    """What reviewers need of the campaign as placed: title, dates, summary, button, hero."""
    if not slug:
        return None
    try:
        from lpublish.site.campaigns import load_campaigns

        placed = config.model_copy(deep=True).bind(ws.site_dir, ws.site_dir / "lpublish.toml")
        campaigns, _findings = load_campaigns(placed)
    except (LpublishError, OSError, ValueError):
        return None
    for campaign in campaigns:
        if campaign.slug != slug:
            continue
        return {
            "title": campaign.title,
            "path": ws.rel(campaign.folder),
            "start": campaign.start.isoformat() if campaign.start else None,
            "end": campaign.end.isoformat() if campaign.end else None,
            "summary": campaign.summary,
            "cta_label": campaign.cta_label,
            "cta_url": campaign.cta_url,
            "hero": ws.rel(campaign.hero) if campaign.hero else None,
            "hero_alt": campaign.hero_alt,
        }
    return None


def _commit_message(title: str, entries: list[dict[str, Any]], campaign: str | None) -> str:
    body = [
        f"- {'removed ' if e.get('action') == 'remove' else ''}{e['path']} ({e['slot']}"
        + (f", {e['source']} {e['key']}" if e.get("source") and e.get("key") else "")
        + ")"
        for e in entries
    ]
    if campaign:
        body.append(f"- campaign: {campaign}")
    return f"{title}\n\n" + "\n".join(body) + "\n\nPrepared with lpublish.\n"


def _fail(store: DraftStore, draft: Draft, exc: LpublishError) -> None:
    draft.error = exc.key
    store.save(draft)


def _refused(store: DraftStore, draft: Draft, exc: LpublishError, *, keep: bool = False) -> None:
    """The content was refused. A draft holding the campaign form's text is kept (that text exists
    nowhere else: the designer fixes the hero and resumes), and so is one the caller asks to ``keep``
    (the designer's saved work); one made only of files still where they came from is removed."""
    if keep or draft.changeset.campaign_fields is not None:
        _fail(store, draft, exc)
    else:
        store.delete(draft.id)


def submit(
    config: SiteConfig,
    changeset: ChangeSet,
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    draft_id: str | None = None,
    store: DraftStore | None = None,
) -> SubmitResult:
    """Open a pull request for ``changeset``: validate, save a draft, commit on a new branch in a
    separate workspace, push, open the PR (labels, reviewers), then remove the draft.

    With ``draft_id`` the saved draft is resumed instead (its copies of the files are used). On any
    failure the draft stays and the error is raised.
    """
    store = store or DraftStore()
    progress(ProgressEvent("publish.progress.validate"))
    if draft_id is not None:
        draft = store.get(draft_id)
        changeset = draft.changeset
    checked = validate_changeset(config, changeset)
    if draft_id is None:
        draft = store.create(changeset, repo=config.forge.repo, site=config.root)
        changeset = draft.changeset
        checked = [
            _Checked(img, c.format, c.width, c.height, c.bytes, c.sha256, c.findings)
            for img, c in zip(changeset.images, checked, strict=True)
        ]
    try:
        result = _submit(
            config,
            changeset,
            checked,
            draft,
            store,
            forge=forge,
            token=token,
            progress=progress,
            cancel=cancel,
        )
    except ContentError as exc:
        # The caller's own draft (the designer's saved work) holds the only copies of their prepared
        # files: it stays, marked with the reason, for them to change and send again.
        _refused(store, draft, exc, keep=draft_id is not None)
        raise
    except LpublishError as exc:
        _fail(store, draft, exc)
        raise
    store.delete(draft.id)
    progress(ProgressEvent("publish.progress.done"))
    return result


def _submit(
    config: SiteConfig,
    changeset: ChangeSet,
    checked: list[_Checked],
    draft: Draft,
    store: DraftStore,
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> SubmitResult:
    check_cancel(cancel)
    progress(ProgressEvent("publish.progress.auth"))
    user = _check_access(forge, config)
    data: dict[str, Any]
    if draft.stage == "pushed" and draft.branch:
        # The branch is already on the forge from an earlier attempt: only the PR is missing.
        existing = forge.list_pulls(state="open", head=draft.branch)
        if existing:
            return SubmitResult(existing[0].number, existing[0].html_url, draft.branch, draft.id)
        data = _draft_marker(draft)
        branch = draft.branch
    else:
        with open_workspace(config, token=token, progress=progress, cancel=cancel) as ws:
            check_cancel(cancel)
            paths = _touched_dirs(ws.site_rel, config, changeset)
            ws.checkout(ws.base_sha, paths)
            progress(ProgressEvent("publish.progress.files"))
            entries, campaign = _place_and_commit(
                ws, config, changeset, checked, user, paths, progress, cancel
            )
            page_files = _page_files(ws, config, campaign)
            prefix = branch_name(user.login, changeset.title, set())
            branch = branch_name(user.login, changeset.title, ws.remote_branches(prefix))
            try:
                ws.push(branch)
            except NonFastForward:
                # Someone created the same name a moment ago: take the next free one.
                branch = branch_name(user.login, changeset.title, ws.remote_branches(prefix) | {branch})
                try:
                    ws.push(branch)
                except NonFastForward:
                    raise ExternalError("publish.push_rejected") from None
            commit = _pin(ws, entries)
            campaign_info = _campaign_info(ws, config, campaign)
        data = {
            "version": 1,
            "login": user.login,
            "branch": branch,
            "commit": commit,
            "files": entries,
            "campaign": campaign,
            "note": changeset.note,
            "page_files": page_files,
        }
        if campaign_info:
            data["campaign_info"] = campaign_info
        draft.branch = branch
        draft.stage = "pushed"
        draft.error = None
        draft.extra = data
        store.save(draft)
    progress(ProgressEvent("publish.progress.pull_request"))
    check_cancel(cancel)
    pull = forge.create_pull(
        title=changeset.title,
        body=render_body(config, data),
        head=branch,
        base=config.forge.base,
        draft=changeset.draft_pr or config.forge.draft,
    )
    warnings = _decorate(forge, config, pull, user)
    preview = _preview_url(config, pull.number)
    if preview:
        # The number is known only now: point the body at the request's own preview.
        try:
            forge.update_pull(pull.number, body=render_body(config, data | {"preview_url": preview}))
        except LpublishError as exc:
            warnings.append(exc.message)
    return SubmitResult(pull.number, pull.html_url, branch, draft.id, warnings)


def _draft_marker(draft: Draft) -> dict[str, Any]:
    data = dict(draft.extra or {})
    data.setdefault("version", 1)
    data.setdefault("branch", draft.branch)
    data.setdefault("files", [])
    return data


def _decorate(forge: Forge, config: SiteConfig, pull: PullRequest, user: ForgeUser) -> list[str]:
    """Labels and reviewers: best effort once the PR is open (a failure here must not lose the PR)."""
    warnings: list[str] = []
    try:
        forge.add_labels(pull.number, list(config.forge.labels))
    except ExternalError as exc:
        warnings.append(t("publish.warn_labels", reason=exc.message))
    reviewers = [r for r in config.forge.reviewers if r.lower() != user.login.lower()]
    try:
        forge.request_reviewers(pull.number, reviewers, list(config.forge.team_reviewers))
    except ExternalError as exc:
        warnings.append(t("publish.warn_reviewers", reason=exc.message))
    return warnings


def update(
    config: SiteConfig,
    number: int,
    changeset: ChangeSet,
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    draft_id: str | None = None,
    store: DraftStore | None = None,
) -> SubmitResult:
    """Add or replace files in open request ``number``: a new commit on its branch (fetched fresh; if
    the branch moved while we worked, rebase once, else stop — never force-push)."""
    store = store or DraftStore()
    progress(ProgressEvent("publish.progress.validate"))
    if draft_id is not None:
        draft = store.get(draft_id)
        changeset = draft.changeset
        number = draft.number or number
    if not changeset.title:
        changeset.title = f"#{number}"
    checked = validate_changeset(config, changeset)
    if draft_id is None:
        draft = store.create(
            changeset, repo=config.forge.repo, site=config.root, kind="update", number=number
        )
        changeset = draft.changeset
        checked = [
            _Checked(img, c.format, c.width, c.height, c.bytes, c.sha256, c.findings)
            for img, c in zip(changeset.images, checked, strict=True)
        ]
    try:
        result = _update(
            config, number, changeset, checked, forge=forge, token=token, progress=progress, cancel=cancel
        )
    except ContentError as exc:
        # The request was merged or closed meanwhile (the files are fine: keep them to send anew), or
        # the draft is the caller's saved work: it stays.
        _refused(store, draft, exc, keep=exc.key in REQUEST_GONE or draft_id is not None)
        raise
    except LpublishError as exc:
        _fail(store, draft, exc)
        raise
    result.draft_id = draft.id
    store.delete(draft.id)
    progress(ProgressEvent("publish.progress.done"))
    return result


def _update(
    config: SiteConfig,
    number: int,
    changeset: ChangeSet,
    checked: list[_Checked],
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> SubmitResult:
    progress(ProgressEvent("publish.progress.auth"))
    user = _check_access(forge, config)
    pull = forge.get_pull(number)
    if pull.state != "open":
        key = "designer.request_merged" if pull.merged else "designer.request_closed"
        raise ContentError(key, number=number, title=pull.title)
    data = parse_marker(pull.body) or {"version": 1, "files": []}
    branch = pull.head_ref
    with open_workspace(config, token=token, fetch_base=False, progress=progress, cancel=cancel) as ws:
        head = ws.fetch(branch)
        if head is None:
            raise ExternalError("publish.branch_missing", branch=branch)
        if ws.managed:
            base = ws.fetch(config.forge.base) or head
            from lpublish.publish.workspace import _detect_site_rel

            ws.site_rel = _detect_site_rel(ws, base)
        paths = _touched_dirs(ws.site_rel, config, changeset)
        ws.checkout(head, paths)
        progress(ProgressEvent("publish.progress.files"))
        entries, campaign = _place_and_commit(ws, config, changeset, checked, user, paths, progress, cancel)
        page_files = _page_files(ws, config, campaign)
        try:
            ws.push(branch)
        except NonFastForward:
            moved = ws.fetch(branch)
            if moved is None:
                raise ExternalError("publish.branch_missing", branch=branch) from None
            ws.rebase_onto(moved)
            try:
                ws.push(branch)
            except NonFastForward:
                raise ExternalError("publish.branch_moved") from None
        data["commit"] = _pin(ws, entries)
        campaign_info = _campaign_info(ws, config, campaign)
    if campaign_info:
        data["campaign_info"] = campaign_info
    preview = _preview_url(config, number)
    if preview:
        data["preview_url"] = preview
    files = {e["path"]: e for e in data.get("files", [])}
    for entry in entries:
        files[entry["path"]] = entry
    for entry in entries:
        # A replaced file (or a removed entry's image) is no longer part of what the request adds.
        if entry.get("replaced") and entry.get("replaced") != entry["path"]:
            files.pop(entry["replaced"], None)
    data["files"] = sorted(files.values(), key=lambda e: e["path"])
    data["branch"] = branch
    if campaign:
        data["campaign"] = campaign
        data["page_files"] = page_files
    if changeset.note:
        # The body describes the whole request: earlier notes stay, each update's note is added.
        notes = [str(n) for n in data.get("notes") or ([data["note"]] if data.get("note") else [])]
        if changeset.note not in notes:
            notes.append(changeset.note)
        data["notes"] = notes
        data["note"] = notes[0]
    progress(ProgressEvent("publish.progress.pull_request"))
    updated = forge.update_pull(number, body=render_body(config, data))
    return SubmitResult(updated.number, updated.html_url, branch, updated=True)


def resume_draft(
    config: SiteConfig,
    draft_id: str,
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
    store: DraftStore | None = None,
) -> SubmitResult:
    """Continue a saved draft (a new request or an update) from where it stopped."""
    store = store or DraftStore()
    draft = store.get(draft_id)
    if draft.kind == "update" and draft.number:
        return update(
            config,
            draft.number,
            draft.changeset,
            forge=forge,
            token=token,
            progress=progress,
            cancel=cancel,
            draft_id=draft_id,
            store=store,
        )
    return submit(
        config,
        draft.changeset,
        forge=forge,
        token=token,
        progress=progress,
        cancel=cancel,
        draft_id=draft_id,
        store=store,
    )


def withdraw(config: SiteConfig, number: int, *, forge: Forge, token: str) -> str | None:
    """Close request ``number`` and delete its branch on the forge, keeping a local backup ref
    (``refs/lpublish/backup/<branch>``). Returns the backup ref name (``None`` if the branch was gone)."""
    pull = forge.get_pull(number)
    if pull.merged:
        raise ContentError("publish.already_merged", number=number)
    if parse_marker(pull.body) is None:
        raise ContentError("publish.not_lpublish_request", number=number)
    with open_workspace(config, token=token, worktree=False, fetch_base=False) as ws:
        backup = ws.backup_ref(pull.head_ref)
    if pull.state == "open":
        forge.close_pull(number)
    if backup is not None:
        try:
            forge.delete_branch(pull.head_ref)
        except ExternalError as exc:
            if exc.key != "publish.rejected":  # 422: already deleted
                raise
    return backup


def _preview_url(config: SiteConfig, number: int) -> str | None:
    for target in config.deploy.targets.values():
        if target.preview and target.preview_url:
            return target.preview_url.replace("{pr}", str(number))
    return None


def request_status(config: SiteConfig, forge: Forge, pull: PullRequest) -> RequestStatus:
    """The state of one request from its checks, reviews, merge and deployments."""
    status = RequestStatus(
        number=pull.number,
        title=pull.title,
        url=pull.html_url,
        state="checks-running",
        branch=pull.head_ref,
        merged=pull.merged,
        updated_at=pull.updated_at,
    )
    if pull.merged:
        status.state = "merged"
        sha = pull.merge_commit_sha
        if sha:
            for dep in forge.list_deployments(environment=config.forge.environment, sha=sha):
                statuses = forge.list_deployment_statuses(dep.id)
                if statuses and statuses[0].state == "success":
                    status.state = "live"
                    status.deployed = True
                    status.live_url = statuses[0].environment_url or None
                    break
        return status
    if pull.state != "open":
        status.state = "closed"
        return status
    # Check runs and commit statuses: many CI systems only post statuses.
    runs = forge.list_check_runs(pull.head_sha) + forge.list_commit_statuses(pull.head_sha)
    counts = {"total": len(runs), "passed": 0, "failed": 0, "running": 0}
    for run in runs:
        if run.status != "completed":
            counts["running"] += 1
        elif run.conclusion in _FAILED:
            counts["failed"] += 1
        else:
            counts["passed"] += 1
    status.checks = counts
    latest: dict[str, str] = {}
    for review in forge.list_reviews(pull.number):
        if review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.user_login] = review.state
    decisions = set(latest.values())
    status.review = (
        "changes_requested"
        if "CHANGES_REQUESTED" in decisions
        else "approved"
        if "APPROVED" in decisions
        else None
    )
    status.preview_url = _preview_url(config, pull.number)
    for dep in forge.list_deployments(sha=pull.head_sha):
        statuses = forge.list_deployment_statuses(dep.id)
        if statuses and statuses[0].state == "success" and statuses[0].environment_url:
            status.preview_url = statuses[0].environment_url
            break
    if counts["failed"]:
        status.state = "checks-failed"
    elif status.review == "changes_requested":
        status.state = "changes-requested"
    elif counts["running"]:
        status.state = "checks-running"
    elif status.review == "approved":
        status.state = "approved"
    else:
        status.state = "in-review"
    return status


def list_requests(config: SiteConfig, *, forge: Forge, limit: int = 30) -> list[RequestStatus]:
    """The signed-in user's requests (PRs carrying the lpublish marker), newest activity first."""
    me = forge.get_user()
    # Filtered by GitHub (author), not from the newest 100 of everyone: older requests stay visible.
    pulls = [p for p in forge.list_pulls_by(me.login, limit=limit * 2) if parse_marker(p.body) is not None]
    return [request_status(config, forge, p) for p in pulls[:limit]]
