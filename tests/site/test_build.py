"""``build_site`` on a copy of the sample site: pages, responsive images, scheduling, safety, caching."""

from __future__ import annotations

import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lpublish.errors import UsageError
from lpublish.findings import Severity
from lpublish.site.build_manifest import MANIFEST_NAME
from lpublish.site.build_result import BuildResult
from tests.site.conftest import Builder, edit_config

LIVE = "2026-11-23T10:00:00+09:00"
BEFORE = "2026-09-30T23:59:59+09:00"
AFTER = "2027-02-01T00:00:00+09:00"
AUTUMN = "campaigns/autumn-tea-2026/index.html"
SUMMER = "campaigns/summer-iced-2026/index.html"


class Page(HTMLParser):
    """A parsed page: every element's attributes by tag, and the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def meta(self, key: str) -> str:
        found = self.find("meta", property=key) or self.find("meta", name=key)
        return found[0]["content"] if found else ""


def page(out: Path, path: str) -> Page:
    return Page((out / path).read_text(encoding="utf-8"))


def srcset_urls(value: str) -> list[tuple[str, str]]:
    pairs = [part.strip().split(" ", 1) for part in value.split(",")]
    return [(url, descriptor) for url, descriptor in pairs]


def errors(result: BuildResult) -> list[str]:
    return [f.code for f in result.findings if f.severity is Severity.ERROR]


def test_build_live_site_pages_meta_and_images(build: Builder, site_dir: Path) -> None:
    result = build(LIVE)
    assert errors(result) == []
    out = site_dir / "dist"
    assert [p.url for p in result.pages] == [
        "/",
        "/campaigns/autumn-tea-2026/",
        "/campaigns/summer-iced-2026/",
    ]

    top = page(out, "index.html")
    assert top.find("html")[0]["lang"] == "ja"
    assert top.find("link", rel="canonical")[0]["href"] == "https://www.hoshizora-tea.example/"
    assert top.meta("og:title").startswith("星空ティー")
    assert top.meta("og:image").startswith("https://www.hoshizora-tea.example/assets/default.")
    assert top.meta("twitter:card") == "summary_large_image"
    assert top.meta("description")
    # the live campaign is listed on the top page, the ended one is not
    hrefs = [a["href"] for a in top.find("a")]
    assert "campaigns/autumn-tea-2026/" in hrefs
    assert "campaigns/summer-iced-2026/" not in hrefs

    # every <picture>: sources per format, srcset files exist, hash in the name matches the content
    pictures = [a for t, a in top.tags if t in ("source", "img") and "srcset" in a]
    assert len([a for a in pictures if a.get("type") == "image/avif"]) == 5  # hero, campaign card, 3 products
    for attrs in pictures:
        for url, descriptor in srcset_urls(attrs["srcset"]):
            assert descriptor.endswith("w")
            file = out / url
            assert file.is_file(), url
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            assert url.split(".")[-2] == digest[:12]
    imgs = [a for a in top.find("img") if "srcset" in a]
    hero_img = next(a for a in imgs if "hero-" in a["src"])
    assert "loading" not in hero_img and hero_img["fetchpriority"] == "high"  # above the fold
    product_imgs = [a for a in imgs if "sencha" in a["src"]]
    assert product_imgs[0]["loading"] == "lazy"
    assert product_imgs[0]["alt"].startswith("ソーサーにのった")  # from the products list in pages/index.md
    assert int(product_imgs[0]["width"]) == 200 and int(product_imgs[0]["height"]) == 200


def test_variants_never_upscale_and_keep_source_width(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    names = sorted(p.name for p in (site_dir / "dist" / "assets").iterdir())
    # the hero is 240px wide after shrinking: widths 120 and 240 (no 480+ upscales)
    hero = [n for n in names if n.startswith("hero-")]
    assert sorted({n.split(".")[0] for n in hero}) == ["hero-120", "hero-240"]
    assert {n.rsplit(".", 1)[1] for n in hero} == {"avif", "webp", "jpg"}


def test_manifest_lists_every_file_with_hash_and_size(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    out = site_dir / "dist"
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["version"] == 1
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST_NAME}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        # no content type: deploy derives it from the path (lpublish.media_types), one table for both
        assert set(entry) == {"path", "size", "sha256"}


def test_sitemap_and_robots(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    out = site_dir / "dist"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://www.hoshizora-tea.example/</loc>" in sitemap
    assert "autumn-tea-2026" in sitemap
    assert "summer-iced-2026" not in sitemap  # ended page is noindex
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://www.hoshizora-tea.example/sitemap.xml" in robots


def test_noindex_campaign_left_out_of_sitemap(build: Builder, site_dir: Path) -> None:
    index = site_dir / "campaigns/autumn-tea-2026/index.md"
    index.write_text(
        index.read_text(encoding="utf-8").replace("cta_label:", "noindex: true\ncta_label:"), "utf-8"
    )
    build(LIVE)
    out = site_dir / "dist"
    assert "autumn-tea-2026" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert page(out, AUTUMN).meta("robots") == "noindex"


def test_before_start_campaign_is_not_published(build: Builder, site_dir: Path) -> None:
    result = build(BEFORE)
    out = site_dir / "dist"
    assert not (out / AUTUMN).exists()
    assert "autumn-tea-2026" not in (out / "index.html").read_text(encoding="utf-8")
    assert all(p.url != "/campaigns/autumn-tea-2026/" for p in result.pages)


def test_live_at_start_instant(build: Builder, site_dir: Path) -> None:
    build("2026-10-01T00:00:00+09:00")
    assert (site_dir / "dist" / AUTUMN).is_file()
    # the same instant in UTC is also live
    build("2026-09-30T15:00:00Z")
    assert (site_dir / "dist" / AUTUMN).is_file()


def test_after_end_ended_page(build: Builder, site_dir: Path) -> None:
    build(AFTER)
    ended = page(site_dir / "dist", AUTUMN)
    text = "".join(ended.text)
    assert "終了しました" in text
    assert ended.meta("robots") == "noindex"
    assert "../../" in [a["href"] for a in ended.find("a")]  # a link back to the top page


def test_after_end_hide(build: Builder, site_dir: Path) -> None:
    edit_config(site_dir, 'after_end = "ended-page"', 'after_end = "hide"')
    result = build(AFTER)
    assert not (site_dir / "dist" / AUTUMN).exists()
    assert not (site_dir / "dist" / SUMMER).exists()
    assert errors(result) == []


def test_after_end_redirect(build: Builder, site_dir: Path) -> None:
    edit_config(
        site_dir,
        'after_end = "ended-page"',
        'after_end = "redirect"\nredirect_url = "https://www.hoshizora-tea.example/"',
    )
    build(AFTER)
    redirect = page(site_dir / "dist", AUTUMN)
    refresh = redirect.find("meta", **{"http-equiv": "refresh"})[0]["content"]
    assert refresh == "0; url=https://www.hoshizora-tea.example/"
    assert redirect.find("link", rel="canonical")[0]["href"] == "https://www.hoshizora-tea.example/"
    assert redirect.meta("robots") == "noindex"


def test_redirect_to_internal_path_is_relative(build: Builder, site_dir: Path) -> None:
    edit_config(site_dir, 'after_end = "ended-page"', 'after_end = "redirect"')
    result = build(AFTER)
    redirect = page(site_dir / "dist", AUTUMN)
    assert redirect.find("meta", **{"http-equiv": "refresh"})[0]["content"] == "0; url=../../"
    assert errors(result) == []  # the link check follows it to index.html


def test_preview_includes_scheduled_campaign_with_banner(build: Builder, site_dir: Path) -> None:
    build(BEFORE, preview=True)
    out = site_dir / "dist"
    scheduled = page(out, AUTUMN)
    assert "公開予定" in "".join(scheduled.text)
    assert scheduled.meta("robots") == "noindex"
    assert "公開予定" in (out / "index.html").read_text(encoding="utf-8")
    assert "Disallow: /" in (out / "robots.txt").read_text(encoding="utf-8")


def test_markdown_cannot_inject_script(build: Builder, site_dir: Path) -> None:
    index = site_dir / "campaigns/autumn-tea-2026/index.md"
    evil = (
        "\n<script>alert(1)</script>\n\n"
        '<img src="x" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<iframe src="https://evil.example/"></iframe>\n\n'
        '<a href="javascript:alert(4)">x</a>\n'
    )
    index.write_text(index.read_text(encoding="utf-8") + evil, encoding="utf-8")
    result = build(LIVE)
    out = site_dir / "dist"
    parsed = page(out, AUTUMN)
    assert parsed.find("script") == [] and parsed.find("iframe") == []
    for _tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs)
        assert not any("javascript:" in v.lower() for v in attrs.values())
    codes = {f.code for f in result.findings}
    assert "campaign.raw-html" in codes and "campaign.url-scheme" in codes


def test_build_is_deterministic(build: Builder, site_dir: Path, tmp_path: Path) -> None:
    build(LIVE)
    # a second copy with no cache: every image is encoded again and must come out identical
    other = tmp_path / "other"
    shutil.copytree(site_dir, other, ignore=shutil.ignore_patterns("dist", ".lpublish-cache"))
    build(LIVE, site=other)
    first, second = site_dir / "dist", other / "dist"
    files1 = sorted(p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file())
    assert files1 == files2
    for rel in files1:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_incremental_rebuild_touches_only_what_changed(build: Builder, site_dir: Path) -> None:
    first = build(LIVE)
    assert first.generated > 0 and first.reused == 0
    out = site_dir / "dist"
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    again = build(LIVE)
    assert again.generated == 0 and again.reused == first.generated
    assert again.written == [] and again.deleted == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps

    # replace one product photo: only its variants are encoded; pages showing it are rewritten
    from PIL import Image

    product = site_dir / "images/products/sencha-milky-way.jpg"
    Image.new("RGB", (240, 240), (10, 120, 60)).save(product, "JPEG", quality=80)
    changed = build(LIVE)
    assert changed.generated == 6  # 2 widths x (avif, webp, jpeg)
    assert changed.reused == first.generated - 6
    written_assets = [w for w in changed.written if w.startswith("assets/")]
    assert len(written_assets) == 6 and all("sencha-milky-way" in w for w in written_assets)
    assert "index.html" in changed.written
    assert AUTUMN not in changed.written  # the campaign page does not show products
    assert len([d for d in changed.deleted if "sencha-milky-way" in d]) == 6  # old variants removed


def test_link_check_reports_broken_links(build: Builder, site_dir: Path) -> None:
    (site_dir / "pages/about.md").write_text(
        "---\ntitle: About\ndescription: About us\n---\n\n"
        "[missing](/no-such-page/) and [ok](/campaigns/autumn-tea-2026/) and [ext](https://example.com/x)\n"
        "![gone](/images/none.jpg)\n",
        encoding="utf-8",
    )
    result = build(LIVE)
    broken = [f for f in result.findings if f.code == "build.broken-link"]
    # the missing page, and the missing image (also reported against its source file below)
    assert [f.params["url"] for f in broken] == ["../no-such-page/", "/images/none.jpg"]
    assert all(f.file == "about/index.html" for f in broken)
    missing = [f for f in result.findings if f.code == "build.file-missing"]
    assert missing and missing[0].file == "pages/about.md"


def test_page_budget_warning(build: Builder, site_dir: Path) -> None:
    edit_config(site_dir, "page_budget_bytes = 1_500_000", "page_budget_bytes = 20_000")
    result = build(LIVE)
    over = {f.file for f in result.findings if f.code == "build.page-budget"}
    assert "index.html" in over
    top = next(p for p in result.pages if p.url == "/")
    assert top.weight > 20_000
    assert all(f.severity is Severity.WARNING for f in result.findings if f.code == "build.page-budget")


def test_removed_page_is_deleted_from_output(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    assert (site_dir / "dist" / AUTUMN).is_file()
    result = build(BEFORE)
    assert AUTUMN in result.deleted
    assert not (site_dir / "dist" / "campaigns/autumn-tea-2026").exists()


def test_refuses_unsafe_output_folders(build: Builder, site_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as unsafe:
        build(LIVE, out=site_dir)
    assert unsafe.value.key == "site.out_unsafe"
    with pytest.raises(UsageError):
        build(LIVE, out=site_dir / "images")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as not_empty:
        build(LIVE, out=foreign)
    assert not_empty.value.key == "site.out_not_empty"
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_output_in_custom_folder_and_cache_in_site(build: Builder, site_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = build(LIVE, out=out)
    assert result.out_dir == out.resolve()
    assert (out / "index.html").is_file()
    assert (site_dir / ".lpublish-cache" / "variants.json").is_file()
    assert not (site_dir / "dist").exists()


def test_internal_urls_are_relative(build: Builder, site_dir: Path) -> None:
    """Pages work under a preview prefix (``/pr-12/``) and from a folder: no root-absolute links."""
    build(LIVE)
    out = site_dir / "dist"
    for path in ("index.html", AUTUMN):
        for _tag, attrs in page(out, path).tags:
            for key in ("href", "src"):
                value = attrs.get(key, "")
                assert not (value.startswith("/") and not value.startswith("//")), (path, value)


def test_template_error_is_a_finding(build: Builder, site_dir: Path) -> None:
    (site_dir / "templates/campaign.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ oops(", "utf-8"
    )
    result = build(LIVE)
    bad = [f for f in result.findings if f.code == "build.template-error"]
    assert bad and bad[0].line == 1
    assert (site_dir / "dist/index.html").is_file()  # the rest of the site is still built


def test_cancel_stops_the_build(build: Builder, site_dir: Path) -> None:
    import threading
    from datetime import datetime

    from lpublish.config import load_config
    from lpublish.errors import CancelledError
    from lpublish.site.build import build_site

    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        build_site(load_config(site=site_dir), now=datetime.fromisoformat(LIVE), cancel=cancel)
    assert not (site_dir / "dist" / MANIFEST_NAME).exists()


def test_progress_reports_image_work(build: Builder, site_dir: Path) -> None:
    from datetime import datetime

    from lpublish.config import load_config
    from lpublish.progress import ProgressEvent
    from lpublish.site.build import build_site

    events: list[ProgressEvent] = []
    build_site(load_config(site=site_dir), now=datetime.fromisoformat(LIVE), progress=events.append)
    images = [e for e in events if e.stage == "site.progress.images"]
    # one unit per (source, width): top hero, live campaign hero, 3 products, 2 widths each (og is copied)
    assert images[-1].done == images[-1].total == 10


def test_build_cancelled_while_writing_can_be_rebuilt(build: Builder, site_dir: Path) -> None:
    import threading
    from datetime import datetime

    from lpublish.config import load_config
    from lpublish.errors import CancelledError
    from lpublish.progress import ProgressEvent
    from lpublish.site.build import build_site

    cancel = threading.Event()

    def progress(event: ProgressEvent) -> None:
        if event.stage == "site.progress.writing":
            cancel.set()  # stop in the middle of writing files

    config = load_config(site=site_dir)
    with pytest.raises(CancelledError):
        build_site(config, now=datetime.fromisoformat(LIVE), progress=progress, cancel=cancel)
    out = site_dir / "dist"
    assert (out / MANIFEST_NAME).is_file()  # the half-written folder is still known as lpublish's own
    result = build(LIVE)
    assert errors(result) == []
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


def test_campaign_card_on_top_page_loads_lazily(build: Builder, site_dir: Path) -> None:
    build(LIVE)
    top = page(site_dir / "dist", "index.html")
    card = next(a for a in top.find("img") if "autumn-tea-2026-hero" in a.get("src", ""))
    assert card["loading"] == "lazy"  # above the fold on its own page, not in the list
    hero = next(
        a for a in page(site_dir / "dist", AUTUMN).find("img") if "autumn-tea-2026-hero" in a.get("src", "")
    )
    assert "loading" not in hero
