"""Campaign pages as entries of the site's own generator (Hugo, Jekyll, Eleventy, Astro ...).

Owns: where a new campaign entry goes (``entry_path``), which form field becomes which front-matter key
(``field_map``), filling the site's own starting file round-trip (``render_entry``: ruamel.yaml / tomlkit,
the starter's comments, order and quoting kept), placing the hero image next to the entry or in
``[campaign] hero_dir`` and naming it the way the generator resolves it, and ``place_entry``: the whole
step publish runs inside its workspace. Also reads a prepared campaign folder (``index.md`` + images, the
shape the TUI and ``submit --campaign`` hand over) back into form values. Must not import UI libraries.

Only used when ``[campaign] content_dir`` is set; otherwise campaigns are lpublish's own
(``lpublish.site.campaigns.write_campaign``).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

import tomlkit
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from lpublish.config import SiteConfig
from lpublish.errors import ContentError
from lpublish.findings import Finding, Severity, error
from lpublish.site.campaign_map import field_map
from lpublish.site.campaigns import CheckedCampaign, parse_datetime, validate_campaign_fields
from lpublish.site.markdown import FrontMatterError, has_raw_html, split_front_matter

logger = logging.getLogger(__name__)

IMAGE_FIELDS = ("hero", "og_image")
#: Text fields a site's layout prints. Liquid and some Nunjucks setups do not escape, so no markup.
TEXT_FIELDS = ("title", "summary", "hero_alt", "cta_label", "cta_url")
_TAG = re.compile(r"<\s*[A-Za-z/!?]")
_TEMPLATE_SYNTAX = re.compile(r"\{\{|\{%|\{#")
_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_NAME_REFS = (".File.ContentBaseName", ".File.TranslationBaseName", ".File.BaseFileName", ".Name")


# --- where the entry and its images go --------------------------------------------------------------------


def entry_relpath(config: SiteConfig, slug: str, start: datetime | None) -> str:
    """The entry's path relative to the site root, e.g. ``_posts/2026-12-01-winter.md``."""
    pattern = config.campaign.entry
    if pattern == "folder":
        pattern = "{slug}/index.md"
    elif pattern == "file":
        pattern = "{slug}.md"
    day = start.date() if start is not None else None
    values = {
        "slug": slug,
        "date": day.isoformat() if day else "",
        "year": f"{day.year:04d}" if day else "",
        "month": f"{day.month:02d}" if day else "",
        "day": f"{day.day:02d}" if day else "",
    }
    rel = pattern.format(**values)
    return (PurePosixPath(config.campaign.content_dir.strip("/")) / rel).as_posix()


def _same_slug_entries(root: Path, config: SiteConfig, slug: str) -> list[Path]:
    """Existing entries whose name says they are ``slug`` (any date for date patterns)."""
    folder = root / config.campaign.content_dir.strip("/")
    if not folder.is_dir():
        return []
    pattern = config.campaign.entry
    if pattern == "folder":
        pattern = "{slug}/index.md"
    elif pattern == "file":
        pattern = "{slug}.md"
    glob = re.sub(r"\{(date|year|month|day)\}", "*", pattern).replace("{slug}", slug)
    found = [p for p in folder.glob(glob) if p.is_file()]
    if config.campaign.entry == "folder" and (folder / slug).exists():
        found.append(folder / slug)
    return found


def campaign_paths(config: SiteConfig) -> list[str]:
    """Folders (relative to the site root) that creating a campaign reads or writes."""
    paths = {config.campaign.content_dir.strip("/")}
    if config.campaign.hero_dir:
        paths.add(config.campaign.hero_dir.strip("/"))
    if config.campaign.starter:
        parent = PurePosixPath(config.campaign.starter.strip("/")).parent.as_posix()
        # A starter at the site root is read from the top-level files every checkout has.
        if parent not in ("", "."):
            paths.add(parent)
    return sorted(p for p in paths if p)


def _ext(path: Path) -> str:
    ext = path.suffix.lower()
    return ".jpg" if ext == ".jpeg" else ext


def _image_target(config: SiteConfig, root: Path, entry: Path, slug: str, key: str, source: Path) -> Path:
    stem = "hero" if key == "hero" else "og"
    if not config.campaign.hero_dir:
        return entry.parent / f"{stem}{_ext(source)}"
    name = f"{slug}{_ext(source)}" if key == "hero" else f"{slug}-og{_ext(source)}"
    return root / config.campaign.hero_dir.strip("/") / name


def public_dirs(config: SiteConfig) -> list[str]:
    """Folders whose files the generator publishes at the site root unchanged (``[build] public_dirs``)."""
    return list(config.build.public_dirs) or ["."]


