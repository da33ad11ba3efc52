"""End to end: submit, update, withdraw and status against the local forge over real git (HTTP + bare repo).

The designer's clone is deliberately messy (another branch, staged and unstaged edits, untracked files,
a stash) and must be exactly the same afterwards; the token must not appear anywhere on disk or in output.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.errors import ContentError, ExternalError, UsageError
from lpublish.progress import ProgressCallback, ProgressEvent
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.drafts import DraftStore
from lpublish.publish.request_body import parse_marker
from lpublish.publish.request_status import list_requests
from lpublish.publish.validate_change import validate_changeset
from tests.plugins.forge import REVIEWER, USER_ID, ForgeSite, config_for, forge_for
from tests.plugins.gitrepos import git
from tests.plugins.images import make_jpeg
from tests.plugins.leaks import files_containing
from tests.publish.conftest import sha256


def snapshot(clone: Path) -> dict[str, object]:
    """Everything a designer could notice about their checkout."""
    files = {}
    for path in sorted(clone.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(clone).parts:
            files[path.relative_to(clone).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {
        "status": git(clone, "status", "--porcelain=v2", "--branch", "--untracked-files=all"),
        "head": git(clone, "rev-parse", "HEAD"),
        "branch": git(clone, "branch", "--show-current"),
        "branches": git(clone, "branch", "--list"),
        "stash": git(clone, "stash", "list"),
        "staged": git(clone, "diff", "--cached"),
        "config": (clone / ".git" / "config").read_bytes(),
        "files": files,
    }


def make_messy(clone: Path) -> None:
    git(clone, "switch", "--quiet", "-c", "my-work")
    (clone / "site" / "pages" / "index.md").write_text("half-finished edit\n", encoding="utf-8")
    (clone / "notes.txt").write_text("untracked notes\n", encoding="utf-8")
    (clone / "README.md").write_text("# staged change\n", encoding="utf-8")
    git(clone, "add", "README.md")
    (clone / "stashed.txt").write_text("to stash\n", encoding="utf-8")
    git(clone, "stash", "push", "--quiet", "--include-untracked", "--", "stashed.txt")


def test_submit_opens_a_pull_request_and_leaves_the_checkout_alone(
    forge_site: ForgeSite,
    hero_jpeg: Path,
    product_jpeg: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    clone = forge_site.repo.clone
    make_messy(clone)
    before = snapshot(clone)
    config = config_for(forge_site)
    changeset = ChangeSet(
        "New summer hero",
        "For the July campaign.",
        [
            ImageChange("hero", hero_jpeg, "Tea field at dawn"),
            ImageChange("product", product_jpeg, "抹茶ラテ"),
        ],
    )
    main_before = git(forge_site.repo.bare, "rev-parse", "main")
    result = service.submit(config, changeset, forge=forge_for(forge_site), token=forge_site.token)

    assert result.number == 1
    assert result.url == f"{forge_site.url}/acme/lp/pull/1"
    assert result.branch.startswith("lpublish/hana/") and result.branch.endswith("-new-summer-hero")
    assert result.warnings == []
    # the designer's checkout is exactly as it was
    assert snapshot(clone) == before
    assert git(clone, "worktree", "list").count("\n") == 0
    # the files are on the branch, where the config says, with alt text
    bare = forge_site.repo
    files = bare.origin_files(result.branch)
    assert "site/images/hero/hero.jpg" in files
    product = [f for f in files if f.startswith("site/images/products/") and f not in bare.origin_files()]
    # a Japanese file name becomes a safe ASCII name (slot + content hash)
    assert product == [f"site/images/products/product-{sha256(product_jpeg)[:8]}.jpg"]
    assert bare.origin_show(result.branch, "site/images/hero/hero.jpg") == hero_jpeg.read_bytes()
    # alt text goes where the site reads it: the hero's key and the new product entry, and the page's
    # diff is exactly those lines (the hero keeps its name, so its key does not change)
    page = bare.origin_show(result.branch, "site/pages/index.md").decode()
    before_page = bare.origin_show("main", "site/pages/index.md").decode()
    assert "site/images/hero/alt.toml" not in files
    diff = [
        line
        for line in difflib.unified_diff(before_page.splitlines(), page.splitlines(), n=0, lineterm="")
        if not line.startswith(("---", "+++", "@@"))
    ]
    assert diff == [
        "-  alt: 満月と星が輝く夜空の下、なだらかな山並みが紫色の夕暮れに沈んでいく風景",
        "+  alt: Tea field at dawn",
        f"+  - image: images/products/product-{sha256(product_jpeg)[:8]}.jpg",
        "+    alt: 抹茶ラテ",
    ]
    # main is untouched until a reviewer merges
    assert git(bare.bare, "rev-parse", "main") == main_before
    assert bare.origin_show("main", "site/images/hero/hero.jpg") != hero_jpeg.read_bytes()
    # the commit is by the designer's GitHub identity, with the private noreply address
    author = git(bare.bare, "log", "-1", "--format=%an <%ae>|%cn <%ce>", result.branch)
    assert (
        author
        == f"Hana Sato <{USER_ID}+hana@users.noreply.127.0.0.1>|Hana Sato <{USER_ID}+hana@users.noreply.127.0.0.1>"
    )
    message = git(bare.bare, "log", "-1", "--format=%B", result.branch)
    assert (
        message.startswith("New summer hero\n")
        and "site/images/hero/hero.jpg (hero, site/pages/index.md hero.image)" in message
    )
    # the pull request: base, labels, reviewers, body with table, thumbnails, checklist and marker
    pull = forge_site.forge.pull(1)
    assert pull["base"]["ref"] == "main" and pull["head"]["ref"] == result.branch
    assert [label["name"] for label in pull["labels"]] == ["lpublish", "content"]
    assert [r["login"] for r in pull["requested_reviewers"]] == [REVIEWER]
    assert [team["slug"] for team in pull["requested_teams"]] == ["web"]
    body = pull["body"]
    assert "| `site/images/hero/hero.jpg` |" in body and "2400×1000" in body
    # thumbnails are pinned to the commit, so they keep working after the branch is deleted
    commit = git(bare.bare, "rev-parse", result.branch)
    assert f"{forge_site.url}/acme/lp/raw/{commit}/site/images/hero/hero.jpg" in body
    assert "Alt text: Tea field at dawn" in body
    assert "- [ ]" in body and "For the July campaign." in body
    marker = parse_marker(body)
    assert marker is not None and marker["login"] == "hana" and len(marker["files"]) == 2
    # the raw URL used for thumbnails really serves the image
    import httpx

    raw = httpx.get(f"{forge_site.url}/acme/lp/raw/{commit}/site/images/hero/hero.jpg")
    assert raw.status_code == 200 and raw.content == hero_jpeg.read_bytes()
    # the draft is gone once the PR is open
    assert DraftStore().list() == []
    # the token is nowhere: not in any file (clone, .git, drafts, caches, the bare repo), not in output
    out, err = capfd.readouterr()
    assert forge_site.token not in out + err
    assert files_containing(tmp_path, forge_site.token) == []
    assert files_containing(Path(__import__("os").environ["LPUBLISH_HOME"]), forge_site.token) == []


def test_second_submit_the_same_day_gets_a_unique_branch(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "a")]),
        forge=forge,
        token=forge_site.token,
    )
    other = make_jpeg(hero_jpeg.with_name("other.jpg"), (2400, 1000), (10, 20, 200))
    second = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", other, "b")]),
        forge=forge,
        token=forge_site.token,
    )
    assert second.branch == first.branch + "-2"
    assert second.number == first.number + 1


def test_invalid_image_is_refused_before_anything_is_sent(forge_site: ForgeSite, tmp_path: Path) -> None:
    small = make_jpeg(tmp_path / "small.jpg", (300, 200))
    config = config_for(forge_site)
    with pytest.raises(ContentError) as exc:
        service.submit(
            config,
            ChangeSet("Too small", images=[ImageChange("hero", small, "x")]),
            forge=forge_for(forge_site),
            token=forge_site.token,
        )
    assert exc.value.exit_code == 1 and exc.value.details
    assert forge_site.forge.requests == []
    assert DraftStore().list() == []


def test_unknown_slot_and_empty_changeset_are_usage_errors(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    config = config_for(forge_site)
    with pytest.raises(UsageError):
        validate_changeset(config, ChangeSet("x", images=[ImageChange("nope", hero_jpeg)]))
    with pytest.raises(UsageError):
        validate_changeset(config, ChangeSet("x"))


def test_update_adds_a_commit_to_the_same_branch_and_refreshes_the_body(
    forge_site: ForgeSite, hero_jpeg: Path, product_jpeg: Path
) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", "The summer hero.", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    head_before = git(forge_site.repo.bare, "rev-parse", first.branch)
    result = service.update(
        config,
        first.number,
        ChangeSet("", "And a latte photo.", images=[ImageChange("product", product_jpeg, "latte")]),
        forge=forge,
        token=forge_site.token,
    )
    assert result.number == first.number and result.branch == first.branch
    assert result.updated and not first.updated
    # The body still describes the whole request: both notes, both files, each pinned to its commit.
    body = forge_site.forge.pull(first.number)["body"]
    assert "The summer hero." in body and "And a latte photo." in body
    assert f"/raw/{head_before}/site/images/hero/hero.jpg" in body
    head_after = git(forge_site.repo.bare, "rev-parse", first.branch)
    assert f"/raw/{head_after}/site/images/products/" in body
    assert "Alt text: dawn" in body and "Alt text: latte" in body
    assert git(forge_site.repo.bare, "rev-parse", f"{first.branch}~1") == head_before
    files = forge_site.repo.origin_files(first.branch)
    assert "site/images/hero/hero.jpg" in files
    marker = parse_marker(forge_site.forge.pull(first.number)["body"])
    assert marker is not None and {f["slot"] for f in marker["files"]} == {"hero", "product"}


def test_update_builds_on_a_colleague_commit_pushed_before_it_started(
    forge_site: ForgeSite, hero_jpeg: Path, product_jpeg: Path, tmp_path: Path
) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    # a colleague adds a commit to the branch through the bare repo
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", "--branch", first.branch, str(forge_site.repo.bare), str(other))
    (other / "site" / "pages" / "colleague.md").write_text("hello\n", encoding="utf-8")
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", "Colleague's fix")
    git(other, "push", "--quiet", "origin", first.branch)
    theirs = git(other, "rev-parse", "HEAD")
    result = service.update(
        config,
        first.number,
        ChangeSet("", images=[ImageChange("product", product_jpeg, "l")]),
        forge=forge,
        token=forge_site.token,
    )
    # the update started from the branch as it is now: theirs kept, ours on top
    assert git(forge_site.repo.bare, "rev-parse", f"{result.branch}~1") == theirs
    assert forge_site.repo.origin_show(result.branch, "site/pages/colleague.md") == b"hello\n"


def _push_once_when_we_push(colleague: Path, branch: str, change: Callable[[Path], None]) -> ProgressCallback:
    """A progress callback: the moment our commit is made and about to be pushed, a colleague commits
    ``change`` to ``branch`` and pushes it (once), so our push is refused as not a fast-forward."""
    done: list[str] = []

    def callback(event: ProgressEvent) -> None:
        if event.stage == "publish.progress.push" and not done:
            change(colleague)
            git(colleague, "commit", "--quiet", "-am", "Colleague's change")
            git(colleague, "push", "--quiet", "origin", branch)
            done.append(git(colleague, "rev-parse", "HEAD"))

    return callback


def test_update_rebases_when_a_colleague_pushed_while_it_was_committing(
    forge_site: ForgeSite, hero_jpeg: Path, product_jpeg: Path, tmp_path: Path
) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    first_head = git(forge_site.repo.bare, "rev-parse", first.branch)
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", "--branch", first.branch, str(forge_site.repo.bare), str(colleague))

    def add_a_page(clone: Path) -> None:
        (clone / "site" / "pages" / "colleague.md").write_text("hello\n", encoding="utf-8")
        git(clone, "add", "site/pages/colleague.md")

    result = service.update(
        config,
        first.number,
        ChangeSet("", images=[ImageChange("product", product_jpeg, "latte")]),
        forge=forge,
        token=forge_site.token,
        progress=_push_once_when_we_push(colleague, first.branch, add_a_page),
    )
    theirs = git(colleague, "rev-parse", "HEAD")
    bare = forge_site.repo
    # our commit was made before theirs existed: it was replayed on top of theirs, nothing forced
    assert git(bare.bare, "rev-parse", f"{theirs}~1") == first_head
    assert git(bare.bare, "rev-parse", f"{result.branch}~1") == theirs
    assert git(bare.bare, "log", "-1", "--format=%an", result.branch) == "Hana Sato"
    # both changes are on the branch
    assert bare.origin_show(result.branch, "site/pages/colleague.md") == b"hello\n"
    page = bare.origin_show(result.branch, "site/pages/index.md").decode()
    assert "alt: latte" in page and "alt: dawn" in page
    # the request pins its new file to the rebased commit (the one on the branch), not the local one
    head = git(bare.bare, "rev-parse", result.branch)
    marker = parse_marker(forge_site.forge.pull(first.number)["body"])
    assert marker is not None
    (product,) = [f for f in marker["files"] if f["slot"] == "product"]
    assert product["commit"] == head
    assert DraftStore().list() == []


def test_withdraw_closes_deletes_the_branch_and_keeps_a_backup(
    forge_site: ForgeSite, hero_jpeg: Path
) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    pushed = git(forge_site.repo.bare, "rev-parse", first.branch)
    backup = service.withdraw(config, first.number, forge=forge, token=forge_site.token)
    assert backup == f"refs/lpublish/backup/{first.branch}"
    assert forge_site.forge.pull(first.number)["state"] == "closed"
    assert first.branch not in git(forge_site.repo.bare, "branch", "--list")
    assert git(forge_site.repo.clone, "rev-parse", backup) == pushed


def test_status_follows_a_request_from_checks_to_live(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    server = forge_site.forge
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    # an unrelated PR by someone else, without the marker, is not listed
    (status,) = list_requests(config, forge=forge)
    assert status.number == first.number and status.state == "in-review"
    assert status.preview_url == f"https://previews.hoshizora-tea.example/pr-{first.number}/"
    server.set_check(first.number, "lpublish check", status="in_progress", conclusion=None)
    assert list_requests(config, forge=forge)[0].state == "checks-running"
    server.set_check(first.number, "lpublish check", conclusion="failure")
    assert list_requests(config, forge=forge)[0].state == "checks-failed"
    server.set_check(first.number, "lpublish check", conclusion="success")
    server.request_changes(first.number, REVIEWER)
    assert list_requests(config, forge=forge)[0].state == "changes-requested"
    server.approve(first.number, REVIEWER)
    (approved,) = list_requests(config, forge=forge)
    assert approved.state == "approved" and approved.checks == {
        "total": 1,
        "passed": 1,
        "failed": 0,
        "running": 0,
    }
    sha = server.merge(first.number)
    assert git(forge_site.repo.bare, "rev-parse", "main") == sha
    assert forge_site.repo.origin_show("main", "site/images/hero/hero.jpg") == hero_jpeg.read_bytes()
    assert list_requests(config, forge=forge)[0].state == "merged"
    server.add_deployment(
        first.number, "production", "success", environment_url="https://www.hoshizora-tea.example/"
    )
    (live,) = list_requests(config, forge=forge)
    assert live.state == "live" and live.deployed and live.live_url == "https://www.hoshizora-tea.example/"


def test_withdrawn_request_shows_as_closed(forge_site: ForgeSite, hero_jpeg: Path) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    service.withdraw(config, first.number, forge=forge, token=forge_site.token)
    assert list_requests(config, forge=forge)[0].state == "closed"
    with pytest.raises(ContentError):
        service.update(
            config,
            first.number,
            ChangeSet("", images=[ImageChange("hero", hero_jpeg, "x")]),
            forge=forge,
            token=forge_site.token,
        )


def test_update_stops_without_force_when_the_branch_moved_with_a_conflict(
    forge_site: ForgeSite, hero_jpeg: Path, tmp_path: Path
) -> None:
    config = config_for(forge_site)
    forge = forge_for(forge_site)
    first = service.submit(
        config,
        ChangeSet("Hero", images=[ImageChange("hero", hero_jpeg, "dawn")]),
        forge=forge,
        token=forge_site.token,
    )
    colleague = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", "--branch", first.branch, str(forge_site.repo.bare), str(colleague))

    def change_the_same_alt_text(clone: Path) -> None:
        page = clone / "site" / "pages" / "index.md"
        text = page.read_text(encoding="utf-8")
        assert "  alt: dawn\n" in text
        page.write_text(text.replace("  alt: dawn\n", "  alt: theirs\n"), encoding="utf-8")

    with pytest.raises(ExternalError) as exc:
        service.update(
            config,
            first.number,
            ChangeSet("", images=[ImageChange("hero", hero_jpeg, "ours")]),
            forge=forge,
            token=forge_site.token,
            progress=_push_once_when_we_push(colleague, first.branch, change_the_same_alt_text),
        )
    assert exc.value.key == "publish.branch_moved" and "Nothing was overwritten" in exc.value.hint
    # their work is the branch, exactly: the rebase stopped, nothing of ours was pushed over it
    theirs = git(colleague, "rev-parse", "HEAD")
    assert git(forge_site.repo.bare, "rev-parse", first.branch) == theirs
    page = forge_site.repo.origin_show(first.branch, "site/pages/index.md").decode()
    assert "  alt: theirs\n" in page and "alt: ours" not in page
    # ours waits in a draft
    (draft,) = DraftStore().list()
    assert draft.kind == "update" and draft.error == "publish.branch_moved"
    assert [image.alt for image in draft.changeset.images] == ["ours"]
