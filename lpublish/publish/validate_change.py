"""Validating a change set before anything is placed, committed or sent.

Owns: ``CheckedImage`` (one image as checked: format, size, digest, findings), ``CheckedChange`` (the
images and the campaign form as checked, ``lpublish.site.campaigns.CheckedCampaign``) and
``validate_changeset``, the one validation a submitted change goes through: title, every image against
its slot, list removals, and the campaign (form fields, hero and social image, or a prepared folder). It raises ``UsageError``
for a change that cannot be understood and ``ContentError`` listing every error otherwise. Must not
import UI libraries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lpublish.assets.validate import check_image
from lpublish.config import SiteConfig
from lpublish.content.slots import has_alt_target
from lpublish.errors import ContentError, UsageError
from lpublish.findings import Finding, Severity
from lpublish.hashing import sha256_file
from lpublish.publish.changeset import ChangeSet, ImageChange

if TYPE_CHECKING:
    from lpublish.site.campaigns import CheckedCampaign

logger = logging.getLogger(__name__)


@dataclass
class CheckedImage:
    """One image of a change as validated: what placing it and the reviewers' table need."""

    image: ImageChange
    format: str
    width: int | None
    height: int | None
    bytes: int
    sha256: str
    findings: list[Finding]


@dataclass
class CheckedChange:
    """A change set as validated once: each image as checked, and the campaign form as checked
    (``None`` without one). Placing it (``lpublish.publish.place_change``) checks nothing of this again."""

    images: list[CheckedImage] = field(default_factory=list)
    campaign: CheckedCampaign | None = None


def validate_changeset(
    config: SiteConfig, changeset: ChangeSet, *, require_title: bool = True
) -> CheckedChange:
    """Check every image against its slot and the campaign's fields and images; raise ``ContentError``
    listing every error. ``require_title`` is off for a local preview (it has no request title yet)."""
    if require_title and not changeset.title.strip():
        raise UsageError("publish.no_title")
    if changeset.empty:
        raise UsageError("publish.nothing_to_publish")
    logger.info("validating %d image(s) for %s", len(changeset.images), config.forge.repo or config.root)
    checked: list[CheckedImage] = []
    problems: list[str] = []
    for image in changeset.images:
        if image.slot not in config.slots:
            raise UsageError("publish.unknown_slot", slot=image.slot, slots=", ".join(sorted(config.slots)))
        if not image.source.is_file():
            raise UsageError("common.file_not_found", path=str(image.source))
        # A slot whose alt text the site keeps nowhere lpublish can write asks for none.
        wanted_alt = image.alt if has_alt_target(config.slots[image.slot]) else None
        result = check_image(image.source, image.slot, config, alt=wanted_alt, display_name=image.source.name)
        findings = list(result.findings)
        info = result.info
        if info is not None:
            fmt, width, height = info.format, info.width, info.height
        else:
            fmt, width, height = image.source.suffix.lower().lstrip("."), None, None
        checked.append(
            CheckedImage(
                image, fmt, width, height, image.source.stat().st_size, sha256_file(image.source), findings
            )
        )
        logger.debug("%s for slot %s: %d finding(s)", image.source.name, image.slot, len(findings))
        problems.extend(f"{image.source.name}: {f.message}" for f in findings if f.severity is Severity.ERROR)
    for removal in changeset.removals:
        if removal.slot not in config.slots:
            raise UsageError("publish.unknown_slot", slot=removal.slot, slots=", ".join(sorted(config.slots)))
        if config.slots[removal.slot].kind != "list":
            raise UsageError("content.remove_needs_list", slot=removal.slot)
    campaign = _check_campaign(config, changeset)
    if campaign is not None:
        problems.extend(campaign.problems)
    if problems:
        raise ContentError("publish.refused", count=len(problems), details=problems)
    return CheckedChange(checked, campaign)


def _check_campaign(config: SiteConfig, changeset: ChangeSet) -> CheckedCampaign | None:
    """The campaign form checked once (its fields, hero and social image: placing only adds what the
    placed copy alone can tell), or a prepared folder's presence (its page is checked as placed, see
    ``lpublish.publish.place_change``)."""
    if changeset.campaign_dir is not None and not (changeset.campaign_dir / "index.md").is_file():
        raise UsageError("publish.campaign_missing", path=str(changeset.campaign_dir))
    if changeset.campaign_dir is None and changeset.campaign_fields is None:
        return None
    from lpublish.site.campaign_map import require_campaign_support

    require_campaign_support(config)
    if changeset.campaign_fields is None:
        return None
    from lpublish.site.campaigns import check_campaign_form

    for source in changeset.campaign_images.values():
        if not source.is_file():
            raise UsageError("common.file_not_found", path=str(source))
    return check_campaign_form(config, dict(changeset.campaign_fields), dict(changeset.campaign_images))
