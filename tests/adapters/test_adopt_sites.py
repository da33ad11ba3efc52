"""Adopting real sites: ``init --yes`` -> ``check`` -> ``build`` -> ``preview`` -> ``deploy`` (moto), for
every fixture site, each built by its real generator (Hugo, Jekyll, Eleventy, Astro; plain HTML has none)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.config import load_config
from lpublish.site.adapters import DEFAULT_EXCLUDE, adapter_for, is_excluded
from lpublish.site.own_files import own_files_in
from lpublish.site.preview import PreviewServer
from tests.adapters.conftest import FIXTURE_NAMES, fetch
from tests.plugins.cli import run_cli
from tests.plugins.results import result_of
from tests.plugins.s3 import bucket_objects, s3_client
from tests.plugins.sites import git, with_origin

#: preset, adapter, output folder, the home page's hero image (site path), the about page's URL path
EXPECTED = {
    "html": ("html", "static", ".", "assets/img/hero.jpg", "about.html"),
    "hugo": ("hugo", "command", "public", "images/hero.jpg", "about/"),
    "jekyll": ("jekyll", "command", "_site", "assets/images/hero.jpg", "about/"),
    "eleventy": ("eleventy", "command", "_site", "img/hero.jpg", "about/"),
    "astro": ("astro", "command", "dist", "images/hero.jpg", "about/"),
}
INIT_FLAGS = [
    "--site-url",
    "https://www.ridgeline.example/",
    "--timezone",
    "Asia/Tokyo",
    "--region",
    "us-east-1",
]


def _adopt(make: Callable[..., Path], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = make(name, with_config=False)
    if name == "hugo":
        with_origin(root, tmp_path)  # base branch from origin/HEAD
    code, out, err = run_cli(["init", str(root), "--yes", *INIT_FLAGS], capsys)
    assert code == 0, err
    assert "Defaults used" not in out  # every default was given as a flag
    return root


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_adopt_build_preview_and_deploy(
    name: str,
    make_fixture_site: Callable[..., Path],
    tmp_path: Path,
    moto_server: str,
    s3_bucket: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    preset, adapter_name, output, hero, about = EXPECTED[name]
    root = _adopt(make_fixture_site, name, tmp_path, capsys)
    config = load_config(site=root)
    assert (config.build.preset, config.build.adapter) == (preset, adapter_name)
    assert config.forge.base == ("master" if name == "jekyll" else "main")
    deploy_workflow = (root / ".github/workflows/site-deploy.yml").read_text(encoding="utf-8")
    assert f'branches: ["{config.forge.base}"]' in deploy_workflow
    setup_doc = (root / "docs/lpublish-setup.md").read_text(encoding="utf-8")
    assert f"Branch protection for `{config.forge.base}`" in setup_doc

    # build with the site's own generator
    code, out, err = run_cli(["build", "--site", str(root), "--format", "json"], capsys)
    assert code == 0, err
    build = result_of(out)["build"]
    assert build["adapter"] == adapter_name
    urls = {page["url"] for page in build["pages"]}
    assert "/" in urls and f"/{about}" in urls
    out_dir = adapter_for(config).output_dir()
    assert out_dir == (root / output).resolve() or out_dir == root / output
    assert (out_dir / hero).is_file()
    if adapter_name == "command":
        # the generator's real output holds none of lpublish's files (init added them to its excludes)
        built = [p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()]
        assert own_files_in([b for b in built if b != ".lpublish-build.json"]) == []

    # preview: the built folder served on 127.0.0.1
    with PreviewServer(config, dev=False, watch=False) as server:
        assert server.mode == "built" and server.url.startswith("http://127.0.0.1:")
        status, home, _ = fetch(server.url)
        assert status == 200 and "Ridgeline" in home and hero.rsplit("/", 1)[-1] in home
        status, page, _ = fetch(server.url + about)
        assert status == 200 and "About us" in page
    assert (
        git(
            root,
            "status",
            "--porcelain",
            "--",
            *[p for p in ("content", "src", "index.html") if (root / p).exists()],
        )
        == ""
    )

    # deploy to S3 (moto over HTTP): the output, nothing of lpublish's or git's
    code, out, err = run_cli(["deploy", "--site", str(root), "--bucket", s3_bucket, "--json", "-q"], capsys)
    assert code == 0, err
    objects = bucket_objects(moto_server, s3_bucket)
    assert "index.html" in objects and hero in objects
    leaked = [k for k in objects if is_excluded(k, DEFAULT_EXCLUDE) or own_files_in([k])]
    assert leaked == []
    if name == "html":
        assert not [k for k in objects if k.startswith(("docs/", "README"))]
    client = s3_client(moto_server)
    hero_head = client.head_object(Bucket=s3_bucket, Key=hero)
    assert "immutable" not in hero_head["CacheControl"]  # no content hash in its name: revalidated
    if name == "astro":
        hashed = [k for k in objects if k.startswith("_astro/")]
        assert hashed and all(
            "immutable" in client.head_object(Bucket=s3_bucket, Key=k)["CacheControl"] for k in hashed
        )


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_check_right_after_init(
    name: str, make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _adopt(make_fixture_site, name, tmp_path, capsys)
    code, out, _ = run_cli(["check", "--site", str(root), "--format", "json"], capsys)
    assert code == 0, out


@pytest.mark.parametrize("name", ["hugo", "jekyll"])
def test_running_init_again_changes_nothing(
    name: str, make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _adopt(make_fixture_site, name, tmp_path, capsys)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "adopt lpublish")
    code, out, _ = run_cli(["init", str(root), "--yes", *INIT_FLAGS], capsys)
    assert code == 0 and "nothing changed" in out
    assert git(root, "status", "--porcelain") == ""
    code, _, _ = run_cli(["init", str(root), "--yes", "--force", *INIT_FLAGS], capsys)
    assert code == 0 and git(root, "status", "--porcelain") == ""  # same inputs, same files


def test_jekyll_exclude_list_gets_exactly_lpublish_files(
    make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _adopt(make_fixture_site, "jekyll", tmp_path, capsys)
    diff = git(root, "diff", "-U0", "--", "_config.yml")
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert added == ["+  - lpublish.toml", "+  - docs/lpublish.md", "+  - docs/lpublish-setup.md"]


def test_workflows_install_each_toolchain(
    make_fixture_site: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess
    import sys

    texts = {}
    for name in ("hugo", "jekyll", "eleventy", "html"):
        root = _adopt(make_fixture_site, name, tmp_path / name, capsys)
        lint = subprocess.run(
            [str(Path(sys.executable).parent / "actionlint"), "-no-color"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout
        texts[name] = (root / ".github/workflows/site-pr.yml").read_text(encoding="utf-8")
    assert 'hugo-version: "0.111.0"' in texts["hugo"] and "extended: true" in texts["hugo"]
    assert "ruby/setup-ruby@v1" in texts["jekyll"] and "bundler-cache: true" in texts["jekyll"]
    eleventy = texts["eleventy"]
    assert "actions/setup-node@v6" in eleventy and "cache: npm" in eleventy and "run: npm ci" in eleventy
    # the toolchain is installed before the build step
    assert eleventy.index("run: npm ci") < eleventy.index("lpublish build")
    assert "setup-node" not in texts["html"] and "setup-ruby" not in texts["html"]
    assert "${{ env.LPUBLISH_SITE }}/_site" in eleventy  # the built folder the preview job deploys
