"""Placing a change into a site tree: replace a file or key slot's image, add or remove a list entry.

Owns: ``Placement``, ``place_image``, ``remove_list_entry`` and ``find_entry``. The rules per slot kind:

- file slot: the new image is written to the slot's exact path (same format, never renamed); with
  ``alt_html`` the alt attribute of the elements showing it is edited in place;
- key slot: the new image is written into the slot's ``path`` folder and ``key`` (and ``alt_key``) in
  ``source`` are updated in the same change, spelled the way the site already names its files;
- list slot: an entry (image + alt + other mapped fields) is appended; removing takes one out;
- folder slot (lpublish's own generator): the image goes into the folder, its alt text into ``alt.toml``.

An image a change leaves unused is deleted when it lies in the slot's own folder (never a file
something else still uses). The caller checks the references afterwards. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from lpublish.assets.names import EXTENSIONS, resolve_inside, safe_filename
from lpublish.config import SiteConfig, SlotSection
from lpublish.content.documents import DocumentError, open_document, parse_data, write_text
from lpublish.content.dotted import KeyPathError, get_at
from lpublish.content.edit import AppendEntry, Edit, RemoveEntry, SetValue, apply_edits
from lpublish.content.html_alt import set_alt
from lpublish.content.references import build_index, normal_path, resolver
from lpublish.content.sitefiles import DirFiles, SiteFiles
from lpublish.errors import ContentError

logger = logging.getLogger(__name__)

FilesFor = Callable[[Path], SiteFiles]

#: Form fields a list entry can carry besides the image and its alt text.
ENTRY_FIELDS = ("title", "link", "caption", "description", "price")


@dataclass
class Placement:
    """What placing one image (or removing one entry) did, in site-relative paths."""

    slot: str
    action: Literal["replace", "add", "remove"]
    #: The image written (replace/add) or the entry's image (remove).
    path: str
    #: The file that was replaced (or the removed entry's image), if any.
    replaced: str | None = None
    #: The content or data file that was edited, and the key path that changed.
    source: str | None = None
    key: str | None = None
    #: The list entry's fields (form field -> value) for add/remove.
    fields: dict[str, str] = field(default_factory=dict)
    #: Every file the change wrote, edited or deleted.
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "action": self.action,
            "path": self.path,
            "replaced": self.replaced,
            "source": self.source,
            "key": self.key,
            "fields": dict(self.fields),
            "changed": list(self.changed),
            "deleted": list(self.deleted),
        }


def _default_files(config: SiteConfig) -> FilesFor:
    return lambda root: DirFiles.for_config(config, root)


def _rel(site_dir: Path, path: Path) -> str:
    return path.relative_to(site_dir).as_posix()


def _copy_in(site_dir: Path, slot: str, section: SlotSection, image: Path, fmt: str, sha256: str) -> str:
    """Copy ``image`` into the slot's folder under its new name; the site path it now has."""
    folder = site_dir / section.path
    folder.mkdir(parents=True, exist_ok=True)
    target = resolve_inside(folder, _new_name(slot, section, image, fmt, sha256))
    shutil.copyfile(image, target)
    return _rel(site_dir, target)


def _new_name(slot: str, section: SlotSection, source: Path, fmt: str, sha256: str) -> str:
    ext = EXTENSIONS.get(fmt, fmt)
    if section.filename:
        return f"{section.filename}.{ext}"
    return safe_filename(source.name, slot, sha256, ext)


def _load(site_dir: Path, section: SlotSection) -> Any:
    path = site_dir / section.source
    try:
        return parse_data(open_document(path))
    except FileNotFoundError:
        raise ContentError("content.source_missing", path=section.source) from None
    except (OSError, DocumentError) as exc:
        raise ContentError("content.source_unreadable", path=section.source, reason=str(exc)) from None


def _edit(site_dir: Path, section: SlotSection, edits: list[Edit]) -> None:
    path = site_dir / section.source
    try:
        doc = open_document(path)
        write_text(path, apply_edits(doc, edits).text)
    except KeyPathError as exc:
        raise ContentError("content.key_missing", path=section.source, name=exc.path) from None
    except (OSError, DocumentError) as exc:
        raise ContentError("content.source_unreadable", path=section.source, reason=str(exc)) from None


