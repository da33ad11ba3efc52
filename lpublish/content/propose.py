"""Proposing slots for an existing site from what its pages use (``lpublish init``).

Owns: ``SlotProposal``, ``propose_slots`` and ``slots_toml`` (the ``[slots.*]`` tables ``init`` writes). Each image the site's own
pages use becomes part of a slot of the right kind:

- a key slot when a content or data file names it at a key (``hero.image``), with its alt key when a
  sibling holds the alt text;
- a list slot when it is one entry's image in a list of entries (``products``), with the entries'
  alt/title/link fields;
- a file slot when only HTML, CSS or templates reference it (``alt_html`` when a plain HTML page shows
  it with an ``alt``).

Rules come from the place: its size now (as the minimum), an aspect ratio only where the layout fixes
one (``width``/``height`` on the element, or every entry of a list sharing one shape), with tolerance.
The home page's main image is named ``hero``. Never proposed: favicons and icons, images only theme
internals or ``node_modules`` use, blog posts and campaign entries (their images belong to the entry).
Must not import UI libraries.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PurePosixPath
from typing import Any

from lpublish.config import SiteConfig
from lpublish.content.documents import DocumentError, parse_data, split_document
from lpublish.content.references import IMAGE_SUFFIXES, Reference, build_index, looks_like_image, resolver
from lpublish.content.sitefiles import DirFiles
from lpublish.text import slugify

#: File or folder names that mark icons (never a designer's slot).
ICON = re.compile(
    r"(^|[/_.-])(favicon|icons?|apple-touch|android-chrome|mstile|safari-pinned)([/_.-]|$)", re.I
)
#: Folders of dated entries (posts, campaigns): their images belong to each entry, not to a slot.
ENTRY_FOLDERS = re.compile(r"(^|/)(_posts|_drafts|posts|blog|news|campaigns)(/|$)", re.I)
HOME_FILES = re.compile(
    r"^(index\.(html?|md|njk|liquid|astro)|content/_index\.md|pages/index\.md|src/index\.(njk|md|html)|"
    r"src/pages/index\.(astro|md|html)|src/data/home\.(json|ya?ml)|_data/home\.(json|ya?ml)|data/home\.(json|ya?ml))$"
)
ALT_KEYS = ("alt", "alt_text", "image_alt", "alt_image")
TITLE_KEYS = ("title", "name", "heading", "label")
LINK_KEYS = ("url", "link", "href")
#: Relative tolerance of a proposed aspect ratio.
ASPECT_TOLERANCE = 0.02


@dataclass
class SeenImage:
    """One image a slot covers: where it is, its format, size and weight."""

    path: Path
    format: str
    width: int | None
    height: int | None
    bytes: int
    has_alpha: bool = False


@dataclass
class SlotProposal:
    """A slot ``init`` proposes, in the shape ``lpublish.toml`` needs."""

    name: str
    kind: str
    #: Folder where replacements go (file slot: its file), shown to the admin.
    path: str
    images: list[SeenImage]
    formats: list[str]
    label_en: str = ""
    file: str = ""
    alt_html: str = ""
    source: str = ""
    key: str = ""
    alt_key: str = ""
    list_path: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    min_width: int | None = None
    min_height: int | None = None
    aspect: str | None = None
    max_bytes: int | None = None
    allow_alpha: bool = True
    alt_required: bool = True
    above_fold: bool = False
    #: Where the site uses it, for the admin's review (``index.html:18``).
    used_in: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.images)

    def place_toml(self) -> list[str]:
        """The TOML lines naming the place (the kind's keys)."""

        def s(value: str) -> str:
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

        if self.kind == "file":
            lines = [f"file = {s(self.file)}"]
            if self.alt_html:
                lines.append(f"alt_html = {s(self.alt_html)}")
            return lines
        lines = [f"source = {s(self.source)}"]
        if self.kind == "key":
            lines.append(f"key = {s(self.key)}")
            if self.alt_key:
                lines.append(f"alt_key = {s(self.alt_key)}")
        else:
            lines.append(f"list = {s(self.list_path)}")
            lines.append("fields = { " + ", ".join(f"{k} = {s(v)}" for k, v in self.fields.items()) + " }")
        lines.append(f"path = {s(self.path)}")
        return lines


def _measure(path: Path) -> SeenImage | None:
    from PIL import Image

    fmt = {".jpg": "jpeg", ".jpeg": "jpeg"}.get(path.suffix.lower(), path.suffix.lower().lstrip("."))
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if fmt == "svg":
        return SeenImage(path, "svg", None, None, size, True)
    try:
        with Image.open(path) as img:
            alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
            return SeenImage(path, (img.format or fmt).lower(), img.width, img.height, size, alpha)
    except Exception:  # an unreadable image is reported by `lpublish check`, not proposed
        return None


def _walk(data: Any, prefix: list[str], out: list[tuple[list[str], str]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _walk(value, [*prefix, str(key)], out)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _walk(value, [*prefix, str(index)], out)
    elif isinstance(data, str) and looks_like_image(data):
        out.append((prefix, data))


def _sibling(mapping: dict[str, Any], key: str, choices: tuple[str, ...]) -> str:
    candidates = [f"{key}_alt", key.replace("image", "alt"), key.replace("_image", "_alt"), *choices]
    return next((c for c in candidates if c != key and isinstance(mapping.get(c), str)), "")


def _aspect_of(width: int, height: int) -> str:
    frac = Fraction(width, height).limit_denominator(50)
    if abs(float(frac) - width / height) / (width / height) > 0.005:
        frac = Fraction(width, height)
    return f"{frac.numerator}:{frac.denominator}"


#: The smallest weight budget proposed: today's images may be tiny (icons, placeholders, a starter's
#: samples), and a budget of 1.25x a 15 KB file would refuse every real photo a designer brings.
MIN_BUDGET = {"raster": 200_000, "svg": 50_000}


def _budget(images: list[SeenImage]) -> int:
    largest = max(i.bytes for i in images)
    floor = MIN_BUDGET["svg"] if all(i.format == "svg" for i in images) else MIN_BUDGET["raster"]
    return max(floor, int(math.ceil(largest * 1.25 / 10_000) * 10_000))


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)


def _fixed_aspect(texts: list[str], needle: str) -> str | None:
    """``W:H`` from the ``width``/``height`` attributes of an ``<img>`` whose src mentions ``needle``."""
    for text in texts:
        for tag in _IMG_TAG.findall(text):
            src = re.search(r"""src\s*=\s*(?:"([^"]*)"|'([^']*)'|\{([^}]*)\}|(\S+))""", tag)
            if not src or needle not in "".join(g or "" for g in src.groups()):
                continue
            w = re.search(r"""\bwidth\s*=\s*["']?(\d+)""", tag)
            h = re.search(r"""\bheight\s*=\s*["']?(\d+)""", tag)
            if w and h and int(h.group(1)) > 0:
                return _aspect_of(int(w.group(1)), int(h.group(1)))
    return None


def _is_icon(rel: str) -> bool:
    return bool(ICON.search(rel)) or rel.lower().endswith(".ico")


def propose_slots(root: Path, config: SiteConfig | None = None) -> list[SlotProposal]:
    """Slots for the site in ``root`` from the images its pages use (see the module docstring)."""
    config = config or SiteConfig().bind(root)
    files = DirFiles.for_config(config, root)
    index = build_index(config, files)
    paths = resolver(config, files)
    templates = [
        text
        for rel in sorted(files.paths())
        if PurePosixPath(rel).suffix.lower()
        in {".html", ".htm", ".njk", ".liquid", ".astro", ".jsx", ".tsx", ".vue"}
        and (text := files.read_text(rel)) is not None
    ]
    proposals: list[SlotProposal] = []
    covered: set[str] = set()
    measured: dict[str, SeenImage | None] = {}

    def seen(target: str) -> SeenImage | None:
        if target not in measured:
            measured[target] = _measure(root / target)
        return measured[target]

    # 1. Keys and lists in content and data files.
    sources = sorted(
        {r.source for r in index.references if r.kind in ("front-matter", "data", "slot") and r.target}
    )
    for source in sources:
        if ENTRY_FOLDERS.search(source):
            continue
        text = files.read_text(source)
        if text is None:
            continue
        try:
            data = parse_data(split_document(text, source))
        except DocumentError:
            continue
        found: list[tuple[list[str], str]] = []
        _walk(data, [], found)
        lists: dict[tuple[str, str], list[tuple[int, dict[str, Any], str]]] = {}
        for parts, raw in found:
            target = paths.resolve(raw, source)[1]
            if target is None or _is_icon(target) or seen(target) is None:
                continue
            container: Any = data
            for part in parts[:-1]:
                container = container[int(part)] if isinstance(container, list) else container[part]
            parent_parts = parts[:-2]
            holder: Any = data
            for part in parent_parts:
                holder = holder[int(part)] if isinstance(holder, list) else holder[part]
            if (
                len(parts) >= 2
                and parts[-2].isdigit()
                and isinstance(holder, list)
                and isinstance(container, dict)
            ):
                list_path = ".".join(parent_parts) or "."
                lists.setdefault((list_path, parts[-1]), []).append((int(parts[-2]), container, target))
                continue
            if not isinstance(container, dict):
                continue
            key = ".".join(parts)
            alt_key = _sibling(container, parts[-1], ALT_KEYS)
            image = seen(target)
            assert image is not None
            proposals.append(
                SlotProposal(
                    name="",
                    kind="key",
                    path=str(PurePosixPath(target).parent),
                    images=[image],
                    formats=[],
                    source=source,
                    key=key,
                    alt_key=".".join([*parts[:-1], alt_key]) if alt_key else "",
                    # Only a specific key ("hero.image", "hero_image") can be matched to its element.
                    aspect=_fixed_aspect(templates, ".".join(parts[-2:]))
                    if len(parts) > 1 or "_" in parts[-1]
                    else None,
                    used_in=[source],
                )
            )
            covered.add(target)
        for (list_path, image_key), entries in sorted(lists.items()):
            first = entries[0][1]
            fields = {"image": image_key}
            for form, choices in (("alt", ALT_KEYS), ("title", TITLE_KEYS), ("link", LINK_KEYS)):
                key = next((c for c in choices if all(isinstance(e.get(c), str) for _, e, _ in entries)), "")
                if form == "alt" and not key:
                    key = _sibling(first, image_key, ALT_KEYS)
                if key:
                    fields[form] = key
            images = [i for _, _, t in entries if (i := seen(t)) is not None]
            folders = sorted({str(PurePosixPath(t).parent) for _, _, t in entries})
            shapes = [i.width / i.height for i in images if i.width and i.height]
            aspect = None
            if (
                len(shapes) == len(images)
                and len(images) > 1
                and (max(shapes) - min(shapes)) / min(shapes) <= 0.01
            ):
                first_image = images[0]
                assert first_image.width and first_image.height
                aspect = _aspect_of(first_image.width, first_image.height)
            proposals.append(
                SlotProposal(
                    name="",
                    kind="list",
                    path=folders[0],
                    images=images,
                    formats=[],
                    source=source,
                    list_path=list_path,
                    fields=fields,
                    aspect=aspect,
                    used_in=[source],
                )
            )
            covered.update(t for _, _, t in entries)

    # 2. Files only HTML, CSS or templates use.
    by_target: dict[str, list[Reference]] = {}
    for ref in index.references:
        if ref.target and ref.kind in ("html", "css", "template") and ref.target not in covered:
            by_target.setdefault(ref.target, []).append(ref)
    for target, refs in sorted(by_target.items()):
        if _is_icon(target) or PurePosixPath(target).suffix.lower() not in IMAGE_SUFFIXES:
            continue
        if all(ENTRY_FOLDERS.search(r.source) for r in refs):
            continue
        image = seen(target)
        if image is None:
            continue
        alt_html = ""
        for ref in refs:
            text = files.read_text(ref.source) if ref.source.endswith((".html", ".htm")) else None
            if text is not None and "{{" not in text and "{%" not in text:
                from lpublish.content.html_alt import read_alt
                from lpublish.content.references import normal_path

                folder = ref.source.rpartition("/")[0]

                def uses(src: str, folder: str = folder, target: str = target) -> bool:
                    clean = src.split("?")[0]
                    rel = (
                        clean.lstrip("/")
                        if clean.startswith("/")
                        else normal_path(f"{folder}/{clean}" if folder else clean)
                    )
                    return rel == target

                if read_alt(text, uses):
                    alt_html = ref.source
                    break
        proposals.append(
            SlotProposal(
                name="",
                kind="file",
                path=target,
                images=[image],
                formats=[image.format],
                file=target,
                alt_html=alt_html,
                alt_required=bool(alt_html),
                aspect=_fixed_aspect(templates, PurePosixPath(target).name),
                used_in=sorted({r.source for r in refs}),
            )
        )

    _name_and_rules(proposals)
    return proposals


def _home_rank(proposal: SlotProposal) -> tuple[int, int]:
    where = proposal.source or (proposal.used_in[0] if proposal.used_in else "")
    home = 0 if any(HOME_FILES.match(u) for u in [where, *proposal.used_in]) else 1
    hint = (proposal.key or proposal.file).lower()
    heroish = 0 if re.search(r"hero|masthead|banner|cover|main", hint) else 1
    return (home, heroish if proposal.kind != "list" else 2)


def _name_and_rules(proposals: list[SlotProposal]) -> None:
    taken: set[str] = set()
    singles = [p for p in proposals if p.kind != "list"]
    hero = min(singles, key=_home_rank) if singles else None
    if hero is not None and _home_rank(hero)[0] != 0:
        hero = None
    for proposal in proposals:
        if proposal is hero:
            base, label = "hero", "Top page, main image"
        elif proposal.kind == "list":
            base = proposal.list_path if proposal.list_path != "." else PurePosixPath(proposal.source).stem
            label = f"{base.replace('_', ' ').capitalize()} (list in {proposal.source})"
        elif proposal.kind == "key" and re.search(r"(^|[._])(og|ogp|social|share)([._]|$)", proposal.key):
            base, label = "og", "Social share image"
        elif proposal.kind == "key":
            page = PurePosixPath(proposal.source).stem.lstrip("_") or "page"
            base = (
                f"{page}-{proposal.key.rsplit('.', 1)[-1]}"
                if page != "index"
                else proposal.key.replace(".", "-")
            )
            label = f"{page.capitalize()}, {proposal.key}"
        else:
            base = PurePosixPath(proposal.file).stem
            label = f"{base.replace('-', ' ').capitalize()} ({proposal.file})"
        name = slugify(base, fallback="image", max_length=40)
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}-{n}", n + 1
        taken.add(candidate)
        proposal.name = candidate
        proposal.label_en = label
        proposal.above_fold = proposal is hero
        images = proposal.images
        sized = [i for i in images if i.width and i.height]
        if sized and len(sized) == len(images):
            proposal.min_width = min(i.width for i in sized if i.width)
            proposal.min_height = min(i.height for i in sized if i.height)
            if proposal.aspect is not None:
                # The layout fixes the shape: the width is the rule, the height follows from the aspect.
                proposal.min_height = None
        if proposal.kind != "file":
            found = sorted({i.format for i in images})
            raster = [f for f in found if f != "svg"]
            proposal.formats = sorted(set(found) | ({"jpeg", "webp"} if raster else set()))
            proposal.alt_required = bool(proposal.alt_key or "alt" in proposal.fields)
        proposal.max_bytes = _budget(images)
        # Transparency is allowed where today's images have it (a photo slot stays opaque).
        proposal.allow_alpha = any(i.has_alpha or i.format == "svg" for i in images)


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def slots_toml(proposals: list[SlotProposal]) -> str:
    """The ``[slots.*]`` tables for ``proposals`` (each with a comment saying where it was found)."""
    lines: list[str] = []
    for slot in proposals:
        label = slot.label_en or slot.name.replace("-", " ").capitalize()
        used = ", ".join(slot.used_in[:3]) or slot.path
        lines.append(f"[slots.{slot.name}]")
        lines.append(
            f"# A {slot.kind} slot for {slot.count} image(s) used in {used}. Translate the ja label."
        )
        lines.append(f"label = {{ en = {_toml_str(label)}, ja = {_toml_str(label)} }}")
        lines += slot.place_toml()
        if slot.min_width:
            lines.append(f"min_width = {slot.min_width}")
        if slot.min_height:
            lines.append(f"min_height = {slot.min_height}")
        if slot.aspect:
            lines.append(f"aspect = {_toml_str(slot.aspect)}")
            lines.append(f"aspect_tolerance = {ASPECT_TOLERANCE}")
        lines.append("formats = [" + ", ".join(_toml_str(f) for f in slot.formats) + "]")
        if slot.max_bytes:
            lines.append(f"max_bytes = {slot.max_bytes}")
        lines.append(f"alt_required = {'true' if slot.alt_required else 'false'}")
        lines.append(f"allow_alpha = {'true' if slot.allow_alpha else 'false'}")
        if slot.above_fold:
            lines.append("above_fold = true")
        lines.append("")
    return "\n".join(lines)
