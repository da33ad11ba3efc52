"""Local preview of the designer's change: a throwaway copy of the site with the change applied (by the
core's ``lpublish.publish.place_change.stage_change``, the same placing a request gets), built and
served by ``lpublish.site.preview.PreviewServer`` on 127.0.0.1, opened in the browser.

Owns: ``start_preview`` (the pending work, or the campaign form's page as a change). The copy and the
server run in a thread worker; servers are stopped when the app exits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lpublish.i18n import t

if TYPE_CHECKING:
    from lpublish.publish.changeset import ChangeSet
    from lpublish.tui.screens.base import BaseScreen


def start_preview(screen: BaseScreen[None], changeset: ChangeSet, *, open_page: bool = False) -> None:
    """Build and open a preview of ``changeset`` (in a worker); ``open_page`` opens the campaign's
    own page instead of the home page."""
    app = screen.lapp
    config = app.context.require_config()

    def run() -> None:
        from lpublish.config import load_config
        from lpublish.publish.place_change import stage_change
        from lpublish.site.preview import PreviewServer

        staged = stage_change(config, changeset, app.make_temp_dir("lpublish-preview-") / "site")
        # Share the real site's image cache: the copy has none, and re-encoding every image takes seconds.
        server = PreviewServer(
            load_config(site=staged.site_dir),
            watch=False,
            now=app.context.clock(),
            cache_dir=config.root / ".lpublish-cache",
        )
        url = server.start().rstrip("/") + "/" + (staged.page if open_page else "")
        app.call_from_thread(app.preview_started, server, url)

    screen.notify(t("tui.preview.building"))
    screen.run_worker(run, thread=True, exclusive=True, exit_on_error=False, group="preview")
