"""Local drafts: a change set kept safe (with copies of its files) until its pull request is open.

Owns: ``Draft`` and ``DraftStore``. A draft is saved the moment a change set is prepared, and removed only
once the forge confirmed the pull request; if anything fails on the way (network, sign-in, push
rejected, rate limit, base branch gone) it stays and ``lpublish drafts --resume ID`` continues it.
Location: ``$LPUBLISH_HOME/drafts`` when set (tests), else the platform's user data dir. Must not import
UI libraries.

A damaged ``draft.json`` (cut short, binary, ``changeset: null``) never hides or breaks the other drafts:
``scan`` reports it and moves its whole folder (the designer's copied files included) to
``drafts/.damaged/`` where nothing is lost; a draft written by a newer lpublish (``version`` above
``DRAFT_VERSION``) is left in place and reported with a clear message, never read as version 1.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from lpublish.environment import Environment
from lpublish.errors import ContentError, UsageError, os_failure
from lpublish.publish.changeset import ChangeSet, ImageChange

DRAFT_FILE = "draft.json"
#: The draft.json format this lpublish reads and writes.
DRAFT_VERSION = 1
#: Where damaged drafts are moved (inside the drafts folder, so they stay with the designer's data).
DAMAGED_DIR = ".damaged"

logger = logging.getLogger(__name__)


def user_home(env: Environment) -> Path:
    """lpublish's own folder for user data (drafts, managed clones): ``LPUBLISH_HOME`` or the platform's."""
    home = env.lpublish_home
    if home is not None:
        return home
    return Path(platformdirs.user_data_dir("lpublish", appauthor=False))


def user_cache(env: Environment) -> Path:
    """Cache folder (managed partial clones, worktrees): under ``LPUBLISH_HOME`` when set."""
    home = env.lpublish_home
    if home is not None:
        return home / "cache"
    return Path(platformdirs.user_cache_dir("lpublish", appauthor=False))


@dataclass
class Draft:
    """A saved change set. ``kind`` is ``submit`` (new request) or ``update`` (of request ``number``).

    ``stage`` records how far it got (``prepared``, ``pushed``), ``branch`` the branch once known, and
    ``error`` the key of the last failure, so the list can say why it is waiting.
    """

    id: str
    changeset: ChangeSet
    repo: str
    site: str
    kind: str = "submit"
    number: int | None = None
    branch: str | None = None
    stage: str = "prepared"
    error: str | None = None
    #: What the pull request body needs once the branch is pushed (so a resume only opens the PR).
    extra: dict[str, Any] | None = None
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    updated: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": DRAFT_VERSION,
            "id": self.id,
            "changeset": self.changeset.to_dict(),
            "repo": self.repo,
            "site": self.site,
            "kind": self.kind,
            "number": self.number,
            "branch": self.branch,
            "stage": self.stage,
            "error": self.error,
            "extra": self.extra,
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(
            id=str(data["id"]),
            changeset=ChangeSet.from_dict(data["changeset"]),
            repo=str(data.get("repo", "")),
            site=str(data.get("site", "")),
            kind=str(data.get("kind", "submit")),
            number=data.get("number"),
            branch=data.get("branch"),
            stage=str(data.get("stage", "prepared")),
            error=data.get("error"),
            extra=data.get("extra"),
            created=str(data.get("created", "")),
            updated=str(data.get("updated", "")),
        )


class _Damaged(Exception):
    """draft.json cannot be read as a draft; ``reason`` is a catalog key saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Newer(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(str(version))
        self.version = version


@dataclass(frozen=True)
class DamagedDraft:
    """A draft that could not be read: its id, why (a catalog key), and where its folder is now."""

    id: str
    reason: str
    folder: str
    #: For a draft of a newer lpublish: the version it was written with (it stays where it was).
    version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "folder": self.folder, "version": self.version}


@dataclass
class DraftListing:
    """Every readable draft, every damaged one (moved aside), every one from a newer lpublish."""

    drafts: list[Draft] = field(default_factory=list)
    damaged: list[DamagedDraft] = field(default_factory=list)
    newer: list[DamagedDraft] = field(default_factory=list)