def _drop_if_unused(
    site_dir: Path, config: SiteConfig, section: SlotSection, target: str | None, files_for: FilesFor
) -> list[str]:
    """Delete ``target`` when it is in the slot's folder and nothing references it any more."""
    if not target:
        return []
    folder = section.folder.strip("/")
    if folder not in ("", ".") and not target.startswith(folder + "/"):
        return []
    index = build_index(config, files_for(site_dir))
    if index.users_of(target):
        return []
    path = site_dir / target
    if path.is_file():
        path.unlink()
        return [target]
    return []


def place_image(
    site_dir: Path,
    config: SiteConfig,
    slot: str,
    image: Path,
    *,
    alt: str,
    fmt: str,
    sha256: str,
    replace: str | None = None,
    fields: dict[str, str] | None = None,
    files_for: FilesFor | None = None,
) -> Placement:
    """Put ``image`` into ``slot`` under ``site_dir`` following the slot kind's rules."""
    section = config.slots[slot]
    files_for = files_for or _default_files(config)
    alt = " ".join(alt.split())
    logger.info(
        "placing %s in slot %s (%s slot%s)",
        image.name,
        slot,
        section.kind,
        f", replacing {replace}" if replace else "",
    )
    if section.kind == "file":
        return _place_file(site_dir, slot, section, image, alt)
    if section.kind == "key":
        return _place_key(site_dir, config, slot, section, image, alt, fmt, sha256, files_for)
    if section.kind == "list":
        if replace:
            return _replace_entry(
                site_dir, config, slot, section, image, alt, fmt, sha256, replace, files_for
            )
        return _add_entry(site_dir, config, slot, section, image, alt, fmt, sha256, fields or {}, files_for)
    return _place_folder(site_dir, slot, section, image, alt, fmt, sha256, replace)


def _place_file(site_dir: Path, slot: str, section: SlotSection, image: Path, alt: str) -> Placement:
    target = site_dir / section.file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(image, target)
    placement = Placement(slot, "replace", section.file, replaced=section.file, changed=[section.file])
    if section.alt_html and alt:
        page = site_dir / section.alt_html
        try:
            text = page.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ContentError("content.source_unreadable", path=section.alt_html, reason=str(exc)) from None
        new_text, count = set_alt(text, shows_file(section), alt)
        if count:
            write_text(page, new_text)
            placement.changed.append(section.alt_html)
        placement.source = section.alt_html
        placement.key = "alt"
    return placement


def shows_file(section: SlotSection) -> Callable[[str], bool]:
    """A test: does a ``src`` written in the slot's ``alt_html`` page name the slot's file?"""
    folder = section.alt_html.rpartition("/")[0]

    def uses(src: str) -> bool:
        path = unquote(src.split("?")[0].split("#")[0]).strip()
        if path.startswith("/"):
            # Root-relative: the file under the site root (or a public folder that holds it).
            return path.lstrip("/") == section.file or section.file.endswith("/" + path.lstrip("/"))
        return normal_path(f"{folder}/{path}" if folder else path) == section.file

    return uses


def _place_key(
    site_dir: Path,
    config: SiteConfig,
    slot: str,
    section: SlotSection,
    image: Path,
    alt: str,
    fmt: str,
    sha256: str,
    files_for: FilesFor,
) -> Placement:
    data = _load(site_dir, section)
    try:
        old = get_at(data, section.key)
    except KeyPathError:
        old = None
    old_raw = old if isinstance(old, str) and old.strip() else None
    before = files_for(site_dir)
    paths = resolver(config, before)
    old_target = paths.resolve(old_raw, section.source)[1] if old_raw else None
    new_rel = _copy_in(site_dir, slot, section, image, fmt, sha256)
    raw = paths.spell(new_rel, section.source, old_raw)
    edits: list[Edit] = []
    if raw != old_raw:
        edits.append(SetValue(section.key, raw))
    if section.alt_key and alt:
        edits.append(SetValue(section.alt_key, alt))
    if edits:
        _edit(site_dir, section, edits)
    placement = Placement(
        slot, "replace", new_rel, replaced=old_target, source=section.source, key=section.key
    )
    placement.changed = [new_rel] + ([section.source] if edits else [])
    if old_target and old_target != new_rel:
        placement.deleted = _drop_if_unused(site_dir, config, section, old_target, files_for)
        placement.changed += placement.deleted
    return placement


