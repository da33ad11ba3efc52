"""The home screen: the site, who is signed in, what the designer can do, and their pending work.

Owns: ``HomeScreen``. It loads "who am I" and "how many open requests" in a thread worker so the
first frame appears at once, and routes each action to its screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Label, Static

from lpublish.i18n import t
from lpublish.tui.messages import SignedIn
from lpublish.tui.screens.base import BaseScreen
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.publish.forge import ForgeUser


def login_of(user: ForgeUser | None) -> str | None:
    """The login name of the forge's signed-in user (``None`` when there is none)."""
    return user.login or None if user is not None else None


class HomeScreen(BaseScreen[None]):
    """Where every flow starts and ends."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "images", "tui.key.images"),
        Binding("c", "campaign", "tui.key.campaign"),
        Binding("r", "requests", "tui.key.requests"),
        Binding("u", "submit", "tui.key.submit", show=False),
        Binding("p", "practice", "tui.key.practice"),
        Binding("s", "settings", "tui.key.settings"),
        Binding("question_mark", "help", "tui.key.help", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.login: str | None = None
        self.requests: int | None = None
        self.loaded = False

    def compose(self) -> ComposeResult:
        config = self.lapp.context.config
        yield AppHeader(show_clock=False)
        with VerticalScroll(id="home-body"):
            yield Label(config.site.name if config else t("tui.home.no_site"), id="site-name")
            practice = self.lapp.context.practice
            if practice is not None:
                banner = t("tui.home.practice_banner")
                live = getattr(practice, "live_url", "")
                if live:
                    banner += "\n" + t("designer.home.practice_live", url=live)
                yield Prose(banner, id="practice-banner", markup=False)
            with Horizontal(id="account-row"):
                yield Prose(self._account_text(), id="account")
                yield Button(t("tui.home.sign_in"), id="sign-in", classes="small")
            with Horizontal(id="work-row"):
                yield Prose(self._work_text(), id="work")
                yield Button(t("tui.home.review"), id="review", classes="small", variant="success")
            with Vertical(id="actions"):
                yield Button(t("tui.home.images"), id="images", classes="action")
                yield Button(t("tui.home.campaign"), id="campaign", classes="action")
                yield Button(self._requests_label(), id="requests", classes="action")
                if self.lapp.context.practice is None:
                    yield Button(t("tui.home.practice"), id="practice", classes="action")
                yield Button(t("tui.home.settings"), id="settings", classes="action")
            yield Prose(t("tui.home.help_line"), id="help-line", classes="muted")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._sync()
        if self.lapp.restored_work:
            self.lapp.restored_work = False
            work = self.lapp.work
            count = len(work.images) + (1 if work.has_campaign else 0)
            self.notify(t("designer.work.restored", count=count))
        if not self.loaded:
            self.load_status()

    def on_screen_resume(self) -> None:
        self._sync()

    def _account_text(self) -> str:
        if not self.loaded:
            return t("tui.home.checking")
        if self.login:
            return t("tui.home.signed_in", login=self.login)
        return t("tui.home.not_signed_in")

    def _work_text(self) -> str:
        work = self.lapp.work
        if work.empty:
            return t("tui.home.no_work")
        if work.has_campaign:
            return t("tui.home.work_campaign", title=work.campaign_name, count=len(work.images))
        return t("tui.home.work_images", count=len(work.images))

    def _requests_label(self) -> str:
        if self.requests is None:
            return t("tui.home.requests")
        return t("tui.home.requests_count", count=self.requests)

    def _sync(self) -> None:
        """Show the latest account, request count and pending work."""
        if not self.is_mounted:
            return
        self.query_one("#account", Static).update(self._account_text())
        self.query_one("#sign-in", Button).display = self.loaded and not self.login
        self.query_one("#work", Static).update(self._work_text())
        self.query_one("#review", Button).display = not self.lapp.work.empty
        self.query_one("#requests", Button).label = self._requests_label()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-status")
    def load_status(self) -> None:
        """Who is signed in and how many requests are open (network: runs in a thread)."""
        context = self.lapp.context
        if context.config is None or not context.resolve_token():
            self.post_message(SignedIn(None, None))
            return
        forge = context.forge()
        login = login_of(forge.get_user())
        from lpublish.publish.request_status import list_requests

        requests = list_requests(context.config, forge=forge)
        open_count = sum(1 for r in requests if r.is_open)
        self.post_message(SignedIn(login, open_count))

    def on_signed_in(self, message: SignedIn) -> None:
        self.login = message.login
        self.requests = message.requests
        self.loaded = True
        self._sync()

    async def retranslate(self) -> None:
        await super().retranslate()
        self._sync()

    def refresh_status(self) -> None:
        self.load_status()

    # --- actions ----------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = {
            "images": self.action_images,
            "campaign": self.action_campaign,
            "requests": self.action_requests,
            "settings": self.action_settings,
            "sign-in": self.action_sign_in,
            "review": self.action_submit,
            "practice": self.action_practice,
        }.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def _needs_site(self) -> bool:
        if self.lapp.context.config is None:
            if self.lapp.context.config_error is not None:
                self.lapp.show_error(self.lapp.context.config_error)
            return True
        return False

    def action_images(self) -> None:
        if self._needs_site():
            return
        from lpublish.tui.screens.images import ImagesScreen

        self.app.push_screen(ImagesScreen())

    def action_campaign(self) -> None:
        if self._needs_site():
            return
        from lpublish.tui.screens.campaign import CampaignScreen

        self.app.push_screen(CampaignScreen())

    def action_requests(self) -> None:
        if self._needs_site():
            return
        from lpublish.tui.screens.requests import RequestsScreen

        self.app.push_screen(RequestsScreen(), callback=lambda _: self.refresh_status())

    def action_submit(self) -> None:
        if self._needs_site():
            return
        if self.lapp.work.empty:
            self.notify(t("designer.home.nothing_to_send"))
            return
        from lpublish.tui.screens.submit import SubmitScreen

        self.app.push_screen(SubmitScreen(), callback=lambda _: self.refresh_status())

    def action_settings(self) -> None:
        from lpublish.tui.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen())

    def action_sign_in(self) -> None:
        if self._needs_site():
            return
        from lpublish.tui.screens.signin import SignInScreen

        self.app.push_screen(SignInScreen(), callback=lambda _: self.refresh_status())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action == "back":
            return False  # home has nowhere to go back to
        if action == "practice":
            return self.lapp.context.practice is None
        return True

    def action_practice(self) -> None:
        """Switch to practice mode: a private copy of the sample site, a local forge, no account."""
        if self.lapp.context.practice is not None:
            return
        self.notify(t("practice.starting"))
        self.start_practice()

    @work(thread=True, exclusive=True, exit_on_error=False, group="home-practice")
    def start_practice(self) -> None:
        from lpublish.sandbox.practice import PracticeSession

        session = PracticeSession.start()
        self.app.call_from_thread(self.lapp.enter_practice, session)

    def action_help(self) -> None:
        from lpublish.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())
