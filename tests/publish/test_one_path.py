"""One path for a submitted change from the command line: ``submit`` and ``update`` validate once, save
the draft once and place once, and a content error is told before anyone signs in.

Counted with real spies (``tests.plugins.submit_counts``) around a real submit against the local forge.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from lpublish.cli.main import main
from lpublish.publish.drafts import DraftStore
from tests.plugins.forge import ForgeSite
from tests.plugins.images import make_jpeg
from tests.plugins.results import result_of
from tests.plugins.submit_counts import count_submit_steps


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0)


def test_submit_and_update_validate_once_save_once_place_once(
    forge_site: ForgeSite,
    hero_jpeg: Path,
    product_jpeg: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    site = str(forge_site.site)
    calls = count_submit_steps(monkeypatch)
    argv = ["submit", "--site", site, "--title", "Summer hero", "--image", f"hero={hero_jpeg}:Tea at dawn"]
    assert run([*argv, "--format", "json"]) == 0
    submitted = result_of(capsys.readouterr().out)
    assert submitted["number"] == 1
    assert calls.counts == {
        "validate_changeset": 1,
        f"check_image:{hero_jpeg.name}": 1,
        "create": 1,
        "save:prepared": 1,  # the change's one save (inside ``create``)
        "save:pushed": 1,  # the pushed branch recorded, so a lost connection never pushes it twice
        "place_change": 1,
    }
    calls.reset()
    assert run(["update", "1", "--site", site, "--image", f"product={product_jpeg}:Matcha latte"]) == 0
    assert "Request #1 was updated" in capsys.readouterr().out
    assert calls.counts == {
        "validate_changeset": 1,
        f"check_image:{product_jpeg.name}": 1,
        "create": 1,
        "save:prepared": 1,
        "place_change": 1,
    }
    branch = submitted["branch"]
    # The one placement landed: the new product photo is on the request's branch under its safe name.
    digest = hashlib.sha256(product_jpeg.read_bytes()).hexdigest()[:8]
    placed = forge_site.repo.origin_show(branch, f"site/images/products/product-{digest}.jpg")
    assert placed == product_jpeg.read_bytes()


def test_a_refused_change_is_told_before_signing_in(
    forge_site: ForgeSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Nobody is signed in (no token, no gh): the too-small image is still what the designer hears about.
    monkeypatch.setenv("PATH", str(tmp_path / "no-gh"))
    small = make_jpeg(tmp_path / "small.jpg", (320, 200))
    code = run(["submit", "--site", str(forge_site.site), "--title", "x", "--image", f"hero={small}:alt"])
    err = capsys.readouterr().err
    assert code == 1
    assert "The request was not sent" in err and "small.jpg" in err and "lpublish login" not in err
    assert DraftStore().list() == []  # the designer's file is where it was: nothing kept


def test_signing_in_after_a_valid_change_keeps_its_draft(
    forge_site: ForgeSite,
    hero_jpeg: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path / "no-gh"))
    site = str(forge_site.site)
    assert run(["submit", "--site", site, "--title", "Hero", "--image", f"hero={hero_jpeg}:a"]) == 3
    assert "lpublish login" in capsys.readouterr().err
    (draft,) = DraftStore().list()
    assert draft.error == "publish.not_signed_in" and draft.changeset.title == "Hero"
    # Signed in now: the saved draft is sent as it was.
    monkeypatch.setenv("PATH", path)
    monkeypatch.setenv("LPUBLISH_GITHUB_TOKEN", forge_site.token)
    assert run(["drafts", "--resume", draft.id, "--format", "json"]) == 0
    assert result_of(capsys.readouterr().out)["number"] == 1
    assert DraftStore().list() == []
