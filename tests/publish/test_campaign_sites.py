"""Campaign pages on every fixture site's own generator, end to end.

For Hugo, Jekyll, Eleventy and Astro: a designer's prepared campaign goes through ``lpublish submit``
against the local forge (pointed there by ``LPUBLISH_FORGE_*``), the pull request's branch is built with
the real generator, and the built page is checked as a visitor sees it: at the URL the generator gives
it, with the title, the hero image's bytes at the URL the page uses, the alt text and the body. The
entry is the site's starter plus the mapped fields (nothing else changed), and generators that schedule
by date do so (a future Hugo ``publishDate`` or Jekyll ``date`` is not built until its time).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from lpublish.config import load_config
from lpublish.sandbox.forge.server import LocalForge
from lpublish.site.adapters import adapter_for
from lpublish.site.campaign_entry import fill_templates
from tests.plugins.campaign_sites import (
    GENERATORS,
    TZ,
    configure_campaign,
    img_of,
    page_path,
    prepared_campaign,
)
from tests.plugins.cli import run_cli
from tests.plugins.sites import fixture_site, git, node_modules


@dataclass
class CampaignSite:
    name: str
    root: Path
    bare: Path
    forge: LocalForge
    env: dict[str, str]
    base: str


@pytest.fixture
def forge() -> Iterator[LocalForge]:
    server = LocalForge()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def campaign_site(
    name: str, tmp_path: Path, forge: LocalForge, monkeypatch: pytest.MonkeyPatch
) -> CampaignSite:
    """The fixture site with its ``[campaign]`` table, on the local forge, the designer signed in."""
    root = fixture_site(name, tmp_path)
    configure_campaign(root, name)
    git(root, "add", "lpublish.toml")
    git(root, "commit", "-q", "-m", "campaign settings")
    base = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(root), str(bare))
    forge.add_repo("ridgeline/site", bare, base)
    token = "ghp_" + secrets.token_hex(18)
    forge.add_user("hana", token, name="Hana Sato")
    git(root, "remote", "add", "origin", f"{forge.url}/ridgeline/site.git")
    env = {
        "LPUBLISH_GITHUB_TOKEN": token,
        "LPUBLISH_FORGE_API_URL": forge.url,
        "LPUBLISH_FORGE_WEB_URL": forge.url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CampaignSite(name, root, bare, forge, env, base)


def checkout(site: CampaignSite, branch: str, tmp_path: Path) -> Path:
    """The pull request's branch as CI checks it out (plus the cached node_modules for Node sites)."""
    target = tmp_path / f"pr-{secrets.token_hex(3)}"
    git(tmp_path, "clone", "-q", "--branch", branch, str(site.bare), str(target))
    if site.name in ("eleventy", "astro"):
        (target / "node_modules").symlink_to(node_modules(site.name), target_is_directory=True)
    return target


def build(site_dir: Path, out: Path) -> Path:
    """Build with the site's own generator through its adapter (what ``lpublish build`` runs)."""
    config = load_config(site=site_dir)
    result = adapter_for(config).build(out)
    assert result.ok, result.to_dict()
    return out


