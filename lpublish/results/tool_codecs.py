"""The results of the workflow and set-up commands in the envelope: ``comment``, ``ci schedule``,
``ci deploy-summary``, ``ci setup-doc``, ``screenshots`` (also its ``screenshots.json``), ``init``,
``config schema`` and ``config check``.

Owns: those codecs and the small result dataclasses of commands that have no core result type
(``CommentOutcome``, ``JobSummary``, ``SetupDoc``, ``InitOutcome`` / ``InitSlot``, ``ConfigCheck``).
Kept apart from ``codecs`` so that a workflow step (the status comment, the schedule, screenshots) does
not import every command's result types. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from lpublish.ci.schedule import CampaignChange, ScheduleDecision
from lpublish.ci.screenshots import PROBLEMS, ScreenshotResult
from lpublish.results.envelope import Codec, plain_codec


@dataclass
class CommentOutcome:
    """What ``lpublish comment`` did: ``action`` is ``created``, ``updated``, ``unchanged``, ``none``
    (nothing to mark closed) or ``skipped`` (``--no-comment``: the job summary only)."""

    pr: int
    action: str
    comment_id: int | None = None
    url: str = ""
    #: The status was appended to the job summary file.
    summary_written: bool = False
    #: The comment's Markdown (also with ``--print`` in text mode).
    body: str = ""


@dataclass
class JobSummary:
    """``ci deploy-summary``: the Markdown and whether it went into the job summary file."""

    markdown: str
    written: bool


@dataclass
class SetupDoc:
    """``ci setup-doc``: the AWS + GitHub setup page."""

    markdown: str


@dataclass
class InitSlot:
    """One slot ``init`` guessed from the images already in the site."""

    name: str
    path: str
    count: int


@dataclass
class InitOutcome:
    """What ``lpublish init`` found and wrote (paths relative to ``repo_root``)."""

    repo_root: str
    site_dir: str
    adapter: str
    preset: str
    slots: list[InitSlot] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    #: The repository was already set up exactly so: nothing written.
    unchanged: bool = False
    #: The question was answered no: nothing written (exit code 1).
    declined: bool = False
    #: The setup page an engineer follows next (written or not).
    setup_file: str = ""


@dataclass
class ConfigCheck:
    """``config check``: the valid ``lpublish.toml`` and its number of slots."""

    path: str
    slots: int


COMMENT: Codec[CommentOutcome] = plain_codec(CommentOutcome, "comment")
DEPLOY_SUMMARY: Codec[JobSummary] = plain_codec(JobSummary, "ci deploy-summary")
SETUP_DOC: Codec[SetupDoc] = plain_codec(SetupDoc, "ci setup-doc")
INIT: Codec[InitOutcome] = plain_codec(InitOutcome, "init")
CONFIG_CHECK: Codec[ConfigCheck] = plain_codec(ConfigCheck, "config check")


def _encode_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return schema


def _decode_schema(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError("a JSON Schema is an object")
    return data


#: ``config schema``: the JSON Schema of ``lpublish.toml`` itself is the result.
CONFIG_SCHEMA: Codec[dict[str, Any]] = Codec(("config schema",), _encode_schema, _decode_schema)

# --- screenshots ---------------------------------------------------------------------------------------

_shots: TypeAdapter[ScreenshotResult] = TypeAdapter(ScreenshotResult)


def _decode_screenshots(data: Any) -> ScreenshotResult:
    result = _shots.validate_python(data)
    if result.problem not in PROBLEMS:
        result.problem = ""  # a newer lpublish's reason: the comment shows the pictures it has
    return result


SCREENSHOTS: Codec[ScreenshotResult] = Codec(
    ("screenshots",), lambda result: _shots.dump_python(result, mode="json"), _decode_screenshots
)

# --- ci schedule ---------------------------------------------------------------------------------------

_changes: TypeAdapter[list[CampaignChange]] = TypeAdapter(list[CampaignChange])


def _encode_schedule(decision: ScheduleDecision) -> dict[str, Any]:
    # The plan is the ``--plan`` file the decision was made from: not repeated here.
    return {
        "now": decision.now.isoformat(),
        "since": decision.since.isoformat(),
        "changed": decision.changed,
        "reason": decision.reason,
        "went_live": _changes.dump_python(decision.went_live, mode="json"),
        "ended": _changes.dump_python(decision.ended, mode="json"),
        "outputs": decision.outputs(),
    }


def _decode_schedule(data: Any) -> ScheduleDecision:
    reason = data["reason"]
    if reason not in ("plan", "manifest", "first-run") or not isinstance(data["changed"], bool):
        raise ValueError("not a schedule decision")
    return ScheduleDecision(
        now=datetime.fromisoformat(data["now"]),
        since=datetime.fromisoformat(data["since"]),
        changed=data["changed"],
        reason=reason,
        went_live=_changes.validate_python(data.get("went_live", [])),
        ended=_changes.validate_python(data.get("ended", [])),
    )


SCHEDULE: Codec[ScheduleDecision] = Codec(("ci schedule",), _encode_schedule, _decode_schedule)
