"""Item 6: the designer's saved work survives damage, newer formats and refusals.

Today's behaviour: a truncated or binary ``draft.json`` made that draft vanish from ``lpublish drafts``
while its files stayed on disk; ``changeset: null`` broke ``lpublish drafts`` for every draft;
``version: 99`` was read as version 1; ``service.submit`` with campaign fields and a too-small hero
created a draft, refused, and deleted the draft with the form's text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lpublish.errors import ContentError, UsageError
from lpublish.publish import service
from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.drafts import DraftStore
from tests.plugins.cli import run_cli
from tests.plugins.forge import ForgeSite, config_for, forge_for
from tests.plugins.images import make_jpeg
from tests.security.conftest import jpeg_bytes


def _saved(store: DraftStore, tmp_path: Path, title: str) -> str:
    photo = tmp_path / f"{title}.jpg"
    photo.write_bytes(jpeg_bytes())
    draft = store.create(
        ChangeSet(title, images=[ImageChange("hero", photo, "alt")]), repo="a/b", site=tmp_path
    )
    return draft.id


CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2],
    "binary": lambda text: text,  # replaced by random bytes below
    "changeset-null": lambda text: json.dumps({**json.loads(text), "changeset": None}),
    "not-an-object": lambda text: "[1, 2, 3]",
}


@pytest.mark.parametrize("damage", sorted(CORRUPTIONS))
def test_damaged_draft_is_reported_and_moved_aside(
    damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DraftStore()
    good = _saved(store, tmp_path, "good")
    bad = _saved(store, tmp_path, "bad")
    record = store.root / bad / "draft.json"
    if damage == "binary":
        record.write_bytes(os.urandom(64) + b"\xff\xfe\x00")
    else:
        record.write_text(CORRUPTIONS[damage](record.read_text(encoding="utf-8")), encoding="utf-8")
    copied = sorted(p.relative_to(store.root / bad) for p in (store.root / bad).rglob("*") if p.is_file())

    code, out, err = run_cli(["drafts"], capsys)
    assert code == 0
    assert good in out and bad not in out
    assert f"Damaged saved change {bad}" in err and "nothing was deleted" in err
    moved = store.root / ".damaged" / bad
    assert sorted(p.relative_to(moved) for p in moved.rglob("*") if p.is_file()) == copied
    assert [d.id for d in store.list()] == [good]


def test_damaged_draft_resumed_by_id_gets_a_plain_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DraftStore()
    bad = _saved(store, tmp_path, "bad")
    (store.root / bad / "draft.json").write_text('{"version": 1, "id": "', encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        store.get(bad)
    assert exc.value.key == "security.draft.damaged" and (store.root / ".damaged" / bad).is_dir()


def test_newer_version_is_not_read_as_version_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = DraftStore()
    good = _saved(store, tmp_path, "good")
    newer = _saved(store, tmp_path, "newer")
    record = store.root / newer / "draft.json"
    record.write_text(
        json.dumps({**json.loads(record.read_text(encoding="utf-8")), "version": 99}), encoding="utf-8"
    )
    with pytest.raises(UsageError) as exc:
        store.get(newer)
    assert exc.value.key == "security.draft.newer" and "format 99" in exc.value.message
    code, out, err = run_cli(["drafts"], capsys)
    assert code == 0 and good in out and f"{newer} is from a newer lpublish (format 99)" in err
    assert record.is_file()  # left where it is for the newer lpublish
    code, _, err = run_cli(["drafts", "--resume", newer], capsys)
    assert code == 2 and "newer lpublish" in err


def test_refused_campaign_keeps_the_form_text(forge_site: ForgeSite, tmp_path: Path) -> None:
    small = make_jpeg(tmp_path / "small.jpg", (320, 180))
    fields = {
        "title": "冬のティーフェア",
        "slug": "winter-tea-2026",
        "summary": "冬限定のブレンドをお届けします。",
        "start": "2026-12-01T00:00:00+09:00",
        "hero_alt": "雪景色の中の湯気の立つティーカップ",
        "cta_label": "冬限定ブレンドを見る",
        "cta_url": "https://shop.hoshizora-tea.example/collections/winter-2026",
        "body": "## 冬の夜に\n\n時間をかけて書いた本文。\n",
    }
    changeset = ChangeSet("Winter fair", campaign_fields=fields, campaign_images={"hero": small})
    with pytest.raises(ContentError):
        service.submit(config_for(forge_site), changeset, forge=forge_for(forge_site), token=forge_site.token)
    (draft,) = DraftStore().list()
    assert draft.changeset.campaign_fields is not None
    assert draft.changeset.campaign_fields["body"] == fields["body"]
    assert draft.error == "publish.refused"
    assert draft.changeset.campaign_images["hero"].read_bytes() == small.read_bytes()
    assert forge_site.forge.pulls() == []


def test_submitted_campaign_lists_every_file_it_publishes(forge_site: ForgeSite, tmp_path: Path) -> None:
    """Item 1 (the PR body): reviewers see every file the page publishes, body images included."""
    import shutil

    folder = tmp_path / "autumn-tea-2026"
    shutil.copytree(forge_site.site / "campaigns" / "autumn-tea-2026", folder)
    (folder / "cup.jpg").write_bytes(jpeg_bytes())
    index = folder / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n![a cup](cup.jpg)\n", encoding="utf-8")
    result = service.submit(
        config_for(forge_site),
        ChangeSet("Cup", campaign_dir=folder),
        forge=forge_for(forge_site),
        token=forge_site.token,
    )
    (pull,) = forge_site.forge.pulls()
    assert pull["number"] == result.number
    body = pull["body"]
    assert "Files the page publishes" in body
    assert "- `site/campaigns/autumn-tea-2026/cup.jpg`" in body
    assert "- `site/campaigns/autumn-tea-2026/hero.jpg`" in body


def test_submit_refuses_a_hostile_body_image(forge_site: ForgeSite, tmp_path: Path) -> None:
    import shutil

    from tests.security.conftest import EVIL_SVG

    folder = tmp_path / "autumn-tea-2026"
    shutil.copytree(forge_site.site / "campaigns" / "autumn-tea-2026", folder)
    (folder / "evil.svg").write_bytes(EVIL_SVG)
    index = folder / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n![x](evil.svg)\n", encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        service.submit(
            config_for(forge_site),
            ChangeSet("Evil", campaign_dir=folder),
            forge=forge_for(forge_site),
            token=forge_site.token,
        )
    assert any("evil.svg" in d and "script" in d.lower() for d in exc.value.details)
    assert forge_site.forge.pulls() == []
