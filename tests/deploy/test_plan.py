"""The pure planner: content + header diff, renames as copies, grace period, guards, drift reconcile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from lpublish.config.sections import DeployGuards, HeaderRule
from lpublish.deploy.headers import headers_for
from lpublish.deploy.manifest import Entry, Manifest, iso
from lpublish.deploy.plan import Desired, RemoteObject, check_guards, plan_changes, reconcile

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def want(path: str, sha: str, rules: list[HeaderRule] | None = None) -> Desired:
    return Desired(path, sha, 10, headers_for(path, rules or []), str(Path("/nonexistent") / path))


def deployed(*items: tuple[str, str]) -> Manifest:
    return Manifest(files={p: Entry(sha, 10, headers_for(p, []), etag=f'"{sha}"') for p, sha in items})


def kinds(plan: object) -> dict[str, tuple[str, str]]:
    from lpublish.deploy.plan import Plan

    assert isinstance(plan, Plan)
    return {a.path: (a.kind, a.reason) for a in plan.writes + plan.deletes}


def test_first_deploy_uploads_everything_assets_before_pages() -> None:
    desired = {d.path: d for d in [want("index.html", "1"), want("img/a.png", "2"), want("sitemap.xml", "3")]}
    plan = plan_changes(desired, Manifest(), now=NOW)
    assert [a.path for a in plan.assets_phase] == ["img/a.png"]
    assert [a.path for a in plan.entry_phase] == ["index.html", "sitemap.xml"]
    assert plan.changed_paths == []  # new paths were never cached


def test_unchanged_content_and_headers_is_a_no_op() -> None:
    remote = deployed(("index.html", "1"), ("img/a.png", "2"))
    plan = plan_changes(
        {d.path: d for d in [want("index.html", "1"), want("img/a.png", "2")]}, remote, now=NOW
    )
    assert plan.empty and plan.unchanged == 2


def test_add_change_delete() -> None:
    remote = deployed(("index.html", "1"), ("old.html", "9"), ("img/a.png", "2"))
    desired = {
        d.path: d for d in [want("index.html", "1b"), want("img/a.png", "2"), want("img/new.png", "3")]
    }
    plan = plan_changes(desired, remote, now=NOW)
    assert kinds(plan) == {
        "index.html": ("upload", "changed"),
        "img/new.png": ("upload", "new"),
        "old.html": ("delete", "stale"),
    }
    assert sorted(plan.changed_paths) == ["index.html", "old.html"]


def test_header_only_change_is_a_copy_not_an_upload() -> None:
    remote = deployed(("index.html", "1"))
    rules = [HeaderRule(pattern="*.html", cache_control="no-store")]
    plan = plan_changes({"index.html": want("index.html", "1", rules)}, remote, now=NOW)
    assert kinds(plan) == {"index.html": ("copy", "headers")}
    assert plan.writes[0].copy_from == "index.html"
    assert plan.bytes_to_upload == 0


def test_rename_copies_from_the_old_key_then_deletes_it() -> None:
    remote = deployed(("img/old-name.png", "2"))
    plan = plan_changes({"img/new-name.png": want("img/new-name.png", "2")}, remote, now=NOW)
    assert kinds(plan) == {"img/new-name.png": ("copy", "rename"), "img/old-name.png": ("delete", "stale")}
    assert plan.writes[0].copy_from == "img/old-name.png"


def test_copy_source_is_never_a_key_being_overwritten() -> None:
    # b gets a's old bytes while a changes: copying from a would race with a's upload.
    remote = deployed(("a.png", "1"))
    plan = plan_changes({"a.png": want("a.png", "2"), "b.png": want("b.png", "1")}, remote, now=NOW)
    assert kinds(plan) == {"a.png": ("upload", "changed"), "b.png": ("upload", "new")}


def test_stale_hashed_assets_are_kept_for_the_grace_period_then_deleted() -> None:
    remote = deployed(("assets/app.0123456789ab.css", "1"), ("index.html", "x"))
    desired = {d.path: d for d in [want("assets/app.aaaaaaaaaaaa.css", "2"), want("index.html", "y")]}
    plan = plan_changes(desired, remote, now=NOW, grace_hours=72)
    assert plan.retained == ["assets/app.0123456789ab.css"]
    assert not plan.deletes
    assert "assets/app.0123456789ab.css" in plan.manifest.retained
    # before the grace period ends: still kept; after it: deleted, without being invalidated
    later = Manifest(files=plan.manifest.files, retained=plan.manifest.retained)
    # the manifest records what each file was uploaded with (the next plan compares against it)
    assert {path: entry.headers for path, entry in later.files.items()} == {
        path: wanted.headers for path, wanted in desired.items()
    }
    soon = plan_changes(desired, later, now=NOW + timedelta(hours=71))
    assert not soon.deletes and soon.retained == []
    assert "assets/app.0123456789ab.css" in soon.manifest.retained
    done = plan_changes(desired, later, now=NOW + timedelta(hours=73))
    assert [(a.path, a.reason) for a in done.deletes] == [("assets/app.0123456789ab.css", "expired")]
    assert "assets/app.0123456789ab.css" not in done.changed_paths


def test_protected_prefixes_are_never_deleted() -> None:
    remote = deployed((".well-known/security.txt", "1"), ("gone.html", "2"))
    plan = plan_changes({}, remote, now=NOW, protected_prefixes=[".well-known/"])
    assert [a.path for a in plan.deletes] == ["gone.html"]


def test_guards() -> None:
    remote = deployed(*[(f"p{i}.html", str(i)) for i in range(100)])
    desired = {f"p{i}.html": want(f"p{i}.html", str(i)) for i in range(30)}
    plan = plan_changes(desired, remote, now=NOW)
    keys = {p.key for p in check_guards(plan, DeployGuards())}
    assert keys == {"deploy.guard.shrunk", "deploy.guard.delete_count", "deploy.guard.delete_percent"}
    empty = plan_changes({}, Manifest(), now=NOW)
    assert [p.key for p in check_guards(empty, DeployGuards())] == ["deploy.guard.empty"]
    small = plan_changes(
        {**desired, **{f"p{i}.html": want(f"p{i}.html", str(i)) for i in range(95)}}, remote, now=NOW
    )
    assert check_guards(small, DeployGuards()) == []


def test_reconcile_detects_missing_modified_and_orphan_objects() -> None:
    manifest = deployed(("a.html", "1"), ("b.html", "2"), ("c.html", "3"))
    listing = {
        "a.html": RemoteObject(10, '"1"'),  # fine
        "b.html": RemoteObject(10, '"tampered"'),  # changed behind our back
        "orphan.html": RemoteObject(5, '"zz"'),  # not ours
        "d.html": RemoteObject(10, '"md5-of-d"'),  # same bytes as the local file
    }
    fixed, drift = reconcile(manifest, listing, {"d.html": '"md5-of-d"'}, protected_prefixes=[])
    assert drift == ["b.html", "c.html", "d.html", "orphan.html"]
    # unknown bytes stay listed (as unknown) so the planner replaces or deletes them
    assert set(fixed.files) == {"a.html", "b.html", "orphan.html", "d.html"}
    assert fixed.files["b.html"].sha256 == "?" and "c.html" not in fixed.files
    desired = {
        d.path: d
        for d in [want(p, s) for p, s in [("a.html", "1"), ("b.html", "2"), ("c.html", "3"), ("d.html", "4")]]
    }
    plan = plan_changes(desired, fixed, now=NOW, adopted_sha={"d.html": "4"}, drift=drift)
    assert kinds(plan) == {
        "b.html": ("upload", "drift"),
        "c.html": ("upload", "drift"),
        "d.html": ("copy", "headers"),
        "orphan.html": ("delete", "stale"),
    }


def test_manifest_round_trip() -> None:
    manifest = deployed(("a.html", "1"))
    manifest.retained = {"assets/x.0123456789.css": Entry("2", 3, None, until=iso(NOW))}
    manifest.pending = {"deploy_id": "x", "invalidate": ["/a.html"], "delete": []}
    again = Manifest.from_json(manifest.to_json())
    assert again == manifest


def test_default_guards_are_the_config_defaults() -> None:
    """``Guards`` (no config loaded) and ``[deploy.targets.*.guards]`` defaults must never drift apart."""
    from dataclasses import asdict

    from lpublish.deploy.plan import Guards

    assert asdict(Guards()) == DeployGuards().model_dump()
