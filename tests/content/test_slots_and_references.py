"""Slot kinds are validated at load; the reference index finds and resolves what pages use; the whole-
site check reports broken references as errors and old images' problems as warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpublish.config import SiteConfig, load_config
from lpublish.content.references import build_index
from lpublish.content.site_check import check_content
from lpublish.content.sitefiles import DirFiles
from lpublish.errors import ConfigError
from tests.plugins import image_corpus as c
from tests.plugins.sample_site import copy_sample_site

BASE = '[site]\nname = "t"\n[campaign]\nhero_slot = "hero"\nsocial_slot = "hero"\n'
LABEL = 'label = { en = "Hero", ja = "ヒーロー" }\n'


def load(tmp_path: Path, slots: str, files: dict[str, str | bytes] | None = None) -> SiteConfig:
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    for rel, content in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    text = BASE + slots
    (root / "lpublish.toml").write_text(text, encoding="utf-8")
    return load_config(site=root)


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        ('file = "a.jpg"\nkey = "x"\nsource = "a.md"\npath = "img"\n', "only one of 'file', 'key' or 'list'"),
        ('source = "a.md"\nkey = "hero.image"\n', "needs 'path'"),
        ('source = "d.yml"\nlist = "items"\npath = "img"\n', "fields.image"),
        ('file = "/etc/passwd.jpg"\n', "relative to the site root"),
        ('file = "../outside.jpg"\n', "inside the site"),
        ('file = "notes.txt"\n', "not an image file name"),
        ('file = "a.jpg"\nformats = ["png"]\n', "formats must include 'jpeg'"),
        ('key = "hero.image"\npath = "img"\n', "needs 'source'"),
        ('path = "img"\nalt_key = "x"\n', "'alt_key' only belongs to a key slot"),
    ],
)
def test_slot_problems_are_reported_with_their_key(tmp_path: Path, slot: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "[slots.hero]\n" + LABEL + slot)
    text = " ".join(caught.value.params.get("details", [])) or str(caught.value)
    assert "slots.hero" in text and expected in text


def test_slot_kinds(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "[slots.hero]\n" + LABEL + 'file = "assets/img/hero.jpg"\nalt_html = "index.html"\n'
        "[slots.top]\n"
        + LABEL
        + 'source = "content/_index.md"\nkey = "hero.images.0"\nalt_key = "hero.alt"\npath = "static/img"\n'
        "[slots.products]\n"
        + LABEL
        + 'source = "data/p.yml"\nlist = "."\nfields = { image = "src" }\npath = "img/p"\n'
        "[slots.old]\n" + LABEL + 'path = "images/old"\n',
    )
    kinds = {name: (s.kind, s.folder) for name, s in config.slots.items()}
    assert kinds == {
        "hero": ("file", "assets/img"),
        "top": ("key", "static/img"),
        "products": ("list", "img/p"),
        "old": ("folder", "images/old"),
    }
    assert config.slots["hero"].formats == ["jpeg"]  # a file slot keeps its own format


def test_references_in_html_css_markdown_and_templates(tmp_path: Path) -> None:
    jpeg = c.save(c.gradient(40, 30), tmp_path / "x.jpg", "JPEG").read_bytes()
    config = load(
        tmp_path,
        "",
        {
            "index.html": '<img src="img/a.jpg" srcset="img/a.jpg 1x, /img/b.jpg 2x"><img src="https://cdn.example/x.jpg">\n'
            '<div style="background: url(\'img/gone.jpg\')"></div><img src="{{ page.image }}">\n',
            "css/site.css": 'body { background: url(../img/a.jpg) }\n.x { background: url("/img/missing.png") }\n',
            "post.md": "---\ncover: ../img/b.jpg\n---\n![b](/img/b.jpg) and ![x](data:image/png;base64,AAAA)\n",
            "layouts/hero.njk": '{% set hero = "/img/a.jpg" %}<img src="{{ hero }}">\n',
            "app.jsx": 'import pic from "./pic.png";\nimport lib from "pkg/icon.png";\n',
            "img/a.jpg": jpeg,
            "img/b.jpg": jpeg,
        },
    )
    index = build_index(config, DirFiles.for_config(config))
    found = sorted((r.source, r.line, r.raw, r.target) for r in index.references)
    assert found == [
        ("app.jsx", 1, "./pic.png", None),
        ("css/site.css", 1, "../img/a.jpg", "img/a.jpg"),
        ("css/site.css", 2, "/img/missing.png", None),
        ("index.html", 1, "/img/b.jpg", "img/b.jpg"),
        ("index.html", 1, "img/a.jpg", "img/a.jpg"),
        ("index.html", 2, "img/gone.jpg", None),
        ("layouts/hero.njk", 1, "/img/a.jpg", "img/a.jpg"),
        ("post.md", 2, "../img/b.jpg", "img/b.jpg"),
        ("post.md", 4, "/img/b.jpg", "img/b.jpg"),
    ]


def test_root_relative_urls_resolve_through_public_dirs(tmp_path: Path) -> None:
    jpeg = c.save(c.gradient(40, 30), tmp_path / "x.jpg", "JPEG").read_bytes()
    config = load(
        tmp_path,
        '[build]\nadapter = "command"\npreset = "hugo"\n',
        {
            "content/_index.md": "---\nimage: /images/hero.jpg\n---\n",
            "static/images/hero.jpg": jpeg,
            "public/images/stale.jpg": jpeg,  # hugo's output: never source
            "themes/t/layouts/x.html": '<img src="/images/nope.jpg">',  # theme internals are skipped
        },
    )
    index = build_index(config, DirFiles.for_config(config))
    assert [(r.source, r.target) for r in index.references] == [
        ("content/_index.md", "static/images/hero.jpg")
    ]


def test_site_check_broken_references_are_errors_old_images_warnings(tmp_path: Path) -> None:
    small = c.save(c.gradient(100, 50), tmp_path / "small.jpg", "JPEG").read_bytes()
    config = load(
        tmp_path,
        "[slots.hero]\n"
        + LABEL
        + 'source = "index.md"\nkey = "hero.image"\nalt_key = "hero.alt"\npath = "img"\n'
        "min_width = 1000\n",
        {
            "index.md": "---\nhero:\n  image: /img/hero.jpg\n---\n![old](/img/gone.jpg)\n",
            "img/hero.jpg": small,
            "Gemfile": "source 'https://rubygems.org'\n",
        },
    )
    report = check_content(config, workers=1)
    found = sorted((f.file, f.code, str(f.severity)) for f in report.findings)
    assert found == [
        ("img/hero.jpg", "alt.missing", "warning"),
        ("img/hero.jpg", "content.already-on-site", "warning"),
        ("img/hero.jpg", "image.too-small", "warning"),
        ("index.md", "reference.broken", "error"),
    ]
    # The same image brought by a change: its problems are errors.
    report = check_content(config, changed={"img/hero.jpg"}, workers=1)
    assert sorted(f.code for f in report.errors) == ["alt.missing", "image.too-small", "reference.broken"]


def test_fixture_sites_have_no_broken_references() -> None:
    from lpublish.config import load_config
    from tests.plugins.sites import FIXTURES, NAMES

    for name in NAMES:
        config = load_config(site=FIXTURES / name)
        index = build_index(config, DirFiles.for_config(config))
        assert index.references, name
        assert index.broken == [], (name, index.broken)


def test_sample_site_after_removing_a_product_photo(sample_site: Path, tmp_path: Path) -> None:
    from lpublish.config import load_config

    site = copy_sample_site(tmp_path / "site")
    (site / "images" / "products" / "hojicha-starry-night.jpg").unlink()
    report = check_content(load_config(site=site), workers=1)
    assert [(f.file, f.code, f.params["raw"]) for f in report.errors] == [
        ("pages/index.md", "reference.broken", "images/products/hojicha-starry-night.jpg")
    ]


def test_a_new_image_in_a_list_folder_is_judged_by_the_list_slot(sample_site: Path, tmp_path: Path) -> None:
    from lpublish.config import load_config

    site = copy_sample_site(tmp_path / "site")
    c.save(c.gradient(100, 100), site / "images" / "products" / "tiny.jpg", "JPEG")
    config = load_config(site=site)
    report = check_content(config, changed={"images/products/tiny.jpg"}, workers=1)
    assert [(f.file, f.code) for f in report.errors] == [("images/products/tiny.jpg", "image.too-small")]
    assert ("images/products/tiny.jpg", "content.image-unused") in [(f.file, f.code) for f in report.warnings]
    # Outside a change, a file that no slot names is not judged.
    assert check_content(config, workers=1).errors == []
