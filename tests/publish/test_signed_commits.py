"""Repositories whose rules require signed commits: lpublish signs when the person has signing set up,
and otherwise explains the rejection with the server's own message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lpublish.errors import LpublishError
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from tests.plugins.forge import ForgeSite, config_for, forge_for

HOOK = """#!/bin/sh
# Like a ruleset requiring signed commits (GitHub answers with GH006 / GH013).
while read old new ref; do
  for c in $(git rev-list "$new" --not --all); do
    if ! git cat-file commit "$c" | grep -q '^gpgsig'; then
      echo "GH006: Protected branch update failed for $ref."
      echo "error: Commits must have verified signatures."
      exit 1
    fi
  done
done
"""


def _require_signatures(site: ForgeSite) -> None:
    hook = site.repo.bare / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)


def _changeset(hero: Path) -> ChangeSet:
    return ChangeSet("Summer hero", "note", [ImageChange("hero", hero, "Tea field at dawn")])


def test_unsigned_push_is_explained(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    _require_signatures(forge_site)
    with pytest.raises(LpublishError) as info:
        service.submit(
            config_for(forge_site), _changeset(hero_jpeg), forge=forge_for(forge_site), token=forge_site.token
        )
    assert info.value.key == "services.publish.signature_required"
    assert "Commits must have verified signatures" in info.value.params["server"]


def test_signing_set_up_signs_the_commit(forge_site: ForgeSite, hero_jpeg: Path, tmp_path: Path) -> None:
    _require_signatures(forge_site)
    key = tmp_path / "signing-key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    clone = forge_site.repo.clone
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)), ("commit.gpgsign", "true")):
        subprocess.run(["git", "-C", str(clone), "config", name, value], check=True)
    result = service.submit(
        config_for(forge_site), _changeset(hero_jpeg), forge=forge_for(forge_site), token=forge_site.token
    )
    head = forge_site.forge.pull(result.number)["head"]["sha"]
    raw = subprocess.run(
        ["git", "-C", str(forge_site.repo.bare), "cat-file", "commit", head],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in raw
