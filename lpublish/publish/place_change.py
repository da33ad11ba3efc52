"""Putting a validated change into a site folder: the one rule for where a change's files land.

Owns: ``PlacedChange`` and ``place_change`` (images into their slots, list entries removed, the campaign
written from form values or copied from a prepared folder, then the campaign checked as placed),
``stage_change`` (a throwaway copy of the site with a pending change applied, for a local preview) and
``touched_dirs`` (the folders a change may write, for a sparse checkout and the commit). Publishing
places into its git workspace and the preview into a staging copy through the same ``place_change``,
so a preview shows exactly what the request will contain. Must not import UI libraries.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.config import SiteConfig
from lpublish.errors import ContentError, LpublishError
from lpublish.findings import Finding, Severity
from lpublish.publish.changeset import ChangeSet
from lpublish.publish.placement import place_image, remove_entry, touched_paths
from lpublish.publish.validate_change import CheckedChange, CheckedImage, validate_changeset

if TYPE_CHECKING:
    from lpublish.site.campaigns import Campaign

logger = logging.getLogger(__name__)


@dataclass
class PlacedChange:
    """What placing a change did: the reviewers' file entries, the campaign's slug (``None`` without
    one), every file its page publishes (repository paths) and what reviewers need of the campaign."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    campaign: str | None = None
    page_files: list[str] = field(default_factory=list)
    campaign_info: dict[str, Any] | None = None


def place_change(
    site_dir: Path,
    config: SiteConfig,
    changeset: ChangeSet,
    checked: CheckedChange,
    *,
    repo_prefix: str = "",
    before_ref: str = "",
) -> PlacedChange:
    """Put ``changeset`` (validated: ``checked`` comes from ``validate_changeset``) into ``site_dir``,
    checking nothing ``checked`` already holds.

    ``repo_prefix`` is the site's folder in the repository (``"site/"``, or ``""`` at the root), for the
    entries' paths. A replaced file is recorded with ``before_ref`` (the commit the change starts from),
    so reviewers see the old picture, pinned to that commit, next to the new one. Raises
    ``ContentError`` when the campaign as placed has errors.
    """
    logger.info("placing %d image(s) into %s", len(checked.images), site_dir)
    placed = PlacedChange(
        entries=_place_images(site_dir, config, checked.images, changeset, repo_prefix, before_ref)
    )
    placed.campaign = _place_campaign(site_dir, config, changeset, checked)
    if placed.campaign:
        logger.info("campaign %s placed", placed.campaign)
        from lpublish.site.campaigns import load_campaigns

        bound = config.model_copy(deep=True).bind(site_dir, site_dir / "lpublish.toml")
        # A site whose own generator makes the page: ``place_entry`` checked the entry as it wrote it.
        refuse = not config.campaign.content_dir
        # Read once: the as-placed check, the page's files and the reviewers' summary all use it.
        try:
            campaigns, findings = load_campaigns(bound, checked=checked.campaign)
        except (LpublishError, OSError, ValueError):
            if refuse:
                raise
            campaigns, findings = [], []  # only the reviewers' summary is missing then
        placed.page_files = _check_placed_campaign(
            bound, changeset, placed.campaign, repo_prefix, campaigns, findings, refuse=refuse
        )
        placed.campaign_info = _campaign_info(campaigns, site_dir, placed.campaign, repo_prefix)
    return placed


@dataclass
class StagedChange:
    """A staging copy of the site with a change applied: its root, and the page to open first."""

    site_dir: Path
    page: str = ""


def stage_change(config: SiteConfig, changeset: ChangeSet, dest: Path) -> StagedChange:
    """Copy the site to ``dest`` (output, caches and ``.git`` left out) and apply ``changeset`` with the
    same validation and placing a request gets (no title needed: a preview has none yet)."""
    from lpublish.site.adapters.base import staging_copy

    checked = validate_changeset(config, changeset, require_title=False)
    site_dir = staging_copy(config, dest)
    logger.info("preview copy of %s at %s", config.root, site_dir)
    placed = place_change(site_dir, config, changeset, checked)
    page = ""
    if placed.campaign and changeset.campaign_fields is not None and not config.campaign.content_dir:
        page = f"{config.site.campaigns_dir.strip('/')}/{placed.campaign}/"
    return StagedChange(site_dir, page)


def _place_images(
    site_dir: Path,
    config: SiteConfig,
    checked: list[CheckedImage],
    changeset: ChangeSet,
    prefix: str,
    before_ref: str,
) -> list[dict[str, Any]]:
    """Put images into their slots and remove list entries (the slot kind decides how); the marker
    entries. A folder slot's files get safe names and ``alt.toml``; file, key and list slots edit the
    site's own files in place."""
    entries: list[dict[str, Any]] = []
    for item in checked:
        image = item.image
        placed = place_image(site_dir, config, image, fmt=item.format, sha256=item.sha256)
        logger.debug("%s placed at %s (%s)", image.source.name, placed.path, placed.action)
        entry: dict[str, Any] = {}
        if placed.replaced and before_ref:
            entry = {"before": prefix + placed.replaced, "before_ref": before_ref}
        entries.append(
            entry
            | {
                "path": prefix + placed.path,
                "slot": image.slot,
                "action": placed.action,
                "replaced": prefix + placed.replaced if placed.replaced else None,
                "source": prefix + placed.source if placed.source else None,
                "key": placed.key,
                "fields": placed.fields,
                "width": item.width,
                "height": item.height,
                "bytes": item.bytes,
                "original_bytes": image.original_bytes,
                "alt": " ".join(image.alt.split()),
                "findings": [
                    {
                        "code": f.code,
                        "severity": str(f.severity),
                        "params": _jsonable(f.params),
                        "file": f.file,
                    }
                    for f in item.findings
                ],
            }
        )
    for removal in changeset.removals:
        placed = remove_entry(site_dir, config, removal)
        entries.append(
            {
                "path": prefix + placed.path,
                "slot": removal.slot,
                "action": "remove",
                "replaced": prefix + placed.replaced if placed.replaced else None,
                "source": prefix + placed.source if placed.source else None,
                "key": placed.key,
                "fields": placed.fields,
                "width": None,
                "height": None,
                "bytes": None,
                "original_bytes": None,
                "alt": placed.fields.get("alt", ""),
                "findings": [],
            }
            | ({"before_ref": before_ref} if before_ref else {})
        )
    return entries


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in params.items()
    }