def image_reference(config: SiteConfig, root: Path, entry: Path, image: Path) -> str:
    """How the entry names ``image`` so that this generator finds it (see ``[campaign] hero_ref``)."""
    mode = config.campaign.hero_ref
    next_to_entry = image.parent == entry.parent
    if mode == "relative" or next_to_entry:
        # Next to the entry a bare name works everywhere: page-relative for Hugo bundles (the page's URL
        # is its folder), relative to the file for Astro; a site URL for it is the generator's to decide.
        rel = os.path.relpath(image, entry.parent)
        return Path(rel).as_posix()
    if config.campaign.hero_url:
        return config.campaign.hero_url.rstrip("/") + "/" + image.name
    rel = image.relative_to(root).as_posix()
    for public in public_dirs(config):
        public = public.strip("/")
        if public in ("", "."):
            return "/" + rel
        if rel.startswith(public + "/"):
            return "/" + rel[len(public) + 1 :]
    return "/" + rel


# --- the starter, round-trip ---------------------------------------------------------------------------


@dataclass
class FrontMatter:
    """A parsed front matter block: ``kind`` is yaml, toml or json; ``data`` the round-trip document."""

    kind: str
    data: Any
    body: str
    yaml: YAML | None = field(default=None, repr=False)


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never fold a person's long lines
    # Aware datetimes as plain ISO 8601 timestamps (2026-12-01T00:00:00+09:00): Go, Ruby and JS YAML
    # read them as dates; ruamel's default puts a space before the time, which Go's yaml does not.
    y.representer.add_representer(
        datetime, lambda r, d: r.represent_scalar("tag:yaml.org,2002:timestamp", d.isoformat())
    )
    return y


def _indent_of(raw: str, y: YAML) -> None:
    """Keep the starter's list indentation (``key:\\n  - a`` vs ``key:\\n- a``)."""
    match = re.search(r"^( *)[A-Za-z_][\w.-]*:\s*\n( *)- ", raw, re.M)
    if match:
        offset = len(match.group(2)) - len(match.group(1))
        if offset > 0:
            y.indent(mapping=2, sequence=offset + 2, offset=offset)


