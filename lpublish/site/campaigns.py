"""Campaign pages: the model, loading and validation, scheduling, and writing a new campaign folder.

Owns: ``Campaign``; ``load_campaigns`` / ``check_campaigns`` (every problem as a ``Finding`` with a stable
``campaign.*`` code); ``campaign_state`` (scheduled / live / ended); ``CheckedCampaign`` and
``check_campaign_form`` (a submitted form's values and images, checked once); ``write_campaign`` (used by
publish to create ``campaigns/<slug>/index.md`` from a checked form and copy its images); ``suggest_slug``
and ``validate_campaign_fields`` (the field rules; live validation for the TUI form). Must not import UI
libraries.

A campaign is a folder ``<campaigns_dir>/<slug>/`` holding ``index.md`` (YAML front matter + Markdown
body) and its hero image. The social (og) image lives in the ``og`` slot folder so that every image sits
in the folder of the slot whose rules it must meet. On a site whose own generator makes the pages
(``[campaign] content_dir`` set) such a folder is only the prepared form, turned into the site's entry by
``lpublish.site.campaign_entry``.
"""

from __future__ import annotations

import difflib
import logging
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from lpublish.config import SiteConfig
from lpublish.errors import ContentError
from lpublish.findings import Finding, Severity, error, warning
from lpublish.site.campaign_map import required_fields
from lpublish.site.link_rules import link_findings
from lpublish.site.markdown import FrontMatterError, has_raw_html, markdown_links, split_front_matter
from lpublish.site.paths import resolves_inside
from lpublish.text import slugify

logger = logging.getLogger(__name__)

CampaignState = Literal["scheduled", "live", "ended"]

INDEX_NAME = "index.md"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: Front matter keys a campaign understands, in the order ``write_campaign`` writes them.
KNOWN_FIELDS = (
    "title",
    "slug",
    "summary",
    "start",
    "end",
    "hero",
    "hero_alt",
    "og_image",
    "cta_label",
    "cta_url",
    "noindex",
)
REQUIRED_FIELDS = ("title", "slug", "summary", "start", "cta_label", "cta_url")
_JS_URL = re.compile(r"(?i)\b(?:javascript|vbscript|data)\s*:")


@dataclass
class Campaign:
    """One campaign page as the designer wrote it. Times are timezone-aware."""

    slug: str
    title: str
    summary: str
    start: datetime
    end: datetime | None
    hero: Path | None
    hero_alt: str
    og_image: Path | None
    cta_label: str
    cta_url: str
    body: str
    noindex: bool
    folder: Path

    @property
    def source(self) -> Path:
        """The campaign's ``index.md``."""
        return self.folder / INDEX_NAME


