"""Every fixture site, through ``submit`` against the local forge: replace the hero, add a product and
remove one; then the site's own generator builds the pull request's branch.

Asserts what a reviewer would check: the built page shows the new image's bytes at the URL it uses, the
alt text is in the built HTML, the removed product is gone, no reference broke, and each edited content
file's diff is exactly the lines of the edited keys and entries.
"""

from __future__ import annotations

import difflib
import re
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from PIL import Image, ImageDraw

from lpublish.config import load_config
from lpublish.content.references import build_index
from lpublish.content.sitefiles import DirFiles
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, EntryRemoval, ImageChange
from lpublish.publish.github import GitHubForge
from lpublish.sandbox.forge.server import LocalForge
from lpublish.site.adapters import adapter_for
from tests.plugins.gitrepos import patch_forge
from tests.plugins.sites import NODE_SITES, fixture_site, git, node_modules, with_origin


@dataclass(frozen=True)
class Places:
    """Where each fixture names its hero and its products (what ``init`` proposes for it)."""

    slots: str
    page: str  # the built page that shows both
    hero_source: str
    products_source: str | None


PLACES: dict[str, Places] = {
    "html": Places(
        '[slots.hero]\nlabel = { en = "Top page, main image", ja = "トップページ、メイン画像" }\n'
        'file = "assets/img/hero.jpg"\nalt_html = "index.html"\n',
        "index.html",
        "index.html",
        None,
    ),
    "hugo": Places(
        '[slots.hero]\nlabel = { en = "Top page, main image", ja = "トップページ、メイン画像" }\n'
        'source = "content/_index.md"\nkey = "hero.image"\nalt_key = "hero.alt"\npath = "static/images"\n\n'
        '[slots.product]\nlabel = { en = "Products", ja = "商品" }\nsource = "data/products.yaml"\n'
        'list = "products"\nfields = { image = "image", alt = "alt", title = "name", link = "url" }\n'
        'path = "static/images/products"\n',
        "index.html",
        "content/_index.md",
        "data/products.yaml",
    ),
    "jekyll": Places(
        '[slots.hero]\nlabel = { en = "Top page, main image", ja = "トップページ、メイン画像" }\n'
        'source = "index.html"\nkey = "hero_image"\nalt_key = "hero_alt"\npath = "assets/images"\n\n'
        '[slots.product]\nlabel = { en = "Products", ja = "商品" }\nsource = "_data/products.yml"\n'
        'list = "."\nfields = { image = "image", alt = "alt", title = "name", link = "url" }\n'
        'path = "assets/images/products"\n',
        "index.html",
        "index.html",
        "_data/products.yml",
    ),
    "eleventy": Places(
        '[slots.hero]\nlabel = { en = "Top page, main image", ja = "トップページ、メイン画像" }\n'
        'source = "src/index.njk"\nkey = "hero.image"\nalt_key = "hero.alt"\npath = "public/img"\n\n'
        '[slots.product]\nlabel = { en = "Products", ja = "商品" }\nsource = "src/_data/products.json"\n'
        'list = "."\nfields = { image = "image", alt = "alt", title = "name", link = "url" }\n'
        'path = "public/img/products"\n',
        "index.html",
        "src/index.njk",
        "src/_data/products.json",
    ),
    "astro": Places(
        '[slots.hero]\nlabel = { en = "Top page, main image", ja = "トップページ、メイン画像" }\n'
        'source = "src/data/home.json"\nkey = "hero.image"\nalt_key = "hero.alt"\npath = "public/images"\n\n'
        '[slots.product]\nlabel = { en = "Products", ja = "商品" }\nsource = "src/data/products.json"\n'
        'list = "."\nfields = { image = "image", alt = "alt", title = "name", link = "url" }\n'
        'path = "public/images/products"\n',
        "index.html",
        "src/data/home.json",
        "src/data/products.json",
    ),
}


def _photo(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for i in range(0, max(size), max(size) // 10):
        draw.line([(i, 0), (0, i)], fill=(250 - colour[0], 80, 200), width=5)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=80)
    return path


def _diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if not line.startswith(("---", "+++", "@@"))
    ]


def _show(bare: Path, ref: str, path: str) -> str:
    return subprocess.run(
        ["git", "show", f"{ref}:{path}"], cwd=bare, capture_output=True, text=True, check=True
    ).stdout


