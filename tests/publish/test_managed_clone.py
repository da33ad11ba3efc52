"""Outside any clone: lpublish keeps its own blobless, sparse partial clone in the cache, reuses it, and
never writes the token into it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lpublish.config import load_config
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.workspace import managed_clone_dir
from tests.plugins.forge import ForgeSite, forge_for
from tests.plugins.gitrepos import git
from tests.plugins.images import make_jpeg
from tests.plugins.leaks import files_containing


def test_submit_without_a_clone_uses_a_reused_partial_clone(
    forge_site: ForgeSite, hero_jpeg: Path, tmp_path: Path
) -> None:
    # the designer only has the site folder (e.g. from a zip), not a git clone
    standalone = tmp_path / "standalone-site"
    shutil.copytree(forge_site.site, standalone)
    forge_site.site.parent.rename(tmp_path / "no-clone-here")  # nothing to find by walking up either
    site = ForgeSite(forge_site.forge, forge_site.repo, forge_site.token)
    config = load_config(site=standalone)
    forge = forge_for(site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=site.token,
    )
    clone = managed_clone_dir(config)
    assert (clone / ".git").is_dir()
    assert clone.is_relative_to(Path(os.environ["LPUBLISH_HOME"]))
    assert git(clone, "config", "remote.origin.partialclonefilter") == "blob:none"
    assert git(clone, "config", "core.sparseCheckout") == "true"
    # blobless for real: the server honoured the filter, files outside the touched folders were never fetched
    missing = git(clone, "rev-list", "--objects", "--missing=print", "HEAD").splitlines()
    assert len([line for line in missing if line.startswith("?")]) > 5
    # only the touched folder (plus top-level files of its parents) is checked out
    checked_out = {p.relative_to(clone).as_posix() for p in clone.rglob("*") if ".git" not in p.parts}
    assert "site/images/hero/hero.jpg" in checked_out and "site/lpublish.toml" in checked_out
    assert not any(p.startswith("site/templates") for p in checked_out)
    assert forge_site.repo.origin_show(first.branch, "site/images/hero/hero.jpg") == hero_jpeg.read_bytes()
    # a later submit reuses the same clone (fetches, does not clone again)
    marker = clone / ".git" / "lpublish-reuse-marker"
    marker.write_text("x", encoding="utf-8")
    product = make_jpeg(tmp_path / "p.jpg", (900, 900))
    second = service.submit(
        config,
        ChangeSet("Product", images=[ImageChange("product", product, "tea")]),
        forge=forge,
        token=site.token,
    )
    assert marker.exists() and second.number == first.number + 1
    files = forge_site.repo.origin_files(second.branch)
    # The second request does not carry the first one's hero: its hero is main's.
    bare = forge_site.repo.bare
    assert git(bare, "rev-parse", f"{second.branch}:site/images/hero/hero.jpg") == git(
        bare, "rev-parse", "main:site/images/hero/hero.jpg"
    )
    assert git(bare, "rev-parse", f"{first.branch}:site/images/hero/hero.jpg") != git(
        bare, "rev-parse", "main:site/images/hero/hero.jpg"
    )
    assert any(f.startswith("site/images/products/p") for f in files)
    # the second branch starts from main, not from the first request
    assert git(forge_site.repo.bare, "merge-base", second.branch, "main") == git(
        forge_site.repo.bare, "rev-parse", "main"
    )
    assert files_containing(clone, site.token) == []
    assert site.token not in (clone / ".git" / "config").read_text(encoding="utf-8")