def campaign_state(c: Campaign, now: datetime) -> CampaignState:
    """``scheduled`` before ``start``, ``ended`` from ``end`` on, else ``live``.

    The start instant is included (live at exactly ``start``) and the end instant is excluded (ended at
    exactly ``end``), so back-to-back campaigns never overlap.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if now < c.start:
        return "scheduled"
    if c.end is not None and now >= c.end:
        return "ended"
    return "live"


# --- parsing values ------------------------------------------------------------------------------


def parse_datetime(value: Any, tz: ZoneInfo) -> datetime | None:
    """A front matter date/time as an aware datetime (naive values use the site's time zone).

    A bare date means midnight at the start of that day in the site's time zone. Returns ``None`` when
    the value cannot be read as a date.
    """
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime.combine(value, time(0, 0))
    elif isinstance(value, str) and value.strip():
        text = (
            value.strip().replace(" ", "T", 1) if re.match(r"^\d{4}-\d\d-\d\d \d", value.strip()) else value
        )
        try:
            result = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    return result


def _rel(config: SiteConfig, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root).as_posix()
    except ValueError:
        return str(path)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value).strip()


def check_url(
    config: SiteConfig, url: str, *, file: str, field: str, line: int | None = None
) -> list[Finding]:
    """Rules for a link a campaign may contain: the one URL rule of ``lpublish.links`` (https, or http
    if allowed; allowlisted hosts; internal links; ``mailto:``/``tel:`` in the body only)."""
    return link_findings(
        config, url.strip(), file=file, field=field, line=line, kind="campaign", allow_mail=field == "body"
    )


def _at(finding: Finding, line: int | None) -> Finding:
    if line is None:
        return finding
    return Finding(
        finding.code, finding.severity, finding.file, finding.field, finding.params, finding.fix, line
    )


def _field_lines(text: str) -> dict[str, int]:
    """The 1-based line of each top-level front matter key (for pointing findings at the right line)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if number > 1 and line.strip() in ("---", "..."):
            break
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:", line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return lines


# --- validation ----------------------------------------------------------------------------------


def validate_campaign_fields(
    config: SiteConfig,
    fields: dict[str, Any],
    *,
    file: str = "",
    lines: dict[str, int] | None = None,
    folder_name: str | None = None,
    taken_slugs: set[str] | None = None,
) -> list[Finding]:
    """Check campaign field values (front matter, or the TUI form) and return every problem.

    ``fields`` uses the front matter keys (``title``, ``slug``, ``start`` ...). Dates may be datetimes or
    ISO 8601 strings. ``taken_slugs`` lists other campaigns' slugs (a new campaign must not reuse one).
    Image files are not checked here (see ``check_campaigns``), only the text fields.
    """
    lines = lines or {}
    tz = ZoneInfo(config.site.timezone)
    found: list[Finding] = []

    def add(f: Finding) -> None:
        found.append(_at(f, lines.get(f.field)))

    for key in required_fields(config, REQUIRED_FIELDS):
        if _text(fields.get(key)) == "":
            add(error("campaign.field-missing", file, field=key, name=key))
    for key in sorted(fields):
        if key not in KNOWN_FIELDS and key != "body":
            close = difflib.get_close_matches(key, KNOWN_FIELDS, n=1, cutoff=0.6)
            add(
                warning(
                    "campaign.unknown-field", file, field=key, name=key, suggestion=close[0] if close else "-"
                )
            )
    for key in ("title", "slug", "summary", "hero_alt", "cta_label", "cta_url", "hero", "og_image"):
        value = fields.get(key)
        if value is not None and not isinstance(value, str | int | float):
            add(error("campaign.field-type", file, field=key, name=key, expected="text"))

    for f in _slug_findings(_text(fields.get("slug")), file, folder_name, taken_slugs):
        add(f)

    title = _text(fields.get("title"))
    if len(title) > config.campaign.title_max:
        add(
            error(
                "campaign.title-too-long",
                file,
                field="title",
                length=len(title),
                limit=config.campaign.title_max,
            )
        )
    summary = _text(fields.get("summary"))
    if len(summary) > config.campaign.summary_max:
        add(
            error(
                "campaign.summary-too-long",
                file,
                field="summary",
                length=len(summary),
                limit=config.campaign.summary_max,
            )
        )

    start = end = None
    for key in ("start", "end"):
        raw = fields.get(key)
        if raw is None or _text(raw) == "":
            continue
        parsed = parse_datetime(raw, tz)
        if parsed is None:
            add(error("campaign.date-invalid", file, field=key, name=key, value=_text(raw)))
        elif key == "start":
            start = parsed
        else:
            end = parsed
    if start is not None and end is not None and end <= start:
        add(
            error(
                "campaign.end-before-start", file, field="end", start=start.isoformat(), end=end.isoformat()
            )
        )

    if _text(fields.get("hero")) and not _text(fields.get("hero_alt")):
        add(error("campaign.field-missing", file, field="hero_alt", name="hero_alt"))

    cta = _text(fields.get("cta_url"))
    for f in check_url(config, cta, file=file, field="cta_url"):
        add(f)

    noindex = fields.get("noindex")
    if noindex is not None and not isinstance(noindex, bool):
        add(error("campaign.field-type", file, field="noindex", name="noindex", expected="true / false"))

    body = fields.get("body")
    if isinstance(body, str) and body:
        body_line = lines.get("body")
        for url, offset in markdown_links(body):
            line = body_line + offset if body_line is not None else None
            found.extend(check_url(config, url, file=file, field="body", line=line))
        for offset, text_line in enumerate(body.splitlines()):
            if _JS_URL.search(text_line) and ("](" in text_line or "<" in text_line):
                line = body_line + offset if body_line is not None else None
                scheme = _JS_URL.search(text_line).group(0).rstrip(":").strip()  # type: ignore[union-attr]
                found.append(
                    _at(
                        error(
                            "campaign.url-scheme",
                            file,
                            field="body",
                            url=text_line.strip()[:80],
                            scheme=scheme,
                        ),
                        line,
                    )
                )
        if has_raw_html(body):
            found.append(_at(warning("campaign.raw-html", file, field="body"), body_line))
    return found


def _slug_findings(slug: str, file: str, folder_name: str | None, taken: set[str] | None) -> list[Finding]:
    """The slug's own rule, its folder's name and the other campaigns' slugs."""
    if not slug:
        return []
    if not SLUG_RE.match(slug) or "--" in slug:
        return [error("campaign.slug-invalid", file, field="slug", slug=slug)]
    if folder_name is not None and slug != folder_name:
        return [error("campaign.slug-mismatch", file, field="slug", slug=slug, folder=folder_name)]
    if taken and slug in taken:
        return [error("campaign.slug-duplicate", file, field="slug", slug=slug)]
    return []


@dataclass(frozen=True)
class CheckedCampaign:
    """A campaign form's values and image files as ``check_campaign_form`` checked them, once.

    ``problems`` holds every error's message (empty: acceptable). ``write_campaign`` writes it and
    ``load_campaigns(..., checked=)`` reads the written folder back without checking the values again.
    """

    fields: dict[str, Any]
    images: dict[str, Path]
    problems: list[str]

    @property
    def slug(self) -> str:
        return _text(self.fields.get("slug"))

    @property
    def ok(self) -> bool:
        return not self.problems


def check_campaign_form(
    config: SiteConfig, fields: dict[str, Any], images: dict[str, Path]
) -> CheckedCampaign:
    """Check a campaign form once: its values (``validate_campaign_fields``) and its hero and social
    image against their slots (each decoded once). The hero's alt text is asked for only with images."""
    from lpublish.assets.validate import check_image  # Pillow: only when a form is sent

    fields = dict(fields)
    images = dict(images)
    found = [
        f
        for f in validate_campaign_fields(config, fields)
        if f.severity is Severity.ERROR and not (f.field == "hero_alt" and not images)
    ]
    alt = _text(fields.get("hero_alt"))
    if "hero" in images and not alt and not any(f.field == "hero_alt" for f in found):
        found.append(error("campaign.field-missing", field="hero_alt", name="hero_alt"))
    problems = [f.message for f in found]
    for key, slot in (("hero", config.campaign.hero_slot), ("og_image", config.campaign.social_slot)):
        path = images.get(key)
        if path is None or slot not in config.slots:
            continue
        result = check_image(path, slot, config, alt=alt if key == "hero" else None, display_name=path.name)
        problems.extend(f"{path.name}: {f.message}" for f in result.findings if f.severity is Severity.ERROR)
    logger.info("campaign form %s checked: %d problem(s)", _text(fields.get("slug")) or "-", len(problems))
    return CheckedCampaign(fields, images, problems)


def _image_path(config: SiteConfig, folder: Path, value: str) -> Path:
    """A front matter image path: relative to the campaign folder, or to the site root with a leading /."""
    if value.startswith("/"):
        return config.root / value.lstrip("/")
    return folder / value


def _load_one(
    config: SiteConfig, folder: Path, taken: set[str], checked: CheckedCampaign | None = None
) -> tuple[Campaign | None, list[Finding]]:
    index = folder / INDEX_NAME
    file = _rel(config, index)
    try:
        text = index.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, [error("campaign.unreadable", file)]
    try:
        doc = split_front_matter(text)
    except FrontMatterError as exc:
        code = "campaign.front-matter-missing" if exc.reason == "missing" else "campaign.front-matter-invalid"
        return None, [_at(error(code, file, detail=exc.detail or exc.reason), exc.line)]
    lines = _field_lines(text)
    lines["body"] = doc.body_line
    fields = dict(doc.meta)
    fields["body"] = doc.body
    if checked is not None and checked.ok and folder.name == checked.slug:
        # Written just now from values checked once (``check_campaign_form``): only what the folder
        # among the others can tell (its name, another campaign's slug) is left to check.
        findings = [
            _at(f, lines.get("slug"))
            for f in _slug_findings(_text(doc.meta.get("slug")), file, folder.name, taken)
        ]
    else:
        findings = validate_campaign_fields(
            config, fields, file=file, lines=lines, folder_name=folder.name, taken_slugs=taken
        )
    # A missing field has no line of its own: point at the settings block (line 1) so editors can jump.
    findings = [f if f.line is not None else _at(f, 1) for f in findings]
    tz = ZoneInfo(config.site.timezone)
    images: dict[str, Path | None] = {}
    for key in ("hero", "og_image"):
        value = _text(doc.meta.get(key))
        if not value:
            images[key] = None
            continue
        path = _image_path(config, folder, value)
        if not resolves_inside(config.root, path):
            findings.append(_at(error("campaign.image-outside", file, field=key, path=value), lines.get(key)))
            images[key] = None
        elif not path.is_file():
            findings.append(_at(error("campaign.image-missing", file, field=key, path=value), lines.get(key)))
            images[key] = None
        else:
            images[key] = path
    start = parse_datetime(doc.meta.get("start"), tz)
    end = parse_datetime(doc.meta.get("end"), tz) if doc.meta.get("end") not in (None, "") else None
    blocking = any(
        f.severity is Severity.ERROR
        and f.code in ("campaign.field-missing", "campaign.date-invalid", "campaign.field-type")
        and f.field in ("title", "slug", "start", "end")
        for f in findings
    )
    if blocking or start is None:
        return None, findings
    campaign = Campaign(
        slug=_text(doc.meta.get("slug")) or folder.name,
        title=_text(doc.meta.get("title")),
        summary=_text(doc.meta.get("summary")),
        start=start,
        end=end,
        hero=images["hero"],
        hero_alt=_text(doc.meta.get("hero_alt")),
        og_image=images["og_image"],
        cta_label=_text(doc.meta.get("cta_label")),
        cta_url=_text(doc.meta.get("cta_url")),
        body=doc.body,
        noindex=doc.meta.get("noindex") is True,
        folder=folder,
    )
    return campaign, findings


def campaign_folders(config: SiteConfig) -> list[Path]:
    """Folders under the campaigns folder that hold an ``index.md``, sorted by name."""
    root = config.site_path(config.site.campaigns_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / INDEX_NAME).is_file())


