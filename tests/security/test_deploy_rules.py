"""Items 2 (deploy side) and 5: deploy targets are checked at load, and a deploy never leaves its target.

Today's behaviour: ``preview_prefix = ""`` on the production bucket overwrote production;
``preview_prefix = "previews/"`` let PR 2 overwrite PR 1 and ``--remove`` of PR 1 delete PR 2's files;
``prefix = "../"`` on a folder target wrote (and ``--remove`` deleted) beside it; CR/LF in a header
value failed after 15 uploads as a "network" error; ``bucket = "../etc"`` was a "network" error;
``lock_ttl_seconds = 1e308``, ``--pr 99999999999999999999999`` and a lone ``{`` crashed; a symlink to
``/proc/self/environ`` in the deployed folder was uploaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.plugins.cli import run_cli
from tests.plugins.deploy_targets import basic_site
from tests.plugins.deploy_targets import local_files as _all_files


def local_files(root: Path) -> dict[str, bytes]:
    """The site's files under ``root`` (lpublish's own records under .lpublish/ left out)."""
    return {k: v for k, v in _all_files(root).items() if not k.startswith(".lpublish/")}


def _site(tmp_path: Path, deploy: str) -> Path:
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    (root / "lpublish.toml").write_text(deploy, encoding="utf-8")
    basic_site(root / "dist")
    return root


def _targets(public: Path, preview_prefix: str = "previews/pr-{pr}/", prefix: str = "") -> str:
    return f"""
