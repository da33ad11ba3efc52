"""New campaign page: a form built from the campaign fields, checked as the designer types, with
hero and social image pickers that reuse the image checks, and a preview.

Owns: ``CampaignScreen``. The live hints under the fields are ``lpublish.site.campaigns
.validate_campaign_fields`` (fast, pure). Adding the page puts the form's values and image files into
the work as they are (``WorkDraft.campaign_fields`` / ``campaign_images``): the publish core validates
them once and writes the page, and its social image, where the site keeps them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static, TextArea

from lpublish.i18n import t
from lpublish.tui.screens.base import BaseScreen, after_typing, show_message
from lpublish.tui.state import human_size, slot_label, slot_spec
from lpublish.tui.widgets.findings import findings_text
from lpublish.tui.widgets.header import AppHeader
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.assets.validate import AssetCheck
    from lpublish.findings import Finding
    from lpublish.publish.changeset import ChangeSet

TEXT_FIELDS = ("title", "slug", "summary", "start", "end", "hero_alt", "cta_label", "cta_url")
IMAGE_FIELDS = ("hero", "og_image")


class CampaignImageChecked(Message):
    def __init__(self, field: str, path: Path, check: AssetCheck, fixed: Path | None = None) -> None:
        super().__init__()
        self.field = field
        self.path = path
        self.check = check
        self.fixed = fixed


class CampaignScreen(BaseScreen[None]):
    """The campaign form."""

    #: Focus on arrival (set before any key is handled, unlike focusing in on_mount).
    AUTO_FOCUS = "#f-title"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", "tui.key.add", priority=True),
        Binding("ctrl+p", "preview", "tui.key.preview"),
        Binding("f", "fix", "tui.key.fix"),
    ]

    def __init__(self) -> None:
        super().__init__(id="campaign")
        self.slug_edited = False
        self.images: dict[str, Path] = {}
        self.image_checks: dict[str, AssetCheck] = {}
        self.values: dict[str, Any] = {}
        self._touched: set[str] = set()
        #: The form fills in again from saved work (typed text is saved as the designer types).
        self._restoring = False

    def compose(self) -> ComposeResult:
        config = self.lapp.context.require_config()
        yield AppHeader()
        with VerticalScroll(classes="page", id="campaign-body"):
            yield Label(t("tui.campaign.title"), classes="page-title")
            yield Prose(t("tui.campaign.intro"), classes="muted")
            for name in TEXT_FIELDS:
                if name == "hero_alt":
                    yield from self._image_field("hero", config.campaign.hero_slot)
                label = t(f"tui.campaign.field.{name}", tz=config.site.timezone)
                yield Label(label, classes="field-label")
                yield Input(
                    str(self.values.get(name, "")),
                    placeholder=t(f"tui.campaign.placeholder.{name}", default=""),
                    id=f"f-{name}",
                    compact=True,
                )
                yield Prose("", id=f"e-{name}", classes="field-error")
            yield from self._image_field("og_image", config.campaign.social_slot)
            yield Label(t("tui.campaign.field.body"), classes="field-label")
            yield TextArea(str(self.values.get("body", "")), id="f-body", soft_wrap=True)
            yield Prose("", id="e-body", classes="field-error")
            yield Checkbox(t("tui.campaign.field.noindex"), bool(self.values.get("noindex")), id="f-noindex")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.campaign.preview"), id="preview")
                yield Button(t("tui.campaign.add"), id="add", variant="success")
        yield Footer(compact=True)

    def _image_field(self, name: str, slot: str) -> ComposeResult:
        config = self.lapp.context.require_config()
        section = config.slots.get(slot)
        spec = slot_spec(section) if section is not None else ""
        yield Label(
            t(f"tui.campaign.field.{name}", slot=slot_label(config, slot), spec=spec), classes="field-label"
        )
        with Horizontal(classes="row"):
            yield Button(t("tui.image.choose"), id=f"pick-{name}", classes="small")
            chosen = self.images.get(name)
            yield Prose(chosen.name if chosen else t("tui.campaign.no_image"), id=f"img-{name}", markup=False)
            yield Button(t("tui.image.fix"), id=f"fix-{name}", classes="small", variant="warning")
        yield Prose("", id=f"e-{name}", classes="field-error")

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False
        self._sync_fix()
        # Focusing the title must not scroll the heading and the intro out of sight.
        self.call_after_refresh(self.query_one("#campaign-body", VerticalScroll).scroll_home, animate=False)
        saved = dict(self.lapp.work.campaign_form)
        if saved and not self.values:
            self._restore(saved)

    def _restore(self, saved: dict[str, Any]) -> None:
        """Fill the form with text typed earlier (this session or before a restart)."""
        self._restoring = True
        try:
            for name in TEXT_FIELDS:
                if saved.get(name):
                    self.query_one(f"#f-{name}", Input).value = str(saved[name])
            if saved.get("body"):
                self.query_one("#f-body", TextArea).text = str(saved["body"])
            self.query_one("#f-noindex", Checkbox).value = bool(saved.get("noindex"))
            self.slug_edited = bool(saved.get("_slug_edited"))
            for name, raw in dict(saved.get("_images") or {}).items():
                path = Path(str(raw))
                if name in IMAGE_FIELDS and path.is_file():
                    self.images[name] = path
                    self.query_one(f"#img-{name}", Static).update(t("tui.image.checking", name=path.name))
                    self.check_picked(name, path)
        finally:
            self._restoring = False
        self._collect()

    def _remember(self) -> None:
        """Save the form's text with the designer's work (nothing typed is lost)."""
        if self._restoring or not self.is_mounted:
            return
        values = dict(self._collect())
        for name in IMAGE_FIELDS:
            values.pop(name, None)
        values["_images"] = {k: str(v) for k, v in self.images.items()}
        values["_slug_edited"] = self.slug_edited
        work_ = self.lapp.work
        if values != work_.campaign_form:
            work_.campaign_form = values
            self.lapp.save_work()

    def _fixable(self) -> list[str]:
        """The image fields whose file has problems the one-key fix can solve."""
        return [
            name
            for name in IMAGE_FIELDS
            if (check := self.image_checks.get(name)) is not None
            and not check.ok
            and check.fixable
            and name in self.images
        ]

    def _sync_fix(self) -> None:
        fixable = self._fixable()
        for name in IMAGE_FIELDS:
            self.query_one(f"#fix-{name}", Button).display = name in fixable
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "f Fix" is offered (key and footer) only when a fix applies to a chosen image.
        if action == "fix" and not self._fixable():
            return False
        return super().check_action(action, parameters)

    def action_fix(self) -> None:
        """Fix the first image that says it can be fixed (the same one-key fix as for slot images)."""
        for name in self._fixable():
            self.query_one(f"#img-{name}", Static).update(t("tui.image.fixing"))
            self.fix_picked(name, self.images[name])
            return

    async def retranslate(self) -> None:
        self._collect()
        await super().retranslate()
        self._validate()

    # --- values and live validation --------------------------------------------------------------

    def _collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in TEXT_FIELDS:
            values[name] = self.query_one(f"#f-{name}", Input).value.strip()
        values["body"] = self.query_one("#f-body", TextArea).text
        values["noindex"] = self.query_one("#f-noindex", Checkbox).value
        for name, path in self.images.items():
            values[name] = path.name
        self.values = values
        return values

    def fields(self) -> dict[str, Any]:
        """The form as campaign fields (empty optional fields left out)."""
        return {k: v for k, v in self._collect().items() if v not in ("", None)}

    def _validate(self) -> list[Finding]:
        from lpublish.site.campaigns import validate_campaign_fields

        config = self.lapp.context.require_config()
        fields = self.fields()
        taken = {p.name for p in (config.root / config.site.campaigns_dir).glob("*") if p.is_dir()}
        findings = validate_campaign_fields(config, fields, taken_slugs=taken)
        by_field: dict[str, list[Finding]] = {}
        for finding in findings:
            by_field.setdefault(finding.field, []).append(finding)
        for name in (*TEXT_FIELDS, "body", *IMAGE_FIELDS):
            shown = list(by_field.get(name, []))
            check = self.image_checks.get(name)
            if check is not None:
                shown.extend(check.findings)
            widget = self.query_one(f"#e-{name}", Static)
            # Only complain about a missing value once the designer has been there (or tries to add).
            if shown and (self.values.get(name) or name in self._touched):
                show_message(widget, findings_text(shown))
            else:
                show_message(widget, "")
        return findings

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("f-")
        if name == "slug" and event.input.has_focus:
            self.slug_edited = True
        if name == "title" and not self.slug_edited:
            from lpublish.site.campaigns import suggest_slug

            slug = suggest_slug(event.value) if event.value.strip() else ""
            self.query_one("#f-slug", Input).value = slug
        self._validate()
        self._remember()

    @on(TextArea.Changed)
    def _body_changed(self, event: TextArea.Changed) -> None:
        self._validate()
        self._remember()

    @on(Checkbox.Changed)
    def _box_changed(self, event: Checkbox.Changed) -> None:
        self._remember()

    # --- images ---------------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button.startswith("pick-"):
            self._pick(button.removeprefix("pick-"))
        elif button.startswith("fix-"):
            name = button.removeprefix("fix-")
            if name in self.images:
                self.query_one(f"#img-{name}", Static).update(t("tui.image.fixing"))
                self.fix_picked(name, self.images[name])
        elif button == "preview":
            self.action_preview()
        elif button == "add":
            self.action_add()

    def _pick(self, name: str) -> None:
        from lpublish.tui.screens.picker import FilePickerScreen

        def picked(path: Path | None) -> None:
            if path is not None:
                self.images[name] = path
                self.image_checks.pop(name, None)
                self.query_one(f"#img-{name}", Static).update(t("tui.image.checking", name=path.name))
                self.check_picked(name, path)
                self._remember()

        self.app.push_screen(FilePickerScreen(self.lapp.context.start_dir), callback=picked)

    def _slot_for(self, name: str) -> str:
        config = self.lapp.context.require_config()
        return config.campaign.hero_slot if name == "hero" else config.campaign.social_slot

    @work(thread=True, exit_on_error=False, group="campaign-images")
    def check_picked(self, name: str, path: Path) -> None:
        from lpublish.assets.validate import check_image

        config = self.lapp.context.require_config()
        check = check_image(path, self._slot_for(name), config, display_name=path.name)
        self.post_message(CampaignImageChecked(name, path, check))

    @work(thread=True, exit_on_error=False, group="campaign-images")
    def fix_picked(self, name: str, path: Path) -> None:
        from lpublish.assets.fix import fix_image

        config = self.lapp.context.require_config()
        out = self.lapp.make_temp_dir("lpublish-fixed-")
        result = fix_image(path, self._slot_for(name), config, out)
        self.post_message(CampaignImageChecked(name, path, result.check, fixed=result.output))

    def on_campaign_image_checked(self, message: CampaignImageChecked) -> None:
        if self.images.get(message.field) != message.path:
            return
        if message.fixed is not None:
            # The fixed copy is what the page uses; the designer's original stays untouched.
            self.images[message.field] = message.fixed
            self._remember()
        self.image_checks[message.field] = message.check
        self._sync_fix()
        info = message.check.info
        size = human_size(info.bytes) if info is not None else ""
        shown = self.images[message.field]
        self.query_one(f"#img-{message.field}", Static).update(f"{shown.name} {size}".strip())
        self._touched.add(message.field)
        self._validate()

    # --- preview and add ------------------------------------------------------------------------

    def _changeset(self) -> ChangeSet:
        """The form as the change a request sends: its values and image files, as they are."""
        from lpublish.publish.changeset import ChangeSet

        return ChangeSet("", campaign_fields=self.fields(), campaign_images=dict(self.images))

    def _ready(self) -> bool:
        self._touched.update((*TEXT_FIELDS, "body"))
        findings = self._validate()
        errors = [f for f in findings if f.is_error]
        bad_images = [c for c in self.image_checks.values() if not c.ok]
        if errors or bad_images:
            self.notify(t("tui.campaign.fix_first", count=len(errors) + len(bad_images)), severity="error")
            return False
        return True

    def action_add(self) -> None:
        after_typing(self, self._add)

    def _add(self) -> None:
        if not self._ready():
            return
        work_ = self.lapp.work
        work_.campaign_fields = self.fields()
        work_.campaign_images = dict(self.images)
        work_.campaign_title = str(self.values.get("title", ""))
        work_.campaign_form = {}
        self.lapp.save_work()
        self.notify(t("tui.campaign.added", title=work_.campaign_title))
        self.dismiss()

    def action_preview(self) -> None:
        after_typing(self, self._preview)

    def _preview(self) -> None:
        if not self._ready():
            return
        from lpublish.tui.screens.preview import start_preview

        start_preview(self, self._changeset(), open_page=True)
