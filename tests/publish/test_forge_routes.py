"""The local forge's route tables: what GitHub answers for paths and methods it does not route, how a
table picks a handler, and the per-request log line (never a credential)."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from lpublish.environment import Environment
from lpublish.sandbox.forge.responses import Response, json_response
from lpublish.sandbox.forge.routes import Call, Handler, RouteTable, route
from lpublish.sandbox.forge.state import ForgeState
from tests.plugins.forge import ForgeSite

GITHUB_NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest",
    "status": "404",
}


def _client(site: ForgeSite) -> httpx.Client:
    return httpx.Client(base_url=site.url, headers={"Authorization": f"token {site.token}"}, timeout=30)


@pytest.mark.parametrize(
    "path", ["/nothing-here", "/repos/acme/lp/nothing-here", "/repos/acme/lp/pulls/1/nothing", "/users"]
)
def test_an_unknown_route_answers_githubs_404(forge_site: ForgeSite, path: str) -> None:
    with _client(forge_site) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == GITHUB_NOT_FOUND


@pytest.mark.parametrize(
    ("method", "path", "routed"),
    [
        ("DELETE", "/user", "GET"),
        ("PUT", "/repos/acme/lp/pulls", "GET"),
        ("DELETE", "/repos/acme/lp", "GET"),
        ("GET", "/repos/acme/lp/check-runs", "POST"),
        ("PATCH", "/repos/acme/lp/deployments", "GET"),
        ("POST", "/repos/acme/lp/branches/main", "GET"),
    ],
)
def test_a_known_path_with_another_method_answers_404_like_github(
    forge_site: ForgeSite, method: str, path: str, routed: str
) -> None:
    # GitHub routes by method and path together: a method it has no operation for is "Not Found"
    # (never 405), in the same error shape.
    with _client(forge_site) as client:
        response = client.request(method, path, json={})
        known = client.request(routed, path, json={})
    assert known.status_code in (200, 201), known.text
    assert response.status_code == 404
    assert response.json() == GITHUB_NOT_FOUND


def test_an_unknown_route_needs_authentication_first(forge_site: ForgeSite) -> None:
    # Like GitHub, an anonymous caller learns nothing about which paths exist.
    response = httpx.get(f"{forge_site.url}/repos/acme/lp/nothing-here")
    assert response.status_code == 401 and response.json()["message"] == "Requires authentication"


def _handler(name: str) -> Handler:
    def answer(state: ForgeState, call: Call) -> Response:
        return json_response(200, {"handler": name, "params": list(call.params)})

    return answer


def _answer(table: RouteTable[Handler], method: str, path: str) -> dict[str, Any] | None:
    """What the table's handler for ``method path`` answers (``None``: no route)."""
    found = table.find(method, path)
    if found is None:
        return None
    handler, params = found
    response = handler(ForgeState(Environment({})), Call(method, path, {}, "", {}, b"").with_params(params))
    data: dict[str, Any] = json.loads(response.body)
    return data


def test_a_route_table_picks_the_first_full_match_for_the_method() -> None:
    table = RouteTable[Handler](
        [
            route("GET", r"/pulls/(\d+)", _handler("get")),
            route("PATCH POST", r"/pulls/(\d+)", _handler("change")),
            route("GET", r"/pulls/(\d+)/(.+)", _handler("sub")),
            route("*", r"/pulls/.*", _handler("any")),
        ]
    )
    assert _answer(table, "GET", "/pulls/7") == {"handler": "get", "params": ["7"]}
    assert _answer(table, "POST", "/pulls/7") == {"handler": "change", "params": ["7"]}
    assert _answer(table, "GET", "/pulls/7/reviews/x") == {"handler": "sub", "params": ["7", "reviews/x"]}
    # Not a prefix match: "/pulls/7x" is not pull 7; it falls through to the route for every method.
    assert _answer(table, "GET", "/pulls/7x") == {"handler": "any", "params": []}
    assert _answer(table, "DELETE", "/pulls/7") == {"handler": "any", "params": []}
    assert _answer(table, "GET", "/issues/7") is None
    assert _answer(RouteTable[Handler]([route("GET", r"/user", _handler("user"))]), "PUT", "/user") is None


def test_each_request_is_logged_at_debug_without_credentials(
    forge_site: ForgeSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lpublish.sandbox.forge")
    with _client(forge_site) as client:
        assert client.get("/user", params={"access_token": "secret-in-query"}).status_code == 200
        assert client.get("/repos/acme/lp/nothing-here").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "lpublish.sandbox.forge.http_handler"]
    assert "GET /user -> 200" in lines
    assert "GET /repos/acme/lp/nothing-here -> 404" in lines
    assert not any(forge_site.token in line or "secret-in-query" in line for line in caplog.messages)
