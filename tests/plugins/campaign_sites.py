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

import yaml

from tests.publish.conftest import make_jpeg

TZ = ZoneInfo("Asia/Tokyo")
COMMON_MAP = (
    'front_matter = { title = "title", summary = "description", start = "%s", %s'
    'hero = "image", hero_alt = "image_alt", cta_label = "cta_label", cta_url = "cta_url" }\n'
)
#: The ``[campaign]`` table an engineer writes for each fixture (in the generator's usual layout).
CAMPAIGN = {
    "hugo": (
        '[campaign]\ncontent_dir = "content/campaigns"\nstarter = "archetypes/campaigns.md"\n'
        'entry = "folder"\n' + COMMON_MAP % ("publishDate", 'end = "expiryDate", ')
    ),
    "jekyll": (
        '[campaign]\ncontent_dir = "_posts"\nentry = "{date}-{slug}.md"\nlayout = "post"\n'
        'hero_dir = "assets/images/campaigns"\n' + COMMON_MAP % ("date", "")
    ),
    "eleventy": (
        '[campaign]\ncontent_dir = "src/campaigns"\nstarter = "src/campaigns/harvest-week.md"\n'
        'entry = "file"\nhero_dir = "public/img/campaigns"\n' + COMMON_MAP % ("date", "")
    ),
    "astro": (
        '[campaign]\ncontent_dir = "src/content/campaigns"\nentry = "file"\n'
        'hero_dir = "public/images/campaigns"\n' + COMMON_MAP % ("start", 'end = "end", ')
    ),
}
GENERATORS = tuple(CAMPAIGN)


def page_path(name: str, slug: str, start: datetime) -> str:
    """Where each generator puts the campaign page (its own URL rules, read from the fixture)."""
    if name == "jekyll":  # _config.yml: permalink: /blog/:year/:month/:slug/
        day = start.astimezone(TZ)
        return f"blog/{day.year:04d}/{day.month:02d}/{slug}/index.html"
    return f"campaigns/{slug}/index.html"


def prepared_campaign(tmp_path: Path, slug: str, start: datetime, end: datetime | None) -> tuple[Path, Path]:
    """A campaign folder as the TUI or a designer prepares it: ``index.md`` and the hero photo."""
    folder = tmp_path / "prepared" / slug
    hero = make_jpeg(folder / "hero.jpg", (1600, 900), (30, 90, 160))
    meta: dict[str, Any] = {
        "title": "Autumn roast week",
        "slug": slug,
        "summary": "Three new roasts for the cool evenings.",
        "start": start.isoformat(),
        "hero": "hero.jpg",
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
