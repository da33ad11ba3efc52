"""The scheduled-campaign decision: should the scheduled run deploy, and what changed since last time?

Owns: ``decide`` (deploy only when the output changed: the production dry-run plan decides when there is
one, else the build manifest is compared with the one kept from the previous run), the small state kept
between runs (``state.json``: last run time; ``manifest.json``: last build manifest), and which campaigns
went live or ended between the previous run and now (``lpublish.site.campaigns.campaign_state`` at both
times). Must not import UI libraries.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from lpublish.ci.comment import md_escape, plan_lines
from lpublish.ci.inputs import DeployPlanSummary
from lpublish.config import SiteConfig
from lpublish.i18n import t
from lpublish.site.build_manifest import read_manifest_file

logger = logging.getLogger(__name__)

STATE_FILE = "state.json"
MANIFEST_FILE = "manifest.json"
#: Without a previous run on record, transitions are looked for in this window (the cron interval).
DEFAULT_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class CampaignChange:
    """A campaign whose state changed between two times."""

    slug: str
    title: str
    before: str
    after: str


@dataclass
class ScheduleDecision:
    """Whether to deploy, why, and which campaigns changed state."""

    now: datetime
    since: datetime
    changed: bool
    reason: Literal["plan", "manifest", "first-run"]
    went_live: list[CampaignChange] = field(default_factory=list)
    ended: list[CampaignChange] = field(default_factory=list)
    plan: DeployPlanSummary | None = None

    def outputs(self) -> dict[str, str]:
        """Step outputs for the workflow (``changed`` gates the deploy step)."""
        return {
            "changed": "true" if self.changed else "false",
            "went_live": " ".join(c.slug for c in self.went_live),
            "ended": " ".join(c.slug for c in self.ended),
        }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_state(state_dir: Path | None) -> dict[str, Any]:
    """The previous run's state (empty when there was none or it is unreadable)."""
    if state_dir is None:
        return {}
    try:
        data = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _manifest_files(path: Path) -> dict[str, str] | None:
    entries = read_manifest_file(path)
    return None if entries is None else {rel: entry.sha256 for rel, entry in entries.items()}


def manifest_changed(previous: Path, current: Path) -> bool | None:
    """Whether two build manifests list different files or contents (``None``: one is unreadable)."""
    before, after = _manifest_files(previous), _manifest_files(current)
    if before is None or after is None:
        return None
    return before != after


def campaign_changes(config: SiteConfig, since: datetime, now: datetime) -> list[CampaignChange]:
    """Campaigns whose state (scheduled / live / ended) differs between ``since`` and ``now``."""
    from lpublish.site.campaigns import campaign_state, load_campaigns

    campaigns, _findings = load_campaigns(config)
    changes = []
    for campaign in campaigns:
        before, after = campaign_state(campaign, since), campaign_state(campaign, now)
        if before != after:
            changes.append(CampaignChange(campaign.slug, campaign.title, before, after))
    return sorted(changes, key=lambda c: c.slug)


def build_manifest_path(config: SiteConfig) -> Path:
    """Where the site's last build left its manifest (the output folder; ``.lpublish-cache`` for static)."""
    from lpublish.site.adapters import adapter_for

    return adapter_for(config).manifest_path()


def decide(
    config: SiteConfig,
    *,
    now: datetime | None = None,
    state_dir: Path | None = None,
    plan: DeployPlanSummary | None = None,
    manifest: Path | None = None,
) -> ScheduleDecision:
    """Decide whether the scheduled run deploys, and list campaign transitions since the last run."""
    now = _aware(now or datetime.now(UTC))
    state = read_state(state_dir)
    since = now - DEFAULT_WINDOW
    last = state.get("last_run")
    if isinstance(last, str):
        with contextlib.suppress(ValueError):  # a damaged state file only loses the exact window
            since = _aware(datetime.fromisoformat(last))
    manifest = manifest or build_manifest_path(config)
    reason: Literal["plan", "manifest", "first-run"]
    if plan is not None:
        changed, reason = plan.changed, "plan"
    else:
        previous = state_dir / MANIFEST_FILE if state_dir else None
        result = manifest_changed(previous, manifest) if previous else None
        # No earlier manifest to compare with: deploy (an incremental deploy of equal files is a no-op).
        changed, reason = (True, "first-run") if result is None else (result, "manifest")
    changes = campaign_changes(config, since, now)
    logger.info(
        "schedule: since %s, %s (by %s), %d campaign change(s)",
        since.isoformat(),
        "deploy" if changed else "nothing changed",
        reason,
        len(changes),
    )
    return ScheduleDecision(
        now=now,
        since=since,
        changed=changed,
        reason=reason,
        went_live=[c for c in changes if c.after == "live"],
        ended=[c for c in changes if c.after == "ended"],
        plan=plan,
    )


def save_state(state_dir: Path, decision: ScheduleDecision, manifest: Path | None) -> None:
    """Remember this run (time and build manifest) for the next one."""
    logger.info("schedule state saved in %s", state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    state = {"version": 1, "last_run": decision.now.isoformat(), "changed": decision.changed}
    (state_dir / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    if manifest is not None and manifest.is_file():
        shutil.copyfile(manifest, state_dir / MANIFEST_FILE)


def render_summary(decision: ScheduleDecision) -> str:
    """The job summary of a scheduled run (Markdown)."""
    head = t("ci.schedule.deploy") if decision.changed else t("ci.schedule.no_change")
    since = decision.since.strftime("%Y-%m-%d %H:%M %Z")
    now = decision.now.strftime("%Y-%m-%d %H:%M %Z")
    out = [f"## {head}", "", t("ci.schedule.window", since=since, now=now), ""]
    out.append(t(f"ci.schedule.reason.{decision.reason}"))
    out += ["", f"### {t('ci.schedule.live_head')}", ""]
    out += [f"- **{md_escape(c.title)}** (`{c.slug}`)" for c in decision.went_live] or [t("ci.schedule.none")]
    out += ["", f"### {t('ci.schedule.ended_head')}", ""]
    out += [f"- **{md_escape(c.title)}** (`{c.slug}`)" for c in decision.ended] or [t("ci.schedule.none")]
    if decision.plan is not None:
        out += ["", f"### {t('ci.section.plan')}", "", *plan_lines(decision.plan)]
    out.append("")
    return "\n".join(out)