def _entries(site_dir: Path, section: SlotSection) -> list[Any]:
    data = _load(site_dir, section)
    try:
        entries = get_at(data, section.list_path)
    except KeyPathError:
        raise ContentError("content.key_missing", path=section.source, name=section.list_path) from None
    if not isinstance(entries, list):
        raise ContentError("content.not_a_list", path=section.source, name=section.list_path)
    return entries


def _add_entry(
    site_dir: Path,
    config: SiteConfig,
    slot: str,
    section: SlotSection,
    image: Path,
    alt: str,
    fmt: str,
    sha256: str,
    values: dict[str, str],
    files_for: FilesFor,
) -> Placement:
    entries = _entries(site_dir, section)
    image_key = section.fields["image"]
    like = next(
        (e.get(image_key) for e in entries if isinstance(e, dict) and isinstance(e.get(image_key), str)), None
    )
    paths = resolver(config, files_for(site_dir))
    new_rel = _copy_in(site_dir, slot, section, image, fmt, sha256)
    entry: dict[str, str] = {}
    given = {"image": paths.spell(new_rel, section.source, like), "alt": alt, **values}
    for form_field, key in section.fields.items():
        value = given.get(form_field, "")
        if value or form_field == "image":
            entry[key] = value
    _edit(site_dir, section, [AppendEntry(section.list_path, entry)])
    return Placement(
        slot,
        "add",
        new_rel,
        source=section.source,
        key=entry_key(section, len(entries)),
        fields={k: v for k, v in given.items() if k in section.fields and v},
        changed=[new_rel, section.source],
    )


def _replace_entry(
    site_dir: Path,
    config: SiteConfig,
    slot: str,
    section: SlotSection,
    image: Path,
    alt: str,
    fmt: str,
    sha256: str,
    wanted: str,
    files_for: FilesFor,
) -> Placement:
    """A list entry keeps its place and fields; only its image (and alt text) change."""
    entries = _entries(site_dir, section)
    paths = resolver(config, files_for(site_dir))
    index = find_entry(entries, section, wanted, lambda raw: paths.resolve(raw, section.source)[1])
    if index == -2:
        raise ContentError("content.entry_ambiguous", slot=slot, entry=wanted)
    if index < 0:
        raise ContentError("content.entry_missing", slot=slot, entry=wanted, count=len(entries))
    entry = entries[index] if isinstance(entries[index], dict) else {}
    image_key = section.fields["image"]
    old_raw = entry.get(image_key) if isinstance(entry.get(image_key), str) else None
    old_target = paths.resolve(old_raw, section.source)[1] if old_raw else None
    new_rel = _copy_in(site_dir, slot, section, image, fmt, sha256)
    key = entry_key(section, index)
    edits: list[Edit] = [SetValue(f"{key}.{image_key}", paths.spell(new_rel, section.source, old_raw))]
    if "alt" in section.fields and alt:
        edits.append(SetValue(f"{key}.{section.fields['alt']}", alt))
    _edit(site_dir, section, edits)
    reverse = {k: form for form, k in section.fields.items()}
    placement = Placement(
        slot,
        "replace",
        new_rel,
        replaced=old_target,
        source=section.source,
        key=key,
        fields={
            reverse[k]: str(v) for k, v in entry.items() if k in reverse and isinstance(v, str | int | float)
        },
        changed=[new_rel, section.source],
    )
    if old_target and old_target != new_rel:
        placement.deleted = _drop_if_unused(site_dir, config, section, old_target, files_for)
        placement.changed += placement.deleted
    return placement


def entry_key(section: SlotSection, index: int) -> str:
    """The key path of entry ``index`` of a list slot (``products.3``; ``3`` when the file is the list)."""
    return str(index) if section.list_path == "." else f"{section.list_path}.{index}"


