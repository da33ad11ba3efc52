"""Run the `run:` lines of this repository's `site-pr.yml`, in order, against the sample site, moto and the
local forge: open a pull request, push again, close it. What the YAML says is exactly what is tested."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import boto3
import pytest
from mypy_boto3_s3 import S3Client
from PIL import Image, ImageDraw

from lpublish.publish.github import GitHubForge
from lpublish.results.envelope import from_envelope
from lpublish.results.tool_codecs import SCREENSHOTS
from lpublish.sandbox.forge.server import LocalForge
from tests.ci.conftest import BOT, BOT_TOKEN, DESIGNER_TOKEN, buckets, git, with_own_buckets
from tests.ci.workflow_runner import WorkflowRun, base_env, load_workflow
from tests.plugins.sample_site import copy_sample_site

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "site-pr.yml"
FULL_NAME = "hoshizora/lp"
ROLE = "arn:aws:iam::123456789012:role/lpublish-preview"
CHANGED_IMAGE = "site/images/products/sencha-milky-way.jpg"
#: The sample site's pages that show the changed product photo.
SHOWS_CHANGED_IMAGE = ("index.html",)
ARTIFACT_URL = "https://github.example/hoshizora/lp/actions/runs/1/artifacts/2"
TOO_SMALL = "site/images/products/tiny.jpg"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(
            importlib.util.find_spec(m) is None for m in ("lpublish.cli.check_cmd", "lpublish.cli.deploy_cmd")
        ),
        reason="lpublish check / lpublish deploy commands are not available yet",
    ),
]


def _workspace(
    tmp_path: Path, sample_site: Path, warm_cache: Path, *, add_too_small: bool = False
) -> tuple[Path, Path, str, str]:
    """A checkout with the sample site under site/ on main and a branch that changes one image
    (and, with ``add_too_small``, adds one that breaks the rules)."""
    work = tmp_path / "workspace"
    work.mkdir()
    with_own_buckets(copy_sample_site(work / "site", warm_cache))
    (work / ".gitignore").write_text("site/dist/\nsite/.lpublish-cache/\n", encoding="utf-8")
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(work, "init", "-q", "-b", "main")
    git(work, "add", ".")
    git(work, "commit", "-q", "-m", "site")
    base = git(work, "rev-parse", "HEAD")
    git(work, "remote", "add", "origin", str(bare))
    git(work, "push", "-q", "origin", "main")
    git(work, "checkout", "-q", "-b", "designer/new-sencha-photo")
    with Image.open(work / CHANGED_IMAGE) as img:
        changed = img.convert("RGB")
    ImageDraw.Draw(changed).ellipse((40, 40, 80, 80), fill=(250, 240, 200))
    changed.save(work / CHANGED_IMAGE, "JPEG", quality=80)
    if add_too_small:
        Image.new("RGB", (100, 100), (10, 20, 30)).save(work / TOO_SMALL, "JPEG")
        git(work, "add", TOO_SMALL)
    git(work, "commit", "-q", "-am", "New sencha photo")
    git(work, "push", "-q", "origin", "designer/new-sencha-photo")
    return work, bare, base, git(work, "rev-parse", "HEAD")


def _keys(s3: S3Client, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


# Three runs of both jobs, each building the base commit too and starting Chromium for the shots.
@pytest.mark.timeout(900)
def test_site_pr_workflow_end_to_end(
    tmp_path: Path, sample_site: Path, warm_cache: Path, moto_endpoint: str
) -> None:
    work, bare, base_sha, head_sha = _workspace(tmp_path, sample_site, warm_cache)
    s3 = boto3.client("s3", region_name="ap-northeast-1")
    production, previews = buckets(work / "site")
    for bucket in (production, previews):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})

    forge = LocalForge()
    api_url = forge.start()
    try:
        forge.add_repo(FULL_NAME, bare)
        forge.add_user("hana", DESIGNER_TOKEN)
        forge.add_user(BOT, BOT_TOKEN)
        pull = GitHubForge(api_url, FULL_NAME, DESIGNER_TOKEN).create_pull(
            title="New sencha photo", body="", head="designer/new-sencha-photo", base="main"
        )
        workflow = load_workflow(WORKFLOW)

        def run(action: str, *, merged: bool = False, role: str = ROLE) -> WorkflowRun:
            temp = tmp_path / f"runner-{action}-{len(list(tmp_path.glob('runner-*')))}"
            temp.mkdir()
            summary = temp / "summary.md"
            summary.write_text("", encoding="utf-8")
            env = base_env(Path(sys.executable).parent, tmp_path / "home")
            env.update(
                GITHUB_WORKSPACE=str(work),
                GITHUB_REPOSITORY=FULL_NAME,
                GITHUB_API_URL=api_url,
                GITHUB_SERVER_URL=api_url,
                GITHUB_SHA=head_sha,
                RUNNER_TEMP=str(temp),
            )
            github = {
                "repository": FULL_NAME,
                "token": BOT_TOKEN,
                "sha": head_sha,
                "event": {
                    "action": action,
                    "pull_request": {
                        "number": pull.number,
                        "merged": merged,
                        "base": {"sha": base_sha},
                        "head": {"sha": head_sha, "repo": {"full_name": FULL_NAME}},
                    },
                },
            }
            runner = WorkflowRun(
                github=github,
                # Pull requests assume the preview role only (the production role does not trust them).
                vars={"LPUBLISH_AWS_ROLE_ARN": role, "LPUBLISH_AWS_PREVIEW_ROLE_ARN": role},
                runner_temp=temp,
                workspace=work,
                base_env=env,
                summary=summary,
                uses_outputs={"actions/upload-artifact": {"artifact-url": ARTIFACT_URL}},
            )
            runner.results = runner.run(workflow)
            return runner

        # --- the pull request is opened -----------------------------------------------------------
        opened = run("opened")
        assert opened.results == {"check": "success", "preview": "success", "cleanup": "skipped"}, [
            (r.job, r.name, r.outcome, r.stderr[-500:]) for r in opened.records if r.outcome == "failure"
        ]
        ran = [r.name for r in opened.records if r.kind == "run"]
        assert ran[:3] == ["Check images and campaigns", "List changed files", "Build the site"]
        assert "Deploy the preview" in ran and "Plan the production deploy" in ran
        # the preview is on S3 under the pull request's prefix
        preview_keys = _keys(s3, previews, f"pr-{pull.number}/")
        assert f"pr-{pull.number}/index.html" in preview_keys
        # one status comment by the workflow's token, with the preview URL, the plan and the thumbnail
        (comment,) = forge.comments(pull.number)
        body = comment["body"]
        assert comment["user"] == BOT
        assert "ready for review" in body
        assert f"https://previews.hoshizora-tea.example/pr-{pull.number}/" in body
        assert "Production deploy plan" in body and "index.html" in body
        assert f"{FULL_NAME}/blob/{head_sha}/{CHANGED_IMAGE}?raw=true" in body
        assert "ready for review" in opened.summary.read_text(encoding="utf-8")

        # before/after screenshots: built from the base commit and the branch, published with the
        # preview, shown as images in the comment, never part of the production plan
        shots_prefix = f"pr-{pull.number}/__lpublish-screenshots/"
        manifest = from_envelope(
            SCREENSHOTS, s3.get_object(Bucket=previews, Key=f"{shots_prefix}screenshots.json")["Body"].read()
        ).result
        assert manifest is not None and manifest.problem == "" and manifest.shots, manifest
        pages = {shot.page for shot in manifest.shots}
        assert pages <= set(SHOWS_CHANGED_IMAGE) and pages, pages
        assert {shot.width for shot in manifest.shots} == {1280, 390}
        first = manifest.shots[0]
        before = s3.get_object(Bucket=previews, Key=shots_prefix + first.before)["Body"].read()
        after = s3.get_object(Bucket=previews, Key=shots_prefix + first.after)["Body"].read()
        assert before[:8] == after[:8] == b"\x89PNG\r\n\x1a\n" and before != after
        preview_base = f"https://previews.hoshizora-tea.example/{shots_prefix}"
        assert f'<img src="{preview_base}{first.before}"' in body
        assert f'<img src="{preview_base}{first.after}"' in body
        assert ARTIFACT_URL in body
        plan = json.loads((opened.runner_temp / "lpublish" / "plan.json").read_text(encoding="utf-8"))
        assert "__lpublish-screenshots" not in json.dumps(plan)
        assert not (work / "site" / "dist" / "__lpublish-screenshots").exists()

        # --- pushed again (synchronize): still one comment --------------------------------------
        run("synchronize")
        assert len(forge.comments(pull.number)) == 1

        # --- merged and closed: the preview goes, the comment says so ---------------------------
        closed = run("closed", merged=True)
        assert closed.results == {"check": "skipped", "preview": "skipped", "cleanup": "success"}
        assert _keys(s3, previews, f"pr-{pull.number}/") == []
        (comment,) = forge.comments(pull.number)
        assert "merged" in comment["body"] and "The preview was removed." in comment["body"]
    finally:
        forge.stop()


def _path_without_browsers(tmp_path: Path) -> str:
    """A PATH with every system command except Chromium and Chrome (a runner without a browser)."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            if "chrom" in entry.name or entry.name.startswith("google-chrome"):
                continue
            if not (tools / entry.name).exists():
                (tools / entry.name).symlink_to(entry.path)
    return f"{Path(sys.executable).parent}{os.pathsep}{tools}"


