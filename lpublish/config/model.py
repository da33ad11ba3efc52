"""The root ``lpublish.toml`` model (``SiteConfig``) composed from the sections.

Owns: ``SiteConfig`` and the cross-section rules (slot names, references between sections).
Must not import UI libraries.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

from lpublish.config.sections import (
    SLOT_NAME,
    BuildSection,
    CampaignSection,
    DeploySection,
    ForgeSection,
    HeaderRule,
    SiteSection,
    SlotSection,
    Strict,
)


class SiteConfig(BaseModel):
    """Everything ``lpublish.toml`` declares. ``root`` is the folder that holds the file."""

    model_config = Strict
    site: SiteSection = Field(default_factory=SiteSection)
    slots: dict[str, SlotSection] = Field(default_factory=dict)
    campaign: CampaignSection = Field(default_factory=CampaignSection)
    build: BuildSection = Field(default_factory=BuildSection)
    forge: ForgeSection = Field(default_factory=ForgeSection)
    deploy: DeploySection = Field(default_factory=DeploySection)
    headers: list[HeaderRule] = Field(default_factory=list)

    _root: Path = PrivateAttr(default_factory=Path.cwd)
    _path: Path | None = PrivateAttr(default=None)

    @property
    def root(self) -> Path:
        """The site root (the folder containing ``lpublish.toml``)."""
        return self._root

    @property
    def path(self) -> Path | None:
        """The config file this was loaded from, if any."""
        return self._path

    def bind(self, root: Path, path: Path | None = None) -> SiteConfig:
        self._root = root.resolve()
        self._path = path
        return self

    def site_path(self, relative: str) -> Path:
        """A path under the site root."""
        return self.root / relative

    @field_validator("slots")
    @classmethod
    def _slot_names(cls, slots: dict[str, SlotSection]) -> dict[str, SlotSection]:
        for name in slots:
            if not SLOT_NAME.match(name):
                raise ValueError(f"slot name {name!r} must be lowercase letters, digits and '-'")
        return slots

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        problems = []
        for field_name in ("hero_slot", "social_slot"):
            slot = getattr(self.campaign, field_name)
            if self.slots and slot not in self.slots:
                problems.append(f"campaign.{field_name} names slot {slot!r}, which is not declared")
        for name, field in self.campaign.fields.items():
            if field.slot and field.slot not in self.slots:
                problems.append(f"campaign.fields.{name}.slot names unknown slot {field.slot!r}")
        if self.deploy.targets and self.deploy.default_target not in self.deploy.targets:
            problems.append(f"deploy.default_target {self.deploy.default_target!r} is not a declared target")
        if problems:
            raise ValueError("; ".join(problems))
        return self
