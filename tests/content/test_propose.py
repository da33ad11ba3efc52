"""``init`` proposes slots from what each fixture site's pages use; right after, ``check`` is clean."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit

from lpublish.config import load_config
from lpublish.content.propose import propose_slots, slots_toml
from lpublish.content.site_check import check_content
from tests.plugins.sites import NAMES, fixture_site

HERO = {
    "html": ("file", "assets/img/hero.jpg"),
    "hugo": ("key", "content/_index.md"),
    "jekyll": ("key", "index.html"),
    "eleventy": ("key", "src/index.njk"),
    "astro": ("key", "src/data/home.json"),
}


@pytest.mark.parametrize("name", NAMES)
def test_proposed_slots_fit_the_site_and_check_is_clean(name: str, tmp_path: Path) -> None:
    root = fixture_site(name, tmp_path, link_node_modules=False)
    config = load_config(site=root)
    proposals = {p.name: p for p in propose_slots(root, config)}
    hero = proposals["hero"]
    assert (hero.kind, hero.file or hero.source) == HERO[name]
    assert hero.above_fold and hero.aspect == "12:5"  # the <img> fixes 1600x667 in the layout
    everything = " ".join(p.file + p.source + p.path for p in proposals.values()).lower()
    for never in ("favicon", "icon", "apple-touch", "theme-texture", "possum", "themes/", "node_modules"):
        assert never not in everything, (never, sorted(proposals))
    if name != "html":
        products = next(p for p in proposals.values() if p.kind == "list")
        assert products.fields["image"] == "image" and products.fields["alt"] == "alt"
        assert products.count == 3 and products.aspect == "1:1"
    text = _without_slots((root / "lpublish.toml").read_text(encoding="utf-8"))
    text += '\n[campaign]\nhero_slot = "hero"\nsocial_slot = "hero"\n\n' + slots_toml(
        list(proposals.values())
    )
    (root / "lpublish.toml").write_text(text, encoding="utf-8")
    report = check_content(load_config(site=root), workers=1)
    assert report.errors == [], [(f.file, f.code, f.message) for f in report.errors]


def _without_slots(text: str) -> str:
    """The config without its ``[slots.*]`` and ``[campaign]`` tables (the test writes its own)."""
    doc = tomlkit.parse(text)
    for table in ("slots", "campaign"):
        doc.pop(table, None)
    return tomlkit.dumps(doc)
