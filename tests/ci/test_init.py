"""`lpublish init`: slots guessed from real images, files written once, exact AWS setup printed."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from lpublish.ci import policies
from lpublish.ci.scaffold import guess_slots, plan_init
from lpublish.config import load_config
from tests.ci.conftest import git
from tests.plugins.cli import exit_code

BIN = Path(sys.executable).parent


def _image(path: Path, size: tuple[int, int], fmt: str, mode: str = "RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, (200, 120, 40, 255)[: len(mode)]).save(path, fmt)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site repository without lpublish: some image folders, build output, a GitHub remote."""
    root = tmp_path / "lp"
    site = root / "site"
    _image(site / "images" / "hero" / "hero.jpg", (1920, 800), "JPEG")
    _image(site / "images" / "products" / "tea.jpg", (800, 800), "JPEG")
    _image(site / "images" / "products" / "cup.png", (1000, 1000), "PNG", "RGBA")
    _image(site / "images" / "og" / "share.png", (1200, 630), "PNG")
    _image(site / "dist" / "images" / "ignored.jpg", (10, 10), "JPEG")  # build output is not a slot
    (site / "images" / "logo").mkdir(parents=True)
    (site / "images" / "logo" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8"
    )
    (site / "index.html").write_text(
        '<h1>hi</h1><img src="images/logo/logo.svg" alt="Acme">', encoding="utf-8"
    )
    # The pages name the images: a hero key, a list of products and a social image in front matter.
    (site / "pages").mkdir()
    (site / "pages" / "index.md").write_text(
        "---\nhero:\n  image: /images/hero/hero.jpg\n  alt: Fields\nog_image: /images/og/share.png\n"
        "products:\n  - name: Tea\n    image: /images/products/tea.jpg\n    alt: A cup of tea\n"
        "  - name: Cup\n    image: /images/products/cup.png\n    alt: A cup\n---\n",
        encoding="utf-8",
    )
    _image(site / "images" / "unused" / "old.jpg", (640, 480), "JPEG")  # used by no page: no slot
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "remote", "add", "origin", "git@github.com:acme/lp.git")
    return root


def test_slots_are_proposed_from_what_the_pages_use(repo: Path) -> None:
    slots = {s.name: s for s in guess_slots(repo / "site")}
    assert set(slots) == {"hero", "products", "og", "logo"}
    hero = slots["hero"]
    assert (hero.kind, hero.source, hero.key, hero.alt_key) == (
        "key",
        "pages/index.md",
        "hero.image",
        "hero.alt",
    )
    assert (hero.path, hero.formats, hero.above_fold) == ("images/hero", ["jpeg", "webp"], True)
    # Its size now is the minimum; no aspect rule, since nothing in the layout fixes one.
    assert (hero.min_width, hero.min_height, hero.aspect, hero.allow_alpha) == (1920, 800, None, False)
    products = slots["products"]
    assert (products.kind, products.list_path) == ("list", "products")
    assert products.fields == {"image": "image", "alt": "alt", "title": "name"}
    assert products.aspect == "1:1" and products.formats == ["jpeg", "png", "webp"]  # every entry is square
    assert products.min_width == 800 and products.allow_alpha is True  # one of them has transparency
    assert (slots["og"].kind, slots["og"].key, slots["og"].aspect) == ("key", "og_image", None)
    logo = slots["logo"]
    assert (logo.kind, logo.file, logo.alt_html, logo.formats) == (
        "file",
        "images/logo/logo.svg",
        "index.html",
        ["svg"],
    )
    # budgets leave room above today's largest file so existing images pass
    assert all(s.max_bytes and s.max_bytes >= max(i.bytes for i in s.images) for s in slots.values())


