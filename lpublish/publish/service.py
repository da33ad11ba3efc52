"""Publishing a change: submit it as a pull request, update an open one, resume a saved draft, withdraw.

Owns the orchestration of sending a change with its ``SubmitResult``: ``prepare`` (validate once with
``lpublish.publish.validate_change``, save the draft once, or take the caller's saved draft as it is:
a ``PreparedChange``) and ``send`` (place with ``lpublish.publish.place_change``, commit, push, open or
update the request), ``sign_in`` (a failed sign-in keeps the prepared draft); ``submit``,
``update`` and ``resume_draft`` (prepare then send, for callers already signed in) and ``withdraw``;
the branch naming rule and the commit's author and message. Front ends prepare, then sign in, then
send: content errors come before any sign-in. The draft stays
until the forge confirmed the pull request; work happens in a separate git worktree or the managed clone
(never the designer's own checkout), and any failure raises ``ExternalError`` with plain next steps.
Where requests stand is ``lpublish.publish.request_status``; the reviewers' body is
``lpublish.publish.request_body``. Must not import UI libraries.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lpublish.config import SiteConfig
from lpublish.errors import ContentError, ExternalError, LpublishError, UsageError
from lpublish.i18n import t
from lpublish.progress import ProgressCallback, ProgressEvent, check_cancel, no_progress
from lpublish.publish import request_body
from lpublish.publish.changeset import ChangeSet
from lpublish.publish.drafts import Draft, DraftStore
from lpublish.publish.forge import Forge, ForgeUser, PullRequest
from lpublish.publish.place_change import PlacedChange, place_change, touched_dirs
from lpublish.publish.placement import git_index, refuse_broken
from lpublish.publish.request_body import parse_marker
from lpublish.publish.request_status import preview_url
from lpublish.publish.validate_change import CheckedChange, CheckedImage, validate_changeset
from lpublish.publish.workspace import NonFastForward, Workspace, detect_site_rel, open_workspace
from lpublish.text import slugify

logger = logging.getLogger(__name__)

#: Error keys of ``update`` when the request is no longer open (the draft is kept to send anew).
REQUEST_GONE = frozenset({"designer.request_merged", "designer.request_closed"})


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
    checked: CheckedChange,
    user: ForgeUser,
    paths: list[str],
    progress: ProgressCallback,
    cancel: threading.Event | None,
) -> PlacedChange:
    """Put the change's files in place and commit them as the designer (shared by submit and update).

    Refuses (``ContentError``, nothing committed) when the change would break an image reference
    that resolved before it."""
    before = git_index(ws.git, ws.root, ws.site_rel, config)
    placed = place_change(
        ws.site_dir,
        config,
        changeset,
        checked,
        repo_prefix=f"{ws.site_rel}/" if ws.site_rel else "",
        before_ref=ws.git("rev-parse", "HEAD").strip(),
    )
    # Stage first: the index then holds exactly what the commit will (the checkout may be sparse).
    add = ["add", "--all"] + (["--sparse"] if ws.managed else [])
    ws.git(*add, "--", *paths)
    refuse_broken(before, git_index(ws.git, ws.root, ws.site_rel, config))
    progress(ProgressEvent("publish.progress.commit"))
    sha = ws.commit(
        _commit_message(changeset.title, placed.entries, placed.campaign),
        name=user.name or user.login,
        email=noreply_email(user, config.forge.web_url),
        paths=paths,
    )
    if sha is None:
        raise ContentError("publish.no_changes")
    logger.info("committed %s on top of %s", sha[:12], ws.base_sha[:12] if ws.base_sha else "the branch")
    check_cancel(cancel)
    progress(ProgressEvent("publish.progress.push"))
    return placed


def _pin(ws: Workspace, entries: list[dict[str, Any]]) -> str:
    """The pushed commit, recorded in each new entry so its thumbnail outlives the branch."""
    sha = ws.git("rev-parse", "HEAD").strip()
    for entry in entries:
        entry["commit"] = sha
    return sha


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


def _validate_and_save(
    config: SiteConfig,
    changeset: ChangeSet,
    store: DraftStore,
    saved: Draft | None,
    *,
    kind: str = "submit",
    number: int | None = None,
) -> tuple[Draft, CheckedChange]:
    """Validate once, then save the draft once: a caller's ``saved`` draft is used as it is, else a new
    one holds copies of the files. What was checked then describes the draft's own copies."""
    try:
        checked = validate_changeset(config, changeset)
    except ContentError as exc:
        if saved is None and changeset.campaign_fields is not None:
            # The campaign form's text exists nowhere else: kept, with the reason, to fix and resume.
            kept = store.create(changeset, repo=config.forge.repo, site=config.root, kind=kind, number=number)
            _fail(store, kept, exc)
        raise
    if saved is not None:
        return saved, checked
    draft = store.create(changeset, repo=config.forge.repo, site=config.root, kind=kind, number=number)
    logger.info("draft %s saved", draft.id)
    copies = CheckedChange(
        [
            CheckedImage(image, c.format, c.width, c.height, c.bytes, c.sha256, c.findings)
            for image, c in zip(draft.changeset.images, checked.images, strict=True)
        ],
        dataclasses.replace(checked.campaign, images=dict(draft.changeset.campaign_images))
        if checked.campaign is not None
        else None,
    )
    return draft, copies


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