def test_without_an_aws_role_a_failing_check_still_annotates_and_comments(
    tmp_path: Path, sample_site: Path, warm_cache: Path, moto_endpoint: str
) -> None:
    """Also on a runner without Chromium: the comment says why there are no screenshots."""
    work, bare, base_sha, head_sha = _workspace(tmp_path, sample_site, warm_cache, add_too_small=True)
    forge = LocalForge()
    api_url = forge.start()
    try:
        forge.add_repo(FULL_NAME, bare)
        forge.add_user("hana", DESIGNER_TOKEN)
        forge.add_user(BOT, BOT_TOKEN)
        pull = GitHubForge(api_url, FULL_NAME, DESIGNER_TOKEN).create_pull(
            title="x", body="", head="designer/new-sencha-photo", base="main"
        )
        temp = tmp_path / "runner"
        temp.mkdir()
        env = base_env(Path(sys.executable).parent, tmp_path / "home")
        env.update(
            GITHUB_WORKSPACE=str(work),
            GITHUB_REPOSITORY=FULL_NAME,
            GITHUB_API_URL=api_url,
            GITHUB_SERVER_URL=api_url,
            RUNNER_TEMP=str(temp),
            PATH=_path_without_browsers(tmp_path),
        )
        runner = WorkflowRun(
            github={
                "repository": FULL_NAME,
                "token": BOT_TOKEN,
                "event": {
                    "action": "opened",
                    "pull_request": {
                        "number": pull.number,
                        "base": {"sha": base_sha},
                        "head": {"sha": head_sha, "repo": {"full_name": FULL_NAME}},
                    },
                },
            },
            vars={},
            runner_temp=temp,
            workspace=work,
            base_env=env,
            summary=temp / "summary.md",
        )
        results = runner.run(load_workflow(WORKFLOW))
        # the check job fails (so branch protection blocks merging), the comment job still reports why
        assert results["check"] == "failure" and results["preview"] == "success"
        failed = [r.name for r in runner.records if r.outcome == "failure"]
        assert failed == ["Fail when the content is not acceptable"]
        # annotations point at the file in the repository, so GitHub shows them on the diff
        assert f"::error file={TOO_SMALL},title=image.too-small::" in runner.output_of("check")
        skipped = {r.name for r in runner.records if r.kind == "skipped"}
        assert {"Deploy the preview", "Plan the production deploy"} <= skipped
        assert "::notice title=lpublish::No preview role is configured" in runner.output_of("preview")
        (comment,) = forge.comments(pull.number)
        body = comment["body"]
        assert "not ready" in body and "tiny.jpg" in body and "image.too-small" in body
        assert "No preview for this run" in body
        assert "No screenshots this time: the workflow found no Chromium or Chrome" in body
    finally:
        forge.stop()


