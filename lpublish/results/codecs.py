"""How each command's result dataclass becomes the envelope's ``result`` and back.

Owns: one ``Codec`` per result type (``CHECK``, ``BUILD``, ``DEPLOY``, ``RELEASES``, ``DEPLOYMENT``,
``DOCTOR``, ``FIX``, ``SUBMIT``, ``REQUESTS``, ``DRAFTS``, ``WITHDRAW``, ``WHOAMI``, ``LOGIN``, ``LOGOUT``,
``PRACTICE``) and the commands that print it. Field names are the ones ``--json`` printed before the
envelope existed; findings also carry their ``params`` so a finding read back says the same message.
Plain dataclasses of plain fields go through pydantic's ``TypeAdapter`` (validation both ways); the
others are spelled out here. Must not import UI libraries.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar, get_type_hints

from pydantic import TypeAdapter

from lpublish.deploy.engine import DeployResult
from lpublish.deploy.plan import Action, Plan
from lpublish.findings import Finding, Report, Severity
from lpublish.publish.deployments import DeploymentRecord
from lpublish.publish.drafts import Draft
from lpublish.publish.forge import Deployment, DeploymentStatus
from lpublish.publish.request_status import RequestStatus
from lpublish.publish.service import SubmitResult
from lpublish.results.envelope import Codec
from lpublish.results.types import (
    BuildOutput,
    BuildSummary,
    DoctorReport,
    FixSummary,
    Identity,
    PracticeWorld,
    ReleaseInfo,
    SignIn,
    SignOut,
    Withdrawal,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def _plain(kind: type[T] | Any, *commands: str) -> Codec[T]:
    """A codec for a dataclass (or list of them) of plain fields: pydantic dumps and validates it."""
    adapter: TypeAdapter[T] = TypeAdapter(kind)

    def encode(value: T) -> Any:
        return adapter.dump_python(value, mode="json")

    def decode(data: Any) -> T:
        return adapter.validate_python(data)

    return Codec(commands, encode, decode)


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

# --- deploy --------------------------------------------------------------------------------------------

_actions: TypeAdapter[list[Action]] = TypeAdapter(list[Action])


def encode_plan(plan: Plan) -> dict[str, Any]:
    return plan.to_dict()


def decode_plan(data: Any) -> Plan:
    """The plan as printed: its actions and counts (the manifest it commits is not part of the JSON)."""
    uploads = _actions.validate_python(data.get("uploads", []))
    copies = _actions.validate_python(data.get("copies", []))
    return Plan(
        writes=[*uploads, *copies],
        deletes=_actions.validate_python(data.get("deletes", [])),
        unchanged=int(data.get("unchanged", 0)),
        retained=[str(p) for p in data.get("retained", [])],
        changed_paths=[str(p) for p in data.get("changed_paths", [])],
        remote_files=int(data.get("remote_files", 0)),
        local_files=int(data.get("local_files", 0)),
    )


def encode_deploy(result: DeployResult) -> dict[str, Any]:
    return result.to_dict()


#: Each scalar field of a deploy result, validated by its dataclass type (the plan is decoded above).
_DEPLOY_FIELDS = {
    name: TypeAdapter(hint) for name, hint in get_type_hints(DeployResult).items() if name != "plan"
}


def decode_deploy(data: Any) -> DeployResult:
    # Fields that are not DeployResult's (free_invalidation_paths_per_month, a constant for dashboards,
    # and a newer lpublish's additions of the same major version) are ignored, not an error.
    values = {
        name: check.validate_python(data[name]) for name, check in _DEPLOY_FIELDS.items() if name in data
    }
    return DeployResult(plan=decode_plan(data.get("plan") or {}), **values)


DEPLOY: Codec[DeployResult] = Codec(("deploy", "rollback"), encode_deploy, decode_deploy)
RELEASES: Codec[list[ReleaseInfo]] = _plain(list[ReleaseInfo], "rollback --list")

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

DOCTOR: Codec[DoctorReport] = _plain(DoctorReport, "doctor")
WHOAMI: Codec[Identity] = _plain(Identity, "whoami")
LOGIN: Codec[SignIn] = _plain(SignIn, "login")
LOGOUT: Codec[SignOut] = _plain(SignOut, "logout")
SUBMIT: Codec[SubmitResult] = _plain(SubmitResult, "submit", "update", "drafts --resume")
REQUESTS: Codec[list[RequestStatus]] = _plain(list[RequestStatus], "status")
WITHDRAW: Codec[Withdrawal] = _plain(Withdrawal, "withdraw")
PRACTICE: Codec[PracticeWorld] = _plain(PracticeWorld, "practice")


def _encode_drafts(drafts: list[Draft]) -> list[dict[str, Any]]:
    return [d.to_dict() for d in drafts]


def _decode_drafts(data: Any) -> list[Draft]:
    if not isinstance(data, list):
        raise TypeError("drafts is a list")
    return [Draft.from_dict(d) for d in data]


DRAFTS: Codec[list[Draft]] = Codec(("drafts",), _encode_drafts, _decode_drafts)
