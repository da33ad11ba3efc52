"""Regression (issue 11): replacing a product photo in the sample site must reach the live page.

Before slots were places, "replace a product photo" deleted the old file while ``pages/index.md`` still
named it: the merge broke ``main``. Now a product is an entry of the list in ``pages/index.md``: the
entry's image key changes in the same commit, and an added photo becomes a new product on the page.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from PIL import Image, ImageStat

from lpublish.config import load_config
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.site.adapters import adapter_for
from tests.plugins.forge import ForgeSite, config_for, forge_for


def _solid(path: Path, colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1000, 1000), colour).save(path, "JPEG", quality=90)
    return path


def _mean(path: Path) -> tuple[float, ...]:
    with Image.open(path) as img:
        return tuple(ImageStat.Stat(img.convert("RGB")).mean)


def _close(a: tuple[float, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) < 12 for x, y in zip(a, b, strict=True))


def test_replace_and_add_a_product_photo_then_merge_builds_main(
    forge_site: ForgeSite, tmp_path: Path
) -> None:
    config = config_for(forge_site)
    red, blue = (200, 30, 30), (30, 40, 210)
    replacement = _solid(tmp_path / "designer" / "hojicha-new.jpg", red)
    added = _solid(tmp_path / "designer" / "Night Brew.jpg", blue)
    result = service.submit(
        config,
        ChangeSet(
            "Products",
            images=[
                ImageChange("product", replacement, "New hojicha photo", replace="hojicha-starry-night.jpg"),
                ImageChange("product", added, "A cup of Night Brew", fields={"title": "Night Brew"}),
            ],
        ),
        forge=forge_for(forge_site),
        token=forge_site.token,
    )
    forge_site.forge.merge(result.number)

    live = tmp_path / "main"
    subprocess.run(
        ["git", "clone", "-q", "--branch", "main", str(forge_site.repo.bare), str(live)], check=True
    )
    site = load_config(site=live / "site")
    built = adapter_for(site).build(tmp_path / "out")
    assert built.ok, [f.message for f in built.findings]
    assert not [f for f in built.findings if f.code == "build.file-missing"]
    # lpublish's own sidecars are never published (the campaign social images' alt.toml stays in git).
    assert (live / "site" / "images" / "og" / "alt.toml").is_file()
    assert not list(built.out_dir.rglob("alt.toml")) and not list(built.out_dir.rglob("lpublish.toml"))
    page = (built.out_dir / "index.html").read_text(encoding="utf-8")
    imgs = re.findall(r"<img\b[^>]*>", page)

    def img_with(alt: str) -> Path:
        tag = next(t for t in imgs if f'alt="{alt}"' in t)
        src = re.search(r'src="([^"]+)"', tag)
        assert src is not None
        return built.out_dir / src.group(1)

    # The first product keeps its place and name, with the new photo and alt text.
    assert page.index("星月夜ほうじ茶") < page.index("天の川煎茶")
    assert _close(_mean(img_with("New hojicha photo")), red)
    # The added photo is a new product on the page.
    assert "Night Brew" in page
    assert _close(_mean(img_with("A cup of Night Brew")), blue)
    # The old photo left the repository with nothing pointing at it.
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "main"],
        cwd=forge_site.repo.bare,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "site/images/products/hojicha-starry-night.jpg" not in files
