"""The pydantic models for each section of ``lpublish.toml``.

Owns: the shape of the config file. Every model forbids unknown keys (a typo is an error, reported with
a "did you mean"). Sections for later parts of the product (forge, deploy, headers) live here too so the
file has one schema. Must not import UI libraries.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from lpublish.config import deploy_rules
from lpublish.config.presets import (
    COMMAND_DEFAULTS,
    LPUBLISH_DEFAULTS,
    PRESETS,
    STATIC_DEFAULTS,
    AdapterName,
    PresetName,
)

Strict = ConfigDict(extra="forbid", populate_by_name=True)

#: Image formats lpublish knows, by canonical name. ``svg`` is vector; the rest are decoded by Pillow.
ImageFormat = Literal["jpeg", "png", "webp", "avif", "gif", "svg"]

SLOT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class Label(BaseModel):
    """A short label in both languages (shown to designers)."""

    model_config = Strict
    en: str
    ja: str


class SiteSection(BaseModel):
    """``[site]``: where things are and how the site presents itself."""

    model_config = Strict
    name: str = "Site"
    base_url: str = "https://www.example.com/"
    timezone: str = "Asia/Tokyo"
    languages: list[Literal["ja", "en"]] = Field(default_factory=lambda: ["ja", "en"])  # type: ignore[arg-type]
    default_language: Literal["ja", "en"] = "ja"
    templates_dir: str = "templates"
    static_dir: str = "static"
    pages_dir: str = "pages"
    campaigns_dir: str = "campaigns"
    images_dir: str = "images"
    out_dir: str = "dist"
    #: Largest image (width x height) lpublish will decode; larger files are refused before decoding.
    max_pixels: int = Field(default=50_000_000, gt=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use a name such as 'Asia/Tokyo')") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_base(cls, value: str) -> str:
        if not re.match(r"^https?://[^/]+", value):
            raise ValueError("base_url must start with https:// and name a host")
        return value if value.endswith("/") else value + "/"


SlotKind = Literal["file", "key", "list", "folder"]

#: Keys that only one slot kind uses (for the "which kind is this?" messages).
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "file": ("file", "alt_html"),
    "key": ("key", "alt_key"),
    "list": ("list", "fields"),
}


def _site_relative(value: str) -> str:
    """A path relative to the site root that stays inside it (no ``/`` start, no ``..``)."""
    text = value.strip()
    if not text:
        return text
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text) or "\\" in text:
        raise ValueError(f"{value!r} must be relative to the site root, with '/' between folders")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"{value!r} must stay inside the site (no '..')")
    return "/".join(parts) if parts else "."


class SlotSection(BaseModel):
    """``[slots.<name>]``: a place where the site uses an image, and the rules for images there.

    Exactly one kind (see ``kind``): a ``file`` the site references; a ``key`` in a content or data
    file (``source`` + ``key``, replacements written into ``path``); a ``list`` of entries in a content
    or data file (``source`` + ``list`` + ``fields``, new images written into ``path``); or, for
    lpublish's own generator only, a legacy ``folder`` (``path`` alone, alt text in ``alt.toml``).
    """

    model_config = Strict
    label: Label
    #: Folder (relative to the site root) where new images for a key or list slot are written; alone,
    #: the legacy folder slot.
    path: str = ""
    #: File slot: the one file the site references; a replacement is written to this exact path.
    file: str = ""
    #: File slot: an HTML file whose elements using ``file`` carry the alt text (edited in place).
    alt_html: str = ""
    #: Key and list slots: the content file (front matter) or data file (YAML/TOML/JSON) to edit.
    source: str = ""
    #: Key slot: dotted path to the image key (list indexes allowed: ``hero.images.0``).
    key: str = ""
    #: Key slot: dotted path to the alt text key (optional).
    alt_key: str = ""
    #: List slot: dotted path to the list of entries.
    list_path: str = Field(default="", alias="list")
    #: List slot: form field -> entry key (``image`` required; ``alt``, ``title``, ``link`` ...).
    fields: dict[str, str] = Field(default_factory=dict)
    #: Fixed file name stem for single-image slots (e.g. ``hero``); empty keeps the designer's name.
    filename: str = ""
    description: Label | None = None
    min_width: int | None = Field(default=None, gt=0)
    min_height: int | None = Field(default=None, gt=0)
    max_width: int | None = Field(default=None, gt=0)
    max_height: int | None = Field(default=None, gt=0)
    #: Aspect ratio as "W:H" (e.g. "12:5") or a number (width / height).
    aspect: str | float | None = None
    #: Allowed relative deviation from ``aspect`` (0.01 = 1 %).
    aspect_tolerance: float = Field(default=0.01, ge=0, lt=1)
    formats: list[ImageFormat] = Field(default_factory=lambda: ["jpeg", "webp"])  # type: ignore[arg-type]
    max_bytes: int | None = Field(default=None, gt=0)
    alt_required: bool = True
    allow_alpha: bool = True
    animation: Literal["error", "warning", "allow"] = "error"
    #: Widths for responsive variants; empty uses ``[build] widths``.
    widths: list[int] = Field(default_factory=list)
    #: Above-the-fold images load eagerly (no ``loading="lazy"``).
    above_fold: bool = False

    @field_validator("aspect")
    @classmethod
    def _parse_aspect(cls, value: str | float | None) -> str | float | None:
        if value is None or isinstance(value, float | int):
            if value is not None and value <= 0:
                raise ValueError("aspect must be positive")
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)\s*", value)
        if not match or float(match.group(2)) == 0 or float(match.group(1)) == 0:
            raise ValueError("aspect must look like '12:5' or be a number such as 2.4")
        return value

    @property
    def aspect_ratio(self) -> float | None:
        """The aspect ratio as width / height, or ``None`` when the slot has none."""
        if self.aspect is None:
            return None
        if isinstance(self.aspect, float | int):
            return float(self.aspect)
        w, h = re.split(r"[:/x]", self.aspect.replace(" ", ""))
        return float(w) / float(h)

    @field_validator("path", "file", "alt_html", "source")
    @classmethod
    def _inside_site(cls, value: str) -> str:
        return _site_relative(value)

    @field_validator("key", "alt_key", "list_path")
    @classmethod
    def _dotted(cls, value: str, info: ValidationInfo) -> str:
        if value == "." and info.field_name == "list_path":
            return value  # the data file itself is the list
        if value and not re.fullmatch(r"[^.\s\[\]]+(\.[^.\s\[\]]+)*", value):
            raise ValueError(f"{value!r} must be a dotted path such as 'hero.image' or 'gallery.0.src'")
        return value

    @property
    def kind(self) -> SlotKind:
        """Which kind of place this slot names (validated at load: exactly one)."""
        if self.file:
            return "file"
        if self.key:
            return "key"
        if self.list_path:
            return "list"
        return "folder"

    @property
    def folder(self) -> str:
        """The folder new images go into (a file slot: the file's own folder)."""
        if self.kind == "file":
            return self.file.rpartition("/")[0] or "."
        return self.path or "."

    @model_validator(mode="after")
    def _bounds_consistent(self) -> SlotSection:
        problems: list[str] = []
        if self.min_width and self.max_width and self.min_width > self.max_width:
            problems.append("min_width is larger than max_width")
        if self.min_height and self.max_height and self.min_height > self.max_height:
            problems.append("min_height is larger than max_height")
        kinds = [
            k for k, present in (("file", self.file), ("key", self.key), ("list", self.list_path)) if present
        ]
        if len(kinds) > 1:
            problems.append(
                "a slot is one kind of place: use only one of 'file', 'key' or 'list' (found "
                + ", ".join(repr(k) for k in kinds)
                + ")"
            )
        kind = self.kind
        for other, keys in _KIND_KEYS.items():
            if other == kind:
                continue
            for key in keys:
                value = getattr(self, "list_path" if key == "list" else key)
                if value and key not in ("file", "key", "list"):
                    problems.append(f"'{key}' only belongs to a {other} slot (this is a {kind} slot)")
        if kind == "file" and self.source:
            problems.append("a file slot has no 'source' (use 'alt_html' for where the alt text is)")
        if kind in ("key", "list"):
            if not self.source:
                problems.append(f"a {kind} slot needs 'source' (the content or data file to edit)")
            if not self.path or self.path == ".":
                problems.append(f"a {kind} slot needs 'path' (the folder where new images are written)")
        if kind == "list" and "image" not in self.fields:
            problems.append("a list slot needs fields.image (the entry key that holds the image path)")
        if kind == "folder":
            if self.source:
                problems.append("'source' needs 'key' (a key slot) or 'list' (a list slot)")
            if not self.path:
                problems.append(
                    "a slot needs one of 'file', 'key' (with 'source'), 'list' (with 'source') or 'path'"
                )
        if kind == "file":
            suffix = self.file.rsplit(".", 1)[-1].lower() if "." in self.file else ""
            own = {
                "jpg": "jpeg",
                "jpeg": "jpeg",
                "png": "png",
                "webp": "webp",
                "avif": "avif",
                "gif": "gif",
                "svg": "svg",
            }.get(suffix)
            if own is None:
                problems.append(
                    f"file {self.file!r} is not an image file name (.jpg .png .webp .avif .gif .svg)"
                )
            elif "formats" in self.model_fields_set and own not in self.formats:
                problems.append(f"formats must include {own!r}: a file slot is replaced in its own format")
            else:
                # A file slot is always replaced in the format its path names (the fix converts).
                self.formats = [own]  # type: ignore[list-item]
        if kind != "folder" and self.filename and kind != "key":
            problems.append("'filename' only applies to key and folder slots")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CampaignField(BaseModel):
    """``[campaign.fields.<name>]``: a template field shown in the campaign form."""

    model_config = Strict
    label: Label
    kind: Literal["text", "textarea", "markdown", "datetime", "url", "image", "bool", "slug"] = "text"
    required: bool = False
    max_length: int | None = Field(default=None, gt=0)
    slot: str | None = None
    help: Label | None = None


class CampaignSection(BaseModel):
    """``[campaign]``: how campaign pages are made and when they are shown."""

    model_config = Strict
    template: str = "campaign.html"
    ended_template: str = "ended.html"
    #: What happens after a campaign's end: hide it, show a friendly "ended" page, or redirect.
    after_end: Literal["hide", "ended-page", "redirect"] = "ended-page"
    redirect_url: str | None = None
    title_max: int = Field(default=60, gt=0)
    summary_max: int = Field(default=120, gt=0)
    allow_http: bool = False
    #: If not empty, CTA and body links must point at one of these hosts (or a subdomain).
    link_hosts: list[str] = Field(default_factory=list)
    hero_slot: str = "campaign-hero"
    social_slot: str = "og"
    fields: dict[str, CampaignField] = Field(default_factory=dict)
    # --- campaign pages as entries of the site's own generator (empty content_dir: lpublish's own) ---
    #: The site's content folder for new campaign entries (``content/campaigns``, ``_posts``,
    #: ``src/content/campaigns``). Empty: lpublish's generator (``[site] campaigns_dir``, ``index.md``).
    content_dir: str = ""
    #: The site's own starting file for a new entry (a Hugo archetype, a template entry); empty: none.
    starter: str = ""
    #: The ``layout`` front-matter value to set (generators that pick a layout per page); empty: leave.
    layout: str = ""
    #: Where the entry goes in ``content_dir``: ``folder`` (``<slug>/index.md``), ``file`` (``<slug>.md``)
    #: or a pattern with ``{slug}``, ``{date}`` (the start day), ``{year}``, ``{month}``, ``{day}``.
    entry: str = "folder"
    #: Form field -> front-matter key (dotted for nested keys). Empty: the defaults for the generator.
    front_matter: dict[str, str] = Field(default_factory=dict)
    #: Folder for the hero (and social) image; empty: next to the entry (``entry = "folder"`` only).
    hero_dir: str = ""
    #: How the entry names its image: ``url`` (a site URL such as ``/img/campaigns/x.jpg``), ``relative``
    #: (a path from the entry's folder, e.g. for Astro's ``image()``); ``auto``: relative next to the
    #: entry, else url.
    hero_ref: Literal["auto", "url", "relative"] = "auto"
    #: The site URL under which ``hero_dir`` is published (e.g. ``/img/campaigns/``); empty: worked out
    #: from the folders the generator publishes unchanged.
    hero_url: str = ""

    @field_validator("entry")
    @classmethod
    def _entry_pattern(cls, value: str) -> str:
        if value in ("folder", "file"):
            return value
        if "{slug}" not in value or not value.endswith((".md", ".markdown", ".mdx", ".html")):
            raise ValueError('entry must be "folder", "file" or a pattern with {slug} ending in .md')
        if ".." in value.split("/") or value.startswith("/"):
            raise ValueError("entry must stay inside content_dir")
        return value

    @model_validator(mode="after")
    def _hero_folder_needed(self) -> CampaignSection:
        if self.content_dir and self.entry != "folder" and not self.hero_dir:
            raise ValueError('hero_dir is needed when entries are single files (entry is not "folder")')
        return self


def _relative_folder(value: str, key: str) -> str:
    """A folder inside the site root, posix style ("." for the root itself)."""
    text = value.strip().replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise ValueError(f"{key} must be a folder relative to the site root, not {value!r}")
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"{key} must stay inside the site root ({value!r} leaves it)")
    return "/".join(parts) or "."


