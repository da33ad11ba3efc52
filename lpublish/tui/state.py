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
    from lpublish.assets.fix import FixResult
    from lpublish.assets.validate import AssetCheck
    from lpublish.config import SiteConfig, SlotSection
    from lpublish.publish.changeset import ChangeSet

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
    check: AssetCheck | None = None
    fixed: FixResult | None = None
    #: The file's name on the site (``hero.jpg``, ``new-product-2.jpg``): shown, editable, published.
    name: str = ""
    #: Size before a one-key fix (kept when the work is restored from disk without the fix result).
    original_bytes: int | None = None

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.publish.name

    @property
    def ok(self) -> bool:
        return self.check is None or bool(self.check.ok)

    @property
    def before_bytes(self) -> int | None:
        return self.fixed.before_bytes if self.fixed is not None else self.original_bytes


@dataclass
class WorkDraft:
    """Everything the designer prepared in this session (kept when something fails)."""

    images: list[PendingImage] = field(default_factory=list)
    #: A prepared campaign folder (a draft made with ``lpublish submit --campaign DIR``).
    campaign_dir: Path | None = None
    #: The campaign form's values and its hero / social image files, as the request sends them: the
    #: publish core validates and writes the page (``ChangeSet.campaign_fields``).
    campaign_fields: dict[str, Any] | None = None
    campaign_images: dict[str, Path] = field(default_factory=dict)
    campaign_title: str = ""
    draft_id: str | None = None
    #: When set, the next submit updates this request instead of opening a new one.
    update_number: int | None = None
    #: Title and note typed earlier (a resumed draft); empty means "suggest one".
    title: str = ""
    note: str = ""
    #: The campaign form's text as typed (saved with the work so nothing typed is lost).
    campaign_form: dict[str, Any] = field(default_factory=dict)

    @property
    def has_campaign(self) -> bool:
        return self.campaign_dir is not None or self.campaign_fields is not None

    @property
    def campaign_name(self) -> str:
        """The campaign's title (its slug or folder name when it has none)."""
        if self.campaign_title:
            return self.campaign_title
        if self.campaign_fields is not None:
            return str(self.campaign_fields.get("slug") or "")
        return self.campaign_dir.name if self.campaign_dir is not None else ""

    @property
    def empty(self) -> bool:
        return not self.images and not self.has_campaign

    @property
    def unsent(self) -> bool:
        """Anything prepared or typed that is not yet a request (quitting asks first then)."""
        return not self.empty or any(
            str(v).strip() for k, v in self.campaign_form.items() if not k.startswith("_")
        )

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
        self.campaign_fields = None
        self.campaign_images = {}
        self.campaign_title = ""
        self.draft_id = None
        self.update_number = None
        self.title = ""
        self.note = ""
        self.campaign_form = {}

    def suggested_title(self, config: SiteConfig) -> str:
        """A request title in plain words, e.g. "Replace Top page hero banner"."""
        if self.title:
            return self.title
        if self.has_campaign:
            return t("tui.submit.title_campaign", title=self.campaign_name)
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
                lines.append(t("tui.submit.note_replace", slot=label, old=image.replace, new=image.name))
            else:
                lines.append(t("tui.submit.note_add", slot=label, new=image.name))
        if self.has_campaign:
            lines.append(t("tui.submit.note_campaign", title=self.campaign_name))
        return "\n".join(lines)

    def to_changeset(self, title: str, note: str = "", *, draft_pr: bool = False) -> ChangeSet:
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
                    original_bytes=i.before_bytes,
                )
                for i in self.images
            ],
            campaign_dir=self.campaign_dir,
            draft_pr=draft_pr,
            campaign_fields=dict(self.campaign_fields) if self.campaign_fields is not None else None,
            campaign_images=dict(self.campaign_images),
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
    low = (section.min_width, section.min_height)
    high = (section.max_width, section.max_height)
    if all(low) and low == high:
        parts.append(t("designer.slot.exact_size", width=low[0], height=low[1]))
    elif all(low) and all(high):
        parts.append(
            t("designer.slot.size_range", width=low[0], height=low[1], max_width=high[0], max_height=high[1])
        )
    elif all(low):
        parts.append(t("tui.slot.min_size", width=section.min_width, height=section.min_height))
    elif all(high):
        parts.append(t("designer.slot.max_size", width=section.max_width, height=section.max_height))
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


def real_extension(check: AssetCheck | None, path: Path) -> str:
    """The extension the published file gets: from the content's format, else the file's suffix."""
    from lpublish.assets.names import EXTENSIONS

    info = check.info if check is not None else None
    if info is not None and info.format:
        return EXTENSIONS.get(info.format, info.format)
    suffix = path.suffix.lower().lstrip(".")
    return "jpg" if suffix == "jpeg" else suffix or "jpg"


def suggest_name(config: SiteConfig, slot: str, original: str, ext: str) -> tuple[str, bool]:
    """A readable file name for the site and whether the designer should look at it.

    Single-image slots always use their fixed name (``hero.jpg``). Otherwise the ASCII part of the
    designer's name is kept; when letters had to be dropped (Japanese names) the slot's name leads, so
    ``新商品_最終版(2).jpg`` becomes ``products-2.jpg`` and the screen asks the designer to check it.
    A name already used in the slot folder gets ``-2``, ``-3``… (deterministic, no random parts).
    """
    from lpublish.assets.names import ascii_stem

    section = config.slots.get(slot)
    if section is not None and section.filename:
        return f"{section.filename}.{ext}", False
    stem_text = original.rsplit(".", 1)[0] if "." in original.lstrip(".") else original
    stem, dropped = ascii_stem(stem_text)
    slot_stem = ascii_stem(slot)[0] or "image"
    if dropped or not stem:
        stem = f"{slot_stem}-{stem}".strip("-") if stem else slot_stem
    taken = {p.name for p in existing_files(config, slot)}
    name = f"{stem}.{ext}"
    counter = 2
    while name in taken:
        name = f"{stem}-{counter}.{ext}"
        counter += 1
    return name, dropped or not stem_text.strip()


def clean_name(text: str, ext: str) -> str | None:
    """The designer's typed name as a safe site file name (``None`` when nothing usable is left)."""
    from lpublish.assets.names import ascii_stem

    stem_text = text.strip()
    if stem_text.lower().endswith(f".{ext}") or "." in stem_text:
        stem_text = stem_text.rsplit(".", 1)[0]
    stem, _dropped = ascii_stem(stem_text)
    return f"{stem}.{ext}" if stem else None