def load_campaigns(
    config: SiteConfig, *, checked: CheckedCampaign | None = None
) -> tuple[list[Campaign], list[Finding]]:
    """Every campaign that could be read, sorted by start then slug, and every problem found.

    ``checked`` is a campaign just written from checked form values (``write_campaign``): its folder's
    values are not checked again, only its slug among the others.

    A campaign whose title, slug or dates cannot be read is left out of the list (its findings say why);
    other problems (a bad link, a long title) are reported but the campaign is still returned, so the
    preview can show it. Image files are checked for existence only; see ``check_campaigns``.
    """
    campaigns: list[Campaign] = []
    findings: list[Finding] = []
    seen: set[str] = set()
    for folder in campaign_folders(config):
        campaign, problems = _load_one(config, folder, seen, checked)
        findings.extend(problems)
        if campaign is not None:
            seen.add(campaign.slug)
            campaigns.append(campaign)
    campaigns.sort(key=lambda c: (c.start, c.slug))
    return campaigns, findings


def check_campaigns(config: SiteConfig) -> list[Finding]:
    """All campaign findings, including the hero and social images checked against their slots."""
    from lpublish.assets.validate import check_image  # Pillow: only when images are checked

    campaigns, findings = load_campaigns(config)
    for c in campaigns:
        for path, slot, alt in (
            (c.hero, config.campaign.hero_slot, c.hero_alt),
            (c.og_image, config.campaign.social_slot, None),
        ):
            if path is None or slot not in config.slots:
                continue
            result = check_image(path, slot, config, alt=alt, display_name=_rel(config, path), in_site=True)
            findings.extend(result.findings)
    return findings