def parse_front_matter(text: str) -> FrontMatter:
    """The starter's front matter (``---`` YAML, ``+++`` TOML or ``{`` JSON) and body, round-trip."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        y = _yaml()
        return FrontMatter("yaml", CommentedMap(), "", y)
    first, _, rest = text.partition("\n")
    marker = first.strip()
    if marker in ("---", "+++"):
        lines = rest.splitlines(keepends=True)
        end = next((i for i, line in enumerate(lines) if line.strip() in (marker, "...")), None)
        if end is None:
            raise ContentError("campaign_entry.starter_invalid", detail="front matter is not closed")
        raw = "".join(lines[:end])
        body = "".join(lines[end + 1 :])
        if marker == "+++":
            try:
                return FrontMatter("toml", tomlkit.parse(raw), body)
            except tomlkit.exceptions.TOMLKitError as exc:
                raise ContentError("campaign_entry.starter_invalid", detail=str(exc)) from None
        y = _yaml()
        _indent_of(raw, y)
        try:
            data = y.load(raw) if raw.strip() else CommentedMap()
        except YAMLError as exc:
            raise ContentError("campaign_entry.starter_invalid", detail=str(exc).splitlines()[0]) from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, dict):
            raise ContentError("campaign_entry.starter_invalid", detail="front matter is not a mapping")
        return FrontMatter("yaml", data, body, y)
    if marker.startswith("{"):
        try:
            data, end_index = json.JSONDecoder().raw_decode(text)
        except ValueError as exc:
            raise ContentError("campaign_entry.starter_invalid", detail=str(exc)) from None
        return FrontMatter("json", data, text[end_index:].lstrip("\n"))
    # No front matter at all: the whole file is the body.
    return FrontMatter("yaml", CommentedMap(), text, _yaml())


def render_front_matter(fm: FrontMatter) -> str:
    """The entry text: the front matter block as it was written plus the edits, then the body."""
    if fm.kind == "toml":
        head = f"+++\n{tomlkit.dumps(fm.data)}+++\n"
    elif fm.kind == "json":
        head = json.dumps(fm.data, ensure_ascii=False, indent=2) + "\n"
    else:
        out = io.StringIO()
        if fm.data:
            (fm.yaml or _yaml()).dump(fm.data, out)
        head = f"---\n{out.getvalue()}---\n"
    return head + fm.body


def _set(fm: FrontMatter, dotted: str, value: Any) -> None:
    """Set ``a.b.c`` in the front matter, creating nested maps (tables) as needed."""
    parts = dotted.split(".")
    node = fm.data
    for part in parts[:-1]:
        child = node.get(part) if hasattr(node, "get") else None
        if not hasattr(child, "get"):
            child = tomlkit.table() if fm.kind == "toml" else ({} if fm.kind == "json" else CommentedMap())
            node[part] = child
            child = node[part]
        node = child
    if fm.kind == "json" and isinstance(value, datetime):
        value = value.isoformat()
    old = node.get(parts[-1]) if hasattr(node, "get") else None
    if isinstance(value, str) and isinstance(old, SingleQuotedScalarString | DoubleQuotedScalarString):
        value = type(old)(value)  # keep the starter's quoting
    node[parts[-1]] = value


def fill_templates(text: str, *, slug: str, site_name: str, section: str, now: datetime) -> str:
    """Evaluate the few Go-template expressions Hugo archetypes use, without running Hugo.

    ``{{ .Date }}`` is now; the file name (``.File.ContentBaseName``, ``.Name``) is the slug, title-cased
    when the archetype says ``replace ... "-" " " | title``; ``.Site.Title`` the site's name; ``.Section``
    / ``.Type`` the content folder. Anything else becomes empty (the mapped form fields fill the keys
    that matter).
    """

    def value(match: re.Match[str]) -> str:
        expr = match.group(1)
        if ".Date" in expr:
            return now.isoformat()
        if any(ref in expr for ref in _NAME_REFS):
            if "replace" in expr and "title" in expr:
                return slug.replace("-", " ").title()
            return slug
        if ".Site.Title" in expr:
            return site_name
        if ".Section" in expr or ".Type" in expr:
            return section
        return ""

    return _TEMPLATE.sub(value, text)


def render_entry(
    config: SiteConfig,
    fields: dict[str, Any],
    image_refs: dict[str, str],
    *,
    starter_text: str,
    now: datetime,
) -> str:
    """The new entry's text: the starter with every mapped form field set (dates as real dates)."""
    tz = ZoneInfo(config.site.timezone)
    slug = str(fields.get("slug") or "")
    section = PurePosixPath(config.campaign.content_dir.strip("/")).name
    text = fill_templates(
        starter_text, slug=slug, site_name=config.site.name, section=section, now=now.astimezone(tz)
    )
    fm = parse_front_matter(text)
    # The review request is the draft: a starter's ``draft: true`` would keep the page from ever showing.
    if fm.data.get("draft") is True:
        fm.data["draft"] = False
    if config.campaign.layout:
        fm.data["layout"] = config.campaign.layout
    for name, key in field_map(config).items():
        if name in IMAGE_FIELDS:
            if name in image_refs:
                _set(fm, key, image_refs[name])
            continue
        raw = fields.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if name in ("start", "end"):
            parsed = parse_datetime(raw, tz)
            if parsed is None:
                continue
            _set(fm, key, parsed.replace(microsecond=0))
        elif name == "noindex":
            if raw is True:
                _set(fm, key, True)
        else:
            _set(fm, key, " ".join(str(raw).split()) if name != "body" else str(raw))
    body = str(fields.get("body") or "").strip()
    if body:
        fm.body = "\n" + body + "\n"
    return render_front_matter(fm)


# --- checks that only apply when the site's generator renders the page -------------------------------


def entry_findings(config: SiteConfig, fields: dict[str, Any], *, file: str = "") -> list[Finding]:
    """Extra rules for entries a site's own layout renders.

    No markup in text fields or the body: Liquid, kramdown and Eleventy's Markdown print raw HTML as HTML,
    where lpublish's generator shows it as text. No template syntax (``{{``, ``{%``): Jekyll and Eleventy
    run an entry's body through Liquid/Nunjucks and Hugo reads ``{{< >}}`` as shortcodes, so a form value
    would become code run at build time.
    """
    found: list[Finding] = []
    for key in (*TEXT_FIELDS, "body"):
        value = fields.get(key)
        if not isinstance(value, str) or not value:
            continue
        markup = has_raw_html(value) if key == "body" else bool(_TAG.search(value))
        if markup:
            found.append(error("campaign.entry-markup", file, field=key, name=key))
        if _TEMPLATE_SYNTAX.search(value):
            found.append(error("campaign.entry-template", file, field=key, name=key))
    return found


# --- prepared folders ----------------------------------------------------------------------------------