@dataclass
class PreparedChange:
    """A change ready to send: validated once and saved once (``draft``; ``checked`` describes the
    draft's own copies of the files). Made by ``prepare``, sent by ``send``."""

    config: SiteConfig
    draft: Draft
    checked: CheckedChange
    store: DraftStore
    #: The caller's saved draft (the designer's work): kept, marked with the reason, when refused.
    resumed: bool = False

    @property
    def changeset(self) -> ChangeSet:
        return self.draft.changeset

    @property
    def kind(self) -> str:
        """``"update"`` (a new commit on open request ``number``) or ``"submit"`` (a new request)."""
        return "update" if self.draft.kind == "update" and self.draft.number else "submit"

    @property
    def number(self) -> int | None:
        return self.draft.number


def prepare(
    config: SiteConfig,
    changeset: ChangeSet | None = None,
    *,
    store: DraftStore | None = None,
    kind: str = "submit",
    number: int | None = None,
    draft_id: str | None = None,
    progress: ProgressCallback = no_progress,
) -> PreparedChange:
    """Validate ``changeset`` once and save it once as a draft (or take the saved draft ``draft_id``,
    whose kind and request number then apply): the change ``send`` sends.

    Content errors are raised here, before anyone signs in; nothing is sent. A refused campaign form is
    kept as a draft with the reason (its text exists nowhere else); a refused saved draft stays as it was.
    """
    store = store or DraftStore()
    progress(ProgressEvent("publish.progress.validate"))
    saved = store.get(draft_id) if draft_id is not None else None
    if saved is not None:
        changeset = saved.changeset
        kind = "update" if saved.kind == "update" and saved.number else "submit"
        number = saved.number or number
    if changeset is None:
        raise UsageError("publish.nothing_to_publish")
    if kind == "update" and not changeset.title:
        changeset.title = f"#{number}"
    draft, checked = _validate_and_save(
        config, changeset, store, saved, kind=kind, number=number if kind == "update" else None
    )
    return PreparedChange(config, draft, checked, store, resumed=saved is not None)


def sign_in(prepared: PreparedChange, connect: Callable[[], tuple[str, Forge]]) -> tuple[str, Forge]:
    """Sign in to send ``prepared``: ``connect`` returns the token and the forge client. When it fails
    (nobody signed in, a revoked token) the draft stays, marked with the reason, for ``lpublish drafts
    --resume`` or the TUI's next Send, and the error is raised."""
    try:
        return connect()
    except LpublishError as exc:
        _fail(prepared.store, prepared.draft, exc)
        raise


