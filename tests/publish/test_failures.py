"""Every failure a designer can meet on the way to a pull request: the draft survives, the message says
what to do (never a token), and resuming the draft afterwards succeeds."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from lpublish.errors import CancelledError, ExitCode, ExternalError, LpublishError
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.drafts import DraftStore
from tests.plugins.forge import ForgeSite, config_for, forge_for


def _changeset(hero: Path) -> ChangeSet:
    return ChangeSet("Summer hero", "note", [ImageChange("hero", hero, "Tea field at dawn")])


def _submit_fails(site: ForgeSite, hero: Path, key: str) -> LpublishError:
    with pytest.raises(LpublishError) as exc:
        service.submit(config_for(site), _changeset(hero), forge=forge_for(site), token=site.token)
    error = exc.value
    assert error.key == key, error
    assert site.token not in str(error) and site.token not in repr(error.to_dict())
    (draft,) = DraftStore().list()
    assert draft.error == key
    return error


def _resume_succeeds(site: ForgeSite) -> service.SubmitResult:
    (draft,) = DraftStore().list()
    result = service.resume_draft(config_for(site), draft.id, forge=forge_for(site), token=site.token)
    assert DraftStore().list() == []
    pulls = site.forge.pulls()
    assert [p["number"] for p in pulls if p["state"] == "open"] == [result.number]
    assert site.repo.origin_show(result.branch, "site/images/hero/hero.jpg")
    return result


@pytest.mark.parametrize(
    ("route", "method", "status", "key"),
    [
        (r"^/user$", "GET", 401, "publish.auth_failed"),
        (r"^/repos/acme/lp$", "GET", 403, "publish.forbidden"),
        (r"^/repos/acme/lp$", "GET", 404, "publish.repo_not_found"),
        (r"^/repos/acme/lp/pulls$", "POST", 422, "publish.rejected"),
        (r"^/repos/acme/lp/pulls$", "POST", 502, "publish.server_error"),
        (r"^/repos/acme/lp/pulls$", "POST", "rate-limit", "publish.rate_limited"),
        (r"^/acme/lp\.git/", None, 503, "publish.git_failed"),
    ],
)
def test_api_failures_keep_the_draft_and_resume_works(
    forge_site: ForgeSite, hero_jpeg: Path, route: str, method: str | None, status: int | str, key: str
) -> None:
    forge_site.forge.fail_next(route, status, method=method)
    error = _submit_fails(forge_site, hero_jpeg, key)
    assert error.exit_code == ExitCode.EXTERNAL
    assert error.hint  # always a next step
    result = _resume_succeeds(forge_site)
    if route.endswith("pulls$"):
        # the branch had been pushed already: the resume only opened the PR, it did not push again
        (draft_branch,) = {p["head"]["ref"] for p in forge_site.forge.pulls()}
        assert draft_branch == result.branch
        assert not result.branch.endswith("-2")


def test_rate_limit_message_says_when_to_retry(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    forge_site.forge.fail_next(r"^/user$", "rate-limit")
    error = _submit_fails(forge_site, hero_jpeg, "publish.rate_limited")
    assert "minutes" in error.message and "lpublish drafts" in error.hint


def test_forbidden_tells_the_designer_whom_to_ask(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    forge_site.forge.fail_next(r"^/repos/acme/lp$", 403)
    error = _submit_fails(forge_site, hero_jpeg, "publish.forbidden")
    assert "ask an engineer to give you access to acme/lp" in error.hint.lower()


def test_read_only_user_is_refused_with_access_hint(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    forge_site.forge.add_user("guest", "ghp_guest_token_0000000000000000", permission="read")
    with pytest.raises(ExternalError) as exc:
        service.submit(
            config_for(forge_site),
            _changeset(hero_jpeg),
            forge=forge_for(forge_site, "ghp_guest_token_0000000000000000"),
            token="ghp_guest_token_0000000000000000",
        )
    assert exc.value.key == "publish.forbidden"


def test_revoked_token_asks_to_sign_in_again(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    forge_site.forge.revoke_token(forge_site.token)
    error = _submit_fails(forge_site, hero_jpeg, "publish.auth_failed")
    assert "lpublish login" in error.hint
    forge_site.forge.add_user("hana", forge_site.token, name="Hana Sato", user_id=4242)
    _resume_succeeds(forge_site)


def test_push_rejected_by_a_server_hook(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    hook = forge_site.repo.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    _submit_fails(forge_site, hero_jpeg, "publish.push_rejected")
    assert forge_site.forge.pulls() == []
    hook.unlink()
    _resume_succeeds(forge_site)


def test_network_down(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    forge_site.forge.stop()
    error = _submit_fails(forge_site, hero_jpeg, "publish.network")
    assert "127.0.0.1" in error.message
    forge_site.forge.start()  # same port: the configured URL works again
    _resume_succeeds(forge_site)


def test_base_branch_gone(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    config = config_for(forge_site)
    config.forge.base = "release"
    with pytest.raises(ExternalError) as exc:
        service.submit(config, _changeset(hero_jpeg), forge=forge_for(forge_site), token=forge_site.token)
    assert exc.value.key == "publish.base_missing" and "release" in exc.value.message
    (draft,) = DraftStore().list()
    assert draft.error == "publish.base_missing"
    _resume_succeeds(forge_site)


def test_cancel_keeps_the_draft(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        service.submit(
            config_for(forge_site),
            _changeset(hero_jpeg),
            forge=forge_for(forge_site),
            token=forge_site.token,
            cancel=cancel,
        )
    assert len(DraftStore().list()) == 1
    assert forge_site.forge.pulls() == []
    _resume_succeeds(forge_site)


def test_draft_keeps_its_own_copy_of_the_files(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    original = hero_jpeg.read_bytes()
    forge_site.forge.fail_next(r"^/user$", 502)
    _submit_fails(forge_site, hero_jpeg, "publish.server_error")
    hero_jpeg.unlink()  # the designer tidies up their desktop
    result = _resume_succeeds(forge_site)
    assert forge_site.repo.origin_show(result.branch, "site/images/hero/hero.jpg") == original
