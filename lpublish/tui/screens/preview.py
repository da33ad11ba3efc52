"""Local preview of the designer's change: a throwaway copy of the site with the change applied,
built and served by ``lpublish.site.preview.PreviewServer`` on 127.0.0.1, opened in the browser.

Owns: ``start_preview`` (pending images) and ``start_campaign_preview`` (the campaign form). The copy
and the server run in a thread worker; servers are stopped when the app exits.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lpublish.i18n import t

if TYPE_CHECKING:
    from lpublish.tui.screens.base import BaseScreen
    from lpublish.tui.state import WorkDraft

# The build cache is not copied: the preview build reads and writes the real site's cache (keyed by
# content, never pruned by preview builds), so copying it would only cost time.
IGNORE = shutil.ignore_patterns(".git", "dist", "__pycache__", ".lpublish-cache")


def _staging_copy(screen: BaseScreen[Any], root: Path) -> Path:
    staging = screen.lapp.make_temp_dir("lpublish-preview-") / "site"
    config = screen.lapp.context.config
    if config is not None and config.build.adapter != "lpublish":
        from lpublish.site.adapters.base import staging_copy

        return staging_copy(config, staging)  # the generator's output left out, node_modules linked
    shutil.copytree(root, staging, ignore=IGNORE)
    return staging


def _apply_images(config: Any, staging: Path, work: WorkDraft) -> None:
    """Put the pending images where the request will put them (the same core rule as submit)."""
    from lpublish.assets.inspect import inspect_image
    from lpublish.publish.changeset import ImageChange
    from lpublish.publish.placement import place_image

    for image in work.images:
        if image.slot not in config.slots:
            continue
        info = inspect_image(image.publish, max_pixels=config.site.max_pixels)
        change = ImageChange(image.slot, image.publish, image.alt, image.replace)
        place_image(staging, config, change, fmt=info.format, sha256=info.sha256)
    if work.campaign_dir is not None and config.campaign.content_dir:
        from lpublish.site.campaign_entry import place_entry

        place_entry(config, None, None, prepared=work.campaign_dir, dest_root=staging)
    elif work.campaign_dir is not None:
        target = staging / config.site.campaigns_dir / work.campaign_dir.name
        shutil.copytree(work.campaign_dir, target, dirs_exist_ok=True)


def _serve(screen: BaseScreen[Any], staging: Path, page: str = "") -> None:
    from lpublish.config import load_config
    from lpublish.site.preview import PreviewServer

    app = screen.lapp
    # Share the real site's image cache: the staging copy has none, and re-encoding every image takes seconds.
    cache_dir = app.context.config.root / ".lpublish-cache" if app.context.config is not None else None
    server = PreviewServer(
        load_config(site=staging), watch=False, now=app.context.clock(), cache_dir=cache_dir
    )
    url = server.start()
    app.call_from_thread(app.preview_started, server, url.rstrip("/") + "/" + page.lstrip("/"))


def start_preview(screen: BaseScreen[Any], work: WorkDraft) -> None:
    """Build and open a preview of the pending work (in a worker)."""
    config = screen.lapp.context.require_config()

    def run() -> None:
        staging = _staging_copy(screen, config.root)
        _apply_images(config, staging, work)
        _serve(screen, staging)

    screen.notify(t("tui.preview.building"))
    screen.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group="preview")


def start_campaign_preview(screen: BaseScreen[Any], fields: dict[str, Any], images: dict[str, Path]) -> None:
    """Build and open a preview with the campaign form's page added."""
    config = screen.lapp.context.require_config()

    def run() -> None:
        from lpublish.site.campaigns import write_campaign

        staging = _staging_copy(screen, config.root)
        if config.campaign.content_dir:  # the site's own generator makes the page: its own entry
            from lpublish.site.campaign_entry import place_entry

            place_entry(config, fields, images, dest_root=staging)
            _serve(screen, staging)
            return
        write_campaign(config, fields, images, dest_root=staging)
        _serve(screen, staging, f"{config.site.campaigns_dir}/{fields.get('slug', '')}/")

    screen.notify(t("tui.preview.building"))
    screen.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group="preview")
