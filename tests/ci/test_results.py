"""The one result contract: every result type round-trips through its envelope, a failed command still
prints one, and the CI reader reads the real output of the workflow's steps through the same types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lpublish.ci.comment import RenderContext, render_status
from lpublish.ci.inputs import load_inputs, read_deploy
from lpublish.ci.schedule import CampaignChange, ScheduleDecision
from lpublish.ci.screenshots import ScreenshotResult, Shot
from lpublish.deploy.engine import DeployResult
from lpublish.deploy.plan import Action, Plan
from lpublish.findings import Report, error, info, warning
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.deployments import DeploymentRecord
from lpublish.publish.drafts import Draft
from lpublish.publish.forge import Deployment, DeploymentStatus
from lpublish.publish.request_status import RequestStatus
from lpublish.publish.service import SubmitResult
from lpublish.results import codecs, deploy_codecs, tool_codecs
from lpublish.results.deploy_codecs import ReleaseInfo
from lpublish.results.envelope import (
    SCHEMA_VERSION,
    Codec,
    EnvelopeProblem,
    dumps,
    from_envelope,
    to_envelope,
)
from lpublish.results.tool_codecs import (
    CommentOutcome,
    ConfigCheck,
    InitOutcome,
    InitSlot,
    JobSummary,
    SetupDoc,
)
from lpublish.results.types import (
    BuildOutput,
    BuildSummary,
    DoctorCheck,
    DoctorReport,
    DraftDeleted,
    FixSummary,
    Identity,
    PracticeWorld,
    SignIn,
    SignOut,
    Withdrawal,
)
from lpublish.site.build_result import PageInfo
from tests.plugins.sites import fixture_site

REPORT = Report(
    [
        error("image.too-small", "images/hero/a.jpg", width=10, height=12, min_width=1600),
        warning("image.large", "images/b.jpg", field="src", fix="recompress"),
        info("alt.missing", ""),
    ],
    files_checked=4,
)
DEPLOY = DeployResult(
    plan=Plan(
        writes=[
            Action("upload", "assets/a.3f2a.css", "new", 120),
            Action("copy", "index.html", "headers", 0, copy_from="index.html"),
            Action("upload", "index.html", "changed", 3000),
        ],
        deletes=[Action("delete", "old.html", "stale")],
        unchanged=7,
        retained=["assets/old.1.css"],
        changed_paths=["/index.html", "/old.html"],
        remote_files=9,
        local_files=10,
    ),
    uploaded=2,
    copied=1,
    deleted=1,
    unchanged=7,
    bytes_uploaded=3120,
    requests=6,
    invalidation_paths=["/index.html", "/old.html"],
    url="https://www.example.com/",
    target="s3://bucket/site/",
    deploy_id="20261201T000000Z-abc",
    commit="0" * 40,
    refused=["the deploy deletes 1 page"],
    seconds=1.25,
)

#: One value of every result type, with the command that prints it.
CASES: list[tuple[Codec[Any], str, Any]] = [
    (codecs.CHECK, "check", REPORT),
    (
        codecs.BUILD,
        "build",
        BuildOutput(
            REPORT,
            BuildSummary(
                adapter="command",
                out_dir="/tmp/public",
                pages=[PageInfo("index.html", "/", "トップ", "page", weight=2048, state="live")],
                files=12,
                command="hugo",
                log_tail=["Total in 40 ms"],
                seconds=1.5,
                generator_seconds=1.2,
            ),
        ),
    ),
    (deploy_codecs.DEPLOY, "deploy", DEPLOY),
    (deploy_codecs.DEPLOY, "rollback", DeployResult(plan=Plan(), restored="r1", commit="abc")),
    (
        deploy_codecs.RELEASES,
        "rollback --list",
        [ReleaseInfo("r1", "abc", "2026-12-01T00:00:00Z", 3, current=True)],
    ),
    (
        codecs.DEPLOYMENT,
        "record-deployment",
        DeploymentRecord(
            Deployment(4, "production", "a" * 40, "main"),
            DeploymentStatus(9, "success", "https://www.example.com/", "https://ci/run/1"),
            created=True,
        ),
    ),
    (
        codecs.DOCTOR,
        "doctor",
        DoctorReport(
            [DoctorCheck("git", "ok", "git 2.47"), DoctorCheck("size", "problem", "small", "resize")]
        ),
    ),
    (
        codecs.SUBMIT,
        "submit",
        SubmitResult(3, "https://github.com/a/b/pull/3", "lpublish/x", "d1", ["no reviewer"]),
    ),
    (codecs.SUBMIT, "update", SubmitResult(3, "https://github.com/a/b/pull/3", "lpublish/x", updated=True)),
    (
        codecs.REQUESTS,
        "status",
        [RequestStatus(3, "Hero", "https://github.com/a/b/pull/3", "in-review", checks={"success": 2})],
    ),
    (
        codecs.DRAFTS,
        "drafts",
        [
            Draft(
                id="d1",
                changeset=ChangeSet(
                    title="夏", images=[ImageChange(slot="hero", source=Path("/tmp/a.jpg"), alt="茶")]
                ),
                repo="a/b",
                site="/tmp/site",
                created="2026-12-01T00:00:00+00:00",
            )
        ],
    ),
    (
        codecs.FIX,
        "fix",
        FixSummary(
            "in.png",
            "out.jpg",
            "jpeg",
            ["Converted to sRGB"],
            4000,
            3000,
            9_000_000,
            2400,
            1800,
            300_000,
            REPORT,
        ),
    ),
    (codecs.WITHDRAW, "withdraw", Withdrawal(3, "refs/lpublish/backup/3")),
    (codecs.DRAFT_DELETED, "drafts --delete", DraftDeleted("d1")),
    (
        tool_codecs.COMMENT,
        "comment",
        CommentOutcome(3, "updated", 41, "https://github.com/a/b/pull/3#issuecomment-41", True, "## 状態"),
    ),
    (tool_codecs.COMMENT, "comment", CommentOutcome(3, "skipped", body="## status")),
    (
        tool_codecs.SCHEDULE,
        "ci schedule",
        ScheduleDecision(
            now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
            since=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
            changed=True,
            reason="manifest",
            went_live=[CampaignChange("winter", "冬のセール", "scheduled", "live")],
            ended=[CampaignChange("autumn", "Autumn", "live", "ended")],
        ),
    ),
    (tool_codecs.DEPLOY_SUMMARY, "ci deploy-summary", JobSummary("## Deploy\n", written=False)),
    (tool_codecs.SETUP_DOC, "ci setup-doc", SetupDoc("# Setup\n")),
    (
        tool_codecs.INIT,
        "init",
        InitOutcome(
            "/repo",
            "site",
            "hugo",
            "hugo",
            [InitSlot("hero", "static/images/hero", 3)],
            ["site/lpublish.toml", ".github/workflows/site-pr.yml"],
            ["site/hugo.toml"],
            setup_file="docs/lpublish-setup.md",
        ),
    ),
    (tool_codecs.INIT, "init", InitOutcome("/repo", ".", "static", "", declined=True)),
    (tool_codecs.CONFIG_CHECK, "config check", ConfigCheck("/site/lpublish.toml", 4)),
    (tool_codecs.CONFIG_SCHEMA, "config schema", {"title": "lpublish.toml", "type": "object"}),
    (
        tool_codecs.SCREENSHOTS,
        "screenshots",
        ScreenshotResult(
            shots=[
                Shot("index.html", 1280, "i-b.png", "i-a.png", at_change=True),
                Shot("n.html", 390, "", "n.png"),
            ],
            skipped=["x.html"],
            problem="failed",
            failed=["y.html"],
        ),
    ),
    (codecs.WHOAMI, "whoami", Identity("hana", None, 7, "github.com", "keyring")),
    (codecs.LOGIN, "login", SignIn("hana", "github.com")),
    (codecs.LOGOUT, "logout", SignOut("github.com", removed=True, environment_token=False)),
    (
        codecs.PRACTICE,
        "practice",
        PracticeWorld(
            "http://127.0.0.1:1/api/v3",
            "http://127.0.0.1:1",
            "practice/site",
            "main",
            "t1",
            "t2",
            "/w",
            "http://127.0.0.1:2/",
            "/r",
            {"LPUBLISH_FORGE_API_URL": "http://127.0.0.1:1/api/v3"},
        ),
    ),
]


@pytest.mark.parametrize(
    ("codec", "command", "value"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_every_result_type_round_trips_through_its_envelope(
    codec: Codec[Any], command: str, value: Any
) -> None:
    text = dumps(to_envelope(codec, command, value))
    data = json.loads(text)
    assert (data["lpublish"], data["command"], data["ok"], data["exit_code"], data["errors"]) == (
        SCHEMA_VERSION,
        command,
        True,
        0,
        [],
    )
    back = from_envelope(codec, text)
    assert back.command == command and back.ok
    # What is printed is what is read: the JSON of the value read back is the JSON that was printed.
    assert codec.encode(back.result) == data["result"]
    if codec is deploy_codecs.DEPLOY:
        assert back.result is not None
        # The order of writes within a phase is not part of the JSON; the actions and counts are.
        assert sorted(back.result.plan.writes, key=repr) == sorted(value.plan.writes, key=repr)
        assert back.result.plan.deletes == value.plan.deletes
        value = DeployResult(**{**value.__dict__, "plan": back.result.plan})
    if isinstance(value, Report):
        value = Report(value.sorted(), value.files_checked)  # printed (and read back) in the listing's order
    if isinstance(value, FixSummary):
        value = replace(value, remaining=Report(value.remaining.sorted(), value.remaining.files_checked))
    if isinstance(value, BuildOutput):
        value = BuildOutput(Report(value.report.sorted(), value.report.files_checked), value.build)
    if codec is codecs.DRAFTS:
        assert [d.to_dict() for d in back.result or []] == [d.to_dict() for d in value]
    else:
        assert back.result == value


def test_a_finding_read_back_says_the_same_message() -> None:
    back = from_envelope(codecs.CHECK, dumps(to_envelope(codecs.CHECK, "check", REPORT, exit_code=1)))
    assert back.exit_code == 1 and not back.ok and back.result is not None
    assert [f.message for f in back.result.sorted()] == [f.message for f in REPORT.sorted()]
    assert "1600" in back.result.errors[0].message


def test_what_a_reader_refuses() -> None:
    good = to_envelope(codecs.CHECK, "check", REPORT)
    for text, reason in [
        ("", "empty"),
        ("not json", "invalid"),
        (json.dumps({"findings": []}), "invalid"),  # the shape before the envelope
        (json.dumps({**good, "lpublish": "2"}), "version"),
        (json.dumps({**good, "command": "deploy"}), "command"),
        (json.dumps({**good, "result": {"findings": "x"}}), "invalid"),
    ]:
        with pytest.raises(EnvelopeProblem) as problem:
            from_envelope(codecs.CHECK, text)
        assert problem.value.reason == reason, text
    # A newer lpublish of the same major version may add fields: they are ignored.
    newer = json.loads(dumps(good))
    newer["took_ms"] = 5
    newer["result"]["findings"][0]["column"] = 3
    assert from_envelope(codecs.CHECK, newer).result == Report(REPORT.sorted(), 4)


def _lpublish(args: list[str], cwd: Path, out: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run lpublish as a workflow step does: a fresh process, stdout redirected to a file."""
    env = {**os.environ, "LPUBLISH_LANG": "en"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    with out.open("w", encoding="utf-8") if out else open(os.devnull, "w") as fh:
        return subprocess.run(
            [sys.executable, "-m", "lpublish", *args],
            cwd=cwd,
            env=env,
            stdout=fh,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.mark.slow
def test_the_comment_reads_what_the_workflow_steps_printed(tmp_path: Path) -> None:
    site = fixture_site("html", tmp_path)
    live = tmp_path / "live"
    steps = tmp_path / "steps"
    steps.mkdir()
    site_args = ["--site", str(site)]
    check = _lpublish(["check", *site_args, "--format", "json"], tmp_path, steps / "check.json")
    assert check.returncode in (0, 1), check.stderr
    build = _lpublish(["build", *site_args, "--format", "json"], tmp_path, steps / "build.json")
    assert build.returncode == 0, build.stderr
    first = _lpublish(
        ["deploy", *site_args, "--url", live.as_uri(), "--format", "json"], tmp_path, steps / "preview.json"
    )
    assert first.returncode == 0, first.stderr
    (site / "index.html").write_text(
        (site / "index.html").read_text(encoding="utf-8") + "\n<!-- v2 -->\n", "utf-8"
    )
    plan = _lpublish(
        ["deploy", *site_args, "--url", live.as_uri(), "--dry-run", "--format", "json"],
        tmp_path,
        steps / "plan.json",
    )
    assert plan.returncode == 0, plan.stderr

    inputs = load_inputs(
        5,
        check=steps / "check.json",
        build=steps / "build.json",
        preview=steps / "preview.json",
        plan=steps / "plan.json",
    )
    assert inputs.problems == {}
    assert inputs.check is not None and inputs.check.files_checked > 0
    assert inputs.build is not None and "index.html" in {p.path for p in inputs.build.build.pages}
    assert inputs.preview is not None and "index.html" in inputs.preview.uploaded
    assert inputs.plan is not None and inputs.plan.dry_run and inputs.plan.uploaded == ["index.html"]
    body = render_status(inputs, RenderContext(site_prefix="html"))
    assert "<code>index.html</code>" in body


def test_a_failed_step_still_prints_an_envelope_the_next_step_reads(tmp_path: Path) -> None:
    out = tmp_path / "deploy.json"
    # No lpublish.toml here and no --bucket: a config error, exit 2, before anything is deployed.
    failed = _lpublish(["deploy", "--format", "json"], tmp_path, out)
    assert failed.returncode == 2
    assert "Error" in failed.stderr  # the person reading the log still gets the plain message
    data = json.loads(out.read_text(encoding="utf-8"))
    assert (data["command"], data["ok"], data["exit_code"], data["result"]) == ("deploy", False, 2, None)
    (err,) = data["errors"]
    assert err["key"] == "config.not_found" and err["title"] and err["message"]
    assert set(err) == {"key", "title", "message", "hint", "details"}
    problems: dict[str, str] = {}
    assert read_deploy(out, problems) is None
    assert problems == {"deploy.json": "failed"}


def test_the_deprecated_json_flag_prints_the_same_envelope(tmp_path: Path) -> None:
    site = fixture_site("html", tmp_path)
    new = _lpublish(["check", "--site", str(site), "--format", "json"], tmp_path, tmp_path / "a.json")
    old = _lpublish(["check", "--site", str(site), "--json"], tmp_path, tmp_path / "b.json")
    assert new.returncode == old.returncode
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == (tmp_path / "b.json").read_text(
        encoding="utf-8"
    )
    assert "--json" not in _lpublish(["check", "--help"], tmp_path).stderr


def test_the_deploy_job_summary_goes_through_the_size_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lpublish.ci.summary import SUMMARY_LIMIT
    from lpublish.cli.main import main

    built = tmp_path / "dist"
    built.mkdir()
    (built / "index.html").write_text("<!doctype html><title>t</title><p>hi</p>\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    summary.write_text("x" * (SUMMARY_LIMIT - 40) + "\n", encoding="utf-8")  # earlier steps wrote a lot
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["deploy", str(built), "--url", (tmp_path / "live").as_uri(), "--format", "json"])
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["result"]["uploaded"] == 1
    text = summary.read_bytes()
    assert len(text) <= SUMMARY_LIMIT  # GitHub would refuse the whole summary otherwise
    assert text.endswith("…\n".encode()) and b"### " in text[SUMMARY_LIMIT - 40 :]