class BuildSection(BaseModel):
    """``[build]``: how the site is built (adapter, preset, command) plus lpublish's own image settings.

    ``adapter`` picks who builds: ``lpublish`` (lpublish's generator), ``command`` (the site's own
    generator, run as a shell command) or ``static`` (no build: a folder is published as it is). A
    ``preset`` fills the keys left out (see ``lpublish.config.presets``); after loading, every key holds its
    resolved value. The responsive-image keys (widths ... workers) apply to the lpublish generator only.
    """

    model_config = Strict
    adapter: AdapterName = "lpublish"
    preset: PresetName = ""
    #: Installs the generator's dependencies (e.g. ``npm ci``); run when ``marker`` is missing or asked.
    install: str = ""
    #: The build command, run with ``sh -c`` in the site root.
    command: str = ""
    #: The folder the command writes (relative to the site root).
    output: str = ""
    #: The site's dev server (``{port}`` is replaced by a free port) and the URL it serves.
    dev_command: str = ""
    dev_url: str = ""
    #: Environment variables for install, command and dev server (added to lpublish's environment).
    env: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float = Field(default=900, gt=0)
    #: ``static``: the folder that is published.
    source: str = "."
    #: Folders whose files the generator publishes at the site root unchanged, in lookup order.
    public_dirs: list[str] = Field(default_factory=list)
    #: Glob patterns of source folders that are not the site's own pages (themes, vendored, output).
    source_ignore: list[str] = Field(default_factory=list)
    widths: list[int] = Field(default_factory=lambda: [480, 960, 1440, 1920])
    formats: list[Literal["avif", "webp"]] = Field(default_factory=lambda: ["avif", "webp"])  # type: ignore[arg-type]
    jpeg_quality: int = Field(default=82, ge=1, le=100)
    webp_quality: int = Field(default=80, ge=1, le=100)
    avif_quality: int = Field(default=60, ge=1, le=100)
    page_budget_bytes: int = Field(default=1_500_000, gt=0)
    workers: int = Field(default=0, ge=0)

    @field_validator("output", "source")
    @classmethod
    def _folder(cls, value: str, info: ValidationInfo) -> str:
        return _relative_folder(value, str(info.field_name)) if value else value

    @field_validator("public_dirs")
    @classmethod
    def _folders(cls, value: list[str]) -> list[str]:
        return [_relative_folder(v, "public_dirs") for v in value]

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"env name {name!r} is not a valid environment variable name")
        return value

    @model_validator(mode="after")
    def _apply_preset(self) -> BuildSection:
        given = self.model_fields_set
        preset = PRESETS.get(self.preset) if self.preset else None
        if preset is not None and "adapter" not in given:
            self.adapter = preset.adapter
        if preset is None:
            preset = {"lpublish": LPUBLISH_DEFAULTS, "static": STATIC_DEFAULTS}.get(
                self.adapter, COMMAND_DEFAULTS
            )
        for key in ("command", "output", "install", "dev_command", "dev_url"):
            if key not in given and getattr(preset, key):
                setattr(self, key, getattr(preset, key))
        if "public_dirs" not in given:
            self.public_dirs = list(preset.public_dirs)
        if "source_ignore" not in given:
            self.source_ignore = list(preset.source_ignore)
        if "env" not in given:
            self.env = dict(preset.env)
        else:
            self.env = {**preset.env, **self.env}
        if self.adapter == "command":
            if not self.command.strip():
                raise ValueError("adapter 'command' needs a build command: set [build] command (or a preset)")
            if not self.output or self.output == ".":
                raise ValueError("adapter 'command' needs the folder the command writes: set [build] output")
        if self.dev_command and not self.dev_url:
            raise ValueError("[build] dev_command needs dev_url (the address the dev server answers on)")
        return self

    @property
    def install_marker(self) -> str:
        """The folder whose absence means ``install`` must run first (``node_modules`` for npm sites)."""
        preset = PRESETS.get(self.preset)
        if preset is not None and preset.marker:
            return preset.marker
        return "node_modules" if self.install.strip().startswith(("npm ", "yarn", "pnpm")) else ""


