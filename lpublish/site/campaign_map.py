"""Which campaign form field becomes which front-matter key on this site.

Owns: ``generator_campaigns`` (are campaigns entries of the site's own generator?), ``field_map`` (form
field -> front-matter key: ``[campaign] front_matter``, else defaults per generator) and
``required_fields`` (a field the site cannot show is not required), ``require_campaign_support`` (a site
built by another generator needs ``[campaign] content_dir``). Shared by the campaign model
(``campaigns.py``) and the entry writer (``campaign_entry.py``). Must not import UI libraries.
"""

from __future__ import annotations

from lpublish.config import SiteConfig
from lpublish.errors import UsageError

#: Form fields the generic map writes when ``[campaign] front_matter`` is empty.
DEFAULT_MAP = {
    "title": "title",
    "summary": "description",
    "start": "date",
    "hero": "image",
    "hero_alt": "image_alt",
    "og_image": "og_image",
    "cta_label": "cta_label",
    "cta_url": "cta_url",
}
#: Generators that schedule by date themselves get their own keys by default.
PRESET_MAPS = {
    "hugo": {**DEFAULT_MAP, "start": "publishDate", "end": "expiryDate"},
}


def generator_campaigns(config: SiteConfig) -> bool:
    """Whether new campaigns are entries of the site's own generator (``[campaign] content_dir`` set)."""
    return bool(config.campaign.content_dir.strip())


def field_map(config: SiteConfig) -> dict[str, str]:
    """Form field -> front-matter key for this site (``[campaign] front_matter``, else the defaults)."""
    if config.campaign.front_matter:
        return dict(config.campaign.front_matter)
    return dict(PRESET_MAPS.get(config.build.preset, DEFAULT_MAP))


def required_fields(config: SiteConfig, required: tuple[str, ...]) -> tuple[str, ...]:
    """Of ``required``, the fields this site can show: the slug always, others only when mapped."""
    if not generator_campaigns(config):
        return required
    mapped = field_map(config)
    return tuple(k for k in required if k == "slug" or k in mapped)


def require_campaign_support(config: SiteConfig) -> None:
    """Refuse a campaign on a site that has no place for one.

    lpublish's own generator builds ``[site] campaigns_dir``; any other adapter needs ``[campaign]
    content_dir`` (else the page would be published as a raw Markdown file, or not at all).
    """
    if not generator_campaigns(config) and config.build.adapter != "lpublish":
        raise UsageError("campaign_entry.no_content_dir", adapter=config.build.adapter)
