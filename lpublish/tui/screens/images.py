"""Adding or replacing images: choose a slot, pick a file, see the checks with a thumbnail, fix with
one key, enter the alt text, add it to the change.

Owns: ``ImagesScreen`` (choose a slot) and ``ImageScreen`` (one file for one slot). Checking and
fixing call ``lpublish.assets`` in thread workers; the results come back as messages.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from lpublish.content.slots import where
from lpublish.i18n import t
from lpublish.tui.screens.base import BaseScreen, after_typing, show_message
from lpublish.tui.state import (
    PendingImage,
    clean_name,
    default_replacement,
    human_size,
    real_extension,
    slot_label,
    slot_spec,
    suggest_name,
)
from lpublish.tui.widgets.findings import FindingsView
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose
from lpublish.tui.widgets.thumbnail import Cells, Thumbnail, thumbnail_cells

if TYPE_CHECKING:
    from lpublish.assets.crop import CropBox, CropResult
    from lpublish.assets.fix import FixResult
    from lpublish.assets.validate import AssetCheck

THUMB_COLUMNS = 32
THUMB_ROWS = 7
NEW_FILE = "__new__"


class ImagesScreen(BaseScreen[None]):
    """Step 1: where does the image go?"""

    AUTO_FOCUS = "#slot-list"

    def __init__(self) -> None:
        super().__init__(id="images")

    def compose(self) -> ComposeResult:
        config = self.lapp.context.require_config()
        yield AppHeader()
        with VerticalScroll(classes="page"):
            yield Label(t("tui.images.title"), classes="page-title")
            yield Prose(t("tui.images.choose_slot"), classes="muted")
            options = []
            for name, section in config.slots.items():
                # Where the image is, in plain words, then its rules.
                place = escape(where(section))
                prompt = (
                    f"{slot_label(config, name)}\n  [dim]{place}[/dim]\n  [dim]{slot_spec(section)}[/dim]"
                )
                options.append(Option(prompt, id=name))
            yield OptionList(*options, id="slot-list")
        yield Footer(compact=True)

    @on(OptionList.OptionSelected, "#slot-list")
    def _slot_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(ImageScreen(event.option.id))


class ImageChecked(Message):
    """A worker finished checking (and maybe fixing) a file."""

    def __init__(
        self,
        path: Path,
        check: AssetCheck,
        cells: Cells | None,
        fixed: FixResult | None = None,
        cropped: CropResult | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.check = check
        self.cells = cells
        self.fixed = fixed
        self.cropped = cropped


class ImageScreen(BaseScreen[None]):
    """Step 2: one file for slot ``slot``."""

    AUTO_FOCUS = "#choose"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "choose", "tui.key.choose_file"),
        Binding("f", "fix", "tui.key.fix"),
        Binding("c", "crop", "designer.key.crop"),
        Binding("ctrl+s", "add", "tui.key.add", priority=True),
    ]

    def __init__(self, slot: str) -> None:
        super().__init__(id="image")
        self.slot = slot
        self.source: Path | None = None
        self.check: AssetCheck | None = None
        self.fixed: FixResult | None = None
        self.cells: Cells | None = None
        self.name_edited = False
        #: The crop step's copy; the original file is never changed.
        self.cropped: CropResult | None = None
        #: A check, fix or crop of the chosen file is running (its result decides what Add does).
        self.checking = False
        #: Add was pressed while it ran: add as soon as the result is in (never drop the key).
        self.add_when_checked = False

    def compose(self) -> ComposeResult:
        config = self.lapp.context.require_config()
        section = config.slots[self.slot]
        yield AppHeader()
        with VerticalScroll(classes="page", id="image-body"):
            # The slot's place in plain words, in the title line (the screen must still fit 80x24).
            yield Label(
                t("content.place.described", label=slot_label(config, self.slot), where=where(section)),
                classes="page-title",
                markup=False,
            )
            yield Prose(t("tui.image.rules", spec=slot_spec(section)), id="slot-spec", classes="muted")
            with Horizontal(classes="row"):
                yield Button(t("tui.image.choose"), id="choose", classes="small", variant="primary")
                yield Input(placeholder=t("tui.picker.paste_placeholder"), id="path", compact=True)
            with Horizontal(id="image-layout"):
                yield Thumbnail("", id="thumb")
                with Vertical(id="image-info"):
                    yield Prose(t("tui.image.none_yet"), id="file-info", markup=False)
                    yield FindingsView("", id="findings")
                    yield Button(t("tui.image.fix"), id="fix", classes="small", variant="warning")
                    yield Button(t("designer.image.crop"), id="crop", classes="small", variant="warning")
                    yield Prose("", id="fix-result")
            yield Label(t("tui.image.alt_label"), classes="field-label")
            yield Input(placeholder=t("tui.image.alt_placeholder"), id="alt", compact=True)
            yield Prose("", id="alt-error", classes="field-error")
            yield Label(t("designer.image.name_label"), classes="field-label")
            yield Input(placeholder=t("designer.image.name_placeholder"), id="name", compact=True)
            yield Prose("", id="name-note", classes="muted")
            yield Label(t("tui.image.replace_label"), classes="field-label")
            yield Select(
                self._replace_options(),
                allow_blank=False,
                value=self._default_replace(),
                id="replace",
                compact=True,
            )
            with Horizontal(classes="buttons"):
                yield Button(t("tui.image.add"), id="add", variant="success")
        yield Footer(compact=True)

    def _replace_options(self) -> list[tuple[str, str]]:
        config = self.lapp.context.require_config()
        from lpublish.content.slots import current_images

        section = config.slots[self.slot]
        # A file or key slot's image can only be replaced; a list or folder slot can also get a new one.
        options = [] if section.kind in ("file", "key") else [(t("tui.image.as_new"), NEW_FILE)]
        for rel, fields in current_images(config, self.slot):
            name = rel.rsplit("/", 1)[-1]
            shown = " · ".join(v for k, v in fields.items() if k in ("title", "alt") and v)
            label = t("tui.image.replace_file", name=f"{name} ({shown})" if shown else name)
            options.append((label, name))
        return options or [(t("tui.image.as_new"), NEW_FILE)]

    def _default_replace(self) -> str:
        config = self.lapp.context.require_config()
        return default_replacement(config, self.slot) or NEW_FILE

    def on_mount(self) -> None:
        self.query_one("#alt-error").display = False
        self.query_one("#name-note").display = False
        self._sync()
        self._show_current(self._default_replace())

    # --- the image on the site now --------------------------------------------------------------

    def _current_path(self, name: str) -> Path | None:
        """The site file the designer's image would replace (``name`` as offered in #replace)."""
        from lpublish.content.slots import current_images

        config = self.lapp.context.require_config()
        for rel, _fields in current_images(config, self.slot):
            if rel.rsplit("/", 1)[-1] == name:
                path = config.root / rel
                return path if path.is_file() else None
        return None

    def _show_current(self, name: object) -> None:
        """Until a file is chosen, show the image that is on the site now in the chosen place."""
        if self.source is not None or not isinstance(name, str) or name == NEW_FILE:
            return
        path = self._current_path(name)
        if path is not None:
            self.load_current(path)

    @on(Select.Changed, "#replace")
    def _replace_changed(self, event: Select.Changed) -> None:
        self._show_current(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="image-current")
    def load_current(self, path: Path) -> None:
        config = self.lapp.context.require_config()
        cells = thumbnail_cells(path, THUMB_COLUMNS, THUMB_ROWS, max_pixels=config.site.max_pixels)
        self.app.call_from_thread(self._current_loaded, path, cells)

    def _current_loaded(self, path: Path, cells: Cells | None) -> None:
        if self.source is not None:
            return  # the designer chose a file meanwhile: theirs is shown
        self.query_one("#thumb", Thumbnail).show(cells, fallback="")
        self.query_one("#file-info", Static).update(t("content.tui.now_on_site", name=path.name))

    async def retranslate(self) -> None:
        await super().retranslate()
        self._sync()

    def _can_fix(self) -> bool:
        """Whether the one-key fix applies: the chosen file has problems a fix can solve."""
        return bool(
            self.source is not None
            and self.check is not None
            and not self.check.ok
            and self.check.fixable
            and self.fixed is None
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "f Fix" is offered (key and footer) only when a fix applies to the chosen file.
        if action == "fix" and not self._can_fix():
            return False
        return super().check_action(action, parameters)

    def _sync(self) -> None:
        self.query_one("#fix", Button).display = self._can_fix()
        self.query_one("#crop", Button).display = self._needs_crop()
        self.refresh_bindings()
        self.query_one("#add", Button).disabled = self.check is None
        config = self.lapp.context.require_config()
        fixed_name = bool(config.slots[self.slot].filename)
        self.query_one("#name", Input).disabled = fixed_name
        if self.source is not None and self.check is not None:
            self._show_result()

    # --- choosing -------------------------------------------------------------------------------

    def action_choose(self) -> None:
        from lpublish.tui.screens.picker import FilePickerScreen

        self.app.push_screen(FilePickerScreen(self.lapp.context.start_dir), callback=self._picked)

    def _picked(self, path: Path | None) -> None:
        if path is not None:
            self.select_file(path)

    @on(Button.Pressed, "#choose")
    def _choose_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose()

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        if event.input.has_focus:
            self.name_edited = True

    @on(Input.Submitted, "#path")
    def _path_pasted(self, event: Input.Submitted) -> None:
        event.stop()
        from lpublish.tui.screens.picker import clean_pasted_path

        path = clean_pasted_path(event.value)
        if path is None:
            return
        if not path.is_file():
            self.query_one("#file-info", Static).update(t("tui.picker.not_found", path=str(path)))
            return
        self.select_file(path)

    def select_file(self, path: Path) -> None:
        """Check ``path`` for this slot (in a worker) and show the result."""
        self.source = path
        path_field = self.query_one("#path", Input)
        if path_field.value != str(path):
            path_field.value = str(path)
        self.check = None
        self.fixed = None
        self.query_one("#file-info", Static).update(t("tui.image.checking", name=path.name))
        self.query_one("#findings", FindingsView).update("")
        self.query_one("#fix-result", Static).update("")
        self._sync()
        self.checking = True
        self.check_file(path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="image-check")
    def check_file(self, path: Path) -> None:
        from lpublish.assets.validate import check_image

        config = self.lapp.context.require_config()
        # Both decode the file and Pillow releases the GIL while decoding: run them side by side so a
        # 24-megapixel photo's result appears in about the time of the slower one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            thumb = pool.submit(
                thumbnail_cells, path, THUMB_COLUMNS, THUMB_ROWS, max_pixels=config.site.max_pixels
            )
            check = check_image(path, self.slot, config, display_name=path.name)
            cells = thumb.result()
        self.post_message(ImageChecked(path, check, cells))

    # --- fixing ---------------------------------------------------------------------------------

    def _needs_crop(self) -> bool:
        if self.check is None or self.fixed is not None:
            return False
        return any(f.code == "image.wrong-aspect" for f in self.check.findings)

    def _working_file(self) -> Path | None:
        """The file the checks are about: the cropped copy once there is one, else the designer's."""
        return self.cropped.output if self.cropped is not None else self.source

    def action_crop(self) -> None:
        if self.source is None or self.check is None or not self._needs_crop() or self.check.info is None:
            self.notify(t("designer.image.no_crop_needed"))
            return
        from lpublish.tui.screens.crop import CropScreen

        config = self.lapp.context.require_config()
        section = config.slots[self.slot]
        ratio = section.aspect_ratio
        if ratio is None:
            return
        aspect = section.aspect.replace(" ", "") if isinstance(section.aspect, str) else f"{ratio:g}:1"
        screen = CropScreen(
            self.source, self.check.info.display_size, ratio, aspect, max_pixels=config.site.max_pixels
        )
        self.app.push_screen(screen, callback=self._crop_chosen)

    def _crop_chosen(self, box: CropBox | None) -> None:
        if box is not None and self.source is not None:
            self.query_one("#fix-result", Static).update(t("tui.image.fixing"))
            self.checking = True
            self.crop_file(self.source, box)

    @on(Button.Pressed, "#crop")
    def _crop_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_crop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="image-check")
    def crop_file(self, path: Path, box: CropBox) -> None:
        from lpublish.assets.crop import crop_image
        from lpublish.assets.validate import check_image

        config = self.lapp.context.require_config()
        out = self.lapp.make_temp_dir("lpublish-fixed-")
        result = crop_image(path, box, out, max_pixels=config.site.max_pixels)
        check = check_image(result.output, self.slot, config, display_name=path.name)
        cells = thumbnail_cells(result.output, THUMB_COLUMNS, THUMB_ROWS, max_pixels=config.site.max_pixels)
        self.post_message(ImageChecked(path, check, cells, cropped=result))

    def action_fix(self) -> None:
        if not self._can_fix():
            return
        self.query_one("#fix-result", Static).update(t("tui.image.fixing"))
        working = self._working_file()
        assert working is not None
        self.checking = True
        self.fix_file(working)

    @on(Button.Pressed, "#fix")
    def _fix_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_fix()

    @work(thread=True, exclusive=True, exit_on_error=False, group="image-check")
    def fix_file(self, path: Path) -> None:
        from lpublish.assets.fix import fix_image

        config = self.lapp.context.require_config()
        out = self.lapp.make_temp_dir("lpublish-fixed-")
        result = fix_image(path, self.slot, config, out)
        cells = thumbnail_cells(result.output, THUMB_COLUMNS, THUMB_ROWS, max_pixels=config.site.max_pixels)
        self.post_message(ImageChecked(self.source or path, result.check, cells, fixed=result))

    def on_image_checked(self, message: ImageChecked) -> None:
        if message.path != self.source:
            return  # an older answer for a file the designer no longer looks at
        self.checking = False
        self.check = message.check
        self.cells = message.cells
        if message.fixed is not None:
            self.fixed = message.fixed
        if message.cropped is not None:
            self.cropped = message.cropped
            self.fixed = None
        self._suggest_name()
        self._sync()
        # Focus the next step, so its key works at once (letters do nothing while a field has focus).
        if self._needs_crop():
            self.query_one("#crop", Button).focus()
        elif self._can_fix():
            self.query_one("#fix", Button).focus()
        else:
            self.query_one("#alt", Input).focus()
        if self.add_when_checked:
            self.add_when_checked = False
            self._add()

    @on(Worker.StateChanged)
    def _check_state(self, event: Worker.StateChanged) -> None:
        # A check that failed (the app shows why) leaves nothing to wait for.
        if event.worker.group != "image-check" or event.state not in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        # (one replaced by a newer check of another file is not the end of the wait)
        running = (WorkerState.PENDING, WorkerState.RUNNING)
        if not any(w.group == "image-check" and w.state in running for w in self.workers):
            self.checking = False
            self.add_when_checked = False

    def _suggest_name(self) -> None:
        """Offer a readable name on the site for the chosen file (the designer may edit it)."""
        assert self.source is not None
        config = self.lapp.context.require_config()
        publish = self.fixed.output if self.fixed is not None else self._working_file()
        assert publish is not None
        ext = real_extension(self.check, publish)
        name, look = suggest_name(config, self.slot, self.source.name, ext)
        field = self.query_one("#name", Input)
        typed = clean_name(field.value, ext) if self.name_edited and not field.disabled else None
        field.value = typed or name
        note = self.query_one("#name-note", Static)
        show_message(note, t("designer.image.name_check", original=self.source.name) if look else "")

    def _show_result(self) -> None:
        assert self.source is not None and self.check is not None
        info = self.check.info
        if info is not None:
            # As a browser shows it (EXIF rotation applied), the same numbers the findings use.
            width, height = info.display_size
            line = t(
                "tui.image.info",
                name=self.source.name,
                width=width,
                height=height,
                format=info.format.upper(),
                size=human_size(info.bytes),
            )
        else:
            line = self.source.name
        self.query_one("#file-info", Static).update(line)
        self.query_one("#findings", FindingsView).show(self.check.findings, ok_text=t("tui.image.all_good"))
        self.query_one("#thumb", Thumbnail).show(self.cells, fallback=t("tui.image.no_preview"))
        if self.cropped is not None and self.fixed is None:
            width, height = self.cropped.after_size
            self.query_one("#fix-result", Static).update(
                t("designer.image.cropped", width=width, height=height)
            )
        if self.fixed is not None:
            changes = "\n".join(f"• {c}" for c in self.fixed.changes)
            sizes = t(
                "tui.image.fixed_sizes",
                before=human_size(self.fixed.before_bytes),
                after=human_size(self.fixed.after_bytes),
            )
            self.query_one("#fix-result", Static).update(f"{sizes}\n{changes}".strip())

    # --- adding ---------------------------------------------------------------------------------

    def action_add(self) -> None:
        after_typing(self, self._add)

    def _add(self) -> None:
        if self.source is not None and (self.checking or self.check is None):
            # Ctrl+S right after choosing (or fixing) the file: its check is still running. The
            # key is kept, not dropped: the file is added once the check is in.
            self.add_when_checked = True
            self.notify(t("tui.image.add_when_checked"))
            return
        if self.source is None or self.check is None:
            return
        config = self.lapp.context.require_config()
        section = config.slots[self.slot]
        alt = self.query_one("#alt", Input).value.strip()
        alt_error = self.query_one("#alt-error", Static)
        if not self.check.ok:
            message = t("tui.image.fix_first") if self.check.fixable else t("tui.image.cannot_use")
            self.notify(message, severity="error")
            return
        if section.alt_required and not alt:
            show_message(alt_error, t("tui.image.alt_required"))
            self.query_one("#alt", Input).focus()
            return
        show_message(alt_error, "")
        replace = self.query_one("#replace", Select).value
        publish = self.fixed.output if self.fixed is not None else self._working_file()
        assert publish is not None
        ext = real_extension(self.check, publish)
        name_field = self.query_one("#name", Input)
        name = clean_name(name_field.value, ext) if not name_field.disabled else None
        if name is None:
            name = suggest_name(config, self.slot, self.source.name, ext)[0]
        self.lapp.work.add(
            PendingImage(
                slot=self.slot,
                source=self.source,
                publish=publish,
                alt=alt,
                replace=replace if isinstance(replace, str) and replace != NEW_FILE else None,
                check=self.check,
                fixed=self.fixed,
                name=name,
            )
        )
        self.lapp.save_work()
        self.notify(t("tui.image.added", name=name, slot=slot_label(config, self.slot)))
        # back to home, where "Review and submit" is now offered
        while len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    @on(Button.Pressed, "#add")
    def _add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_add()