def submit(site: CampaignSite, folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run_cli(
        [
            "submit",
            "--site",
            str(site.root),
            "--title",
            "Autumn campaign",
            "--campaign",
            str(folder),
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    match = re.search(r'"branch": "([^"]+)"', out)
    assert match, out
    return match.group(1)


def served_file(out: Path, page_rel: str, src: str) -> Path:
    """The file a browser fetches for ``src`` on the page at ``page_rel``."""
    url = urljoin("https://site.example/" + page_rel, src)
    return out / urlsplit(url).path.lstrip("/")


@pytest.mark.parametrize("name", GENERATORS)
def test_campaign_page_is_built_by_the_sites_generator(
    name: str,
    tmp_path: Path,
    forge: LocalForge,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = campaign_site(name, tmp_path, forge, monkeypatch)
    start = (datetime.now(TZ) - timedelta(days=2)).replace(microsecond=0)
    end = start + timedelta(days=400)
    folder, hero = prepared_campaign(tmp_path, "autumn-roast", start, end, site.root)

    branch = submit(site, folder, capsys)

    # The change is the new entry and its image, nothing else.
    changed = git(site.bare, "diff", "--name-status", site.base, branch).splitlines()
    assert all(line.startswith("A\t") for line in changed), changed
    added = sorted(line.split("\t", 1)[1] for line in changed)
    assert len(added) == 2, added
    entry_rel = next(a for a in added if a.endswith(".md"))
    if name == "jekyll":
        assert entry_rel == f"_posts/{start.date().isoformat()}-autumn-roast.md"

    work = checkout(site, branch, tmp_path)
    out = build(work, tmp_path / "out")
    page_rel = page_path(name, "autumn-roast", start)
    page_file = out / page_rel
    assert page_file.is_file(), sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    page = page_file.read_text(encoding="utf-8")
    assert "<h1>Autumn roast week</h1>" in page
    assert "Cold evenings, warm cups on the terrace." in page
    src, alt = img_of(page)
    assert alt == "Steam rising from a cup on a wooden table"
    assert served_file(out, page_rel, src).read_bytes() == hero.read_bytes()

    assert_entry_is_starter_plus_fields(name, work, entry_rel, start, end)


def assert_entry_is_starter_plus_fields(
    name: str, work: Path, entry_rel: str, start: datetime, end: datetime
) -> None:
    """The entry's front matter: the starter's keys in the starter's order, the mapped fields set."""
    text = (work / entry_rel).read_text(encoding="utf-8")
    assert text.startswith("---\n")
    raw = text.split("---\n", 2)[1]
    meta = yaml.safe_load(raw)
    config = load_config(site=work)
    fmap = dict(config.campaign.front_matter)
    starter_meta: dict[str, Any] = {}
    starter_lines: list[str] = []
    if config.campaign.starter:
        starter_text = (work / config.campaign.starter).read_text(encoding="utf-8")
        created = meta.get("date")
        if name == "hugo":  # the archetype's {{ .Date }}: the moment the entry was made
            assert isinstance(created, datetime)
            starter_text = fill_templates(
                starter_text, slug="autumn-roast", site_name="", section="campaigns", now=created
            )
        starter_raw = starter_text.split("---\n", 2)[1]
        starter_meta = yaml.safe_load(starter_raw) or {}
        starter_lines = starter_raw.splitlines()
    mapped_keys = set(fmap.values())
    # Order kept, and every starter line that is not a mapped key is byte for byte the same.
    assert list(meta)[: len(starter_meta)] == list(starter_meta)
    lines = raw.splitlines()
    for line in starter_lines:
        key = line.split(":", 1)[0].strip()
        if key not in mapped_keys:
            assert line in lines, (line, lines)
    expected = {
        "title": "Autumn roast week",
        "summary": "Three new roasts for the cool evenings.",
        "hero_alt": "Steam rising from a cup on a wooden table",
        "cta_label": "See the roasts",
        "cta_url": "/about/",
    }
    for form_field, value in expected.items():
        assert meta[fmap[form_field]] == value
    assert meta[fmap["start"]] == start
    if "end" in fmap:
        assert meta[fmap["end"]] == end
    extra = set(meta) - set(starter_meta) - mapped_keys - ({"layout"} if config.campaign.layout else set())
    assert not extra, extra
    if config.campaign.layout:
        assert meta["layout"] == config.campaign.layout


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_a_future_start_is_scheduled_by_the_generator(
    name: str,
    tmp_path: Path,
    forge: LocalForge,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = campaign_site(name, tmp_path, forge, monkeypatch)
    start = (datetime.now(TZ) + timedelta(days=30)).replace(microsecond=0)
    folder, hero = prepared_campaign(tmp_path, "spring-preview", start, None, site.root)
    branch = submit(site, folder, capsys)
    work = checkout(site, branch, tmp_path)

    out = build(work, tmp_path / "out")
    page_rel = page_path(name, "spring-preview", start)
    assert not (out / page_rel).exists()

    # The same branch with the generator told to build future content: the page is there.
    future = tmp_path / "future"
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true"}
    command = (
        ["hugo", "--quiet", "--buildFuture", "-d", str(future)]
        if name == "hugo"
        else ["jekyll", "build", "--quiet", "--future", "-d", str(future)]
    )
    subprocess.run(command, cwd=work, env=env, check=True, capture_output=True)
    page = (future / page_rel).read_text(encoding="utf-8")
    assert "<h1>Autumn roast week</h1>" in page
    src, _ = img_of(page)
    assert served_file(future, page_rel, src).read_bytes() == hero.read_bytes()


def test_markup_and_template_code_are_refused_for_a_generator_site(
    tmp_path: Path, forge: LocalForge, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = campaign_site("jekyll", tmp_path, forge, monkeypatch)
    start = (datetime.now(TZ) - timedelta(days=1)).replace(microsecond=0)
    folder, _ = prepared_campaign(tmp_path, "bad-one", start, None, site.root)
    index = folder / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8")
        .replace("Autumn roast week", "Autumn <b>roast</b>")
        .replace("warm cups", "{{ site.github }} cups"),
        encoding="utf-8",
    )
    code, _, err = run_cli(
        ["submit", "--site", str(site.root), "--title", "Bad", "--campaign", str(folder)], capsys
    )
    assert code == 1
    assert "contains HTML" in err and "template code" in err
    assert forge.pulls() == []


def test_a_site_without_a_campaign_folder_refuses_before_anything_is_sent(
    tmp_path: Path, forge: LocalForge, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_site("html", tmp_path)
    monkeypatch.setenv("LPUBLISH_FORGE_API_URL", forge.url)
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", "ghp_" + secrets.token_hex(18))
    folder, _ = prepared_campaign(tmp_path, "plain-page", datetime.now(TZ), None)
    code, _, err = run_cli(
        ["submit", "--site", str(root), "--title", "Campaign", "--campaign", str(folder)], capsys
    )
    assert code == 2
    assert "no place for campaign pages" in err and "[campaign] content_dir" in err
    assert forge.requests == []
