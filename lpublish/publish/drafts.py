"""Local drafts: a change set kept safe (with copies of its files) until its pull request is open.

Owns: ``Draft`` and ``DraftStore``. A draft is saved the moment a change set is prepared, and removed only
once the forge confirmed the pull request; if anything fails on the way (network, sign-in, push
rejected, rate limit, base branch gone) it stays and ``lpublish drafts --resume ID`` continues it.
Location: ``$LPUBLISH_HOME/drafts`` when set (tests), else the platform's user data dir. Must not import
UI libraries.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from lpublish.errors import UsageError
from lpublish.publish.changeset import ChangeSet, ImageChange

DRAFT_FILE = "draft.json"


def user_home() -> Path:
    """lpublish's own folder for user data (drafts, managed clones): ``LPUBLISH_HOME`` or the platform's."""
    env = os.environ.get("LPUBLISH_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("lpublish", appauthor=False))


def user_cache() -> Path:
    """Cache folder (managed partial clones, worktrees): under ``LPUBLISH_HOME`` when set."""
    env = os.environ.get("LPUBLISH_HOME")
    if env:
        return Path(env) / "cache"
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
            "version": 1,
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


class DraftStore:
    """Drafts on disk: one folder per draft with ``draft.json`` and ``files/`` (copies of the images)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else user_home() / "drafts"

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
        return draft

    def save(self, draft: Draft) -> None:
        """Write ``draft.json`` atomically (a crash never leaves a half-written draft)."""
        folder = self._folder(draft.id)
        folder.mkdir(parents=True, exist_ok=True)
        draft.updated = datetime.now(UTC).isoformat(timespec="seconds")
        tmp = folder / (DRAFT_FILE + ".tmp")
        tmp.write_text(json.dumps(draft.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, folder / DRAFT_FILE)

    def get(self, draft_id: str) -> Draft:
        path = self._folder(draft_id) / DRAFT_FILE
        try:
            return Draft.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            raise UsageError("publish.draft_not_found", id=draft_id) from None

    def list(self) -> list[Draft]:
        """Every readable draft, oldest first."""
        if not self.root.is_dir():
            return []
        drafts: list[Draft] = []
        for folder in sorted(self.root.iterdir()):
            path = folder / DRAFT_FILE
            if not path.is_file():
                continue
            try:
                drafts.append(Draft.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError):
                continue
        return drafts

    def delete(self, draft_id: str) -> None:
        shutil.rmtree(self._folder(draft_id), ignore_errors=True)