def _parse(raw: bytes, folder_name: str) -> Draft:
    """A draft from draft.json's bytes, or ``_Damaged`` / ``_Newer`` saying why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Damaged("security.draft.reason.binary") from None
    try:
        data = json.loads(text)
    except ValueError:
        raise _Damaged("security.draft.reason.truncated") from None
    if not isinstance(data, dict):
        raise _Damaged("security.draft.reason.shape")
    version = data.get("version", DRAFT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Damaged("security.draft.reason.shape")
    if version > DRAFT_VERSION:
        raise _Newer(version)
    if not isinstance(data.get("changeset"), dict) or str(data.get("id", "")) != folder_name:
        raise _Damaged("security.draft.reason.shape")
    try:
        draft = Draft.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _Damaged("security.draft.reason.shape") from None
    return draft


class DraftStore:
    """Drafts on disk: one folder per draft with ``draft.json`` and ``files/`` (copies of the images)."""

    def __init__(self, root: Path | None = None, *, env: Environment | None = None) -> None:
        """``root`` is the drafts folder; without it, ``drafts/`` under ``user_home(env)``. Front ends pass
        their ``env``; callers not handed one yet get the process's environment."""
        if root is None:
            root = user_home(env if env is not None else Environment.from_os()) / "drafts"
        self.root = root
        logger.debug("drafts folder %s", self.root)

    def _folder(self, draft_id: str) -> Path:
        if not draft_id or "/" in draft_id or "\\" in draft_id or draft_id.startswith("."):
            raise UsageError("publish.draft_not_found", id=draft_id)
        return self.root / draft_id

    def new_id(self) -> str:
        return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)

    def create(
        self, changeset: ChangeSet, *, repo: str, site: Path, kind: str = "submit", number: int | None = None
    ) -> Draft:
        """Save ``changeset`` as a new draft, copying its files so later edits to the originals don't matter."""
        draft_id = self.new_id()
        folder = self._folder(draft_id)
        try:
            return self._create(draft_id, folder, changeset, repo=repo, site=site, kind=kind, number=number)
        except BaseException as exc:
            # A full or read-only disk half-way: leave no half-copied draft behind (the originals are
            # untouched; the error says what happened and where).
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, OSError):
                raise os_failure(exc, path=self.root) from None
            raise

    def _create(
        self,
        draft_id: str,
        folder: Path,
        changeset: ChangeSet,
        *,
        repo: str,
        site: Path,
        kind: str,
        number: int | None,
    ) -> Draft:
        files = folder / "files"
        files.mkdir(parents=True, exist_ok=False)
        images: list[ImageChange] = []
        for index, image in enumerate(changeset.images):
            # One folder per file keeps the designer's file name (it becomes the published name).
            target = files / f"{index:03d}" / image.source.name
            target.parent.mkdir()
            shutil.copy2(image.source, target)
            images.append(dataclasses.replace(image, source=target, fields=dict(image.fields)))
        campaign: Path | None = None
        if changeset.campaign_dir is not None:
            campaign = folder / "campaign" / changeset.campaign_dir.name
            shutil.copytree(changeset.campaign_dir, campaign)
        campaign_images: dict[str, Path] = {}
        for key, source in changeset.campaign_images.items():
            target = folder / "campaign-images" / key / source.name
            target.parent.mkdir(parents=True)
            shutil.copy2(source, target)
            campaign_images[key] = target
        copy = ChangeSet(
            changeset.title,
            changeset.note,
            images,
            campaign,
            changeset.draft_pr,
            dict(changeset.campaign_fields) if changeset.campaign_fields is not None else None,
            campaign_images,
            list(changeset.removals),
        )
        draft = Draft(draft_id, copy, repo=repo, site=str(site), kind=kind, number=number)
        self.save(draft)
        logger.info(
            "draft %s saved in %s (%d image(s)%s)",
            draft_id,
            folder,
            len(images),
            ", a campaign" if campaign is not None or changeset.campaign_fields is not None else "",
        )
        return draft

    def save(self, draft: Draft) -> None:
        """Write ``draft.json`` atomically (a crash never leaves a half-written draft)."""
        folder = self._folder(draft.id)
        folder.mkdir(parents=True, exist_ok=True)
        draft.updated = datetime.now(UTC).isoformat(timespec="seconds")
        tmp = folder / (DRAFT_FILE + ".tmp")
        tmp.write_text(json.dumps(draft.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, folder / DRAFT_FILE)
        logger.debug("draft %s written (stage %s)", draft.id, draft.stage)

    def get(self, draft_id: str) -> Draft:
        """The draft ``draft_id``; a damaged one is moved aside and reported (``ContentError``), one from
        a newer lpublish is refused with a clear message (``UsageError``)."""
        path = self._folder(draft_id) / DRAFT_FILE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UsageError("publish.draft_not_found", id=draft_id) from None
        try:
            draft = _parse(raw, draft_id)
        except _Newer as newer:
            raise UsageError("security.draft.newer", id=draft_id, version=newer.version) from None
        except _Damaged as damaged:
            moved = self._move_aside(draft_id)
            logger.info("damaged draft %s moved to %s", draft_id, moved)
            raise ContentError(
                "security.draft.damaged", id=draft_id, reason=_reason(damaged.reason), folder=str(moved)
            ) from None
        logger.info("draft %s restored from %s (stage %s)", draft_id, path.parent, draft.stage)
        return draft

    def scan(self) -> DraftListing:
        """Every draft, oldest first; damaged ones are moved to ``.damaged/`` and listed with the reason."""
        listing = DraftListing()
        if not self.root.is_dir():
            return listing
        for folder in sorted(self.root.iterdir()):
            path = folder / DRAFT_FILE
            if folder.name.startswith(".") or not path.is_file():
                continue
            try:
                listing.drafts.append(_parse(path.read_bytes(), folder.name))
            except _Newer as newer:
                listing.newer.append(
                    DamagedDraft(folder.name, "security.draft.reason.newer", str(folder), newer.version)
                )
            except _Damaged as damaged:
                moved = self._move_aside(folder.name)
                logger.info("damaged draft %s moved to %s", folder.name, moved)
                listing.damaged.append(DamagedDraft(folder.name, damaged.reason, str(moved)))
            except OSError as exc:
                # Unreadable (permissions): leave it where it is and say so; the others still work.
                logger.info("draft %s unreadable: %s", folder.name, exc.strerror)
                listing.damaged.append(
                    DamagedDraft(folder.name, "security.draft.reason.unreadable", str(folder))
                )
        return listing

    def list(self) -> list[Draft]:
        """Every readable draft, oldest first (damaged ones are moved aside: see ``scan``)."""
        return self.scan().drafts

    def _move_aside(self, draft_id: str) -> Path:
        """Move a damaged draft's folder (with every copied file) to ``.damaged/<id>``; never delete."""
        source = self._folder(draft_id)
        target_root = self.root / DAMAGED_DIR
        target_root.mkdir(parents=True, exist_ok=True)
        target = target_root / draft_id
        counter = 1
        while target.exists():
            counter += 1
            target = target_root / f"{draft_id}-{counter}"
        os.replace(source, target)
        return target

    def delete(self, draft_id: str) -> None:
        logger.info("draft %s removed", draft_id)
        shutil.rmtree(self._folder(draft_id), ignore_errors=True)


def _reason(key: str) -> str:
    from lpublish.i18n import t

    return t(key)