class ForgeSection(BaseModel):
    """``[forge]``: where pull requests go (GitHub or GitHub Enterprise)."""

    model_config = Strict
    type: Literal["github"] = "github"
    repo: str = ""
    api_url: str = "https://api.github.com"
    web_url: str = "https://github.com"
    clone_url: str = ""
    base: str = "main"
    labels: list[str] = Field(default_factory=lambda: ["lpublish"])
    reviewers: list[str] = Field(default_factory=list)
    team_reviewers: list[str] = Field(default_factory=list)
    #: OAuth / GitHub App client id used by ``lpublish login`` (device flow).
    client_id: str = ""
    draft: bool = False
    #: The GitHub Deployments environment that means "live".
    environment: str = "production"
    #: Folder of the site (the one holding lpublish.toml) inside the repository; empty = find it
    #: (the repository root, or one folder down such as ``site``).
    site_path: str = ""

    @field_validator("repo")
    @classmethod
    def _owner_name(cls, value: str) -> str:
        if value and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", value):
            raise ValueError("repo must look like 'owner/name'")
        return value


class DeployGuards(BaseModel):
    """Safety limits a deploy must respect unless ``--yes`` is given."""

    model_config = Strict
    max_delete_count: int = Field(default=50, ge=0)
    max_delete_percent: float = Field(default=20.0, ge=0, le=100)
    min_files: int = Field(default=1, ge=0)
    max_shrink_percent: float = Field(default=50.0, ge=0, le=100)


