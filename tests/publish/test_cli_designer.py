"""Command-line details a designer meets (issue 12): ``--lang`` after the subcommand, ``status`` and
``whoami`` from the repository's root, and a dry-run deploy without AWS credentials explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.cli import exit_code
from tests.plugins.forge import ForgeSite
from tests.plugins.results import result_of

SITE = Path(__file__).resolve().parents[2] / "site"


def test_lang_after_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["drafts", "--lang", "ja"]) == 0
    assert "下書き" in capsys.readouterr().out
    assert exit_code(["drafts", "--lang=en"]) == 0
    assert "draft" in capsys.readouterr().out.lower()


def test_status_and_whoami_from_the_repository_root(
    forge_site: ForgeSite, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert forge_site.site != forge_site.repo.clone  # the site is one folder down
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    monkeypatch.chdir(forge_site.repo.clone)
    assert exit_code(["whoami", "--json"]) == 0
    assert result_of(capsys.readouterr().out)["login"] == forge_site.login
    assert exit_code(["status", "--lang", "ja"]) == 0
    assert "lpublish.toml" not in capsys.readouterr().err


def test_dry_run_deploy_without_credentials_says_what_it_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    code = exit_code(["deploy", str(out), "--site", str(SITE), "--target", "production", "--dry-run"])
    assert code == 3  # an external service could not be reached (exit-code contract)
    err = capsys.readouterr().err
    assert "dry run needs read access" in err and "s3:ListBucket" in err and "s3:GetObject" in err
    assert "Traceback" not in err


def test_a_refused_request_keeps_the_callers_draft(forge_site: ForgeSite, tmp_path: Path) -> None:
    """The TUI's saved work is a draft: a refusal must not delete the designer's only copies."""
    from lpublish.errors import ContentError
    from lpublish.publish import service
    from lpublish.publish.changeset import ChangeSet
    from lpublish.publish.drafts import DraftStore
    from tests.plugins.forge import config_for, forge_for

    config = config_for(forge_site)
    folder = tmp_path / "Not A Slug"  # refused once placed: campaign folders need a URL-safe name
    folder.mkdir()
    (folder / "index.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    store = DraftStore()
    draft = store.create(ChangeSet("Campaign", campaign_dir=folder), repo="acme/lp", site=config.root)
    with pytest.raises(ContentError):
        service.submit(
            config, draft.changeset, forge=forge_for(forge_site), token=forge_site.token, draft_id=draft.id
        )
    kept = store.get(draft.id)
    assert kept.error == "publish.bad_campaign_slug"
    assert kept.changeset.campaign_dir is not None and (kept.changeset.campaign_dir / "index.md").is_file()
