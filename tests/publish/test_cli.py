"""The command line: ``lpublish submit|status|update|withdraw|drafts|login|logout|whoami`` end to end,
with their exit codes (1 refused, 2 usage, 3 GitHub/git/network) and messages in English and Japanese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lpublish.cli.publish_cmd import parse_image
from lpublish.errors import UsageError
from tests.plugins.cli import exit_code
from tests.plugins.forge import ForgeSite
from tests.plugins.images import make_jpeg
from tests.plugins.results import result_of
from tests.plugins.signin import MemoryKeyring


def test_submit_status_update_withdraw(
    signed_in: ForgeSite, hero_jpeg: Path, product_jpeg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(signed_in.site)
    code = exit_code(
        [
            "submit",
            "--site",
            site,
            "--title",
            "Summer hero",
            "--image",
            f"hero={hero_jpeg}:Tea: at dawn",
            "--note",
            "July",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    data = result_of(out)
    assert (
        data["number"] == 1
        and data["url"].endswith("/acme/lp/pull/1")
        and data["branch"].startswith("lpublish/")
    )
    # JSON alone on stdout; progress lines are off for --format json (tests/test_progress_view.py)
    assert "Uploading" not in out + err
    assert signed_in.token not in out + err
    page = signed_in.repo.origin_show(data["branch"], "site/pages/index.md").decode()
    assert '  alt: "Tea: at dawn"\n' in page  # an alt text may contain ':' (quoted in the YAML)

    assert exit_code(["status", "--site", site]) == 0
    out = capsys.readouterr().out
    assert "#1  [waiting for review]  Summer hero" in out and "Preview: https://previews." in out
    assert exit_code(["status", "--site", site, "--json"]) == 0
    (status,) = result_of(capsys.readouterr().out)
    assert status["state"] == "in-review" and status["number"] == 1

    assert exit_code(["update", "1", "--site", site, "--image", f"product={product_jpeg}:Matcha latte"]) == 0
    assert "Request #1 was updated" in capsys.readouterr().out

    assert exit_code(["withdraw", "1", "--site", site]) == 0
    out = capsys.readouterr().out
    assert "Request #1 was withdrawn" in out and "refs/lpublish/backup/" in out
    assert exit_code(["status", "--site", site, "--json"]) == 0
    assert result_of(capsys.readouterr().out)[0]["state"] == "closed"


def test_refused_images_exit_1_with_the_reasons(
    signed_in: ForgeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = make_jpeg(tmp_path / "small.jpg", (320, 200))
    code = exit_code(
        ["submit", "--site", str(signed_in.site), "--title", "x", "--image", f"hero={small}:alt"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "The request was not sent" in err and "small.jpg" in err and "Traceback" not in err
    assert signed_in.forge.pulls() == []


def test_usage_errors_exit_2(
    signed_in: ForgeSite, hero_jpeg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(signed_in.site)
    assert exit_code(["submit", "--site", site, "--title", "x", "--image", "no-equals-sign"]) == 2
    assert "SLOT=PATH" in capsys.readouterr().err
    assert exit_code(["submit", "--site", site, "--title", "x", "--image", f"banner={hero_jpeg}"]) == 2
    assert "banner" in capsys.readouterr().err
    assert exit_code(["submit", "--site", site, "--image", f"hero={hero_jpeg}"]) == 2  # --title is required
    assert exit_code(["drafts", "--resume", "nope"]) == 2


def test_github_failure_exits_3_keeps_a_draft_and_resumes(
    signed_in: ForgeSite, hero_jpeg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(signed_in.site)
    signed_in.forge.fail_next(r"^/repos/acme/lp/pulls$", 502, method="POST")
    assert exit_code(["submit", "--site", site, "--title", "Hero", "--image", f"hero={hero_jpeg}:a"]) == 3
    err = capsys.readouterr().err
    assert "had a problem" in err and "lpublish drafts" in err and "Traceback" not in err
    assert exit_code(["drafts"]) == 0
    out = capsys.readouterr().out
    assert "Hero" in out and "Stopped because" in out
    draft_id = out.split()[0]
    assert exit_code(["drafts", "--resume", draft_id, "--json"]) == 0
    assert result_of(capsys.readouterr().out)["number"] == 1
    assert exit_code(["drafts"]) == 0
    assert "No saved drafts." in capsys.readouterr().out


def test_not_signed_in_says_how_to_sign_in(
    forge_site: ForgeSite,
    hero_jpeg: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-gh"))
    assert (
        exit_code(
            ["submit", "--site", str(forge_site.site), "--title", "x", "--image", f"hero={hero_jpeg}:a"]
        )
        == 3
    )
    assert "lpublish login" in capsys.readouterr().err


def test_messages_in_japanese(
    forge_site: ForgeSite,
    hero_jpeg: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", "ghp_revoked")
    code = exit_code(
        [
            "--lang",
            "ja",
            "submit",
            "--site",
            str(forge_site.site),
            "--title",
            "夏",
            "--image",
            f"hero={hero_jpeg}:茶畑",
        ]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert "サインイン" in err and "lpublish login" in err


def test_login_whoami_logout(
    forge_site: ForgeSite, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    site = str(forge_site.site)
    forge_site.forge.set_device_policy("hana", pending=0, interval=1)
    assert exit_code(["login", "--site", site, "--no-browser"]) == 0
    out = capsys.readouterr().out
    assert f"{forge_site.url}/login/device" in out and "enter this code:" in out
    assert "as hana" in out
    (stored,) = memory_keyring.items.values()
    assert json.loads(stored)["access_token"] not in out  # stored in the keyring, never printed
    assert exit_code(["whoami", "--site", site, "--json"]) == 0
    who = result_of(capsys.readouterr().out)
    assert who["login"] == "hana" and who["source"] == "keyring"
    assert exit_code(["logout", "--site", site]) == 0
    assert "Signed out" in capsys.readouterr().out
    assert memory_keyring.items == {}
    forge_site.forge.set_device_policy("hana", pending=0, outcome="deny", interval=1)
    assert exit_code(["login", "--site", site, "--no-browser"]) == 3
    assert "declined" in capsys.readouterr().err


def test_parse_image_spec(tmp_path: Path) -> None:
    photo = tmp_path / "a:b.jpg"
    photo.write_bytes(b"x")
    assert parse_image(f"hero={photo}").source == photo
    change = parse_image(f"hero={photo}:Alt: with colon")
    assert change.source == photo and change.alt == "Alt: with colon"
    with pytest.raises(UsageError):
        parse_image("=x.jpg")
