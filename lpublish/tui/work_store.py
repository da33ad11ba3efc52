"""The designer's unsent work on disk: every prepared item is in the draft store the moment it exists.

Owns: ``save_work`` (write the ``WorkDraft`` as a draft: copies of the files, alt texts, chosen slots and
names, the campaign form's text), ``load_work`` (the newest unsent work for this site, on start) and
``forget_work``. It uses ``DraftStore``'s own API: a draft whose ``extra`` carries ``WORK_KEY`` is work in
progress of the TUI (once pushed, the publish flow replaces ``extra`` with its own data). Writes are
atomic (the store writes ``draft.json`` through a temporary file and ``os.replace``), and a new copy is
written before the old one is removed, so a crash at any moment leaves the work on disk.
No UI imports.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.errors import LpublishError
from lpublish.i18n import t
from lpublish.publish.drafts import Draft, DraftStore
from lpublish.tui.state import PendingImage, WorkDraft

if TYPE_CHECKING:
    from lpublish.config import SiteConfig

log = logging.getLogger(__name__)

#: Key in ``Draft.extra`` that marks a draft as the TUI's work in progress.
WORK_KEY = "tui_work"


def _signature(work: WorkDraft) -> list[Any]:
    """What needs new file copies when it changes (text changes only rewrite ``draft.json``)."""
    return [[str(i.publish), i.name, i.slot, i.replace] for i in work.images] + [
        str(work.campaign_dir) if work.campaign_dir else None,
        {k: str(v) for k, v in sorted(work.campaign_images.items())},
    ]


def _extra(work: WorkDraft) -> dict[str, Any]:
    return {
        WORK_KEY: {
            "version": 1,
            "images": [
                {"original_name": i.source.name, "original_path": str(i.source), "name": i.name}
                for i in work.images
            ],
            "campaign_title": work.campaign_title,
            "campaign_form": dict(work.campaign_form),
            "signature": _signature(work),
        }
    }


def save_work(work: WorkDraft, config: SiteConfig, store: DraftStore | None = None) -> None:
    """Put ``work`` on disk now (called after every change the designer makes).

    When only text changed (alt, title, note, campaign form, whether it updates a request) the existing
    draft is rewritten in place; when files changed, a new draft with copies of every file is written
    first and the old one removed. Empty work removes its draft. This is also the one save before
    sending: the publish flow then prepares and sends this draft as it is (``service.prepare``, ``send``).
    """
    store = store or DraftStore()
    if not work.unsent:
        forget_work(work, store)
        return
    changeset = work.to_changeset(work.title, work.note)
    if work.draft_id is not None:
        try:
            draft = store.get(work.draft_id)
        except LpublishError:
            work.draft_id = None
        else:
            if draft.stage != "prepared":
                # A send stopped after the branch was pushed: the draft now holds what the request
                # body needs, and the next send only opens the pull request. Keep it; new text only.
                draft.changeset.title = work.title
                draft.changeset.note = work.note
                draft.error = None
                store.save(draft)
                return
            saved = (draft.extra or {}).get(WORK_KEY, {})
            if saved.get("signature") == _signature(work):
                for change, image in zip(draft.changeset.images, work.images, strict=True):
                    change.alt = image.alt
                draft.changeset.title = work.title
                draft.changeset.note = work.note
                draft.changeset.campaign_fields = changeset.campaign_fields
                # "Send as a new request" after the request being updated went away.
                draft.kind = "update" if work.update_number is not None else "submit"
                draft.number = work.update_number
                draft.error = None
                draft.extra = _extra(work)
                store.save(draft)
                return
    old_id = work.draft_id
    with tempfile.TemporaryDirectory(prefix="lpublish-work-") as staging:
        # The draft keeps each file under its name; the name is what the site will call it.
        for index, (change, image) in enumerate(zip(changeset.images, work.images, strict=True)):
            if image.name and image.name != change.source.name:
                named = Path(staging) / f"{index:03d}" / image.name
                named.parent.mkdir()
                shutil.copyfile(change.source, named)
                change.source = named
        kind = "update" if work.update_number is not None else "submit"
        draft = store.create(
            changeset, repo=config.forge.repo, site=config.root, kind=kind, number=work.update_number
        )
    for image, change in zip(work.images, draft.changeset.images, strict=True):
        image.publish = change.source
    if draft.changeset.campaign_dir is not None:
        work.campaign_dir = draft.changeset.campaign_dir
    work.campaign_images = dict(draft.changeset.campaign_images)
    work.draft_id = draft.id
    draft.extra = _extra(work)
    store.save(draft)
    if old_id is not None and old_id != draft.id:
        store.delete(old_id)
    log.debug("work saved as draft %s", draft.id)


def forget_work(work: WorkDraft, store: DraftStore | None = None) -> None:
    """Remove the work's draft (the designer cleared it, or it was sent)."""
    store = store or DraftStore()
    if work.draft_id is not None:
        try:
            draft = store.get(work.draft_id)
        except LpublishError:
            draft = None
        if draft is not None and WORK_KEY in (draft.extra or {}):
            store.delete(work.draft_id)
    work.draft_id = None


def is_work(draft: Draft) -> bool:
    return draft.stage == "prepared" and WORK_KEY in (draft.extra or {})


def load_work(
    config: SiteConfig,
    store: DraftStore | None = None,
    *,
    on_problem: Callable[[str], None] | None = None,
) -> WorkDraft | None:
    """The newest unsent work for this site (``None`` when there is none).

    Reading the store moves damaged drafts aside; ``on_problem`` gets a plain message for each (and for
    drafts from a newer lpublish), so none vanishes without the designer being told.
    """
    store = store or DraftStore()
    root = str(config.root)
    listing = store.scan()
    if on_problem is not None:
        for bad in listing.damaged:
            on_problem(t("security.draft.cli.damaged", id=bad.id, reason=t(bad.reason), folder=bad.folder))
        for newer in listing.newer:
            on_problem(t("security.draft.cli.newer", id=newer.id, version=newer.version))
    found = [d for d in listing.drafts if is_work(d) and d.site == root and d.repo == config.forge.repo]
    if not found:
        return None
    return work_from_draft(found[-1])


def work_from_draft(draft: Draft) -> WorkDraft:
    """Rebuild the TUI's work from a draft (files are the draft's own copies)."""
    saved = (draft.extra or {}).get(WORK_KEY, {})
    names = saved.get("images", [])
    work = WorkDraft()
    for index, change in enumerate(draft.changeset.images):
        meta = names[index] if index < len(names) else {}
        original = meta.get("original_path") or str(change.source)
        source = Path(original).with_name(meta.get("original_name") or change.source.name)
        work.images.append(
            PendingImage(
                change.slot,
                source,
                change.source,
                change.alt,
                change.replace,
                name=str(meta.get("name") or change.source.name),
                original_bytes=change.original_bytes,
            )
        )
    work.campaign_dir = draft.changeset.campaign_dir
    work.campaign_fields = draft.changeset.campaign_fields
    work.campaign_images = dict(draft.changeset.campaign_images)
    work.campaign_title = str(saved.get("campaign_title", ""))
    work.campaign_form = dict(saved.get("campaign_form") or {})
    work.draft_id = draft.id
    work.title = draft.changeset.title
    work.note = draft.changeset.note
    work.update_number = draft.number if draft.kind == "update" else None
    return work
