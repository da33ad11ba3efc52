"""My requests: the designer's pull requests with their status in plain words, and their saved drafts.

Owns: ``RequestsScreen``: open a request or its preview, add or replace files in it, withdraw it,
resume a saved draft, and, in practice mode, let the simulated reviewer approve and merge (which builds
and deploys the practice site and opens the "live" page). Network calls run in thread workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from lpublish.i18n import t
from lpublish.publish.request_status import REQUEST_STATES
from lpublish.tui.screens.base import BaseScreen, show_binding
from lpublish.tui.state import PendingImage
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.publish.drafts import Draft
    from lpublish.publish.request_status import RequestStatus


def state_text(state: str) -> str:
    return t(f"tui.state.{state}") if state in REQUEST_STATES else state


class RequestsLoaded(Message):
    def __init__(self, requests: list[RequestStatus], drafts: list[Draft]) -> None:
        super().__init__()
        self.requests = requests
        self.drafts = drafts


class PracticeDone(Message):
    """The simulated reviewer acted; ``url`` is the live page after a merge."""

    def __init__(self, number: int, action: str, url: str | None) -> None:
        super().__init__()
        self.number = number
        self.action = action
        self.url = url


class RequestsScreen(BaseScreen[None]):
    """A table of requests (and drafts) with actions on the selected one."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#requests-table"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open", "tui.key.open"),
        Binding("p", "preview", "tui.key.open_preview"),
        Binding("u", "update", "tui.key.update"),
        Binding("w", "withdraw", "tui.key.withdraw"),
        Binding("d", "resume", "tui.key.resume"),
        Binding("f5", "reload", "tui.key.reload", show=False),
        # Explained by the practice help line on the screen; the footer has no room for them at 80 columns.
        Binding("a", "practice_approve", "tui.key.practice_approve", show=False),
        Binding("m", "practice_merge", "tui.key.practice_merge", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="requests")
        self.requests: list[RequestStatus] = []
        self.drafts: list[Draft] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(classes="page"):
            yield Label(t("tui.requests.title"), classes="page-title")
            yield Prose(t("tui.requests.loading"), id="requests-status", classes="muted")
            table: DataTable[str] = DataTable(id="requests-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Label(t("tui.requests.drafts_title"), classes="subtitle", id="drafts-title")
            drafts: DataTable[str] = DataTable(id="drafts-table", cursor_type="row")
            yield drafts
            if self.lapp.context.practice is not None:
                yield Prose(t("tui.requests.practice_help"), id="practice-help", classes="muted")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill()
        self._sync_keys()
        if not self.loaded:
            self.load()

    async def retranslate(self) -> None:
        await super().retranslate()
        self._fill()
        self._sync_keys()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action.startswith("practice_"):
            return self.lapp.context.practice is not None
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="requests-load")
    def load(self) -> None:
        from lpublish.publish.drafts import DraftStore
        from lpublish.publish.request_status import list_requests

        context = self.lapp.context
        config = context.require_config()
        listing = DraftStore().scan()
        drafts = listing.drafts
        for bad in listing.damaged:  # moved aside, nothing lost: say so instead of letting it vanish
            message = t("security.draft.cli.damaged", id=bad.id, reason=t(bad.reason), folder=bad.folder)
            self.app.call_from_thread(self.notify, message, severity="warning", timeout=15)
        for bad in listing.newer:
            message = t("security.draft.cli.newer", id=bad.id, version=bad.version)
            self.app.call_from_thread(self.notify, message, severity="warning", timeout=15)
        requests = list_requests(config, forge=context.forge())
        self.post_message(RequestsLoaded(requests, drafts))

    def on_requests_loaded(self, message: RequestsLoaded) -> None:
        self.requests = sorted(message.requests, key=lambda r: -r.number)
        self.drafts = message.drafts
        self.loaded = True
        self._fill()
        self._sync_keys()

    def _sync_keys(self) -> None:
        # "Resume draft" is offered only when there is a draft (pressing d without one says so).
        show_binding(self, "resume", bool(self.drafts))
        self.refresh_bindings()

    def _fill(self) -> None:
        table = self.query_one("#requests-table", DataTable)
        table.clear(columns=True)
        table.add_columns(
            t("tui.requests.col_number"),
            t("tui.requests.col_title"),
            t("tui.requests.col_state"),
            t("tui.requests.col_preview"),
        )
        for request in self.requests:
            table.add_row(
                f"#{request.number}",
                request.title,
                state_text(request.state),
                t("tui.requests.has_preview") if request.preview_url else "—",
                key=str(request.number),
            )
        status = self.query_one("#requests-status", Static)
        if not self.loaded:
            status.update(t("tui.requests.loading"))
        elif not self.requests:
            status.update(t("tui.requests.none"))
        else:
            status.update(t("tui.requests.count", count=len(self.requests)))
        drafts = self.query_one("#drafts-table", DataTable)
        drafts.clear(columns=True)
        drafts.add_columns(
            t("tui.requests.col_draft"), t("tui.requests.col_title"), t("tui.requests.col_why")
        )
        for draft in self.drafts:
            why = (
                t(f"{draft.error}.title", default=draft.error) if draft.error else t("tui.requests.not_sent")
            )
            drafts.add_row(draft.id, draft.changeset.title, why, key=draft.id)
        drafts.display = bool(self.drafts)
        self.query_one("#drafts-title").display = bool(self.drafts)

    def _selected(self) -> RequestStatus | None:
        table = self.query_one("#requests-table", DataTable)
        if not self.requests or table.cursor_row < 0 or table.cursor_row >= len(self.requests):
            return None
        return self.requests[table.cursor_row]

    # --- actions --------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected, "#requests-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowSelected, "#drafts-table")
    def _draft_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_resume()

    def action_open(self) -> None:
        request = self._selected()
        if request is not None:
            self.lapp.open_link(request.url)

    def action_preview(self) -> None:
        request = self._selected()
        if request is None:
            return
        if request.preview_url:
            self.lapp.open_link(request.preview_url)
        else:
            self.notify(t("tui.requests.no_preview"), severity="warning")

    def action_update(self) -> None:
        request = self._selected()
        if request is None:
            self.notify(t("designer.requests.nothing_selected"), severity="warning")
            return
        if not request.is_open:
            self.notify(t("tui.requests.not_open"), severity="warning")
            return
        self.lapp.work.update_number = request.number
        from lpublish.tui.screens.images import ImagesScreen

        self.notify(t("tui.requests.updating", number=request.number))
        self.app.push_screen(ImagesScreen())

    def action_withdraw(self) -> None:
        request = self._selected()
        if request is None or not request.is_open:
            return
        from lpublish.tui.screens.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.withdraw(request.number)

        self.app.push_screen(
            ConfirmDialog(
                t("tui.requests.withdraw_title", number=request.number),
                t("tui.requests.withdraw_question", title=request.title),
                t("tui.requests.withdraw_confirm"),
            ),
            callback=answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="requests-action")
    def withdraw(self, number: int) -> None:
        from lpublish.publish.service import withdraw

        context = self.lapp.context
        withdraw(context.require_config(), number, forge=context.forge(), token=context.require_token())
        self.app.call_from_thread(self.notify, t("tui.requests.withdrawn", number=number))
        self.app.call_from_thread(self.load)

    def action_resume(self) -> None:
        """Put a saved draft back into the work and open the submit screen to send it again."""
        table = self.query_one("#drafts-table", DataTable)
        if not self.drafts or not (0 <= table.cursor_row < len(self.drafts)):
            self.notify(t("designer.requests.no_drafts"), severity="warning")
            return
        draft = self.drafts[table.cursor_row]
        from lpublish.tui.work_store import is_work, work_from_draft

        if is_work(draft):
            self.lapp.work = work_from_draft(draft)
            from lpublish.tui.screens.submit import SubmitScreen

            self.app.push_screen(SubmitScreen(), callback=self._reload)
            return
        work_ = self.lapp.work
        work_.clear()
        for image in draft.changeset.images:
            work_.images.append(
                PendingImage(image.slot, image.source, image.source, image.alt, image.replace)
            )
        work_.campaign_dir = draft.changeset.campaign_dir
        work_.campaign_fields = draft.changeset.campaign_fields
        work_.campaign_images = dict(draft.changeset.campaign_images)
        if work_.has_campaign:
            work_.campaign_title = draft.changeset.title
        work_.draft_id = draft.id
        work_.title = draft.changeset.title
        work_.note = draft.changeset.note
        work_.update_number = draft.number if draft.kind == "update" else None
        from lpublish.tui.screens.submit import SubmitScreen

        self.app.push_screen(SubmitScreen(), callback=self._reload)

    def _reload(self, _: object = None) -> None:
        self.load()

    # --- practice mode: the simulated reviewer ---------------------------------------------------

    def action_practice_approve(self) -> None:
        request = self._selected()
        if request is not None and self.lapp.context.practice is not None:
            self.practice(request.number, "approve")

    def action_practice_merge(self) -> None:
        request = self._selected()
        if request is None or self.lapp.context.practice is None:
            return
        if not request.is_open:
            self.notify(t("designer.requests.not_open", number=request.number), severity="warning")
            return
        from lpublish.tui.screens.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(t("tui.requests.publishing"))
                self.practice(request.number, "merge")

        key = (
            "designer.practice.merge_question"
            if request.state == "approved"
            else "designer.practice.merge_unapproved"
        )
        self.app.push_screen(
            ConfirmDialog(
                t("designer.practice.merge_title", number=request.number),
                t(key, title=request.title),
                t("designer.practice.merge_confirm"),
            ),
            callback=answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="requests-action")
    def practice(self, number: int, action: str) -> None:
        session = self.lapp.context.practice
        if session is None:
            return
        url: str | None = None
        if action == "approve":
            session.approve(number)
        else:
            url = session.merge_and_publish(number)
        self.post_message(PracticeDone(number, action, url))

    def on_practice_done(self, message: PracticeDone) -> None:
        if message.action == "approve":
            self.notify(t("tui.requests.approved", number=message.number))
        elif message.url:
            self.notify(t("tui.requests.live", number=message.number))
            self.lapp.open_link(message.url)
        self.load()
