"""``lpublish submit``, ``status``, ``update``, ``withdraw`` and ``drafts``: review requests from the terminal.

A thin front end over ``lpublish.publish.service``: parses ``--image SLOT=PATH[:ALT]`` (replaces a file
or key slot's image, adds an entry to a list slot), ``--remove SLOT=ENTRY`` (removes a list entry) and
``--field NAME=VALUE`` (a new list entry's other fields), shows progress
on stderr (``lpublish.cli.progress_view``) and prints the result as text or, with ``--format json``, as
the envelope of ``lpublish.results``. Exit codes come from the errors: 1 refused by validation,
2 usage/config, 3 GitHub/git/network.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lpublish.cli.options import config_from, environment, format_option, site_option
from lpublish.cli.progress_view import progress_view
from lpublish.cli.render import echo_envelope, requested
from lpublish.errors import UsageError
from lpublish.i18n import t
from lpublish.publish.changeset import ChangeSet, EntryRemoval, ImageChange
from lpublish.results.codecs import DRAFT_DELETED, DRAFTS, REQUESTS, SUBMIT, WITHDRAW
from lpublish.results.types import DraftDeleted, Withdrawal

if TYPE_CHECKING:
    from lpublish.progress import ProgressCallback
    from lpublish.publish.service import PreparedChange, SubmitResult

logger = logging.getLogger(__name__)

image_option = click.option(
    "--image",
    "images",
    multiple=True,
    metavar="SLOT=PATH[:ALT]",
    help="An image for a slot, with optional alt text, e.g. hero=summer.jpg:'Tea field at dawn'. Replaces a "
    "file or key slot's image; adds an entry to a list slot (SLOT@ENTRY=PATH replaces that entry's image). "
    "Repeatable.",
)
campaign_option = click.option(
    "--campaign",
    "campaign",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="A prepared campaign folder (holding index.md) to add or replace.",
)
remove_option = click.option(
    "--remove",
    "removals",
    multiple=True,
    metavar="SLOT=ENTRY",
    help="Remove an entry of a list slot: its number (0 is the first), image file or title. Repeatable.",
)
field_option = click.option(
    "--field",
    "entry_fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="A field of the list entries --image adds (title, link ...), e.g. title='Hojicha'. Repeatable.",
)


def parse_removal(spec: str) -> EntryRemoval:
    """``SLOT=ENTRY``."""
    slot, sep, entry = spec.partition("=")
    if not sep or not slot.strip() or not entry.strip():
        raise UsageError("content.bad_removal", value=spec)
    return EntryRemoval(slot.strip(), entry.strip())


def parse_fields(specs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not name.strip():
            raise UsageError("content.bad_field", value=spec)
        out[name.strip()] = value
    return out


def _images(specs: tuple[str, ...], entry_fields: tuple[str, ...]) -> list[ImageChange]:
    fields = parse_fields(entry_fields)
    images = [parse_image(s) for s in specs]
    for image in images:
        image.fields = dict(fields)
    return images


def parse_image(spec: str) -> ImageChange:
    """``SLOT=PATH[:ALT]``: the path is the longest-existing prefix, so paths and alt may hold ':'."""
    slot, sep, rest = spec.partition("=")
    if not sep or not slot.strip() or not rest:
        raise UsageError("publish.cli.bad_image", spec=spec)
    path, alt = rest, ""
    if not Path(rest).is_file():
        for index, char in enumerate(rest):
            if char == ":" and Path(rest[:index]).is_file():
                path, alt = rest[:index], rest[index + 1 :]
                break
    # ``SLOT@ENTRY=PATH`` replaces one entry's image in a list slot (ENTRY: number, image or title).
    name, _, entry = slot.partition("@")
    return ImageChange(
        slot=name.strip(), source=Path(path).expanduser(), alt=alt, replace=entry.strip() or None
    )


def _token_and_forge(config: Any) -> tuple[str, Any]:
    from lpublish.publish.auth import require_token
    from lpublish.publish.client import forge_for

    token = require_token(config, environment())
    return token, forge_for(config, token)


def _sign_in_and_send(prepared: PreparedChange, progress: ProgressCallback) -> SubmitResult:
    """Sign in, then send the prepared change; a failed sign-in keeps its draft, marked with why."""
    from lpublish.publish import service

    token, forge = service.sign_in(prepared, lambda: _token_and_forge(prepared.config))
    return service.send(prepared, forge=forge, token=token, progress=progress)


def _print_result(result: Any, key: str, command: str, fmt: str) -> None:
    logger.info("request #%s: %s", result.number, result.url)
    if fmt == "json":
        echo_envelope(SUBMIT, command, result)
        return
    click.echo(t(key, number=result.number, url=result.url))
    for warning in result.warnings:
        click.secho(f"{t('common.warning_prefix')}: {warning}", fg="yellow", err=True)


@click.command()
@site_option
@click.option("--title", required=True, help="A short title reviewers see first.")
@image_option
@remove_option
@field_option
@campaign_option
@click.option("--note", default="", help="A note for reviewers.")
@click.option("--draft-pr", is_flag=True, help="Open the pull request as a draft.")
@format_option("text", "json")
def submit(
    site: Path | None,
    title: str,
    images: tuple[str, ...],
    removals: tuple[str, ...],
    entry_fields: tuple[str, ...],
    campaign: Path | None,
    note: str,
    draft_pr: bool,
    fmt: str,
) -> None:
    """Send images and/or a campaign page for review (opens a pull request) and print its address."""
    from lpublish.publish import service
    from lpublish.publish.drafts import DraftStore

    config = config_from(site, environment())
    changeset = ChangeSet(
        title=title,
        note=note,
        images=_images(images, entry_fields),
        campaign_dir=campaign,
        draft_pr=draft_pr,
        removals=[parse_removal(r) for r in removals],
    )
    # Validated and saved once, before signing in: a content error needs no sign-in to be told.
    progress = progress_view(fmt)
    prepared = service.prepare(config, changeset, store=DraftStore(env=environment()), progress=progress)
    result = _sign_in_and_send(prepared, progress)
    _print_result(result, "publish.cli.submitted", "submit", fmt)


@click.command()
@site_option
@format_option("text", "json")
def status(site: Path | None, fmt: str) -> None:
    """List your requests: checks, review, merged, live, and the preview address."""
    from lpublish.publish.request_status import list_requests

    config = config_from(site, environment())
    _, forge = _token_and_forge(config)
    requests = list_requests(config, forge=forge)
    if fmt == "json":
        echo_envelope(REQUESTS, "status", requests)
        return
    if not requests:
        click.echo(t("publish.cli.no_requests"))
        return
    for request in requests:
        label = t(f"publish.state.{request.state}", default=request.state)
        click.echo(f"#{request.number}  [{label}]  {request.title}")
        click.echo(f"      {request.url}")
        if request.preview_url and request.state not in ("merged", "live", "closed"):
            click.echo("      " + t("publish.cli.preview", url=request.preview_url))
        if request.live_url:
            click.echo("      " + t("publish.cli.live", url=request.live_url))


@click.command()
@click.argument("number", type=int)
@site_option
@image_option
@remove_option
@field_option
@campaign_option
@click.option("--note", default="", help="A note for reviewers (replaces the previous one).")
@format_option("text", "json")
def update(
    number: int,
    site: Path | None,
    images: tuple[str, ...],
    removals: tuple[str, ...],
    entry_fields: tuple[str, ...],
    campaign: Path | None,
    note: str,
    fmt: str,
) -> None:
    """Add or replace files in your open request NUMBER (a new commit on the same branch)."""
    from lpublish.publish import service
    from lpublish.publish.drafts import DraftStore

    config = config_from(site, environment())
    changeset = ChangeSet(
        title=f"#{number}",
        note=note,
        images=_images(images, entry_fields),
        campaign_dir=campaign,
        removals=[parse_removal(r) for r in removals],
    )
    progress = progress_view(fmt)
    store = DraftStore(env=environment())
    prepared = service.prepare(
        config, changeset, store=store, kind="update", number=number, progress=progress
    )
    result = _sign_in_and_send(prepared, progress)
    _print_result(result, "publish.cli.updated", "update", fmt)


@click.command()
@click.argument("number", type=int)
@site_option
@format_option("text", "json")
def withdraw(number: int, site: Path | None, fmt: str) -> None:
    """Withdraw request NUMBER: close it and delete its branch (a local backup is kept)."""
    from lpublish.publish import service

    config = config_from(site, environment())
    token, forge = _token_and_forge(config)
    backup = service.withdraw(config, number, forge=forge, token=token)
    if fmt == "json":
        echo_envelope(WITHDRAW, "withdraw", Withdrawal(number, backup or ""))
        return
    click.echo(t("publish.cli.withdrawn", number=number))
    if backup:
        click.echo(t("publish.cli.backup", ref=backup))


@click.command()
@site_option
@click.option("--resume", "resume", metavar="ID", default=None, help="Resume (send) the saved draft ID.")
@click.option("--delete", "delete", metavar="ID", default=None, help="Delete the saved draft ID.")
@format_option("text", "json")
def drafts(site: Path | None, resume: str | None, delete: str | None, fmt: str) -> None:
    """List the changes saved on this computer that are not yet open as requests, or resume one."""
    from lpublish.publish import service
    from lpublish.publish.drafts import DraftStore

    store = DraftStore(env=environment())
    if delete:
        requested.command = "drafts --delete"  # a failure's envelope names what failed
        store.get(delete)
        store.delete(delete)
        if fmt == "json":
            echo_envelope(DRAFT_DELETED, "drafts --delete", DraftDeleted(id=delete))
        else:
            click.echo(t("publish.cli.draft_deleted", id=delete))
        return
    if resume:
        draft = store.get(resume)
        config = config_from(site if site is not None else Path(draft.site), environment())
        progress = progress_view(fmt)
        prepared = service.prepare(config, store=store, draft_id=resume, progress=progress)
        result = _sign_in_and_send(prepared, progress)
        key = "publish.cli.updated" if prepared.kind == "update" else "publish.cli.submitted"
        _print_result(result, key, "drafts --resume", fmt)
        return
    listing = store.scan()
    saved = listing.drafts
    for bad in listing.damaged:
        click.echo(
            t("security.draft.cli.damaged", id=bad.id, reason=t(bad.reason), folder=bad.folder), err=True
        )
    for bad in listing.newer:
        click.echo(t("security.draft.cli.newer", id=bad.id, version=bad.version), err=True)
    if fmt == "json":
        echo_envelope(DRAFTS, "drafts", saved)
        return
    if not saved:
        click.echo(t("publish.cli.no_drafts"))
        return
    for draft in saved:
        files = len(draft.changeset.images) + (1 if draft.changeset.campaign_dir else 0)
        kind = t("publish.cli.draft_update", number=draft.number) if draft.kind == "update" else ""
        click.echo(f"{draft.id}  {draft.changeset.title}  {kind}".rstrip())
        click.echo("      " + t("publish.cli.draft_files", count=files, created=draft.created))
        if draft.error:
            click.echo("      " + t("publish.cli.draft_error", reason=t(f"{draft.error}.title")))
    click.echo(t("publish.cli.resume_hint"))
