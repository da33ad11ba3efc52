"""The deploy workflow records a GitHub Deployment, so `lpublish status` reaches "live" on GitHub."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lpublish.cli.main import main
from lpublish.config import load_config
from lpublish.publish.github import GitHubForge
from lpublish.publish.request_status import request_status
from tests.plugins.forge import MARKED, ForgeSite, create_branches

ROOT = Path(__file__).resolve().parents[2]


def test_record_deployment_makes_a_merged_request_live(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_branches(forge_site, ["lpublish/hana-1"])
    forge = GitHubForge(forge_site.url, "acme/lp", forge_site.token)
    pull = forge.create_pull(title="Hero", body=MARKED, head="lpublish/hana-1", base="main")
    sha = forge_site.forge.merge(pull.number)
    config = load_config(forge_site.site)
    assert request_status(config, forge, forge.get_pull(pull.number)).state == "merged"
    for key, value in {
        "GITHUB_TOKEN": forge_site.token,
        "GITHUB_REPOSITORY": "acme/lp",
        "GITHUB_API_URL": forge_site.url,
        "GITHUB_SHA": sha,
        "GITHUB_REF_NAME": "main",
    }.items():
        monkeypatch.setenv(key, value)
    argv = [
        "record-deployment",
        "--environment",
        config.forge.environment,
        "--url",
        "https://www.example.com/",
    ]
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code in (0, None)
    status = request_status(config, forge, forge.get_pull(pull.number))
    assert status.state == "live" and status.live_url == "https://www.example.com/"
    # A rerun adds a status to the same deployment instead of a second deployment.
    with pytest.raises(SystemExit):
        main([*argv, "--json"])
    assert '"created": false' in capsys.readouterr().out
    assert len(forge.list_deployments(environment=config.forge.environment, sha=sha)) == 1


@pytest.mark.parametrize(
    "path", [ROOT / ".github/workflows/site-deploy.yml", ROOT / "lpublish/ci/templates/site-deploy.yml"]
)
def test_the_deploy_workflow_records_the_deployment(path: Path) -> None:
    job = YAML(typ="safe").load(path.read_text(encoding="utf-8"))["jobs"]["deploy"]
    assert job["permissions"]["deployments"] == "write"
    steps = [s for s in job["steps"] if "lpublish record-deployment" in str(s.get("run", ""))]
    assert len(steps) == 1 and "always()" in steps[0]["if"]
    assert steps[0]["env"]["URL"] == "${{ steps.deploy.outputs.url }}"
