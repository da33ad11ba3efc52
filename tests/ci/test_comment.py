"""The sticky status comment: what it says, and that reruns update one comment instead of adding more."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from lpublish.ci.comment import (
    MARKER,
    MAX_FINDING_ROWS,
    RenderContext,
    find_status_comment,
    mark_closed,
    render_status,
    upsert_comment,
)
from lpublish.ci.inputs import StatusInputs, load_inputs, plan_summary
from lpublish.deploy.engine import DeployResult
from lpublish.deploy.plan import Plan
from lpublish.environment import Environment
from lpublish.findings import Finding, Report, error, warning
from lpublish.i18n import use_environment
from lpublish.publish.forge import Comment
from lpublish.results.codecs import CHECK
from lpublish.results.deploy_codecs import DEPLOY
from lpublish.results.types import BuildOutput, BuildSummary
from lpublish.site.build_result import PageInfo
from tests.ci.conftest import BOT, BOT_TOKEN, OTHER_TOKEN, REPO, ForgeWithPull
from tests.plugins.cli import exit_code
from tests.plugins.results import envelope_text

SHA = "0123456789abcdef0123456789abcdef01234567"


def check_json(errors: int = 0, warnings: int = 1) -> Report:
    report = Report(files_checked=7)
    report.extend(
        error("image.too-small", f"site/images/hero/e{i}.jpg", width=10, height=10) for i in range(errors)
    )
    report.extend(warning("image.large", f"site/images/products/w{i}.jpg") for i in range(warnings))
    return report


def built(pages: list[PageInfo], findings: list[Finding] | None = None) -> BuildOutput:
    report = Report(findings=list(findings or []), files_checked=len(pages))
    return BuildOutput(report, BuildSummary(adapter="lpublish", out_dir="dist", pages=pages))


BUILD = built(
    [
        PageInfo("index.html", "/", "Top", "page", weight=820_000),
        PageInfo("campaigns/spring/index.html", "/campaigns/spring/", "Spring", "campaign", weight=2_400_000),
    ]
)


PLAN = {  # the shape of DeployResult.to_dict() for a dry run
    "target": "production",
    "dry_run": True,
    "uploaded": 0,
    "copied": 0,
    "deleted": 0,
    "unchanged": 120,
    "bytes_uploaded": 0,
    "invalidation_paths": ["/index.html", "/old.html"],
    "url": "https://www.example.com/",
    "refused": [],
    "plan": {
        "uploads": [
            {"kind": "upload", "path": "index.html", "reason": "changed", "size": 300_000},
            {"kind": "upload", "path": "assets/hero-960.webp", "reason": "new", "size": 45_000},
        ],
        "copies": [],
        "deletes": [{"kind": "delete", "path": "old.html", "reason": "stale", "size": 0}],
        "unchanged": 120,
    },
}


def ctx(**kw: Any) -> RenderContext:
    base = RenderContext(site_prefix="site", web_url="https://github.com", repo=REPO, page_budget=1_500_000)
    return dataclasses.replace(base, **kw)


def test_body_shows_check_preview_pages_plan_and_thumbnails() -> None:
    inputs = StatusInputs(
        pr=7,
        sha=SHA,
        check=check_json(errors=0, warnings=1),
        build=BUILD,
        preview=plan_summary(DeployResult(plan=Plan(), url="https://previews.example/pr-7/")),
        plan=plan_summary(DEPLOY.decode(PLAN)),
        changed_files=["site/images/hero/hero.jpg", "site/pages/index.md", "README.png"],
    )
    body = render_status(inputs, ctx())
    assert body.startswith(MARKER)
    assert "ready for review" in body
    assert "7 file(s) checked, 0 error(s), 1 warning(s)" in body
    assert "https://previews.example/pr-7/" in body
    # page weights, with the page over the 1.5 MB budget flagged
    assert "<code>index.html</code> | 820 KB | ✅" in body
    assert "<code>campaigns/spring/index.html</code> | 2.4 MB | ⚠️ over the 1.5 MB budget" in body
    # the production plan: counts and the file names
    assert "upload 2 file(s) (345 KB), copy 0, delete 1 and leave 120 unchanged" in body
    assert "<code>old.html</code>" in body and "<code>/index.html</code>" in body
    # a thumbnail only for the image inside the site folder, at the pull request's commit
    assert f"https://github.com/{REPO}/blob/{SHA}/site/images/hero/hero.jpg?raw=true" in body
    assert "README.png" not in body
    assert SHA[:7] in body


def test_errors_make_it_not_ready_and_rows_are_limited() -> None:
    inputs = StatusInputs(pr=1, check=check_json(errors=MAX_FINDING_ROWS + 5, warnings=0))
    body = render_status(inputs, ctx())
    assert f"not ready — {MAX_FINDING_ROWS + 5} error(s) to fix" in body
    assert body.count("❌ | <code>") == MAX_FINDING_ROWS
    assert "…and 5 more" in body
    # without AWS there is no preview and no plan, and the comment says so plainly
    assert "No preview for this run" in body
    assert "No production plan" in body


def test_untrusted_text_is_escaped() -> None:
    # The file name and the path come from the pull request (a page's own text), so both are hostile.
    hostile = error(
        "page.file-outside",
        "site/images/a|b<script>.jpg",
        field="src",
        path="bad | <img src=x onerror=alert(1)>\nsecond line",
    )
    check = CHECK.decode(CHECK.encode(Report([hostile], 1)))  # as read back from check.json
    body = render_status(StatusInputs(pr=1, check=check), ctx())
    assert "<script>" not in body and "<img src=x" not in body
    assert "a\\|b&lt;script&gt;.jpg" in body
    assert "second line" in body and "\nsecond line" not in body


def test_missing_or_broken_inputs_become_notes(tmp_path: Path) -> None:
    broken = tmp_path / "check.json"
    broken.write_text("Traceback? no: lpublish printed an error instead of JSON", encoding="utf-8")
    inputs = load_inputs(3, check=broken, build=tmp_path / "build.json", plan=tmp_path / "plan.json")
    body = render_status(inputs, ctx())
    assert "the check did not run" in body
    assert "check.json" in body and "build.json" in body  # named in the "missing or unreadable" note
    assert "No production plan" in body


def test_upsert_creates_once_then_updates_in_place(forge_pull: ForgeWithPull) -> None:
    forge = forge_pull.client()
    pr = forge_pull.pr
    first = upsert_comment(
        forge, pr, render_status(StatusInputs(pr=pr, check=check_json()), ctx()), author=BOT
    )
    assert first.action == "created"
    again = upsert_comment(
        forge, pr, render_status(StatusInputs(pr=pr, check=check_json()), ctx()), author=BOT
    )
    assert again.action == "unchanged" and again.comment_id == first.comment_id
    failing = render_status(StatusInputs(pr=pr, check=check_json(errors=2)), ctx())
    third = upsert_comment(forge, pr, failing, author=BOT)
    assert third.action == "updated" and third.comment_id == first.comment_id
    comments = forge_pull.server.comments(pr)
    assert len(comments) == 1
    assert "not ready — 2 error(s)" in comments[0]["body"]


def test_a_marked_comment_by_someone_else_is_not_touched(forge_pull: ForgeWithPull) -> None:
    pr = forge_pull.pr
    quoted = f"{MARKER}\nI copied lpublish's comment to discuss it"
    forge_pull.client(OTHER_TOKEN).create_comment(pr, quoted)
    result = upsert_comment(forge_pull.client(), pr, render_status(StatusInputs(pr=pr), ctx()), author=BOT)
    assert result.action == "created"
    bodies = {c["user"]: c["body"] for c in forge_pull.server.comments(pr)}
    assert bodies["mallory"] == quoted
    assert "the check did not run" in bodies[BOT]


def test_closing_marks_the_comment_and_keeps_the_last_status(forge_pull: ForgeWithPull) -> None:
    forge, pr = forge_pull.client(), forge_pull.pr
    assert mark_closed(forge, pr, author=BOT, merged=True, preview_removed=True).action == "none"
    upsert_comment(forge, pr, render_status(StatusInputs(pr=pr, check=check_json()), ctx()), author=BOT)
    assert mark_closed(forge, pr, author=BOT, merged=True, preview_removed=True).action == "updated"
    # a rerun of the cleanup job does not fold the body a second time
    assert mark_closed(forge, pr, author=BOT, merged=True, preview_removed=True).action == "unchanged"
    (comment,) = forge_pull.server.comments(pr)
    body = comment["body"]
    assert "merged" in body and "The preview was removed." in body
    assert body.count("Last status before closing") == 1 and "ready for review" in body
    # the closed request's comment is still the one a rerun finds and updates (not a second one)
    found = find_status_comment(forge, pr, author=BOT)
    assert isinstance(found, Comment) and (found.id, found.body) == (comment["id"], body)


def _site(tmp_path: Path, sample_site: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(sample_site / "lpublish.toml", site / "lpublish.toml")
    return site


def test_comment_command_against_the_local_forge(
    forge_pull: ForgeWithPull,
    tmp_path: Path,
    sample_site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site = _site(tmp_path, sample_site)
    (tmp_path / "check.json").write_text(
        envelope_text(CHECK, "check", check_json(errors=1), exit_code=1), encoding="utf-8"
    )
    (tmp_path / "plan.json").write_text(
        envelope_text(DEPLOY, "deploy", DEPLOY.decode(PLAN)), encoding="utf-8"
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    monkeypatch.setenv("GITHUB_API_URL", forge_pull.api_url)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    args = ["comment", "--site", str(site), "--pr", str(forge_pull.pr), "--sha", forge_pull.head_sha]
    args += ["--check", str(tmp_path / "check.json"), "--plan", str(tmp_path / "plan.json")]
    assert exit_code(args) == 0
    assert "Status comment created" in capsys.readouterr().out
    assert exit_code(args) == 0
    assert "already up to date" in capsys.readouterr().out
    (comment,) = forge_pull.server.comments(forge_pull.pr)
    assert comment["user"] == BOT and "not ready — 1 error(s)" in comment["body"]
    # the job summary has the same content, twice (one per run), without the hidden marker
    text = summary.read_text(encoding="utf-8")
    assert text.count("not ready — 1 error(s)") == 2 and MARKER not in text
    # the token never shows up in what the command printed
    assert BOT_TOKEN not in capsys.readouterr().out


def test_comment_command_without_a_token_explains(
    tmp_path: Path, sample_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path, sample_site)
    assert exit_code(["comment", "--site", str(site), "--pr", "3"]) == 2
    err = capsys.readouterr().err
    assert "No GitHub token" in err and "GITHUB_TOKEN" in err and "Traceback" not in err
    # --no-comment only writes the summary and needs no token
    summary = tmp_path / "s.md"
    assert (
        exit_code(["comment", "--site", str(site), "--pr", "3", "--no-comment", "--summary", str(summary)])
        == 0
    )
    assert "next job of this workflow" in summary.read_text(encoding="utf-8")


def test_deploy_summary_command(tmp_path: Path, sample_site: Path) -> None:
    site = _site(tmp_path, sample_site)
    result = {**PLAN, "dry_run": False, "uploaded": 2, "deleted": 1, "bytes_uploaded": 345_000}
    (tmp_path / "deploy.json").write_text(
        envelope_text(DEPLOY, "deploy", DEPLOY.decode(result)), encoding="utf-8"
    )
    summary = tmp_path / "summary.md"
    args = [
        "ci",
        "deploy-summary",
        "--site",
        str(site),
        str(tmp_path / "deploy.json"),
        "--summary",
        str(summary),
    ]
    assert exit_code(args) == 0
    text = summary.read_text(encoding="utf-8")
    assert "## Deployed" in text and "Live at https://www.example.com/" in text
    assert "The deploy uploaded 2 file(s) (345 KB), copied 0, deleted 1" in text
    # pages before hashed assets, so a reviewer sees what matters first
    assert text.index("<code>index.html</code>") < text.index("<code>assets/hero-960.webp</code>")


def test_a_big_site_lists_only_the_heaviest_pages() -> None:
    pages = [PageInfo(f"p{i:03}.html", f"/p{i:03}.html", "", "page", weight=1000 + i) for i in range(100)]
    body = render_status(StatusInputs(pr=1, build=built(pages)), ctx())
    assert "<code>p099.html</code>" in body and "<code>p000.html</code>" not in body
    assert "…and 70 lighter page(s)." in body


def test_comment_in_japanese() -> None:
    use_environment(Environment({"LPUBLISH_LANG": "ja"}))  # what the CI step's env sets
    try:
        inputs = StatusInputs(
            pr=1, check=check_json(errors=1), build=BUILD, plan=plan_summary(DEPLOY.decode(PLAN))
        )
        body = render_status(inputs, ctx())
    finally:
        use_environment(Environment({}))
    assert "まだ公開できません" in body and "本番への反映内容" in body and "ページの重さ" in body


def test_build_problems_count_too() -> None:
    heavy = error("build.page-budget", "site/pages/index.md", weight=2_400_000, budget=1_500_000)
    build = built(BUILD.build.pages, [heavy])
    body = render_status(StatusInputs(pr=1, check=check_json(errors=0, warnings=0), build=build), ctx())
    assert "not ready — 1 error(s)" in body and "weighs 2400000 bytes" in body