def _img_tags(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


@pytest.mark.parametrize("name", sorted(PLACES))
def test_replace_add_remove_through_submit_and_the_real_build(name: str, tmp_path: Path) -> None:
    places = PLACES[name]
    root = fixture_site(name, tmp_path)
    branch = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    forge = LocalForge()
    forge.start()
    try:
        config_path = root / "lpublish.toml"
        text = _without_slots(config_path.read_text(encoding="utf-8"))
        text = patch_forge(text, repo="acme/lp", api_url=forge.url, web_url=forge.url, base=branch, labels=[])
        # [campaign] must name declared slots.
        text += '\n[campaign]\nhero_slot = "hero"\nsocial_slot = "hero"\n'
        config_path.write_text(text.rstrip("\n") + "\n\n" + places.slots, encoding="utf-8")
        git(root, "commit", "-q", "-am", "lpublish slots")
        bare = with_origin(root, tmp_path)
        git(root, "remote", "set-url", "origin", f"{forge.url}/acme/lp.git")
        forge.add_repo("acme/lp", bare, branch)
        token = "ghp_" + secrets.token_hex(18)
        forge.add_user("hana", token, name="Hana Sato", user_id=4242)
        config = load_config(site=root)
        before_refs = build_index(config, DirFiles.for_config(config))
        assert before_refs.broken == []

        hero = _photo(tmp_path / "designer" / "Summer Hero.jpg", (1600, 667), (30, 90, 160))
        new_product = _photo(tmp_path / "designer" / "Night Brew.jpg", (600, 600), (150, 60, 30))
        images = [ImageChange("hero", hero, "Tea field at dawn, seen from the hill")]
        removals = []
        if places.products_source:
            images.append(
                ImageChange("product", new_product, "A cup of Night Brew", fields={"title": "Night Brew"})
            )
            removals.append(EntryRemoval("product", "River Roast"))
        result = service.submit(
            config,
            ChangeSet("Summer look", images=images, removals=removals),
            forge=GitHubForge(forge.url, "acme/lp", token),
            token=token,
        )
    finally:
        forge.stop()

    # The pull request's branch, checked out fresh and built by the site's own generator.
    work = tmp_path / "pr"
    git(tmp_path, "clone", "-q", "--branch", result.branch, str(bare), str(work))
    if name in NODE_SITES:
        (work / "node_modules").symlink_to(node_modules(name), target_is_directory=True)
    pr_config = load_config(site=work)
    assert build_index(pr_config, DirFiles.for_config(pr_config)).broken == []  # no reference broke
    built = adapter_for(pr_config).build(None)
    assert built.ok, built.log_tail
    page = (built.out_dir / places.page).read_text(encoding="utf-8")
    tags = _img_tags(page)

    def shown(image_bytes: bytes, alt: str) -> None:
        matching = [t for t in tags if f'alt="{alt}"' in t]
        assert matching, f"no <img alt={alt!r}> in {places.page}: {tags}"
        src = re.search(r'src="([^"]+)"', matching[0])
        assert src is not None
        url = src.group(1).split("?")[0]
        target = (
            (built.out_dir / places.page).parent / url
            if not url.startswith("/")
            else built.out_dir / url.lstrip("/")
        )
        assert target.read_bytes() == image_bytes, f"{url} in the built site is not the new image"

    shown(hero.read_bytes(), "Tea field at dawn, seen from the hill")

    # The hero's content file changed only where its image and alt text are named.
    before_hero = _show(bare, branch, places.hero_source)
    after_hero = _show(bare, result.branch, places.hero_source)
    diff = _diff(before_hero, after_hero)
    assert [line[0] for line in diff] in (["-", "+"], ["-", "-", "+", "+"]), diff
    assert all(
        ("hero" in line.lower() or "alt" in line.lower() or "image" in line.lower()) for line in diff
    ), diff
    assert any("Tea field at dawn" in line for line in diff if line.startswith("+"))

    if places.products_source:
        shown(new_product.read_bytes(), "A cup of Night Brew")
        assert "Night Brew" in page
        assert "River Roast" not in page and "river-roast" not in page
        before_list = _show(bare, branch, places.products_source)
        after_list = _show(bare, result.branch, places.products_source)
        diff = _diff(before_list, after_list)
        removed = "\n".join(line for line in diff if line.startswith("-"))
        added = "\n".join(line for line in diff if line.startswith("+"))
        assert "River Roast" in removed and "Field Blend" not in removed and "Summit Tea" not in removed
        assert "Night Brew" in added and "A cup of Night Brew" in added
        assert "Field Blend" not in added and "Summit Tea" not in added
        files = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", result.branch],
            cwd=bare,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        # The removed product's photo went with it (nothing else used it).
        assert not any("river-roast" in f for f in files)


def _without_slots(text: str) -> str:
    """The config without its ``[slots.*]`` and ``[campaign]`` tables (the test writes its own)."""
    doc = tomlkit.parse(text)
    for table in ("slots", "campaign"):
        doc.pop(table, None)
    return tomlkit.dumps(doc)