def _place_campaign(
    site_dir: Path, config: SiteConfig, changeset: ChangeSet, checked: CheckedChange
) -> str | None:
    """Put the campaign into ``site_dir`` (write it from form values, or copy the prepared folder,
    replacing an earlier copy); the slug, or ``None`` when the change has no campaign."""
    if config.campaign.content_dir:
        if changeset.campaign_fields is None and changeset.campaign_dir is None:
            return None
        # The site's own generator makes the page: a new entry of its content folder.
        from lpublish.site.campaign_entry import place_entry

        if checked.campaign is not None:
            # The form was checked once (``validate_changeset``): only the entry's own rules are left.
            placed = place_entry(config, None, None, checked=checked.campaign, dest_root=site_dir)
        else:
            placed = place_entry(config, None, None, prepared=changeset.campaign_dir, dest_root=site_dir)
        return placed.slug
    if checked.campaign is not None:
        from lpublish.site.campaigns import write_campaign

        return write_campaign(config, checked.campaign, dest_root=site_dir).name
    if changeset.campaign_dir is None:
        return None
    slug = changeset.campaign_dir.name
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise ContentError("publish.bad_campaign_slug", slug=slug)
    target = site_dir / config.site.campaigns_dir / slug
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(changeset.campaign_dir, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    return slug


def _check_placed_campaign(
    placed: SiteConfig,
    changeset: ChangeSet,
    slug: str,
    repo_prefix: str,
    campaigns: list[Campaign],
    loaded: list[Finding],
    *,
    refuse: bool,
) -> list[str]:
    """Check the campaign as it will be published (``placed`` is bound to the copy, ``campaigns`` and
    ``loaded`` are what ``load_campaigns`` read there); refuse when this campaign has errors, else every
    file its page publishes (repository paths, for reviewers).

    Form values and their images were checked by ``validate_changeset`` (``load_campaigns`` was told so
    and did not check them again): here only what the placed copy alone can tell (a slug another
    campaign uses, the page's links and files). A prepared folder was not
    checked before, so its hero and social image are checked here.
    """
    from lpublish.site.campaigns import check_campaigns
    from lpublish.site.page_files import check_page_content

    findings: list[Finding] = []
    if refuse and changeset.campaign_fields is not None:
        findings = list(loaded)
    elif refuse:
        findings = check_campaigns(placed)
    content = check_page_content(placed, campaigns)
    findings += content.findings if refuse else []
    prefix = f"{placed.site.campaigns_dir.strip('/')}/{slug}/"
    errors = [
        f"{f.file}: {f.message}"
        for f in findings
        if f.severity is Severity.ERROR and f.file.replace("\\", "/").startswith(prefix)
    ]
    if errors:
        raise ContentError("publish.refused", count=len(errors), details=errors)
    return sorted({repo_prefix + f.path for f in content.files if f.page.startswith(prefix)})


def _campaign_info(
    campaigns: list[Campaign], site_dir: Path, slug: str, repo_prefix: str
) -> dict[str, Any] | None:
    """What reviewers need of the campaign as placed: title, dates, summary, button, hero."""

    def rel(path: Path) -> str:
        return repo_prefix + path.resolve().relative_to(site_dir.resolve()).as_posix()

    for campaign in campaigns:
        if campaign.slug != slug:
            continue
        return {
            "title": campaign.title,
            "path": rel(campaign.folder),
            "start": campaign.start.isoformat() if campaign.start else None,
            "end": campaign.end.isoformat() if campaign.end else None,
            "summary": campaign.summary,
            "cta_label": campaign.cta_label,
            "cta_url": campaign.cta_url,
            "hero": rel(campaign.hero) if campaign.hero else None,
            "hero_alt": campaign.hero_alt,
        }
    return None


def touched_dirs(site_rel: str, config: SiteConfig, changeset: ChangeSet) -> list[str]:
    """Repository folders ``changeset`` may write (``site_rel`` is the site's folder in the repository)."""
    prefix = f"{site_rel}/" if site_rel else ""
    dirs: set[str] = set()
    for path in touched_paths(config, changeset):
        # Folders only: a sparse checkout's cone is made of folders (files at the top are always in).
        folder = path if path == "." or "." not in path.rsplit("/", 1)[-1] else path.rpartition("/")[0]
        full = (prefix + folder).strip("/") if folder not in ("", ".") else prefix.strip("/")
        dirs.add(full or (prefix + path).strip("/"))
    slug = changeset.campaign_slug
    if slug and config.campaign.content_dir:
        from lpublish.site.campaign_entry import campaign_paths

        dirs.update(prefix + p for p in campaign_paths(config))
    elif slug:
        dirs.add(prefix + f"{config.site.campaigns_dir.strip('/')}/{slug}")
    if changeset.campaign_fields is not None and "og_image" in changeset.campaign_images:
        social = config.slots.get(config.campaign.social_slot)
        dirs.add(prefix + (social.path if social else config.site.images_dir).strip("/"))
    return sorted(dirs)
