"""The pydantic models for each section of ``lpublish.toml``.

Owns: the shape of the config file. Every model forbids unknown keys (a typo is an error, reported with
a "did you mean"). Sections for later parts of the product (forge, deploy, headers) live here too so the
file has one schema. Must not import UI libraries.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class SlotSection(BaseModel):
    """``[slots.<name>]``: the rules an image must meet to go into a named place on the site."""

    model_config = Strict
    label: Label
    #: Folder (relative to the site root) where the slot's files live.
    path: str
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

    @model_validator(mode="after")
    def _bounds_consistent(self) -> SlotSection:
        if self.min_width and self.max_width and self.min_width > self.max_width:
            raise ValueError("min_width is larger than max_width")
        if self.min_height and self.max_height and self.min_height > self.max_height:
            raise ValueError("min_height is larger than max_height")
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


class BuildSection(BaseModel):
    """``[build]``: responsive images and budgets."""

    model_config = Strict
    widths: list[int] = Field(default_factory=lambda: [480, 960, 1440, 1920])
    formats: list[Literal["avif", "webp"]] = Field(default_factory=lambda: ["avif", "webp"])  # type: ignore[arg-type]
    jpeg_quality: int = Field(default=82, ge=1, le=100)
    webp_quality: int = Field(default=80, ge=1, le=100)
    avif_quality: int = Field(default=60, ge=1, le=100)
    page_budget_bytes: int = Field(default=1_500_000, gt=0)
    workers: int = Field(default=0, ge=0)


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


class DeploySection(BaseModel):
    """``[deploy]``: named targets (``production``, ``preview`` ...)."""

    model_config = Strict
    default_target: str = "production"
    targets: dict[str, DeployTarget] = Field(default_factory=dict)


class HeaderRule(BaseModel):
    """``[[headers]]``: headers for paths matching ``pattern`` (glob). First match wins."""

    model_config = Strict
    pattern: str
    cache_control: str | None = None
    content_type: str | None = None
    extra: dict[str, str] = Field(default_factory=dict)


SlotMap = Annotated[dict[str, SlotSection], Field(default_factory=dict)]