def read_prepared(folder: Path) -> tuple[dict[str, Any], dict[str, Path]]:
    """Form values and image files from a prepared campaign folder (``index.md`` + its images).

    Image values are file names relative to the folder. The slug defaults to the folder's name.
    """
    index = folder / "index.md"
    try:
        doc = split_front_matter(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise ContentError("campaign_entry.prepared_unreadable", path=str(index)) from None
    except FrontMatterError as exc:
        raise ContentError("campaign_entry.prepared_unreadable", path=f"{index}:{exc.line}") from None
    fields: dict[str, Any] = dict(doc.meta)
    fields.setdefault("slug", folder.name)
    if doc.body.strip():
        fields["body"] = doc.body
    images: dict[str, Path] = {}
    for key in IMAGE_FIELDS:
        value = str(fields.pop(key, "") or "").strip()
        if not value:
            continue
        path = (folder / value.lstrip("/")).resolve()
        if not path.is_file() or folder.resolve() not in path.parents:
            raise ContentError("campaign_entry.prepared_image", path=value, folder=str(folder))
        images[key] = path
    return fields, images


# --- the whole step ------------------------------------------------------------------------------------


@dataclass
class PlacedEntry:
    """A campaign entry written into a site checkout: its slug, the entry file and every file written."""

    slug: str
    entry: Path
    files: list[Path]


def _refuse(problems: list[Finding]) -> ContentError:
    return ContentError("site.campaign_invalid", count=len(problems), details=[f.message for f in problems])


def place_entry(
    config: SiteConfig,
    fields: dict[str, Any] | None,
    images: dict[str, Path] | None,
    *,
    prepared: Path | None = None,
    checked: CheckedCampaign | None = None,
    dest_root: Path | None = None,
    now: datetime | None = None,
) -> PlacedEntry:
    """Write a new campaign entry (from form values, or a prepared folder) into ``dest_root``.

    Validation is the campaign form's (dates, links, allowed hosts, lengths, no script) plus
    ``entry_findings``; the hero is checked against ``[campaign] hero_slot`` when that slot exists.
    ``checked`` is a form already checked once (``lpublish.site.campaigns.check_campaign_form``): its
    values and images are not checked again, only the entry's own rules and the slug among the entries.
    Raises ``ContentError`` listing every problem; nothing is written then.
    """
    root = (dest_root or config.root).resolve()
    if checked is not None:
        if not checked.ok:
            raise ContentError("site.campaign_invalid", count=len(checked.problems), details=checked.problems)
        fields, images = checked.fields, checked.images
    elif prepared is not None:
        fields, images = read_prepared(prepared)
    fields = dict(fields or {})
    images = dict(images or {})
    for key, path in images.items():
        fields[key] = path.name
    slug = str(fields.get("slug") or "").strip()
    form = [] if checked is not None else validate_campaign_fields(config, fields)
    problems = [f for f in (*form, *entry_findings(config, fields)) if f.severity is Severity.ERROR]
    if slug and not problems and _same_slug_entries(root, config, slug):
        problems.append(error("campaign.slug-duplicate", field="slug", slug=slug))
    if checked is None:
        problems.extend(_image_problems(config, images, str(fields.get("hero_alt") or "")))
    if problems:
        raise _refuse(problems)
    tz = ZoneInfo(config.site.timezone)
    start = parse_datetime(fields.get("start"), tz)
    entry = root / entry_relpath(config, slug, start)
    if root not in entry.resolve().parents:
        raise _refuse([error("campaign.slug-invalid", field="slug", slug=slug)])
    starter_text = ""
    if config.campaign.starter:
        starter = root / config.campaign.starter.strip("/")
        try:
            starter_text = starter.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise ContentError("campaign_entry.starter_missing", path=config.campaign.starter) from None
    written: list[Path] = []
    refs: dict[str, str] = {}
    targets = {k: _image_target(config, root, entry, slug, k, p) for k, p in images.items()}
    for key, target in targets.items():
        refs[key] = image_reference(config, root, entry, target)
    text = render_entry(
        config, fields, refs, starter_text=starter_text, now=now or datetime.now(tz).replace(microsecond=0)
    )
    entry.parent.mkdir(parents=True, exist_ok=True)
    for key, target in targets.items():
        if target.exists():
            raise _refuse([error("campaign.slug-duplicate", field="slug", slug=slug)])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(images[key], target)
        written.append(target)
    entry.write_text(text, encoding="utf-8", newline="\n")
    written.insert(0, entry)
    logger.info("campaign entry %s written (%d files)", entry.relative_to(root), len(written))
    return PlacedEntry(slug, entry, written)


def _image_problems(config: SiteConfig, images: dict[str, Path], alt: str) -> list[Finding]:
    """The hero and social image checked against their slots (when the site declares those slots)."""
    from lpublish.assets.validate import check_image

    problems: list[Finding] = []
    for key, slot in (("hero", config.campaign.hero_slot), ("og_image", config.campaign.social_slot)):
        path = images.get(key)
        if path is None or slot not in config.slots:
            continue
        result = check_image(path, slot, config, alt=alt if key == "hero" else None, display_name=path.name)
        problems.extend(f for f in result.findings if f.severity is Severity.ERROR)
    return problems