class DeployTarget(BaseModel):
    """``[deploy.targets.<name>]``: an S3 bucket (optionally behind CloudFront) or a directory."""

    model_config = Strict
    #: ``s3://bucket/prefix`` or ``file:///path``; or use ``bucket`` + ``prefix``.
    url: str = ""
    bucket: str = ""
    prefix: str = ""
    region: str = ""
    distribution: str = ""
    #: The public URL of the deployed site (for reports and GitHub Deployments).
    site_url: str = ""
    #: Preview targets deploy under a per-PR prefix, e.g. ``pr-{pr}/``.
    preview: bool = False
    preview_prefix: str = "previews/pr-{pr}/"
    preview_url: str = ""
    protected_prefixes: list[str] = Field(default_factory=lambda: [".well-known/"])
    grace_period_hours: float = Field(default=72.0, ge=0)
    verify_interval_hours: float = Field(default=168.0, ge=0)
    precompress: list[Literal["br", "gzip"]] = Field(default_factory=list)
    guards: DeployGuards = Field(default_factory=DeployGuards)
    #: AWS profile (else the standard credential chain: env, SSO, OIDC web identity, instance role).
    profile: str = ""
    #: Parallel uploads (the HTTP connection pool is sized to match).
    workers: int = Field(default=32, ge=1, le=256)
    #: How long a deploy waits for another one to finish before giving up.
    lock_wait_seconds: float = Field(default=120.0, ge=0)
    #: A lock older than this is considered abandoned (a crashed deploy) and taken over.
    lock_ttl_seconds: float = Field(default=1800.0, gt=0)
    #: Up to this many exact CloudFront paths; more are collapsed into directory wildcards.
    invalidation_max_paths: int = Field(default=30, ge=1, le=3000)
    #: The bucket's SSE-KMS key (``arn:aws:kms:...``), when it encrypts with KMS: the generated IAM
    #: policies then allow the KMS calls S3 makes for the deploy (and ETags are not MD5s).
    kms_key_arn: str = Field(default="", pattern=r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+)?$")

    # Values that can hurt are refused at load (lpublish.config.deploy_rules says why each rule exists).
    @field_validator("prefix")
    @classmethod
    def _safe_prefix(cls, value: str) -> str:
        return deploy_rules.check_prefix(value, key="prefix")

    @field_validator("preview_prefix")
    @classmethod
    def _safe_preview_prefix(cls, value: str) -> str:
        return deploy_rules.check_prefix(value, key="preview_prefix", preview=True)

    @field_validator("bucket")
    @classmethod
    def _bucket_name(cls, value: str) -> str:
        return deploy_rules.check_bucket(value)

    @field_validator("url")
    @classmethod
    def _target_url(cls, value: str) -> str:
        return deploy_rules.check_target_url(value)

    @field_validator("site_url", "preview_url")
    @classmethod
    def _url_template(cls, value: str, info: ValidationInfo) -> str:
        return deploy_rules.check_template_url(value, key=str(info.field_name))

    @field_validator("lock_wait_seconds", "lock_ttl_seconds")
    @classmethod
    def _seconds(cls, value: float, info: ValidationInfo) -> float:
        return deploy_rules.check_number(value, key=str(info.field_name), limit=deploy_rules.MAX_SECONDS)

    @field_validator("grace_period_hours", "verify_interval_hours")
    @classmethod
    def _hours(cls, value: float, info: ValidationInfo) -> float:
        return deploy_rules.check_number(value, key=str(info.field_name), limit=deploy_rules.MAX_HOURS)


