"""Scheduled campaigns: rebuild with the time, deploy only when the output changed, say what went live."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import boto3
import pytest

from lpublish.ci.inputs import plan_summary
from lpublish.ci.schedule import decide, render_summary
from lpublish.config import load_config
from lpublish.deploy.configured import options_from_config, target_from_config
from lpublish.deploy.engine import DeployResult, deploy
from lpublish.environment import Environment
from lpublish.site.build import build_site
from tests.ci.conftest import with_own_buckets
from tests.plugins.cli import exit_code
from tests.plugins.sample_site import copy_sample_site

# The sample site: the summer campaign ends 2026-08-31 23:59:59 JST, the autumn one starts 2026-10-01.
BETWEEN = datetime.fromisoformat("2026-09-15T12:00:00+09:00")
LATER = datetime.fromisoformat("2026-09-15T12:10:00+09:00")
AUTUMN = datetime.fromisoformat("2026-10-01T00:05:00+09:00")


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    result = {}
    for line in lines:
        if "=" in line:
            key, value = line.split("=", 1)
            result[key] = value
    return result


@pytest.mark.slow
def test_schedule_compares_builds_between_runs(tmp_path: Path, sample_site: Path, warm_cache: Path) -> None:
    site = with_own_buckets(copy_sample_site(tmp_path / "site", warm_cache))
    config = load_config(site=site)
    state = tmp_path / "state"
    decisions = []
    for moment in (BETWEEN, LATER, AUTUMN):
        build_site(config, now=moment)
        summary, output = tmp_path / f"summary-{moment:%H%M}.md", tmp_path / f"out-{moment:%H%M}.txt"
        args = ["ci", "schedule", "--site", str(site), "--state", str(state), "--now", moment.isoformat()]
        assert exit_code([*args, "--summary", str(summary), "--output", str(output)]) == 0
        decisions.append((_outputs(output), summary.read_text(encoding="utf-8")))
    (first, _), (second, second_summary), (third, third_summary) = decisions
    assert first["changed"] == "true"  # nothing to compare with yet: deploy (a no-op when equal)
    assert second["changed"] == "false", "the same site ten minutes later must not deploy"
    assert "No change" in second_summary
    assert third["changed"] == "true"
    assert third["went_live"] == "autumn-tea-2026"
    assert "秋の夜長のティーフェア 2026" in third_summary  # the campaign's title, in the summary


@pytest.mark.slow
def test_schedule_decides_from_the_production_plan_on_s3(
    tmp_path: Path, sample_site: Path, warm_cache: Path, moto_endpoint: str
) -> None:
    site = with_own_buckets(copy_sample_site(tmp_path / "site", warm_cache))
    config = load_config(site=site)
    target_cfg = config.deploy.targets["production"]
    boto3.client("s3", region_name=target_cfg.region).create_bucket(
        Bucket=target_cfg.bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    out = site / config.site.out_dir

    def run(moment: datetime, *, dry_run: bool) -> DeployResult:
        build_site(config, now=moment)
        options = options_from_config(config, "production", dry_run=dry_run, yes=True, now=moment)
        return deploy(
            out,
            target_from_config(config, "production", env=Environment.from_os()),
            rules=config.headers,
            options=options,
        )

    run(BETWEEN, dry_run=False)  # what is live after the last deploy
    quiet = decide(config, now=LATER, plan=plan_summary(run(LATER, dry_run=True)))
    assert (quiet.changed, quiet.reason) == (False, "plan")
    assert quiet.went_live == [] and quiet.ended == []

    started = decide(config, now=AUTUMN, plan=plan_summary(run(AUTUMN, dry_run=True)))
    assert (started.changed, started.reason) == (True, "plan")
    assert [c.slug for c in started.went_live] == ["autumn-tea-2026"]
    assert started.plan is not None
    assert "campaigns/autumn-tea-2026/index.html" in started.plan.uploaded
    text = render_summary(started)
    assert "Campaigns that went live" in text and "autumn-tea-2026" in text
    assert "campaigns/autumn-tea-2026/index.html" in text  # the plan is in the summary too


def test_campaign_that_ended_is_reported(tmp_path: Path, sample_site: Path) -> None:
    site = with_own_buckets(copy_sample_site(tmp_path / "site"))
    config = load_config(site=site)
    before_end = datetime.fromisoformat("2026-08-31T23:50:00+09:00")
    after_end = datetime.fromisoformat("2026-09-01T00:05:00+09:00")
    state = tmp_path / "state"
    state.mkdir()
    (state / "state.json").write_text(
        f'{{"version": 1, "last_run": "{before_end.isoformat()}"}}', encoding="utf-8"
    )
    decision = decide(config, now=after_end, state_dir=state, manifest=tmp_path / "missing.json")
    assert [c.slug for c in decision.ended] == ["summer-iced-2026"]
    assert decision.since == before_end
    assert decision.outputs()["ended"] == "summer-iced-2026"
