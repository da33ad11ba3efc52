"""The lpublish Textual app: screens, language, and the one place errors become dialogs.

Owns: ``LpublishApp`` (holds the ``TuiContext`` and the designer's ``WorkDraft``, pushes the home
screen, switches language and remembers it, opens links) and ``run_tui``. Every failure raised in a
worker arrives in ``on_worker_state_changed`` and is shown as an ``ErrorDialog``; the work stays.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from lpublish.errors import (
    CancelledError,
    LpublishError,
    is_file_name_error,
    is_symlink_loop,
    os_failure,
)
from lpublish.i18n import current_language, language_forced, set_language, t, use_environment
from lpublish.tui.context import TuiContext
from lpublish.tui.screens.base import BaseScreen, translate_bindings
from lpublish.tui.screens.confirm import ConfirmDialog
from lpublish.tui.screens.error import ErrorDialog
from lpublish.tui.settings import TuiSettings, load_settings, save_settings, settings_path
from lpublish.tui.state import WorkDraft

if TYPE_CHECKING:
    from lpublish.sandbox.practice import PracticeSession
    from lpublish.site.preview import PreviewServer


class LpublishApp(App[None]):
    """The designer's app. Pass a ``TuiContext`` to point it at a site, a forge and a token."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "tui.key.quit", priority=True),
        Binding("f2", "switch_language", "tui.key.language"),
    ]

    def __init__(self, context: TuiContext | None = None, *, settings: TuiSettings | None = None) -> None:
        super().__init__()
        _start_resource_tracker()
        self.context = context or TuiContext.from_site()
        # The TUI is an edge: LPUBLISH_LANG and the locale come from its environment.
        use_environment(self.context.env)
        self.settings = settings if settings is not None else load_settings(settings_path(self.context.env))
        # One order everywhere (README, guides): --lang, then the language chosen with F2, then
        # LPUBLISH_LANG, then the system locale.
        if self.settings.language and not language_forced():
            set_language(self.settings.language)
        self.work = WorkDraft()
        #: Set when unsent work came back from disk at start (the home screen says so).
        self.restored_work = False
        #: Every link the app opened (shown to the designer too; tests assert on it).
        self.opened_urls: list[str] = []
        self.preview_servers: list[PreviewServer] = []
        #: The running preview's address (shown on the review screen).
        self.preview_url: str | None = None
        #: Scratch folders (fixed copies, campaign staging, previews); removed when the app ends. Work
        #: that was not sent is safe: submitting copies every file into a draft first.
        self.temp_dirs: list[Path] = []
        #: Practice sessions started from the home screen (stopped when the app ends).
        self.practice_sessions: list[PracticeSession] = []
        translate_bindings(self)

    def on_mount(self) -> None:
        from lpublish.tui.screens.home import HomeScreen

        self.title = "lpublish"
        self._restore_work()
        clean_stale_temp_dirs()
        self.push_screen(HomeScreen())
        if self.context.config_error is not None:
            self.push_screen(ErrorDialog(self.context.config_error, work_kept=False))
        warm_up = getattr(self.context.practice, "warm_up", None)
        if warm_up is not None and self.context.open_browser:
            # Practice mode: publish the starting site in the background so the first merge is quick.
            self.run_worker(warm_up, thread=True, exit_on_error=False, group="practice-warm-up")

    # --- errors -----------------------------------------------------------------------------------

    @on(Worker.StateChanged)
    def worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The single place a failed worker becomes a dialog. Screens forward their workers' state
        here (the message does not bubble) and may also react to it themselves."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.show_error(error if isinstance(error, BaseException) else RuntimeError(str(error)))

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, CancelledError):
            self.notify(error.message, title=error.title)
            return
        if isinstance(error, OSError) or is_file_name_error(error) or is_symlink_loop(error):
            error = os_failure(error)  # the one plain mapping of operating-system failures
        if not isinstance(error, LpublishError):
            self.log.error(repr(error))
            error = LpublishError("common.internal", error=type(error).__name__)
        self.push_screen(ErrorDialog(error))

    # --- the designer's work on disk ------------------------------------------------------------

    def _restore_work(self) -> None:
        """Bring back work that was prepared but not sent (the app was closed or killed)."""
        from lpublish.tui.work_store import load_work

        config = self.context.config
        if config is None or not self.work.empty:
            return
        try:
            restored = load_work(
                config, on_problem=lambda message: self.notify(message, severity="warning", timeout=15)
            )
        except (OSError, LpublishError) as exc:
            self.log.warning(f"could not read saved work: {exc!r}")
            return
        if restored is not None:
            self.work = restored
            self.restored_work = True

    def save_work(self) -> bool:
        """Write the work to the draft store now (after every change the designer makes); whether it
        is on disk (the designer is told when not)."""
        from lpublish.tui.work_store import save_work

        config = self.context.config
        if config is None:
            return False
        try:
            save_work(self.work, config)
        except (OSError, LpublishError) as exc:
            self.log.error(f"could not save work: {exc!r}")
            self.notify(t("designer.work.not_saved"), severity="error")
            return False
        return True

    def clear_work(self) -> None:
        """The designer threw the work away (after saying yes): forget it on disk too."""
        from lpublish.tui.work_store import forget_work

        try:
            forget_work(self.work)
        except OSError as exc:
            self.log.error(f"could not remove saved work: {exc!r}")
        self.work.clear()

    async def action_quit(self) -> None:
        """Ask first when there is unsent work (it stays saved either way)."""
        if not self.work.unsent or isinstance(self.screen, ConfirmDialog):
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmDialog(
                t("designer.quit.title"),
                t(
                    "designer.quit.question",
                    count=max(1, len(self.work.images) + self.work.has_campaign),
                ),
                t("designer.quit.confirm"),
            ),
            callback=answered,
        )

    # --- language ---------------------------------------------------------------------------------

    def action_switch_language(self) -> None:
        self.run_worker(self.change_language("en" if current_language() == "ja" else "ja"))

    async def change_language(self, language: str) -> None:
        """Switch the language everywhere and remember it for the next start."""
        set_language(language)
        self.settings.language = language
        try:
            save_settings(self.settings, settings_path(self.context.env))
        except OSError:
            self.notify(t("tui.settings.not_saved"), severity="warning")
        translate_bindings(self)
        for screen in self.screen_stack:
            if isinstance(screen, BaseScreen):
                await screen.retranslate()
        self.refresh_bindings()

    # --- practice mode ----------------------------------------------------------------------------

    def enter_practice(self, session: PracticeSession) -> None:
        """Continue in practice mode (started from the home screen): same screens, practice world."""
        from lpublish.tui.screens.home import HomeScreen

        self.practice_sessions.append(session)
        self.context = TuiContext(
            config=session.config,
            token=session.token,
            forge_factory=session.forge_factory,
            practice=session,
            open_browser=self.context.open_browser,
            start_dir=self.context.start_dir,
            env=self.context.env,
        )
        self.work.clear()
        while len(self.screen_stack) > 2:
            self.pop_screen()
        home = HomeScreen()
        self.switch_screen(home)
        self.notify(t("practice.started", url=session.live_url))

    # --- links ------------------------------------------------------------------------------------

    def open_link(self, url: str) -> None:
        """Open ``url`` in the designer's browser (recorded; shown as a notification too)."""
        self.opened_urls.append(url)
        if self.context.open_browser:
            self.open_url(url)
            self.notify(url, title=t("tui.opened_link"))
        else:
            # --no-browser: say where the page is, not that it was opened.
            self.notify(url, title=t("designer.link_here"))

    def preview_started(self, server: PreviewServer, url: str) -> None:
        """A preview server is running: open it, and remember it to stop it on exit.

        One preview at a time: a new one replaces the last (its server is stopped), and its address
        stays on the review screen instead of only in a notification that goes away.
        """
        for old in self.preview_servers:
            old.stop()
        self.preview_servers = [server]
        self.preview_url = url
        for screen in self.screen_stack:
            show = getattr(screen, "show_preview_url", None)
            if show is not None:
                show(url)
        self.open_link(url)

    def make_temp_dir(self, prefix: str) -> Path:
        """A new scratch folder, deleted when the app ends (safe to call from worker threads)."""
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        # Whose folder it is: the next start removes it once that process is gone (after a crash).
        (folder.parent / f"{folder.name}.pid").write_text(str(os.getpid()), encoding="ascii")
        self.temp_dirs.append(folder)
        return folder

    async def on_unmount(self) -> None:
        for server in self.preview_servers:
            server.stop()
        self.preview_servers.clear()
        for session in self.practice_sessions:
            session.stop()
        self.practice_sessions.clear()
        for folder in self.temp_dirs:
            shutil.rmtree(folder, ignore_errors=True)
            (folder.parent / f"{folder.name}.pid").unlink(missing_ok=True)
        self.temp_dirs.clear()

    def copy_link(self, url: str) -> None:
        self.copy_to_clipboard(url)
        self.notify(url, title=t("tui.copied"))


