"""`lpublish deploy` / `lpublish rollback` end to end through the real entry point (moto over HTTP)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.plugins.cli import run_cli
from tests.plugins.deploy_targets import basic_site, local_files
from tests.plugins.results import result_of
from tests.plugins.s3 import bucket_objects


def test_deploy_with_flags_only_json_and_step_summary(
    moto_server: str,
    s3_bucket: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = basic_site(tmp_path / "dist")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)  # no lpublish.toml anywhere up from here is needed
    # --json: the deprecated spelling of --format json, kept for workflows written before the envelope.
    code, out, _ = run_cli(["deploy", str(site), "--bucket", s3_bucket, "--json"], capsys)
    assert code == 0
    data = result_of(out, "deploy")
    assert data["uploaded"] == len(local_files(site)) and data["plan"]["uploads"]
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)
    assert "### lpublish deploy" in summary.read_text()
    code, out, _ = run_cli(["deploy", str(site), "--bucket", s3_bucket, "--quiet"], capsys)
    assert code == 0 and "Already up to date" in out and "1 requests" in out


def test_dry_run_changes_nothing_and_refusal_exits_1(
    moto_server: str, s3_bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = basic_site(tmp_path / "dist", pages=20)
    code, out, _ = run_cli(["deploy", str(site), "--bucket", s3_bucket, "--dry-run"], capsys)
    assert code == 0 and "Dry run" in out and "upload index.html (new)" in out
    assert bucket_objects(moto_server, s3_bucket) == {}
    run_cli(["deploy", str(site), "--bucket", s3_bucket, "-q"], capsys)
    shutil.rmtree(site / "news")
    code, _, err = run_cli(["deploy", str(site), "--bucket", s3_bucket, "-q"], capsys)
    assert code == 1 and "safety check" in err and "--yes" in err
    code, _, _ = run_cli(["deploy", str(site), "--bucket", s3_bucket, "-q", "--yes"], capsys)
    assert code == 0 and bucket_objects(moto_server, s3_bucket) == local_files(site)


def test_external_errors_exit_3_in_plain_language(
    moto_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = basic_site(tmp_path / "dist")
    code, _, err = run_cli(["deploy", str(site), "--bucket", "lp-missing-bucket-x", "-q"], capsys)
    assert code == 3 and "Bucket not found" in err and "Traceback" not in err
    code, _, err = run_cli(
        ["--lang", "ja", "deploy", str(site), "--bucket", "lp-missing-bucket-x", "-q"], capsys
    )
    assert code == 3 and "バケットが見つかりません" in err


def test_configured_preview_target_then_remove_and_rollback_list(
    moto_server: str, s3_bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "lpublish.toml").write_text(
        f"""
[deploy]
default_target = "production"
[deploy.targets.production]
bucket = "{s3_bucket}"
site_url = "https://www.example.com/"
[deploy.targets.preview]
bucket = "{s3_bucket}"
preview = true
preview_prefix = "pr-{{pr}}/"
preview_url = "https://previews.example.com/pr-{{pr}}/"

[[headers]]
pattern = "*.html"
cache_control = "no-cache"
""",
        encoding="utf-8",
    )
    basic_site(root / "dist")
    code, out, _ = run_cli(["deploy", "--site", str(root), "-q"], capsys)
    assert code == 0 and "Site: https://www.example.com/" in out
    code, out, _ = run_cli(["deploy", "--site", str(root), "--target", "preview", "--pr", "7", "-q"], capsys)
    assert code == 0 and "Preview: https://previews.example.com/pr-7/" in out
    assert bucket_objects(moto_server, s3_bucket, "pr-7/") == local_files(root / "dist")
    # production's drift repair must not take the preview for stray objects
    code, out, err = run_cli(["deploy", "--site", str(root), "--verify", "-q"], capsys)
    assert code == 0, err
    assert bucket_objects(moto_server, s3_bucket, "pr-7/") == local_files(root / "dist")
    code, out, _ = run_cli(
        ["deploy", "--site", str(root), "--target", "preview", "--pr", "7", "--remove"], capsys
    )
    assert code == 0 and "Removed" in out
    assert bucket_objects(moto_server, s3_bucket, "pr-7/") == {}
    code, _, err = run_cli(["deploy", "--site", str(root), "--target", "preview", "-q"], capsys)
    assert code == 2 and "--pr" in err
    code, out, _ = run_cli(["rollback", "--site", str(root), "--list"], capsys)
    assert code == 0 and "(current)" in out