class DeploySection(BaseModel):
    """``[deploy]``: named targets (``production``, ``preview`` ...)."""

    model_config = Strict
    default_target: str = "production"
    targets: dict[str, DeployTarget] = Field(default_factory=dict)
    #: Glob patterns (relative to the deployed folder) never uploaded, on top of the built-in ones
    #: (``.git/``, ``.github/``, ``lpublish.toml``, ``.lpublish*``, ``node_modules/``, ``_headers``).
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _previews_apart_from_production(self) -> DeploySection:
        deploy_rules.check_shared_store(
            {
                name: (t.url, t.bucket, t.prefix, t.preview, t.preview_prefix)
                for name, t in self.targets.items()
            }
        )
        return self


class HeaderRule(BaseModel):
    """``[[headers]]``: headers for paths matching ``pattern`` (glob). First match wins."""

    model_config = Strict
    pattern: str
    cache_control: str | None = None
    content_type: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)

    @field_validator("pattern")
    @classmethod
    def _pattern_text(cls, value: str) -> str:
        return deploy_rules.check_pattern(value)

    @field_validator("cache_control", "content_type")
    @classmethod
    def _header_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else deploy_rules.check_header_value(value, key=str(info.field_name))

    @field_validator("extra")
    @classmethod
    def _extra_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            deploy_rules.check_header_name(name)
            deploy_rules.check_header_value(text, key=f"extra.{name}")
        return value

    @model_validator(mode="after")
    def _type_matches_files(self) -> HeaderRule:
        if self.content_type:
            deploy_rules.check_content_type(self.pattern, self.content_type)
        return self


SlotMap = Annotated[dict[str, SlotSection], Field(default_factory=dict)]
