"""What the local forge answers with, and GitHub's error shapes.

Owns: :class:`Response`, JSON answers, GitHub's error bodies (``{"message", "documentation_url",
"status"}``, ``422 Validation Failed`` with ``errors``), and the answers of injected faults (plain
statuses, primary and secondary rate limits, SAML SSO enforcement).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DOCS = "https://docs.github.com/rest"

#: ``x-ratelimit-*`` headers sent with every API response (GitHub always sends them).
RATE_LIMIT = 5000


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: For list answers: (this page, last page); the dispatcher turns it into GitHub's ``Link`` header.
    pages: tuple[int, int] | None = None
    #: Work to do once the dispatcher has released the state's lock, before the answer is sent (the
    #: merge hooks: a slow one must not hold up every other request).
    after_unlock: Callable[[], None] | None = None


def json_response(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data).encode("utf-8"))


def error(status: int, message: str) -> Response:
    return json_response(status, {"message": message, "documentation_url": DOCS, "status": str(status)})


def not_found() -> Response:
    return error(404, "Not Found")


def validation(resource: str, field_name: str, code: str, *, message: str | None = None) -> Response:
    detail: dict[str, Any] = {"resource": resource, "field": field_name, "code": code}
    if message:
        detail["message"] = message
    return json_response(
        422, {"message": "Validation Failed", "errors": [detail], "documentation_url": DOCS, "status": "422"}
    )


_FAULT_MESSAGES = {
    401: "Bad credentials",
    403: "Resource not accessible by integration",
    404: "Not Found",
    422: "Validation Failed",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def fault_response(status: int | str) -> Response:
    """The answer of a fault injected with ``LocalForge.fail_next``."""
    if status in ("secondary-rate-limit", "429"):
        # Secondary limits: 403 (or 429) with Retry-After, while the primary quota is not used up.
        response = error(
            429 if status == "429" else 403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        )
        response.headers = {"retry-after": "1"}
        return response
    if status == "sso":
        response = error(
            403,
            "Resource protected by organization SAML enforcement. You must grant your Personal Access "
            "token access to this organization.",
        )
        response.headers = {
            "x-github-sso": "required; url=https://github.com/orgs/acme/sso?authorization_request=AB12CD"
        }
        return response
    if status == "rate-limit":
        response = error(403, "API rate limit exceeded for user ID 1.")
        response.headers = {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-reset": str(int(time.time()) + 1800),
        }
        return response
    code = int(status)
    if code == 422:
        return validation("PullRequest", "", "custom", message="Injected validation failure")
    return error(code, _FAULT_MESSAGES.get(code, "Error"))
