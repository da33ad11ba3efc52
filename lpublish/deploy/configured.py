"""From ``lpublish.toml`` (or a command line's address) to a deploy ``Target`` and ``DeployOptions``.

Owns: ``target_from_url`` (``s3://bucket/prefix`` or ``file:///path``), ``target_from_config`` (a
``[deploy.targets.<name>]`` table, per pull request for preview targets), ``options_from_config`` (the
table's limits, guards and timing, plus the prefixes of sibling targets a drift repair must never touch).
The engine never reads the config itself. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lpublish.deploy.folder_target import DirTarget
from lpublish.deploy.options import DeployOptions
from lpublish.deploy.s3_target import S3Target
from lpublish.deploy.target import Target
from lpublish.environment import Environment
from lpublish.errors import ConfigError, UsageError
from lpublish.site.own_files import DEFAULT_EXCLUDE

if TYPE_CHECKING:  # ``--bucket`` / ``--url`` deploys have no config: they never load pydantic models
    from lpublish.config.model import SiteConfig
    from lpublish.config.sections import DeployTarget


def target_from_url(
    url: str,
    *,
    env: Environment,
    prefix: str = "",
    region: str = "",
    distribution: str = "",
    site_url: str = "",
    profile: str = "",
    kms_key_id: str = "",
    workers: int = 32,
    lock_ttl_seconds: float = 1800.0,
) -> Target:
    """``s3://bucket/prefix`` or ``file:///path`` (extra ``prefix`` is appended to the URL's).

    ``env`` gives the AWS endpoint overrides (``AWS_ENDPOINT_URL[_S3|_CLOUDFRONT]``)."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        base = parsed.path.strip("/")
        full = "/".join(p for p in (base, prefix.strip("/")) if p)
        return S3Target(
            parsed.netloc,
            full,
            env=env,
            region=region,
            distribution=distribution,
            site_url=site_url,
            profile=profile or None,
            kms_key_id=kms_key_id,
            workers=workers,
            lock_ttl_seconds=lock_ttl_seconds,
        )
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
        return DirTarget(path, prefix, site_url=site_url)
    raise UsageError("deploy.bad_url", url=url)


def _target_config(config: SiteConfig, name: str | None) -> tuple[str, DeployTarget]:
    chosen = name or config.deploy.default_target
    found = config.deploy.targets.get(chosen)
    if found is None:
        known = ", ".join(sorted(config.deploy.targets)) or "-"
        raise ConfigError("deploy.unknown_target", name=chosen, known=known)
    return chosen, found


def _preview_prefix(cfg: DeployTarget, pr: int | None) -> tuple[str, str]:
    """(prefix, site_url) for a target, per pull request for preview targets."""
    if not cfg.preview:
        if pr is not None:
            raise UsageError("deploy.pr_not_preview")
        return cfg.prefix, cfg.site_url
    if pr is None or pr <= 0:
        raise UsageError("deploy.pr_required")
    sub = cfg.preview_prefix.format(pr=pr).strip("/")
    prefix = "/".join(p for p in (cfg.prefix.strip("/"), sub) if p)
    site_url = (cfg.preview_url or cfg.site_url).format(pr=pr)
    return prefix, site_url


def target_from_config(
    config: SiteConfig,
    name: str | None,
    *,
    env: Environment,
    pr: int | None = None,
    distribution: str | None = None,
) -> Target:
    """The target called ``name`` (default ``[deploy] default_target``); preview targets need ``pr``.

    ``distribution`` overrides the configured CloudFront distribution (the CLI's ``--distribution``).
    """
    _, cfg = _target_config(config, name)
    if distribution is not None:
        cfg = cfg.model_copy(update={"distribution": distribution})
    prefix, site_url = _preview_prefix(cfg, pr)
    if cfg.url:
        return target_from_url(
            cfg.url,
            env=env,
            prefix=prefix,
            region=cfg.region,
            distribution=cfg.distribution,
            site_url=site_url,
            profile=cfg.profile,
            kms_key_id=cfg.kms_key_arn,
            workers=cfg.workers,
            lock_ttl_seconds=cfg.lock_ttl_seconds,
        )
    if not cfg.bucket:
        raise ConfigError("deploy.target_incomplete", name=name or config.deploy.default_target)
    return S3Target(
        cfg.bucket,
        prefix,
        env=env,
        region=cfg.region,
        distribution=cfg.distribution,
        site_url=site_url,
        profile=cfg.profile or None,
        kms_key_id=cfg.kms_key_arn,
        workers=cfg.workers,
        lock_ttl_seconds=cfg.lock_ttl_seconds,
    )


def _sibling_prefixes(config: SiteConfig, chosen: str) -> list[str]:
    """Prefixes of other targets in the same bucket: a drift repair must never delete those as stale.

    (A production target at the bucket root would otherwise see every preview as unknown objects.)
    """
    from lpublish.config.deploy_rules import preview_area, target_store

    mine = config.deploy.targets[chosen]
    my_store, base = target_store(mine.url, mine.bucket, mine.prefix)
    found: list[str] = []
    for other_name, other in config.deploy.targets.items():
        other_store, other_base = target_store(other.url, other.bucket, other.prefix)
        if other_name == chosen or other_store != my_store or other_store in ("s3://", "file://"):
            continue
        full = other_base + "/" if other_base else ""
        if other.preview:
            # "previews/pr-{pr}/" protects everything starting with "previews/pr-" (the same bucket or
            # the same folder, however each target names it).
            full = preview_area(other_base, other.preview_prefix)
        if full and (not base or full.startswith(base + "/")):
            found.append(full[len(base) + 1 :] if base else full)
    return found


def options_from_config(config: SiteConfig | None, name: str | None, **overrides: Any) -> DeployOptions:
    """Deploy options from a target's config table (defaults when there is no config), then overrides."""
    options = DeployOptions()
    if config is not None and config.deploy.targets:
        chosen, cfg = _target_config(config, name)
        options = DeployOptions(
            workers=cfg.workers,
            guards=cfg.guards,
            protected_prefixes=list(cfg.protected_prefixes) + _sibling_prefixes(config, chosen),
            grace_period_hours=cfg.grace_period_hours,
            verify_interval_hours=cfg.verify_interval_hours,
            precompress=list(cfg.precompress),
            lock_wait_seconds=cfg.lock_wait_seconds,
            lock_ttl_seconds=cfg.lock_ttl_seconds,
            invalidation_max_paths=cfg.invalidation_max_paths,
        )
    if config is not None:
        options.exclude = [*DEFAULT_EXCLUDE, *config.deploy.exclude]
    return replace(options, **overrides)
