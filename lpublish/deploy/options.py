"""How one deploy, rollback or preview removal behaves.

Owns: ``DeployOptions`` (plain values: what to check, how many workers, the guards, lock timing,
precompression, excludes, the commit and the clock). ``lpublish.deploy.configured`` fills it from a
``[deploy.targets.*]`` table; the engine only reads it. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lpublish.deploy.plan import GuardLimits, Guards
from lpublish.site.own_files import DEFAULT_EXCLUDE


@dataclass
class DeployOptions:
    """How one deploy behaves. ``options_from_config`` fills it from a ``[deploy.targets.*]`` table."""

    dry_run: bool = False
    #: Check the manifest against a full listing now (drift detection and repair).
    verify: bool = False
    #: Wait (bounded) for the CloudFront invalidation to complete.
    wait: bool = False
    #: Go ahead even when a guard refuses.
    yes: bool = False
    workers: int = 32
    guards: GuardLimits = field(default_factory=Guards)
    protected_prefixes: list[str] = field(default_factory=lambda: [".well-known/"])
    grace_period_hours: float = 72.0
    verify_interval_hours: float = 168.0
    precompress: list[str] = field(default_factory=list)
    lock_wait_seconds: float = 120.0
    lock_ttl_seconds: float = 1800.0
    invalidation_max_paths: int = 30
    #: Files never uploaded (patterns relative to the deployed folder; see ``lpublish.site.adapters``).
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    #: The git commit being deployed (default: ``GITHUB_SHA``, else ``git rev-parse HEAD`` in the source).
    commit: str | None = None
    now: datetime | None = None
