"""Shared helpers for campaign tests on the fixture sites (owned by the campaigns area).

``CAMPAIGN``: the ``[campaign]`` table an engineer writes for each fixture generator; ``page_path``:
where that generator puts a campaign page; ``prepared_campaign``: a campaign folder as a designer or
the TUI prepares it; ``img_of``: the hero ``<img>`` of a built campaign page.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomlkit
import yaml
from PIL import Image, ImageDraw

from lpublish.config import load_config

TZ = ZoneInfo("Asia/Tokyo")


def _map(start: str, end: str | None) -> dict[str, str]:
    fields = {"title": "title", "summary": "description", "start": start}
    if end:
        fields["end"] = end
    fields.update(hero="image", hero_alt="image_alt", cta_label="cta_label", cta_url="cta_url")
    return fields


#: The ``[campaign]`` keys an engineer adds for each fixture (in the generator's usual layout).
CAMPAIGN: dict[str, dict[str, Any]] = {
    "hugo": {
        "content_dir": "content/campaigns",
        "starter": "archetypes/campaigns.md",
        "entry": "folder",
        "front_matter": _map("publishDate", "expiryDate"),
    },
    "jekyll": {
        "content_dir": "_posts",
        "entry": "{date}-{slug}.md",
        "layout": "post",
        "hero_dir": "assets/images/campaigns",
        "front_matter": _map("date", None),
    },
    "eleventy": {
        "content_dir": "src/campaigns",
        "starter": "src/campaigns/harvest-week.md",
        "entry": "file",
        "hero_dir": "public/img/campaigns",
        "front_matter": _map("date", None),
    },
    "astro": {
        "content_dir": "src/content/campaigns",
        "entry": "file",
        "hero_dir": "public/images/campaigns",
        "front_matter": _map("start", "end"),
    },
}


def configure_campaign(root: Path, name: str) -> None:
    """Add the fixture's campaign keys to its ``lpublish.toml`` (the table ``init`` wrote, kept)."""
    path = root / "lpublish.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = doc.get("campaign")
    if table is None:
        table = tomlkit.table()
        doc["campaign"] = table
    for key, value in CAMPAIGN[name].items():
        table[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def hero_image(path: Path, site: Path | None) -> Path:
    """A photo-like hero that meets the site's campaign hero slot (size, format, weight)."""
    width, height, fmt, limit = 1600, 900, "jpeg", None
    if site is not None:
        config = load_config(site=site)
        slot = config.slots.get(config.campaign.hero_slot)
        if slot is not None:
            width = slot.min_width or width
            ratio = slot.aspect_ratio
            height = round(width / ratio) if ratio else (slot.min_height or height)
            height = max(height, slot.min_height or 0)
            fmt = next((f for f in slot.formats if f in ("jpeg", "webp", "png")), "jpeg")
            limit = slot.max_bytes
    img = Image.new("RGB", (width, height), (30, 90, 160))
    draw = ImageDraw.Draw(img)
    draw.rectangle([width // 8, height // 3, width // 2, height - height // 8], fill=(230, 200, 150))
    draw.ellipse([width // 2, height // 8, width - width // 8, height // 2], fill=(250, 240, 220))
    path = path.with_suffix({"jpeg": ".jpg", "webp": ".webp", "png": ".png"}[fmt])
    path.parent.mkdir(parents=True, exist_ok=True)
    for quality in (85, 70, 50, 30, 15):
        img.save(path, {"jpeg": "JPEG", "webp": "WEBP", "png": "PNG"}[fmt], quality=quality)
        if limit is None or path.stat().st_size <= limit:
            break
    return path


GENERATORS = tuple(CAMPAIGN)


def page_path(name: str, slug: str, start: datetime) -> str:
    """Where each generator puts the campaign page (its own URL rules, read from the fixture)."""
    if name == "jekyll":  # _config.yml: permalink: /blog/:year/:month/:slug/
        day = start.astimezone(TZ)
        return f"blog/{day.year:04d}/{day.month:02d}/{slug}/index.html"
    return f"campaigns/{slug}/index.html"


def prepared_campaign(
    tmp_path: Path, slug: str, start: datetime, end: datetime | None, site: Path | None = None
) -> tuple[Path, Path]:
    """A campaign folder as the TUI or a designer prepares it: ``index.md`` and the hero photo (made to
    meet ``site``'s hero slot when given)."""
    folder = tmp_path / "prepared" / slug
    hero = hero_image(folder / "hero.jpg", site)
    meta: dict[str, Any] = {
        "title": "Autumn roast week",
        "slug": slug,
        "summary": "Three new roasts for the cool evenings.",
        "start": start.isoformat(),
        "hero": hero.name,
        "hero_alt": "Steam rising from a cup on a wooden table",
        "cta_label": "See the roasts",
        "cta_url": "/about/",
    }
    if end is not None:
        meta["end"] = end.isoformat()
    body = "## Taste them all\n\nCold evenings, warm cups on the terrace.\n"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    (folder / "index.md").write_text(f"---\n{front}---\n\n{body}", encoding="utf-8")
    return folder, hero


def img_of(page: str) -> tuple[str, str]:
    """The campaign hero's ``src`` and ``alt`` in the built page (the img inside <main>)."""
    main_part = page[page.index("<main") :]
    match = re.search(r"<img\s+[^>]*>", main_part)
    assert match, main_part[:500]
    tag = match.group(0)
    src = re.search(r'src="([^"]+)"', tag)
    alt = re.search(r'alt="([^"]*)"', tag)
    assert src and alt, tag
    return html.unescape(src.group(1)), html.unescape(alt.group(1))