# --- creating campaigns --------------------------------------------------------------------------


def suggest_slug(title: str) -> str:
    """A URL-safe slug for a campaign titled ``title`` (``campaign-<6 hex>`` for a Japanese-only title,
    stable for the same title, so the designer can keep it or type a better one)."""
    return slugify(title, fallback="campaign", max_length=60)


def _front_matter_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def campaign_markdown(fields: dict[str, Any]) -> str:
    """The ``index.md`` text for ``fields`` (deterministic: known keys in a fixed order)."""
    meta: dict[str, Any] = {}
    for key in KNOWN_FIELDS:
        value = fields.get(key)
        if value is None or value == "":
            continue
        if key == "noindex" and value is False:
            continue
        meta[key] = _front_matter_value(value)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    body = str(fields.get("body") or "").strip()
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


def write_campaign(
    config: SiteConfig,
    campaign: CheckedCampaign,
    dest_root: Path | None = None,
    *,
    images_in_folder: bool = False,
) -> Path:
    """Create ``<campaigns_dir>/<slug>/index.md`` and copy its images; return the campaign folder.

    ``campaign`` is the form as ``check_campaign_form`` checked it (not checked again here); its
    ``images`` map ``hero`` and/or ``og_image`` to source files. The hero is copied into the campaign
    folder as ``hero.<ext>``; the social image goes to the og slot folder as ``<slug>.<ext>`` (referenced
    with a site-root path). ``dest_root`` is the site root to write into (a publish worktree); default
    the config's root. ``images_in_folder`` puts the social image in the campaign folder too (a prepared
    folder for a site whose own generator makes the page: ``lpublish.site.campaign_entry``). Raises
    ``ContentError`` when the check found problems (every one listed).
    """
    root = (dest_root or config.root).resolve()
    fields = dict(campaign.fields)
    images = dict(campaign.images)
    slug = campaign.slug
    if not campaign.ok:
        raise ContentError("site.campaign_invalid", count=len(campaign.problems), details=campaign.problems)
    folder = root / config.site.campaigns_dir / slug
    if not resolves_inside(root, folder):
        raise ContentError("site.campaign_invalid", count=1, details=[slug])
    folder.mkdir(parents=True, exist_ok=True)
    hero = images.get("hero")
    if hero is not None:
        target = folder / f"hero{_ext(hero)}"
        shutil.copyfile(hero, target)
        fields["hero"] = target.name
    og = images.get("og_image")
    if og is not None and images_in_folder:
        target = folder / f"og{_ext(og)}"
        shutil.copyfile(og, target)
        fields["og_image"] = target.name
    elif og is not None:
        slot = config.slots.get(config.campaign.social_slot)
        og_folder = root / (slot.path if slot else config.site.images_dir)
        og_folder.mkdir(parents=True, exist_ok=True)
        target = og_folder / f"{slug}{_ext(og)}"
        shutil.copyfile(og, target)
        fields["og_image"] = "/" + target.relative_to(root).as_posix()
    (folder / INDEX_NAME).write_text(campaign_markdown(fields), encoding="utf-8", newline="\n")
    logger.info("campaign %s written to %s (images: %s)", slug, folder, ", ".join(sorted(images)) or "none")
    return folder


def _ext(path: Path) -> str:
    ext = path.suffix.lower()
    return ".jpg" if ext == ".jpeg" else ext
