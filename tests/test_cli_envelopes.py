"""The commands that used to print text only (``drafts --delete``, ``comment``, ``ci *``, ``init``,
``config``) print the versioned envelope with ``--format json``, also when they fail; click's own usage
errors do too. Each run is a fresh process whose stdout a later step (or a script) reads back through the
same codec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from lpublish.environment import Environment
from lpublish.publish.changeset import ChangeSet
from lpublish.publish.drafts import Draft, DraftStore
from lpublish.results import codecs, tool_codecs
from lpublish.results.envelope import Codec, Envelope, from_envelope
from tests.plugins.sites import fixture_site


def lpublish(
    args: list[str],
    cwd: Path,
    *,
    lang: str = "en",
    extra: dict[str, str] | None = None,
    answer: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``lpublish ARGS`` as a workflow step runs it: a fresh process, no terminal, no job summary."""
    env = {**os.environ, "LPUBLISH_LANG": lang, **(extra or {})}
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_TOKEN", "GITHUB_REPOSITORY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "lpublish", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        input=answer,
        stdin=subprocess.DEVNULL if answer is None else None,
        timeout=300,
        check=False,
    )


def envelope(codec: Codec[Any], done: subprocess.CompletedProcess[str]) -> Envelope[Any]:
    """The envelope on stdout, read with ``codec``; stdout holds nothing else."""
    read = from_envelope(codec, done.stdout)
    assert read.exit_code == done.returncode, done.stderr
    return read


def test_config_check_and_schema(tmp_path: Path) -> None:
    site = fixture_site("html", tmp_path)
    checked = envelope(
        tool_codecs.CONFIG_CHECK,
        lpublish(["config", "check", "--site", str(site), "--format", "json"], tmp_path),
    )
    assert checked.ok and checked.result is not None
    assert checked.result.path == str(site / "lpublish.toml") and checked.result.slots > 0
    text = lpublish(["config", "check", "--site", str(site)], tmp_path)
    assert text.stdout == f"{site / 'lpublish.toml'} is valid ({checked.result.slots} image slot(s)).\n"
    schema = envelope(tool_codecs.CONFIG_SCHEMA, lpublish(["config", "schema", "--format", "json"], tmp_path))
    plain = lpublish(["config", "schema"], tmp_path)
    assert schema.result == json.loads(plain.stdout)  # the same schema, inside the envelope
    assert schema.result is not None and schema.result["title"] == "lpublish.toml"


def test_a_failing_config_check_prints_the_failure_envelope(tmp_path: Path) -> None:
    done = lpublish(["config", "check", "--site", str(tmp_path), "--format", "json"], tmp_path)
    failed = envelope(tool_codecs.CONFIG_CHECK, done)
    assert (failed.exit_code, failed.result) == (2, None)
    assert [e.key for e in failed.errors] == ["config.not_found_in"]
    assert "No lpublish.toml found" in done.stderr  # the person reading the log still gets the message


