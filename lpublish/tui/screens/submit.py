"""Review and submit: what will change (old vs new), a title and a note, then the request is sent
with a progress view that can be cancelled safely, and the result with its link and what comes next.

Owns: ``SubmitScreen``. Sending saves the work once more (``LpublishApp.save_work``: the draft holds
the final title, note and alt texts: the one save) and then, in a thread worker with a cancel
``Event``, prepares that draft (``lpublish.publish.service.prepare``: validated once, no second
draft), signs in and sends it (``service.send``: a new request, or an update of an open one). A failure
leaves the work and the draft in place (the app shows the error dialog) so the designer can try again.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, ProgressBar, Static, TextArea
from textual.worker import Worker, WorkerState

from lpublish.errors import LpublishError
from lpublish.i18n import t
from lpublish.progress import ProgressEvent
from lpublish.tui.messages import Progress
from lpublish.tui.screens.base import BaseScreen, after_typing
from lpublish.tui.state import PendingImage, human_size, slot_label
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.publish.service import SubmitResult


class Submitted(Message):
    """The request is open (or updated)."""

    def __init__(self, result: SubmitResult) -> None:
        super().__init__()
        self.result = result


class SubmitScreen(BaseScreen[None]):
    """The last step before reviewers see the change."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#title"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "tui.key.send", priority=True),
        Binding("ctrl+p", "preview", "tui.key.preview"),
        Binding("n", "new_request", "designer.key.new_request"),
    ]

    def __init__(self) -> None:
        super().__init__(id="submit")
        self.cancel_event: threading.Event | None = None
        self.result: SubmitResult | None = None
        self.sending = False
        #: The request being updated was merged or closed meanwhile: offer to send as a new one.
        self.request_gone = False

    def compose(self) -> ComposeResult:
        config = self.lapp.context.require_config()
        work_ = self.lapp.work
        yield AppHeader()
        with VerticalScroll(classes="page", id="submit-body"):
            if work_.update_number is not None:
                yield Label(t("tui.submit.update_heading", number=work_.update_number), classes="page-title")
            else:
                yield Label(t("tui.submit.heading"), classes="page-title")
            with Vertical(id="submit-form"):
                yield Prose(t("tui.submit.what_changes"), id="summary", markup=False)
                for index, image in enumerate(work_.images):
                    yield Prose(self._line(image), classes="change-line", markup=False)
                    with Horizontal(classes="row alt-row"):
                        yield Label(t("designer.submit.alt_label"), classes="alt-label")
                        yield Input(
                            image.alt,
                            placeholder=t("designer.submit.alt_placeholder"),
                            id=f"alt-{index}",
                            classes="alt-edit",
                            compact=True,
                        )
                if work_.has_campaign:
                    yield Prose(
                        t("tui.submit.line_campaign", title=work_.campaign_name), classes="change-line"
                    )
                yield Prose("", id="gone", classes="field-error")
                yield Prose("", id="preview-line", markup=False)
                yield Label(t("tui.submit.title_label"), classes="field-label")
                yield Input(work_.suggested_title(config), id="title", compact=True)
                yield Label(t("tui.submit.note_label"), classes="field-label")
                yield TextArea(work_.suggested_note(config), id="note", soft_wrap=True)
                with Horizontal(classes="buttons"):
                    yield Button(t("tui.submit.clear"), id="clear", variant="error")
                    yield Button(t("tui.submit.preview"), id="preview")
                    yield Button(t("tui.submit.send"), id="send", variant="success")
                    yield Button(t("designer.submit.new_request"), id="new-request", variant="warning")
            with Vertical(id="submit-progress"):
                yield Prose("", id="stage")
                yield ProgressBar(total=None, show_eta=False, id="bar")
                with Horizontal(classes="buttons"):
                    yield Button(t("tui.submit.cancel"), id="cancel", variant="error")
            with Vertical(id="submit-result"):
                yield Prose("", id="result-text")
                yield Static("", id="result-url", markup=False)
                yield Prose(t("tui.submit.next_steps"), id="next-steps")
                with Horizontal(classes="buttons"):
                    yield Button(t("tui.submit.open"), id="open", variant="primary")
                    yield Button(t("tui.submit.copy"), id="copy")
                    yield Button(t("tui.submit.done"), id="done", variant="success")
        yield Footer(compact=True)

    def _line(self, image: PendingImage) -> str:
        """One change in plain words, with the name the file gets on the site."""
        config = self.lapp.context.require_config()
        size = human_size(image.publish.stat().st_size) if image.publish.exists() else "?"
        label = slot_label(config, image.slot)
        if image.replace and image.replace == image.name:
            line = t("designer.submit.line_replace_same", slot=label, name=image.name, size=size)
        elif image.replace:
            line = t("tui.submit.line_replace", slot=label, old=image.replace, new=image.name, size=size)
        else:
            line = t("tui.submit.line_add", slot=label, new=image.name, size=size)
        if image.source.name != image.name:
            line += "\n" + t("designer.submit.line_from", original=image.source.name)
        return line

    def on_mount(self) -> None:
        self._show("form")
        self._sync_gone()
        self.show_preview_url(self.lapp.preview_url)

    def show_preview_url(self, url: str | None) -> None:
        """The running preview's address, for as long as it runs."""
        line = self.query_one("#preview-line", Static)
        line.update(t("designer.submit.preview_at", url=url) if url else "")
        line.display = bool(url)

    def _sync_gone(self) -> None:
        gone = self.query_one("#gone", Static)
        gone.update(t("designer.submit.gone") if self.request_gone else "")
        gone.display = self.request_gone
        self.query_one("#new-request", Button).display = self.request_gone
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_request" and not self.request_gone:
            return False
        return super().check_action(action, parameters)

    # --- edits are saved at once ------------------------------------------------------------------

    @on(Input.Changed, ".alt-edit")
    def _alt_changed(self, event: Input.Changed) -> None:
        event.stop()
        index = int((event.input.id or "alt-0").removeprefix("alt-"))
        images = self.lapp.work.images
        if 0 <= index < len(images) and images[index].alt != event.value.strip():
            images[index].alt = event.value.strip()
            self.lapp.save_work()

    @on(Input.Changed, "#title")
    def _title_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.has_focus and self.result is None:
            self.lapp.work.title = event.value.strip()
            self.lapp.save_work()

    @on(TextArea.Changed, "#note")
    def _note_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if event.text_area.has_focus and self.result is None:
            self.lapp.work.note = event.text_area.text
            self.lapp.save_work()

    def _show(self, part: str) -> None:
        self.query_one("#submit-form").display = part == "form"
        self.query_one("#submit-progress").display = part == "progress"
        self.query_one("#submit-result").display = part == "result"

    # --- sending --------------------------------------------------------------------------------

    def action_submit(self) -> None:
        after_typing(self, self._submit)

    def _submit(self) -> None:
        if self.sending or self.result is not None:
            return
        for index, image in enumerate(self.lapp.work.images):
            image.alt = self.query_one(f"#alt-{index}", Input).value.strip()
        title = self.query_one("#title", Input).value.strip()
        if not title:
            self.notify(t("tui.submit.title_needed"), severity="error")
            self.query_one("#title", Input).focus()
            return
        work_ = self.lapp.work
        work_.title = title
        work_.note = self.query_one("#note", TextArea).text
        # The one save before sending: the draft is what is sent, so a failure never loses anything
        # and "try again" continues the same draft.
        if not self.lapp.save_work() or work_.draft_id is None:
            return
        self.sending = True
        self.cancel_event = threading.Event()
        self.query_one("#stage", Static).update(t("tui.submit.starting"))
        self.query_one("#cancel", Button).disabled = False
        self._show("progress")
        self.send(work_.draft_id, self.cancel_event)

    @work(thread=True, exclusive=True, exit_on_error=False, group="submit")
    def send(self, draft_id: str, cancel: threading.Event) -> None:
        from lpublish.publish import service

        context = self.lapp.context

        def progress(event: ProgressEvent) -> None:
            self.post_message(Progress(event))

        # The work's own draft, validated once: a content error is told before anyone signs in.
        prepared = service.prepare(context.require_config(), draft_id=draft_id, progress=progress)
        token, forge = service.sign_in(prepared, lambda: (context.require_token(), context.forge()))
        result = service.send(prepared, forge=forge, token=token, progress=progress, cancel=cancel)
        self.post_message(Submitted(result))

    def on_progress(self, message: Progress) -> None:
        event = message.event
        text = t(event.stage, default=event.stage, detail=event.detail)
        if event.detail and "{detail}" not in text and event.detail not in text:
            text = f"{text} — {event.detail}"
        self.query_one("#stage", Static).update(text)
        bar = self.query_one("#bar", ProgressBar)
        if event.total > 0:
            bar.update(total=event.total, progress=event.done)
        else:
            bar.update(total=None)

    def on_submitted(self, message: Submitted) -> None:
        self.sending = False
        self.result = message.result
        self.lapp.work.clear()
        key = "designer.submit.updated_text" if self.result.updated else "tui.submit.done_text"
        self.query_one("#result-text", Static).update(t(key, number=self.result.number))
        self.query_one("#result-url", Static).update(self.result.url)
        self._show("result")
        self.query_one("#open", Button).focus()

    @on(Worker.StateChanged)
    def _send_state(self, event: Worker.StateChanged) -> None:
        # The app shows the error dialog; here the form comes back so the designer can retry.
        if event.worker.group == "submit" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.sending = False
            self._show("form")
            from lpublish.publish.service import REQUEST_GONE

            error = event.worker.error
            if isinstance(error, LpublishError) and error.key in REQUEST_GONE:
                self.request_gone = True
                self._sync_gone()
                # The one key works at once: the offer has focus, not a text field.
                self.set_focus(self.query_one("#new-request", Button))

    def action_new_request(self) -> None:
        """Send the same files as a new request (the one being updated was merged or closed)."""
        if not self.request_gone or self.sending:
            return
        work_ = self.lapp.work
        work_.update_number = None
        work_.title = ""
        self.request_gone = False
        self._sync_gone()
        self.query_one(".page-title", Label).update(t("tui.submit.heading"))
        self.query_one("#title", Input).value = work_.suggested_title(self.lapp.context.require_config())
        self.lapp.save_work()
        self._submit()

    def action_cancel(self) -> None:
        if self.cancel_event is not None and self.sending:
            self.cancel_event.set()
            self.query_one("#stage", Static).update(t("tui.submit.cancelling"))
            self.query_one("#cancel", Button).disabled = True

    def action_back(self) -> None:
        if self.sending:
            self.action_cancel()
            return
        super().action_back()

    # --- preview --------------------------------------------------------------------------------

    def action_preview(self) -> None:
        if self.sending or self.result is not None:
            return
        from lpublish.tui.screens.preview import start_preview

        start_preview(self, self.lapp.work.to_changeset(""))

    # --- buttons --------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "send":
            self.action_submit()
        elif button == "cancel":
            self.action_cancel()
        elif button == "preview":
            self.action_preview()
        elif button == "clear":
            self._ask_clear()
        elif button == "new-request":
            self.action_new_request()
        elif button == "open" and self.result is not None:
            self.lapp.open_link(self.result.url)
        elif button == "copy" and self.result is not None:
            self.lapp.copy_link(self.result.url)
        elif button == "done":
            self.dismiss()

    def _ask_clear(self) -> None:
        from lpublish.tui.screens.confirm import ConfirmDialog

        work_ = self.lapp.work

        def answered(yes: bool | None) -> None:
            if yes:
                self.lapp.clear_work()
                self.dismiss()

        count = len(work_.images) + (1 if work_.has_campaign else 0)
        self.app.push_screen(
            ConfirmDialog(
                t("designer.clear.title"),
                t("designer.clear.question", count=count),
                t("designer.clear.confirm"),
            ),
            callback=answered,
        )