def send(
    prepared: PreparedChange,
    *,
    forge: Forge,
    token: str,
    progress: ProgressCallback = no_progress,
    cancel: threading.Event | None = None,
) -> SubmitResult:
    """Send a prepared change: open a pull request (commit on a new branch in a separate workspace,
    push, open it with labels and reviewers) or, for an update, add a commit to the open request's
    branch (fetched fresh; if it moved while we worked, rebase once, else stop — never force-push).
    Then remove the draft. On any failure the draft stays (marked with the reason) and the error is
    raised; a refused change's draft made only of files still where they came from is removed."""
    config, draft, store = prepared.config, prepared.draft, prepared.store
    changeset = draft.changeset
    update = prepared.kind == "update"
    try:
        if update:
            assert draft.number is not None  # ``kind`` says so
            result = _update(
                config,
                draft.number,
                changeset,
                prepared.checked,
                forge=forge,
                token=token,
                progress=progress,
                cancel=cancel,
            )
            result.draft_id = draft.id
        else:
            result = _submit(
                config,
                changeset,
                prepared.checked,
                draft,
                store,
                forge=forge,
                token=token,
                progress=progress,
                cancel=cancel,
            )
    except ContentError as exc:
        # The caller's own draft (the designer's saved work) holds the only copies of their prepared
        # files: it stays, marked with the reason, for them to change and send again. So does an update
        # whose request was merged or closed meanwhile (the files are fine: send them anew).
        _refused(store, draft, exc, keep=prepared.resumed or (update and exc.key in REQUEST_GONE))
        raise
    except LpublishError as exc:
        _fail(store, draft, exc)
        raise
    store.delete(draft.id)
    progress(ProgressEvent("publish.progress.done"))
    return result


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
    """``prepare`` then ``send`` a new request for ``changeset`` (for callers already signed in).

    With ``draft_id`` the saved draft is resumed instead (its copies of the files are used)."""
    prepared = prepare(config, changeset, store=store, draft_id=draft_id, progress=progress)
    return send(prepared, forge=forge, token=token, progress=progress, cancel=cancel)


def _submit(
    config: SiteConfig,
    changeset: ChangeSet,
    checked: CheckedChange,
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
            paths = touched_dirs(ws.site_rel, config, changeset)
            ws.checkout(ws.base_sha, paths)
            progress(ProgressEvent("publish.progress.files"))
            placed = _place_and_commit(ws, config, changeset, checked, user, paths, progress, cancel)
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
            commit = _pin(ws, placed.entries)
        logger.info("pushed %s", branch)
        data = {
            "version": 1,
            "login": user.login,
            "branch": branch,
            "commit": commit,
            "files": placed.entries,
            "campaign": placed.campaign,
            "note": changeset.note,
            "page_files": placed.page_files,
        }
        if placed.campaign_info:
            data["campaign_info"] = placed.campaign_info
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
    logger.info("opened request #%d for %s", pull.number, branch)
    preview = preview_url(config, pull.number)
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
    """``prepare`` then ``send`` a new commit for open request ``number`` (for callers already signed in)."""
    prepared = prepare(
        config, changeset, store=store, kind="update", number=number, draft_id=draft_id, progress=progress
    )
    return send(prepared, forge=forge, token=token, progress=progress, cancel=cancel)


def _update(
    config: SiteConfig,
    number: int,
    changeset: ChangeSet,
    checked: CheckedChange,
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
            ws.site_rel = detect_site_rel(ws, base)
        paths = touched_dirs(ws.site_rel, config, changeset)
        ws.checkout(head, paths)
        progress(ProgressEvent("publish.progress.files"))
        placed = _place_and_commit(ws, config, changeset, checked, user, paths, progress, cancel)
        entries, campaign = placed.entries, placed.campaign
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
    logger.info("pushed a new commit to %s", branch)
    if placed.campaign_info:
        data["campaign_info"] = placed.campaign_info
    preview = preview_url(config, number)
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
        data["page_files"] = placed.page_files
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
    prepared = prepare(config, store=store, draft_id=draft_id, progress=progress)
    return send(prepared, forge=forge, token=token, progress=progress, cancel=cancel)


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