[deploy]
default_target = "production"
[deploy.targets.production]
url = "{public.as_uri()}"
[deploy.targets.preview]
url = "{public.as_uri()}"
prefix = "{prefix}"
preview = true
preview_prefix = "{preview_prefix}"
"""


@pytest.mark.parametrize(
    ("table", "key"),
    [
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview = true\npreview_prefix = ""\n',
            "preview_prefix",
        ),
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview = true\npreview_prefix = "previews/"\n',
            "preview_prefix",
        ),
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview_prefix = "/previews/pr-{pr}/"\n',
            "preview_prefix",
        ),
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview_prefix = "pr-{pr}/../../"\n',
            "preview_prefix",
        ),
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview_prefix = "pr-{pr}-{branch}/"\n',
            "preview_prefix",
        ),
        ('[deploy.targets.p]\nurl = "file:///srv/site"\nprefix = "../"\n', "prefix"),
        ('[deploy.targets.p]\nbucket = "shared-bucket"\nprefix = "a{"\n', "prefix"),
        ('[deploy.targets.p]\nbucket = "shared-bucket"\nprefix = "site\\\\x"\n', "prefix"),
        ('[deploy.targets.p]\nbucket = "../etc"\n', "bucket"),
        ('[deploy.targets.p]\nbucket = "Upper_Case"\n', "bucket"),
        ('[deploy.targets.p]\nbucket = "192.168.1.1"\n', "bucket"),
        ('[deploy.targets.p]\nurl = "s3://../etc/x"\n', "url"),
        ('[deploy.targets.p]\nurl = "ftp://host/x"\n', "url"),
        ('[deploy.targets.p]\nbucket = "shared-bucket"\nlock_ttl_seconds = 1e308\n', "lock_ttl_seconds"),
        ('[deploy.targets.p]\nbucket = "shared-bucket"\nlock_wait_seconds = inf\n', "lock_wait_seconds"),
        ('[deploy.targets.p]\nbucket = "shared-bucket"\ngrace_period_hours = 1e300\n', "grace_period_hours"),
        (
            '[deploy.targets.p]\nbucket = "shared-bucket"\npreview_url = "https://x.example/{"\n',
            "preview_url",
        ),
        ('[[headers]]\npattern = "*.jpg"\ncontent_type = "text/html"\n', "headers.0"),
        ('[[headers]]\npattern = "assets/**/*.png"\ncontent_type = "image/jpeg"\n', "headers.0"),
        (
            '[[headers]]\npattern = "*.html"\ncache_control = "no-cache\\r\\nSet-Cookie: a=b"\n',
            "cache_control",
        ),
        ('[[headers]]\npattern = "*.html"\nextra = { "X-Note" = "a\\nb" }\n', "extra"),
        ('[[headers]]\npattern = "*.html"\nextra = { "Bad Name" = "x" }\n', "extra"),
        (
            '[deploy.targets.production]\nbucket = "shared-bucket"\n'
            '[deploy.targets.preview]\nbucket = "shared-bucket"\npreview = true\npreview_prefix = "{pr}/"\n',
            "deploy",
        ),
    ],
)
def test_unsafe_target_is_refused_at_load(
    tmp_path: Path, table: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _site(tmp_path, table)
    code, _, err = run_cli(["deploy", "--site", str(root), "--target", "p", "--dry-run"], capsys)
    assert code == 2, err
    assert key in err and "lpublish.toml:" in err
    code, _, err = run_cli(["config", "check", "--site", str(root)], capsys)
    assert code == 2


def test_fine_targets_still_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _site(
        tmp_path,
        '[deploy.targets.production]\nbucket = "my.site-bucket"\nprefix = "site/"\n'
        '[deploy.targets.preview]\nbucket = "my.site-bucket"\npreview = true\npreview_prefix = "previews/pr-{pr}/"\n'
        'preview_url = "https://previews.example/pr-{pr}/"\n'
        '[[headers]]\npattern = "*.js"\ncontent_type = "application/javascript"\n'
        '[[headers]]\npattern = "*.html"\ncache_control = "no-cache"\nextra = { "X-Frame-Options" = "DENY" }\n',
    )
    code, _, err = run_cli(["config", "check", "--site", str(root)], capsys)
    assert code == 0, err


@pytest.mark.parametrize("argv", [["--pr", "99999999999999999999999"], ["--pr", "0"], ["--pr", "-3"]])
def test_pr_numbers_out_of_range(tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    root = _site(tmp_path, _targets(tmp_path / "public"))
    code, _, err = run_cli(["deploy", "--site", str(root), "--target", "preview", *argv], capsys)
    assert code == 2 and "--pr" in err and "internal" not in err.lower()


def test_previews_stay_apart_and_remove_deletes_only_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "public"
    root = _site(tmp_path, _targets(public))
    assert run_cli(["deploy", "--site", str(root), "-q"], capsys)[0] == 0
    production = local_files(public)
    for pr in ("1", "2"):
        assert (
            run_cli(["deploy", "--site", str(root), "--target", "preview", "--pr", pr, "-q"], capsys)[0] == 0
        )
    pr2 = local_files(public / "previews/pr-2")
    assert pr2 and local_files(public / "previews/pr-1") == pr2
    # production's drift repair does not take the previews for stray files
    code, _, err = run_cli(["deploy", "--site", str(root), "--verify", "--yes", "-q"], capsys)
    assert code == 0, err
    assert local_files(public / "previews/pr-2") == pr2
    code, _, err = run_cli(
        ["deploy", "--site", str(root), "--target", "preview", "--pr", "1", "--remove"], capsys
    )
    assert code == 0, err
    assert not (public / "previews/pr-1").exists()
    assert local_files(public / "previews/pr-2") == pr2
    assert {k: v for k, v in local_files(public).items() if not k.startswith("previews/")} == {
        k: v for k, v in production.items() if not k.startswith("previews/")
    }


def test_remove_without_a_per_pr_prefix_deletes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public = tmp_path / "public"
    root = _site(tmp_path, _targets(public))
    assert run_cli(["deploy", "--site", str(root), "-q"], capsys)[0] == 0
    before = local_files(public)
    code, _, err = run_cli(
        ["deploy", "--site", str(root), "--url", public.as_uri(), "--pr", "1", "--remove"], capsys
    )
    assert code == 2 and "Nothing was deleted" in err
    code, _, err = run_cli(
        ["deploy", "--site", str(root), "--url", public.as_uri(), "--prefix", "../", "--remove"], capsys
    )
    assert code == 2 and "--prefix" in err
    assert local_files(public) == before


def test_deploy_refuses_links_out_of_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    public = tmp_path / "public"
    root = _site(tmp_path, _targets(public))
    (root / "dist/env.txt").symlink_to("/proc/self/environ")
    code, _, err = run_cli(["deploy", "--site", str(root), "-q"], capsys)
    assert code == 1 and "env.txt" in err and "Nothing was uploaded" in err
    assert not public.exists() or not (public / "env.txt").exists()
    (root / "dist/env.txt").unlink()
    (root / "dist/news/loop").symlink_to(root / "dist/news")
    code, _, err = run_cli(["deploy", "--site", str(root), "-q"], capsys)
    assert code == 1 and "news/loop" in err
    (root / "dist/news/loop").unlink()
    (root / "dist/inside.css").symlink_to(root / "dist/assets/app.0123456789ab.css")
    code, _, err = run_cli(["deploy", "--site", str(root), "-q"], capsys)
    assert code == 0, err
    assert (public / "inside.css").read_bytes() == b"body{color:red}"


def test_deploy_refuses_undecodable_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    public = tmp_path / "public"
    root = _site(tmp_path, _targets(public))
    with open(os.fsencode(root / "dist") + b"/caf\xe9.html", "wb") as fh:
        fh.write(b"<p>x</p>")
    code, _, err = run_cli(["deploy", "--site", str(root), "-q"], capsys)
    assert code == 1 and "caf\\xe9.html" in err and "internal" not in err.lower()
