"""Slots in plain words: where a slot's image is, and whether the site keeps an alt text for it.

Owns: ``slot_label``, ``describe_place`` ("Top page, main image — in pages/index.md, key
hero.image") and ``has_alt_target``. Must not import UI libraries.
"""

from __future__ import annotations

from lpublish.config import SlotSection
from lpublish.i18n import current_language, t


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
