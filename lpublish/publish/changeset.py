"""What a designer wants to publish: images for slots (with alt text), list entries to remove, and/or
a campaign.

Owns: ``ImageChange``, ``EntryRemoval`` and ``ChangeSet`` (plain data, JSON round-trip for drafts).
Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ImageChange:
    """One image going into a slot.

    What happens depends on the slot's kind: a file or key slot's image is replaced, a list slot gets
    a new entry (``fields`` fill the entry's other mapped fields: ``title``, ``link`` ...). For a legacy
    folder slot, ``replace`` names an existing file in the folder that this image replaces (it is
    removed, with its alt text). ``original_bytes`` is the size before a one-key fix, when the file was
    fixed, so the reviewers' table can show "before / after".
    """

    slot: str
    source: Path
    alt: str = ""
    replace: str | None = None
    original_bytes: int | None = None
    fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "source": str(self.source),
            "alt": self.alt,
            "replace": self.replace,
            "original_bytes": self.original_bytes,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageChange:
        return cls(
            slot=str(data["slot"]),
            source=Path(data["source"]),
            alt=str(data.get("alt", "")),
            replace=data.get("replace"),
            original_bytes=data.get("original_bytes"),
            fields={str(k): str(v) for k, v in (data.get("fields") or {}).items()},
        )


@dataclass
class EntryRemoval:
    """Remove one entry of a list slot; ``entry`` is its index, its image path or its title."""

    slot: str
    entry: str

    def to_dict(self) -> dict[str, Any]:
        return {"slot": self.slot, "entry": self.entry}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EntryRemoval:
        return cls(slot=str(data["slot"]), entry=str(data["entry"]))


@dataclass
class ChangeSet:
    """A request to change the site: a title for reviewers, an optional note, images, a campaign.

    A campaign comes either as a prepared folder (``campaign_dir``, holding ``index.md`` and its hero),
    copied to ``<campaigns_dir>/<folder name>/``, or as form values (``campaign_fields`` with
    ``campaign_images`` mapping ``hero`` / ``og_image`` to files), which publish writes with
    ``lpublish.site.campaigns.write_campaign`` inside its workspace (so the social image lands in its
    slot folder too).
    """

    title: str
    note: str = ""
    images: list[ImageChange] = field(default_factory=list)
    campaign_dir: Path | None = None
    draft_pr: bool = False
    campaign_fields: dict[str, Any] | None = None
    campaign_images: dict[str, Path] = field(default_factory=dict)
    removals: list[EntryRemoval] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return (
            not self.images and not self.removals and self.campaign_dir is None and not self.campaign_fields
        )

    @property
    def campaign_slug(self) -> str | None:
        if self.campaign_fields is not None:
            return str(self.campaign_fields.get("slug") or "") or None
        return self.campaign_dir.name if self.campaign_dir is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "note": self.note,
            "images": [image.to_dict() for image in self.images],
            "campaign_dir": str(self.campaign_dir) if self.campaign_dir else None,
            "draft_pr": self.draft_pr,
            "campaign_fields": _jsonable(self.campaign_fields) if self.campaign_fields is not None else None,
            "campaign_images": {k: str(v) for k, v in self.campaign_images.items()},
            "removals": [r.to_dict() for r in self.removals],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChangeSet:
        campaign = data.get("campaign_dir")
        return cls(
            title=str(data.get("title", "")),
            note=str(data.get("note", "")),
            images=[ImageChange.from_dict(item) for item in data.get("images", [])],
            campaign_dir=Path(campaign) if campaign else None,
            draft_pr=bool(data.get("draft_pr", False)),
            campaign_fields=data.get("campaign_fields"),
            campaign_images={k: Path(v) for k, v in (data.get("campaign_images") or {}).items()},
            removals=[EntryRemoval.from_dict(r) for r in data.get("removals") or []],
        )


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    """Form values as JSON (datetimes as ISO text, which the campaign parser reads back)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[key] = value
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out
