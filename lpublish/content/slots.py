"""Slots in plain words: where a slot's image is, and whether the site keeps an alt text for it.

Owns: ``slot_label``, ``describe_place`` ("Top page, main image — in pages/index.md, key
hero.image") and ``has_alt_target``. Must not import UI libraries.
"""

from __future__ import annotations

import logging

from lpublish.config import SiteConfig, SlotSection
from lpublish.i18n import current_language, t

logger = logging.getLogger(__name__)


def slot_label(section: SlotSection, lang: str | None = None) -> str:
    """The slot's label in ``lang`` (default: the current language)."""
    return section.label.ja if (lang or current_language()) == "ja" else section.label.en


def where(section: SlotSection) -> str:
    """Where the slot's image is named, in plain words (no label)."""
    if section.kind == "file":
        if section.alt_html:
            return t("content.place.file_alt", file=section.file, page=section.alt_html)
        return t("content.place.file", file=section.file)
    if section.kind == "key":
        return t("content.place.key", source=section.source, key=section.key)
    if section.kind == "list":
        return t("content.place.list", source=section.source, key=section.list_path)
    return t("content.place.folder", folder=section.path)


def describe_place(section: SlotSection, lang: str | None = None) -> str:
    """Label plus where: "Top page, main image (in pages/index.md, key hero.image)"."""
    return t("content.place.described", label=slot_label(section, lang), where=where(section))


def has_alt_target(section: SlotSection) -> bool:
    """Whether the site reads an alt text for this slot's image from somewhere lpublish can write."""
    if section.kind == "file":
        return bool(section.alt_html)
    if section.kind == "key":
        return bool(section.alt_key)
    if section.kind == "list":
        return "alt" in section.fields
    return True


def current_images(config: SiteConfig, slot: str) -> list[tuple[str, dict[str, str]]]:
    """The images slot ``slot`` shows now (site-relative paths), each with its list entry's fields
    (form field -> value; empty for other kinds), in the site's order."""
    from lpublish.content.documents import DocumentError, open_document, parse_data
    from lpublish.content.dotted import KeyPathError, get_at
    from lpublish.content.references import resolver
    from lpublish.content.sitefiles import DirFiles

    section = config.slots.get(slot)
    if section is None:
        return []
    if section.kind == "file":
        return [(section.file, {})] if config.site_path(section.file).is_file() else []
    if section.kind == "folder":
        folder = config.site_path(section.path)
        suffixes = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg"}
        if not folder.is_dir():
            return []
        return [
            (p.relative_to(config.root).as_posix(), {})
            for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix.lower() in suffixes
        ]
    try:
        data = parse_data(open_document(config.site_path(section.source)))
        found = get_at(data, section.key if section.kind == "key" else section.list_path)
    except (OSError, DocumentError, KeyPathError):
        return []
    paths = resolver(config, DirFiles.for_config(config))
    if section.kind == "key":
        target = paths.resolve(found, section.source)[1] if isinstance(found, str) else None
        logger.debug("slot %s: key %s in %s -> %s", slot, section.key, section.source, target or "nothing")
        return [(target, {})] if target else []
    out: list[tuple[str, dict[str, str]]] = []
    reverse = {key: form for form, key in section.fields.items()}
    for entry in found if isinstance(found, list) else []:
        if not isinstance(entry, dict):
            continue
        raw = entry.get(section.fields["image"])
        target = paths.resolve(raw, section.source)[1] if isinstance(raw, str) else None
        if target:
            fields = {
                reverse[k]: str(v)
                for k, v in entry.items()
                if k in reverse and isinstance(v, str | int | float)
            }
            out.append((target, fields))
    logger.debug("slot %s: list %s in %s -> %d image(s)", slot, section.list_path, section.source, len(out))
    return out