def test_site_schedule_workflow_deploys_only_when_the_site_changed(
    tmp_path: Path, sample_site: Path, warm_cache: Path, moto_endpoint: str
) -> None:
    """`site-schedule.yml`'s run lines: a campaign started since the last deploy -> deploy; then no-op."""
    from datetime import datetime

    from lpublish.config import load_config
    from lpublish.deploy.configured import options_from_config, target_from_config
    from lpublish.deploy.engine import deploy
    from lpublish.environment import Environment
    from lpublish.site.build import build_site

    work = tmp_path / "workspace"
    work.mkdir()
    site = with_own_buckets(copy_sample_site(work / "site", warm_cache))
    s3 = boto3.client("s3", region_name="ap-northeast-1")
    s3.create_bucket(
        Bucket=buckets(site)[0], CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    # What is live: the site as built before the autumn campaign started.
    config = load_config(site=site)
    before = datetime.fromisoformat("2026-09-15T12:00:00+09:00")
    build_site(config, now=before)
    options = options_from_config(config, "production", yes=True, now=before)
    deploy(
        site / "dist",
        target_from_config(config, "production", env=Environment.from_os()),
        rules=config.headers,
        options=options,
    )

    temp = tmp_path / "runner"  # the same folder each run: actions/cache restoring the state
    temp.mkdir()
    workflow = load_workflow(REPO_ROOT / ".github" / "workflows" / "site-schedule.yml")

    def run() -> WorkflowRun:
        env = base_env(Path(sys.executable).parent, tmp_path / "home")
        env.update(GITHUB_WORKSPACE=str(work), GITHUB_REPOSITORY=FULL_NAME, RUNNER_TEMP=str(temp))
        summary = temp / "summary.md"
        summary.write_text("", encoding="utf-8")
        runner = WorkflowRun(
            github={"repository": FULL_NAME, "event_name": "schedule"},
            vars={"LPUBLISH_AWS_ROLE_ARN": ROLE},
            runner_temp=temp,
            workspace=work,
            base_env=env,
            summary=summary,
        )
        assert runner.run(workflow) == {"schedule": "success"}, [
            (r.name, r.stderr[-400:]) for r in runner.records if r.outcome == "failure"
        ]
        return runner

    first = run()
    deployed = {r.name: r.kind for r in first.records}
    assert deployed["Deploy"] == "run"
    assert "The site changed with time" in first.summary.read_text(encoding="utf-8")
    second = run()
    assert {r.name: r.kind for r in second.records}["Deploy"] == "skipped"
    assert "No change" in second.summary.read_text(encoding="utf-8")