def test_drafts_delete(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = DraftStore(env=Environment({"LPUBLISH_HOME": str(home)}))
    store.save(
        Draft(id="d1", changeset=ChangeSet(title="夏"), repo="a/b", site=str(tmp_path), created="2026-12-01")
    )
    extra = {"LPUBLISH_HOME": str(home)}
    done = lpublish(["drafts", "--delete", "d1", "--format", "json"], tmp_path, extra=extra)
    deleted = envelope(codecs.DRAFT_DELETED, done)
    assert deleted.ok and deleted.result is not None and deleted.result.id == "d1"
    assert store.list() == []
    again = lpublish(["drafts", "--delete", "d1", "--format", "json"], tmp_path, extra=extra)
    missing = envelope(codecs.DRAFT_DELETED, again)
    assert (missing.exit_code, missing.result) == (2, None)
    assert [e.key for e in missing.errors] == ["publish.draft_not_found"]


def test_ci_commands(tmp_path: Path) -> None:
    site = fixture_site("html", tmp_path)
    at = "2026-12-01T09:00:00+00:00"
    outputs = tmp_path / "outputs.txt"
    done = lpublish(
        ["ci", "schedule", "--site", str(site), "--now", at, "--output", str(outputs), "--format", "json"],
        tmp_path,
    )
    decision = envelope(tool_codecs.SCHEDULE, done).result
    assert decision is not None and decision.changed and decision.reason == "first-run"
    assert decision.now.isoformat() == at
    assert outputs.read_text(encoding="utf-8").splitlines()[0] == "changed=true"  # the step outputs still
    setup = envelope(
        tool_codecs.SETUP_DOC,
        lpublish(["ci", "setup-doc", "--site", str(site), "--format", "json"], tmp_path),
    )
    assert setup.result is not None
    assert setup.result.markdown == lpublish(["ci", "setup-doc", "--site", str(site)], tmp_path).stdout
    summary = tmp_path / "summary.md"
    args = ["ci", "deploy-summary", "--site", str(site), str(tmp_path / "none.json"), "--format", "json"]
    job = envelope(tool_codecs.DEPLOY_SUMMARY, lpublish([*args, "--summary", str(summary)], tmp_path)).result
    assert job is not None and job.written and job.markdown in summary.read_text(encoding="utf-8")


def test_comment_without_posting(tmp_path: Path) -> None:
    site = fixture_site("html", tmp_path)
    summary = tmp_path / "summary.md"
    args = ["comment", "--site", str(site), "--pr", "4", "--no-comment", "--summary", str(summary)]
    done = lpublish([*args, "--print", "--format", "json"], tmp_path)
    outcome = envelope(tool_codecs.COMMENT, done).result
    assert outcome is not None and (outcome.pr, outcome.action, outcome.summary_written) == (
        4,
        "skipped",
        True,
    )
    assert "Job summary written." in done.stderr  # people's lines leave stdout to the envelope
    # the text run prints the same body after its line for people
    assert lpublish([*args, "--print"], tmp_path).stdout == f"Job summary written.\n{outcome.body}\n"
    # posting needs the workflow's token: without it the failure is an envelope too
    posting = lpublish(["comment", "--site", str(site), "--pr", "4", "--format", "json"], tmp_path)
    failed = envelope(tool_codecs.COMMENT, posting)
    assert failed.exit_code == 2 and [e.key for e in failed.errors] == ["ci.comment.no_token"]


def test_init(tmp_path: Path) -> None:
    repo = tmp_path / "lp"
    (repo / "images" / "hero").mkdir(parents=True)
    Image.new("RGB", (1600, 700), (200, 120, 40)).save(repo / "images" / "hero" / "a.jpg")
    (repo / "index.html").write_text(
        '<h1>hi</h1><img src="images/hero/a.jpg" alt="Fields">', encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    asked = ["init", str(repo), "--repo", "acme/lp", "--format", "json"]
    no = lpublish(asked, tmp_path, answer="n\n")
    declined = envelope(tool_codecs.INIT, no).result
    assert no.returncode == 1 and declined is not None and declined.declined and declined.written == []
    assert "[Y/n]" in no.stderr and not (repo / "lpublish.toml").exists()  # the question was on stderr
    unanswered = envelope(tool_codecs.INIT, lpublish(asked, tmp_path))  # no terminal to ask on
    assert (unanswered.exit_code, [e.key for e in unanswered.errors]) == (1, ["common.cancelled"])
    done = lpublish(["init", str(repo), "--yes", "--repo", "acme/lp", "--format", "json"], tmp_path)
    made = envelope(tool_codecs.INIT, done).result
    assert made is not None and not made.unchanged and not made.declined
    assert "lpublish.toml" in made.written and made.setup_file in made.written
    assert all((repo / path).is_file() for path in made.written)
    assert "lpublish.toml" in done.stderr  # the listing for people, on stderr
    again = envelope(
        tool_codecs.INIT,
        lpublish(["init", str(repo), "--yes", "--repo", "acme/lp", "--format", "json"], tmp_path),
    )
    assert again.result is not None and again.result.unchanged and again.result.written == []


@pytest.mark.parametrize(
    ("args", "command", "says"),
    [
        (["check", "--bogus", "--format", "json"], "check", "No such option '--bogus'"),
        (["ci", "schedule", "--format=json", "--state"], "ci schedule", "'--state' requires an argument"),
        (
            ["record-deployment", "--state", "bad", "--format", "json"],
            "record-deployment",
            "'bad' is not one of",
        ),
        (["screenshots", "--json"], "screenshots", "Missing option '--before'"),
        (["nosuch", "--format", "json"], "lpublish", "No such command 'nosuch'"),
    ],
)
def test_click_usage_errors_print_a_failure_envelope(
    tmp_path: Path, args: list[str], command: str, says: str
) -> None:
    for lang, title in (("en", "The command was not understood"), ("ja", "コマンドを解釈できませんでした")):
        done = lpublish(args, tmp_path, lang=lang)
        assert done.returncode == 2
        data = json.loads(done.stdout)
        assert (data["lpublish"], data["command"], data["ok"], data["exit_code"], data["result"]) == (
            "1",
            command,
            False,
            2,
            None,
        )
        (error,) = data["errors"]
        assert (error["key"], error["title"]) == ("cli.usage", title)
        assert says in error["message"] and says in done.stderr
        assert f"lpublish {command}".replace("lpublish lpublish", "lpublish") + " --help" in error["hint"]


def test_usage_errors_without_json_stay_plain_text(tmp_path: Path) -> None:
    done = lpublish(["check", "--bogus"], tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "No such option '--bogus'" in done.stderr and "Try 'lpublish check --help'" in done.stderr
