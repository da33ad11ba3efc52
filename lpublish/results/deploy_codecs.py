"""The deploy's results in the envelope: ``DEPLOY`` (``deploy``, ``rollback``) and ``RELEASES``
(``rollback --list``, one ``ReleaseInfo`` each).

Owns: those two codecs and ``ReleaseInfo``. Kept apart from ``codecs`` so that printing a deploy's
envelope (every CI deploy) imports the deploy's own types only. Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, get_type_hints

from lpublish.deploy.engine import DeployResult
from lpublish.deploy.plan import Action, Plan
from lpublish.results.envelope import Codec, plain_codec

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@dataclass
class ReleaseInfo:
    """One recorded release of a deploy target."""

    id: str
    commit: str
    created: str
    files: int
    current: bool = False


# --- deploy --------------------------------------------------------------------------------------------


# The validators are built on first decode: printing a deploy's envelope (every CI deploy) only encodes.
@cache
def _actions() -> TypeAdapter[list[Action]]:
    from pydantic import TypeAdapter

    return TypeAdapter(list[Action])


def encode_plan(plan: Plan) -> dict[str, Any]:
    return plan.to_dict()


def decode_plan(data: Any) -> Plan:
    """The plan as printed: its actions and counts (the manifest it commits is not part of the JSON)."""
    uploads = _actions().validate_python(data.get("uploads", []))
    copies = _actions().validate_python(data.get("copies", []))
    return Plan(
        writes=[*uploads, *copies],
        deletes=_actions().validate_python(data.get("deletes", [])),
        unchanged=int(data.get("unchanged", 0)),
        retained=[str(p) for p in data.get("retained", [])],
        changed_paths=[str(p) for p in data.get("changed_paths", [])],
        remote_files=int(data.get("remote_files", 0)),
        local_files=int(data.get("local_files", 0)),
    )


def encode_deploy(result: DeployResult) -> dict[str, Any]:
    return result.to_dict()


@cache
def _deploy_fields() -> dict[str, TypeAdapter[Any]]:
    """Each scalar field of a deploy result, validated by its dataclass type (the plan is decoded above)."""
    from pydantic import TypeAdapter

    return {name: TypeAdapter(hint) for name, hint in get_type_hints(DeployResult).items() if name != "plan"}


def decode_deploy(data: Any) -> DeployResult:
    # Fields that are not DeployResult's (free_invalidation_paths_per_month, a constant for dashboards,
    # and a newer lpublish's additions of the same major version) are ignored, not an error.
    values = {
        name: check.validate_python(data[name]) for name, check in _deploy_fields().items() if name in data
    }
    return DeployResult(plan=decode_plan(data.get("plan") or {}), **values)


DEPLOY: Codec[DeployResult] = Codec(("deploy", "rollback"), encode_deploy, decode_deploy)
RELEASES: Codec[list[ReleaseInfo]] = plain_codec(list[ReleaseInfo], "rollback --list")
