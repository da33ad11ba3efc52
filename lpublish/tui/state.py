"""The designer's work in progress inside the TUI: images chosen for slots and a campaign page.

Owns: ``PendingImage`` and ``WorkDraft`` (what the "Review and submit" screen shows and turns into a
``ChangeSet``), plus the small helpers that describe a slot's rules and the files it already holds.
Plain data, no UI imports, so the same logic is testable without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.i18n import current_language, t

if TYPE_CHECKING:
    from lpublish.config import SiteConfig, SlotSection

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg"})
FORMAT_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "avif": "AVIF", "gif": "GIF", "svg": "SVG"}


@dataclass
class PendingImage:
    """One image the designer added: the file they chose, the file that will be published."""

    slot: str
    source: Path
    publish: Path
    alt: str = ""
    replace: str | None = None
    check: Any = None
    fixed: Any = None

    @property
    def ok(self) -> bool:
        return self.check is None or bool(self.check.ok)


@dataclass
class WorkDraft:
    """Everything the designer prepared in this session (kept when something fails)."""

    images: list[PendingImage] = field(default_factory=list)
    campaign_dir: Path | None = None
    campaign_title: str = ""
    draft_id: str | None = None
    #: When set, the next submit updates this request instead of opening a new one.
    update_number: int | None = None
    #: Title and note typed earlier (a resumed draft); empty means "suggest one".
    title: str = ""
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.images and self.campaign_dir is None

    def add(self, image: PendingImage) -> None:
        """Add an image; a second file for the same single-image slot replaces the first choice."""
        self.images = [
            i
            for i in self.images
            if not (i.slot == image.slot and i.replace is not None and i.replace == image.replace)
            and i.source != image.source
        ]
        self.images.append(image)

    def clear(self) -> None:
        self.images = []
        self.campaign_dir = None
        self.campaign_title = ""
        self.draft_id = None
        self.update_number = None
        self.title = ""
        self.note = ""

    def suggested_title(self, config: SiteConfig) -> str:
        """A request title in plain words, e.g. "Replace Top page hero banner"."""
        if self.title:
            return self.title
        if self.campaign_dir is not None:
            return t("tui.submit.title_campaign", title=self.campaign_title or self.campaign_dir.name)
        if not self.images:
            return ""
        slots = []
        for image in self.images:
            label = slot_label(config, image.slot)
            if label not in slots:
                slots.append(label)
        key = "tui.submit.title_replace" if all(i.replace for i in self.images) else "tui.submit.title_images"
        return t(key, slots=", ".join(slots), count=len(self.images))

    def suggested_note(self, config: SiteConfig) -> str:
        if self.note:
            return self.note
        lines = []
        for image in self.images:
            label = slot_label(config, image.slot)
            if image.replace:
                lines.append(
                    t("tui.submit.note_replace", slot=label, old=image.replace, new=image.source.name)
                )
            else:
                lines.append(t("tui.submit.note_add", slot=label, new=image.source.name))
        if self.campaign_dir is not None:
            lines.append(t("tui.submit.note_campaign", title=self.campaign_title or self.campaign_dir.name))
        return "\n".join(lines)

    def to_changeset(self, title: str, note: str = "", *, draft_pr: bool = False) -> Any:
        """The publish core's ``ChangeSet`` for this work."""
        from lpublish.publish.changeset import ChangeSet, ImageChange

        return ChangeSet(
            title=title,
            note=note,
            images=[
                ImageChange(
                    i.slot,
                    i.publish,
                    i.alt,
                    i.replace,
                    original_bytes=i.fixed.before_bytes if i.fixed is not None else None,
                )
                for i in self.images
            ],
            campaign_dir=self.campaign_dir,
            draft_pr=draft_pr,
        )


def slot_label(config: SiteConfig, slot: str) -> str:
    """The slot's label in the current language (the slot key when it is unknown)."""
    section = config.slots.get(slot)
    if section is None:
        return slot
    return section.label.ja if current_language() == "ja" else section.label.en


def slot_spec(section: SlotSection) -> str:
    """A slot's rules in plain words: "1920x800 or larger, 12:5, JPEG/WebP, up to 400 KB"."""
    parts = []
    if section.min_width and section.min_height:
        parts.append(t("tui.slot.min_size", width=section.min_width, height=section.min_height))
    elif section.max_width and section.max_height:
        parts.append(t("tui.slot.max_size", width=section.max_width, height=section.max_height))
    if isinstance(section.aspect, str):
        parts.append(section.aspect.replace(" ", ""))
    elif section.aspect is not None:
        parts.append(f"{section.aspect:g}:1")
    parts.append("/".join(FORMAT_NAMES.get(f, f) for f in section.formats))
    if section.max_bytes:
        parts.append(t("tui.slot.max_bytes", size=human_size(section.max_bytes)))
    return ", ".join(parts) if current_language() != "ja" else "、".join(parts)


def human_size(size: int) -> str:
    """Bytes in the units designers use (decimal KB/MB, like Finder and Explorer's "size")."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    return f"{size / 1_000_000:.1f} MB"


def existing_files(config: SiteConfig, slot: str) -> list[Path]:
    """Image files the slot shows now (what a new file may replace), in the site's order."""
    from lpublish.content.slots import current_images

    return [config.root / rel for rel, _ in current_images(config, slot)]


def default_replacement(config: SiteConfig, slot: str) -> str | None:
    """The file a new image replaces by default: a file or key slot's one image; for a legacy
    single-image folder slot (fixed ``filename``), that file."""
    section = config.slots.get(slot)
    if section is None:
        return None
    if section.kind in ("file", "key"):
        found = existing_files(config, slot)
        return found[0].name if found else None
    if section.kind == "list" or not section.filename:
        return None
    for path in existing_files(config, slot):
        if path.stem == section.filename:
            return path.name
    return None
    for path in existing_files(config, slot):
        if path.stem == section.filename:
            return path.name
    return None