def find_entry(
    entries: list[Any], section: SlotSection, wanted: str, resolve: Callable[[str], str | None]
) -> int:
    """The index of the entry ``wanted`` names: its index, its image path (as written, as a site file or
    by file name) or its title. ``-1`` when none does; ``-2`` when several do."""
    text = wanted.strip()
    if text.lstrip("-").isdigit():
        index = int(text)
        return index if 0 <= index < len(entries) else -1
    image_key = section.fields.get("image", "image")
    title_key = section.fields.get("title")
    hits = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        raw = entry.get(image_key)
        names = set()
        if isinstance(raw, str):
            names |= {raw, raw.rsplit("/", 1)[-1], raw.lstrip("/")}
            target = resolve(raw)
            if target:
                names.add(target)
        if title_key and isinstance(entry.get(title_key), str):
            names.add(str(entry[title_key]).strip())
        if text in names:
            hits.append(n)
    if len(hits) > 1:
        return -2
    return hits[0] if hits else -1


def remove_list_entry(
    site_dir: Path, config: SiteConfig, slot: str, wanted: str, *, files_for: FilesFor | None = None
) -> Placement:
    """Remove the entry ``wanted`` names from list slot ``slot``; its image goes when nothing uses it."""
    section = config.slots[slot]
    if section.kind != "list":
        raise ContentError("content.remove_needs_list", slot=slot)
    files_for = files_for or _default_files(config)
    entries = _entries(site_dir, section)
    paths = resolver(config, files_for(site_dir))
    index = find_entry(entries, section, wanted, lambda raw: paths.resolve(raw, section.source)[1])
    if index == -2:
        raise ContentError("content.entry_ambiguous", slot=slot, entry=wanted)
    if index < 0:
        raise ContentError("content.entry_missing", slot=slot, entry=wanted, count=len(entries))
    entry = entries[index] if isinstance(entries[index], dict) else {}
    raw = entry.get(section.fields["image"])
    target = paths.resolve(raw, section.source)[1] if isinstance(raw, str) else None
    _edit(site_dir, section, [RemoveEntry(section.list_path, index)])
    reverse = {key: form for form, key in section.fields.items()}
    placement = Placement(
        slot,
        "remove",
        target or (raw if isinstance(raw, str) else ""),
        replaced=target,
        source=section.source,
        key=entry_key(section, index),
        fields={
            reverse[k]: str(v) for k, v in entry.items() if k in reverse and isinstance(v, str | int | float)
        },
        changed=[section.source],
    )
    placement.deleted = _drop_if_unused(site_dir, config, section, target, files_for)
    placement.changed += placement.deleted
    return placement


def _place_folder(
    site_dir: Path,
    slot: str,
    section: SlotSection,
    image: Path,
    alt: str,
    fmt: str,
    sha256: str,
    replace: str | None,
) -> Placement:
    """The legacy folder slot (lpublish's own generator): file in the folder, alt text in ``alt.toml``."""
    from lpublish.assets.alt import read_alt_texts, write_alt_text, write_alt_texts

    folder = site_dir / section.path
    folder.mkdir(parents=True, exist_ok=True)
    ext = EXTENSIONS.get(fmt, fmt)
    changed: list[str] = []
    deleted: list[str] = []
    replaced = None
    if replace:
        old = resolve_inside(folder, replace)
        if old.is_file():
            old.unlink()
            deleted.append(_rel(site_dir, old))
            replaced = _rel(site_dir, old)
        write_alt_text(folder, replace, "")
    if section.filename:
        name = f"{section.filename}.{ext}"
        texts = read_alt_texts(folder)
        for other in folder.glob(f"{section.filename}.*"):
            if other.name != name and other.suffix.lstrip(".") in EXTENSIONS.values():
                other.unlink()
                deleted.append(_rel(site_dir, other))
                texts.pop(other.name, None)
        write_alt_texts(folder, texts)
    else:
        name = safe_filename(image.name, slot, sha256, ext)
    target = resolve_inside(folder, name)
    shutil.copyfile(image, target)
    if alt.strip() or (folder / "alt.toml").is_file():
        write_alt_text(folder, name, alt)
        changed.append(_rel(site_dir, folder / "alt.toml"))
    rel = _rel(site_dir, target)
    return Placement(
        slot, "replace", rel, replaced=replaced, changed=[rel, *changed, *deleted], deleted=deleted
    )