def test_init_writes_config_workflows_docs_and_prints_the_setup(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_code(
        ["init", str(repo / "site"), "--yes", "--account-id", "123456789012", "--distribution", "E2ABC"]
    )
    out = capsys.readouterr().out
    assert code == 0
    config = load_config(site=repo / "site")
    assert set(config.slots) == {"hero", "products", "og", "logo"}
    assert config.slots["hero"].kind == "key" and config.slots["products"].kind == "list"
    assert config.forge.repo == "acme/lp"
    assert config.deploy.targets["production"].distribution == "E2ABC"
    assert config.campaign.hero_slot == "hero" and config.campaign.social_slot == "og"
    workflows = repo / ".github" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == [
        "site-deploy.yml",
        "site-pr.yml",
        "site-schedule.yml",
    ]
    assert 'LPUBLISH_SITE: "site"' in (workflows / "site-pr.yml").read_text(encoding="utf-8")
    lint = subprocess.run([str(BIN / "actionlint"), "-no-color"], cwd=repo, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    assert (repo / "docs" / "lpublish.md").is_file()
    setup = (repo / "docs" / "lpublish-setup.md").read_text(encoding="utf-8")
    # the printed setup: OIDC trust restricted to the repo, exact bucket/distribution ARNs, the function
    for text in (out, setup):
        assert "repo:acme/lp:environment:production" in text
        assert "repo:acme/lp:pull_request" in text
        assert "arn:aws:cloudfront::123456789012:distribution/E2ABC" in text
        assert "arn:aws:s3:::lp-site/*" in text
        assert "function handler(event)" in text
    assert "<AWS_ACCOUNT_ID>" not in setup


def test_init_refuses_to_overwrite_without_force(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["init", str(repo / "site"), "--yes"]) == 0
    config = repo / "site" / "lpublish.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    assert exit_code(["init", str(repo / "site"), "--yes"]) == 1
    err = capsys.readouterr().err
    # Only the file whose content differs is in the way; identical workflows are not "overwritten".
    assert "Files already exist" in err and "site/lpublish.toml" in err
    assert ".github/workflows/site-pr.yml" not in err
    assert "--force" in err
    assert "# edited by hand" in config.read_text(encoding="utf-8")  # nothing was written
    assert exit_code(["init", str(repo / "site"), "--yes", "--force"]) == 0
    assert "# edited by hand" not in config.read_text(encoding="utf-8")


def test_init_asks_first_and_no_means_nothing_written(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    assert exit_code(["init", str(repo / "site")]) == 1
    out = capsys.readouterr().out
    assert "Proposed slots" in out and "hero: images/hero" in out
    assert not (repo / "site" / "lpublish.toml").exists()
    assert not (repo / ".github").exists()


def test_init_at_the_repository_root_and_without_images(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    plan = plan_init(root, repo="acme/plain")
    assert plan.slots == [] and plan.site_dir == "."
    names = sorted(str(p.relative_to(root)) for p in plan.files)
    assert names == [
        ".github/workflows/site-deploy.yml",
        ".github/workflows/site-pr.yml",
        ".github/workflows/site-schedule.yml",
        "docs/lpublish-setup.md",
        "docs/lpublish.md",
        "lpublish.toml",
    ]
    assert '- "**"' in plan.files[root / ".github" / "workflows" / "site-pr.yml"]


def test_policies_are_least_privilege() -> None:
    setup = policies.AwsSetup(
        repo="acme/lp",
        account_id="123456789012",
        bucket="lp-site",
        distribution="E2ABC",
        preview_bucket="lp-previews",
        preview_prefix="pr-",
    )
    trust = policies.trust_policy(setup)["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }
    subjects = trust["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
    assert subjects == ["repo:acme/lp:environment:production", "repo:acme/lp:ref:refs/heads/main"]
    assert not any("*" in s for s in subjects)
    prod = policies.production_policy(setup)["Statement"]
    assert {s["Resource"] for s in prod} == {
        "arn:aws:s3:::lp-site",
        "arn:aws:s3:::lp-site/*",
        "arn:aws:cloudfront::123456789012:distribution/E2ABC",
    }
    preview = policies.preview_policy(setup)["Statement"]
    writes = [s for s in preview if "s3:PutObject" in s["Action"] or "s3:DeleteObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == ["arn:aws:s3:::lp-previews/pr-*"]  # never production
    bucket = policies.bucket_policy(setup)["Statement"][0]
    assert bucket["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert bucket["Condition"]["StringEquals"]["AWS:SourceArn"].endswith("distribution/E2ABC")


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("uri", "querystring", "expected"),
    [
        ("/", {}, {"uri": "/index.html"}),
        ("/about/", {}, {"uri": "/about/index.html"}),
        ("/pr-12/campaigns/spring/", {}, {"uri": "/pr-12/campaigns/spring/index.html"}),
        ("/assets/app.3f2a.css", {}, {"uri": "/assets/app.3f2a.css"}),
        ("/about", {}, {"status": 301, "location": "/about/"}),
        (
            "/about",
            {"utm": {"value": "x"}, "a": {"value": ""}},
            {"status": 301, "location": "/about/?utm=x&a"},
        ),
    ],
)
def test_cloudfront_function(
    tmp_path: Path, uri: str, querystring: dict[str, object], expected: dict[str, object]
) -> None:
    script = tmp_path / "fn.js"
    event = {"request": {"uri": uri, "querystring": querystring, "headers": {}}}
    script.write_text(
        policies.CLOUDFRONT_FUNCTION + f"\nconsole.log(JSON.stringify(handler({json.dumps(event)})));\n",
        encoding="utf-8",
    )
    out = json.loads(
        subprocess.run([str(NODE), str(script)], capture_output=True, text=True, check=True).stdout
    )
    if "uri" in expected:
        assert out["uri"] == expected["uri"]
    else:
        assert out["statusCode"] == expected["status"]
        assert out["headers"]["location"]["value"] == expected["location"]


def test_setup_doc_for_an_existing_config(sample_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config(site=sample_site)
    args = [
        "ci",
        "setup-doc",
        "--site",
        str(sample_site),
        "--account-id",
        "111122223333",
        "--site-dir",
        "site",
    ]
    assert exit_code(args) == 0
    out = capsys.readouterr().out
    assert f"repo:{config.forge.repo}:environment:production" in out
    assert f"arn:aws:s3:::{config.deploy.targets['production'].bucket}/*" in out
    assert "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" in out
