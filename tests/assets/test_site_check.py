"""Checking the whole site: the sample site passes; every kind of site problem is found at once."""

from __future__ import annotations

import shutil
from pathlib import Path

from lpublish.assets.alt import write_alt_text
from lpublish.assets.site_check import check_site
from lpublish.config import SiteConfig, load_config
from tests.assets import corpus as c


def test_sample_site_passes(sample_site: Path) -> None:
    report = check_site(load_config(site=sample_site), workers=1)
    assert report.errors == [], [f"{f.file}: {f.message}" for f in report.errors]
    assert report.files_checked >= 5


def test_every_problem_reported(config: SiteConfig, site_dir: Path) -> None:
    photos = site_dir / "images" / "photo"
    good = c.save(c.gradient(800, 600), photos / "tea.jpg", "JPEG", quality=85)
    shutil.copy(good, photos / "tea-copy.jpg")
    c.save(c.gradient(800, 600, seed=5), photos / "Tea.JPG", "JPEG", quality=85)
    c.save(c.gradient(200, 150), photos / "small.jpg", "JPEG")
    c.write(photos / "notes.txt", b"hello")
    (photos / "passwd.jpg").symlink_to("/etc/passwd")
    write_alt_text(photos, "tea.jpg", "A cup of tea")
    write_alt_text(photos, "tea-copy.jpg", "A cup of tea")
    write_alt_text(photos, "small.jpg", "Small")
    write_alt_text(photos, "gone.jpg", "Deleted long ago")
    c.write(site_dir / "images" / "logo" / "logo.svg", c.SVG_HOSTILE["script"][0])
    report = check_site(config, workers=1)
    found = sorted((f.file, f.code) for f in report.findings)
    assert found == [
        ("images/logo/logo.svg", "alt.missing"),
        ("images/logo/logo.svg", "svg.script"),
        ("images/photo/Tea.JPG", "alt.missing"),
        ("images/photo/Tea.JPG", "name.not-normalized"),
        ("images/photo/alt.toml", "alt.orphan"),
        ("images/photo/notes.txt", "file.unexpected"),
        ("images/photo/passwd.jpg", "file.symlink"),
        ("images/photo/small.jpg", "image.too-small"),
        ("images/photo/tea.jpg", "image.duplicate"),  # same bytes as tea-copy.jpg, listed first
        ("images/photo/tea.jpg", "name.collision"),
    ]
    assert not report.ok


def test_broken_alt_file(config: SiteConfig, site_dir: Path) -> None:
    (site_dir / "images" / "photo" / "alt.toml").write_text('"x.jpg" = ', encoding="utf-8")
    report = check_site(config, workers=1)
    assert [(f.file, f.code) for f in report.findings] == [("images/photo/alt.toml", "alt.file-invalid")]


def test_parallel_site_check_matches_serial(config: SiteConfig, site_dir: Path) -> None:
    photos = site_dir / "images" / "photo"
    for index in range(14):
        size = (800, 600) if index % 3 else (300, 200)
        c.save(c.gradient(*size, seed=index), photos / f"p{index:02d}.jpg", "JPEG", quality=85)
        write_alt_text(photos, f"p{index:02d}.jpg", f"Photo {index}")
    serial = check_site(config, workers=1)
    parallel = check_site(config, workers=2)
    assert serial.to_dict() == parallel.to_dict()
    assert serial.files_checked == 14
    assert sorted({f.file for f in serial.errors}) == [f"images/photo/p{i:02d}.jpg" for i in range(0, 14, 3)]


def test_copy_of_sample_site_with_a_bad_product(sample_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(sample_site, site, ignore=shutil.ignore_patterns("dist", ".lpublish-cache"))
    (site / "campaigns" / "README.md").write_text("How to add a campaign\n", encoding="utf-8")
    products = site / "images" / "products"
    c.save(c.gradient(800, 600), products / "wide.jpg", "JPEG", quality=85, exif=c.exif_with(gps=True))
    write_alt_text(products, "wide.jpg", "A wide photo")
    report = check_site(load_config(site=site), workers=1)
    assert sorted((f.file, f.code) for f in report.errors) == [
        ("images/products/wide.jpg", "image.gps-location"),
        ("images/products/wide.jpg", "image.too-small"),
        ("images/products/wide.jpg", "image.wrong-aspect"),
    ]
