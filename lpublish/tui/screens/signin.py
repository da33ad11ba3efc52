"""Sign in with GitHub's device flow: a short code in large type, a button that opens the browser,
a copy button, a countdown, and a clear result.

Owns: ``SignInScreen``. The flow is ``lpublish.publish.auth.login`` (start, poll, store in the keyring)
running in a thread worker with a cancel ``Event``; the code reaches the screen as a message.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer, Label, Static
from textual.worker import Worker, WorkerState

from lpublish.i18n import t
from lpublish.tui.screens.base import BaseScreen
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.publish.auth import DeviceCode


class DeviceCodeReady(Message):
    def __init__(self, device: DeviceCode) -> None:
        super().__init__()
        self.device = device


class SignInDone(Message):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token


def spaced(code: str) -> str:
    """``WDJB-MJHT`` as ``W D J B - M J H T``: easier to read and type from a big label."""
    return " ".join(code)


class SignInScreen(BaseScreen[bool]):
    """Returns ``True`` when the designer is signed in."""

    def __init__(self) -> None:
        super().__init__(id="signin")
        self.device: DeviceCode | None = None
        self.deadline = 0.0
        self.cancel = threading.Event()
        self.timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(classes="page"):
            yield Label(t("tui.signin.title"), classes="page-title")
            yield Prose(t("tui.signin.starting"), id="signin-step")
            with Center():
                yield Label("", id="device-code")
            yield Prose("", id="countdown", classes="muted")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.signin.open"), id="open-browser", variant="primary")
                yield Button(t("tui.signin.copy"), id="copy-code")
                yield Button(t("tui.submit.cancel"), id="cancel-signin")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#open-browser").display = False
        self.query_one("#copy-code").display = False
        self.run_login()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signin")
    def run_login(self) -> None:
        from lpublish.publish.auth import login

        config = self.lapp.context.require_config()

        def show_code(device: DeviceCode) -> None:
            self.post_message(DeviceCodeReady(device))

        tokens = login(config, show_code=show_code, cancel=self.cancel)
        self.post_message(SignInDone(tokens.access_token))

    def on_device_code_ready(self, message: DeviceCodeReady) -> None:
        device = self.device = message.device
        self.deadline = time.monotonic() + device.expires_in
        self.query_one("#signin-step", Static).update(
            t("tui.signin.instructions", url=device.verification_uri)
        )
        self.query_one("#device-code", Label).update(spaced(device.user_code))
        self.query_one("#open-browser").display = True
        self.query_one("#copy-code").display = True
        self.query_one("#open-browser", Button).focus()
        self.timer = self.set_interval(1, self._tick)
        self._tick()

    def _tick(self) -> None:
        left = max(0, int(self.deadline - time.monotonic()))
        self.query_one("#countdown", Static).update(
            t("tui.signin.countdown", minutes=left // 60, seconds=left % 60)
        )

    def on_sign_in_done(self, message: SignInDone) -> None:
        self.lapp.context.signed_in_with(message.token)
        if self.timer is not None:
            self.timer.stop()
        self.notify(t("tui.signin.done"))
        self.dismiss(True)

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "signin" and event.state is WorkerState.ERROR:
            if self.timer is not None:
                self.timer.stop()
            self.query_one("#signin-step", Static).update(t("tui.signin.failed"))
            self.query_one("#countdown", Static).update("")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open-browser" and self.device is not None:
            self.lapp.open_link(self.device.verification_uri)
        elif event.button.id == "copy-code" and self.device is not None:
            self.app.copy_to_clipboard(self.device.user_code)
            self.notify(self.device.user_code, title=t("tui.copied"))
        elif event.button.id == "cancel-signin":
            self.action_back()

    def action_back(self) -> None:
        self.cancel.set()
        self.dismiss(False)
