"""How each command's result dataclass becomes the envelope's ``result`` and back.

Owns: one ``Codec`` per result type (``CHECK``, ``BUILD``, ``DEPLOYMENT``, ``DOCTOR``, ``FIX``,
``SUBMIT``, ``REQUESTS``, ``DRAFTS``, ``DRAFT_DELETED``, ``WITHDRAW``, ``WHOAMI``, ``LOGIN``, ``LOGOUT``,
``PRACTICE``) and the commands that print it; the deploy's are in ``deploy_codecs`` (a deploy in CI
loads only those, not every command's result types), the workflow and set-up commands' (``comment``,
``ci *``, ``screenshots``, ``init``, ``config``) in ``tool_codecs``. Field names are the ones ``--json`` printed before the
envelope existed; findings also carry their ``params`` so a finding read back says the same message.
Plain dataclasses of plain fields go through pydantic's ``TypeAdapter`` (validation both ways); the
others are spelled out here. Must not import UI libraries.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import TypeAdapter

from lpublish.findings import Finding, Report, Severity
from lpublish.publish.deployments import DeploymentRecord
from lpublish.publish.drafts import Draft
from lpublish.publish.forge import Deployment, DeploymentStatus
from lpublish.publish.request_status import RequestStatus
from lpublish.publish.service import SubmitResult
from lpublish.results.envelope import Codec, plain_codec
from lpublish.results.types import (
    BuildOutput,
    BuildSummary,
    DoctorReport,
    DraftDeleted,
    FixSummary,
    Identity,
    PracticeWorld,
    SignIn,
    SignOut,
    Withdrawal,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


# --- findings ------------------------------------------------------------------------------------------


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return str(value)  # paths, dates: a message shows them as text anyway


def encode_finding(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data["params"] = {str(k): _json_safe(v) for k, v in finding.params.items()}
    return data


def decode_finding(data: Any) -> Finding:
    if not isinstance(data, dict):
        raise TypeError("a finding is an object")
    line = data.get("line")
    params = data.get("params")
    return Finding(
        code=str(data["code"]),
        severity=Severity(data["severity"]),
        file=str(data.get("file") or ""),
        field=str(data.get("field") or ""),
        params=dict(params) if isinstance(params, dict) else {},
        fix=str(data["fix"]) if data.get("fix") else None,
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
    )


def encode_report(report: Report) -> dict[str, Any]:
    return {"findings": [encode_finding(f) for f in report.sorted()], "summary": report.summary()}


def decode_report(data: Any) -> Report:
    findings = data["findings"]
    if not isinstance(findings, list):
        raise TypeError("findings is a list")
    summary = data.get("summary")
    files = summary.get("files", 0) if isinstance(summary, dict) else 0
    return Report([decode_finding(f) for f in findings], int(files))


CHECK: Codec[Report] = Codec(("check",), encode_report, decode_report)

# --- fix ---------------------------------------------------------------------------------------------


def _encode_fix(summary: FixSummary) -> dict[str, Any]:
    data = {name: getattr(summary, name) for name in FixSummary.__dataclass_fields__ if name != "remaining"}
    return {**data, "remaining": encode_report(summary.remaining)}


_fix_fields = TypeAdapter(FixSummary)


def _decode_fix(data: Any) -> FixSummary:
    remaining = decode_report(data["remaining"])
    # Validated field by field by the dataclass's types; the report is read as a check's report.
    checked = _fix_fields.validate_python({**data, "remaining": {"findings": [], "files_checked": 0}})
    checked.remaining = remaining
    return checked


FIX: Codec[FixSummary] = Codec(("fix",), _encode_fix, _decode_fix)

# --- build ---------------------------------------------------------------------------------------------

_build_summary: TypeAdapter[BuildSummary] = TypeAdapter(BuildSummary)


def _encode_build(output: BuildOutput) -> dict[str, Any]:
    return {**encode_report(output.report), "build": _build_summary.dump_python(output.build, mode="json")}


def _decode_build(data: Any) -> BuildOutput:
    return BuildOutput(decode_report(data), _build_summary.validate_python(data["build"]))


BUILD: Codec[BuildOutput] = Codec(("build",), _encode_build, _decode_build)

# --- GitHub deployments --------------------------------------------------------------------------------


def _encode_deployment(record: DeploymentRecord) -> dict[str, Any]:
    return {
        **record.to_dict(),
        "ref": record.deployment.ref,
        "status_id": record.status.id,
        "log_url": record.status.log_url,
    }


def _decode_deployment(data: Any) -> DeploymentRecord:
    return DeploymentRecord(
        deployment=Deployment(
            id=int(data["deployment_id"]),
            environment=str(data["environment"]),
            sha=str(data["sha"]),
            ref=str(data.get("ref", "")),
        ),
        status=DeploymentStatus(
            id=int(data.get("status_id", 0)),
            state=str(data["state"]),
            environment_url=str(data.get("environment_url") or ""),
            log_url=str(data.get("log_url") or ""),
        ),
        created=bool(data["created"]),
    )


DEPLOYMENT: Codec[DeploymentRecord] = Codec(("record-deployment",), _encode_deployment, _decode_deployment)

# --- doctor, sign-in, requests, drafts -----------------------------------------------------------------

DOCTOR: Codec[DoctorReport] = plain_codec(DoctorReport, "doctor")
WHOAMI: Codec[Identity] = plain_codec(Identity, "whoami")
LOGIN: Codec[SignIn] = plain_codec(SignIn, "login")
LOGOUT: Codec[SignOut] = plain_codec(SignOut, "logout")
SUBMIT: Codec[SubmitResult] = plain_codec(SubmitResult, "submit", "update", "drafts --resume")
REQUESTS: Codec[list[RequestStatus]] = plain_codec(list[RequestStatus], "status")
WITHDRAW: Codec[Withdrawal] = plain_codec(Withdrawal, "withdraw")
PRACTICE: Codec[PracticeWorld] = plain_codec(PracticeWorld, "practice")


def _encode_drafts(drafts: list[Draft]) -> list[dict[str, Any]]:
    return [d.to_dict() for d in drafts]


def _decode_drafts(data: Any) -> list[Draft]:
    if not isinstance(data, list):
        raise TypeError("drafts is a list")
    return [Draft.from_dict(d) for d in data]


DRAFTS: Codec[list[Draft]] = Codec(("drafts",), _encode_drafts, _decode_drafts)
DRAFT_DELETED: Codec[DraftDeleted] = plain_codec(DraftDeleted, "drafts --delete")
