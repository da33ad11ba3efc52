"""GitHub behaviour lpublish must survive, on the local forge: pagination, server-side filters, unknown
enum values, commit statuses, secondary rate limits and SAML SSO."""

from __future__ import annotations

from typing import Any

import pytest

from lpublish.config import load_config
from lpublish.errors import ExternalError
from lpublish.publish.github import GitHubForge
from lpublish.publish.request_status import list_requests, request_status
from lpublish.sandbox.forge.server import LocalForge
from tests.plugins.forge import LOGIN, MARKED, REVIEWER, ForgeSite, create_branches


def _forge(site: ForgeSite, token: str | None = None, **kw: Any) -> GitHubForge:
    return GitHubForge(site.url, "acme/lp", token or site.token, **kw)


def _reviewer_token(forge: LocalForge) -> str:
    import secrets

    token = "ghp_" + secrets.token_hex(18)
    forge.add_user("busy", token, name="Busy Engineer")
    return token


def test_an_older_request_is_found_on_a_busy_repository(forge_site: ForgeSite) -> None:
    create_branches(forge_site, ["lpublish/hana-old", *[f"eng/{i}" for i in range(120)]])
    mine = _forge(forge_site)
    mine.create_pull(title="Old hero", body=MARKED, head="lpublish/hana-old", base="main")
    other = _forge(forge_site, _reviewer_token(forge_site.forge))
    for i in range(120):
        other.create_pull(title=f"eng {i}", body="", head=f"eng/{i}", base="main")
    # Lists follow Link pagination: all 121 are seen through pages of 100.
    assert len(mine.list_pulls(state="all", limit=500)) == 121
    assert any('rel="next"' in h for h in forge_site.forge.link_headers)
    config = load_config(forge_site.site)
    found = list_requests(config, forge=mine)
    assert [r.title for r in found] == ["Old hero"]


def test_unknown_check_conclusions_and_commit_statuses(forge_site: ForgeSite) -> None:
    create_branches(forge_site, ["lpublish/hana-1"])
    forge = _forge(forge_site)
    pull = forge.create_pull(title="Hero", body=MARKED, head="lpublish/hana-1", base="main")
    forge_site.forge.set_check(pull.number, "lpublish", "completed", "stale")
    forge_site.forge.set_status(pull.number, "ci/jenkins", "pending")
    forge_site.forge.set_status(pull.number, "ci/jenkins", "failure")
    config = load_config(forge_site.site)
    status = request_status(config, forge, forge.get_pull(pull.number))
    assert status.checks == {"total": 2, "passed": 0, "failed": 2, "running": 0}
    assert status.state == "checks-failed"


@pytest.mark.parametrize("fault", ["secondary-rate-limit", "429"])
def test_secondary_rate_limits_are_waited_for_then_reported(forge_site: ForgeSite, fault: str) -> None:
    waits: list[float] = []
    forge = _forge(forge_site, max_wait_seconds=5, sleep=waits.append)
    forge_site.forge.fail_next(r"^/user$", fault, count=2)
    assert forge.get_user().login == LOGIN
    assert waits == [1.0, 1.0]  # Retry-After honoured
    forge_site.forge.fail_next(r"^/user$", fault, count=50)
    with pytest.raises(ExternalError) as info:
        forge.get_user()
    assert info.value.key == "services.publish.secondary_rate_limited"
    assert sum(waits) <= 5 + 2


def test_saml_sso_shows_the_authorisation_link(forge_site: ForgeSite) -> None:
    forge_site.forge.fail_next(r"/repos/acme/lp$", "sso")
    with pytest.raises(ExternalError) as info:
        _forge(forge_site).get_repo()
    assert info.value.key == "services.publish.sso_required"
    assert info.value.params["url"] == "https://github.com/orgs/acme/sso?authorization_request=AB12CD"
    assert REVIEWER  # the reviewer exists but is not involved