#: Prefixes of the app's scratch folders; ones older than a day are left-overs of a crash.
TEMP_PREFIXES = ("lpublish-practice-", "lpublish-preview-", "lpublish-fixed-", "lpublish-campaign-")
STALE_SECONDS = 24 * 3600


def clean_stale_temp_dirs(root: Path | None = None, *, now: float | None = None) -> list[Path]:
    """Remove scratch folders an earlier run left behind (a crash or kill skips ``on_unmount``).

    A folder with a ``<name>.pid`` file beside it goes once that process is gone; a folder without one
    only when older than a day, so another lpublish running right now keeps its own.
    """
    import time

    base = root or Path(tempfile.gettempdir())
    moment = now if now is not None else time.time()
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIXES) or not entry.is_dir():
            continue
        owner = entry.parent / f"{entry.name}.pid"
        try:
            if owner.is_file():
                text = owner.read_text(encoding="ascii").strip()
                stale = not _process_alive(int(text)) if text.isdigit() else True
            else:
                stale = moment - entry.stat().st_mtime > STALE_SECONDS
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            owner.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or sys.platform == "win32":
        return True  # on Windows, os.kill(pid, 0) would send Ctrl+C: keep the folder, the age rule applies
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but not ours to signal
    return True


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker now, while ``sys.stderr`` is the real one.

    Core operations (site build, batch image checks) use process pools; the first pool starts the
    tracker and hands it ``sys.stderr.fileno()``. Inside a running Textual app stderr is replaced by a
    capture object whose ``fileno()`` is -1, and starting the tracker there fails with "bad value(s) in
    fds_to_keep". Starting it up front is one cheap fork/exec.
    """
    if sys.platform == "win32":
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def run_tui(site: Path | None = None, context: TuiContext | None = None) -> None:
    """Start the app in this terminal (``lpublish`` / ``lpublish tui``)."""
    LpublishApp(context or TuiContext.from_site(site)).run()
