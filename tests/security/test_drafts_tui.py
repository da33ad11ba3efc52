"""Item 6 in the designer's screen: a damaged draft is announced (not silently gone) and the others
still show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lpublish.publish.changeset import ChangeSet, ImageChange
from lpublish.publish.drafts import DraftStore
from lpublish.tui.app import LpublishApp
from tests.plugins.images import make_jpeg
from tests.plugins.screens import screen_text, settle

pytestmark = pytest.mark.anyio


async def test_damaged_draft_is_announced_in_the_requests_screen(
    practice_app: Callable[..., LpublishApp],
    tmp_path: Path,
) -> None:
    app = practice_app()
    session = app.context.practice
    assert session is not None
    store = DraftStore()
    for title in ("Kept draft", "Broken draft"):
        image = make_jpeg(tmp_path / f"{title}.jpg", (1920, 800))
        store.create(
            ChangeSet(title, images=[ImageChange("hero", image, "Tea", "hero.jpg")]),
            repo=session.config.forge.repo,
            site=session.config.root,
        )
    broken = next(d for d in store.list() if d.changeset.title == "Broken draft")
    (store.root / broken.id / "draft.json").write_bytes(b"\x00\xff binary garbage")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot, 3)
        text = screen_text(app)
        assert "Kept draft" in text
        # The notification the app raised (Textual keeps them on the app; toasts are not in the
        # compositor's text).
        notes = [str(n.message) for n in app._notifications]
        assert any(f"Damaged saved change {broken.id}" in n and "nothing was deleted" in n for n in notes), (
            notes
        )
    assert (store.root / ".damaged" / broken.id / "files").is_dir()
