"""The local forge's OAuth device flow, as GitHub and GitHub Apps run it.

Owns: ``POST /login/device/code`` (a device and user code for a registered client id),
``POST /login/oauth/access_token`` (polling with ``authorization_pending``/``slow_down``/
``access_denied``/``expired_token`` as the device policy says, and the refresh-token grant, where a
refresh token works once because GitHub rotates it), the browser page ``/login/device``, and issuing
tokens (expiring after 8 hours for apps registered as ``expiring``).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from lpublish.sandbox.forge.responses import Response, json_response
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.state import Device, ForgeState, Refresh

logger = logging.getLogger(__name__)

#: GitHub App user tokens live 8 hours; their refresh tokens about 6 months.
TOKEN_LIFETIME = 28800
REFRESH_LIFETIME = 15811200
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _params(call: Call) -> dict[str, str]:
    """The form (or JSON) parameters of an OAuth request."""
    if "json" in call.headers.get("content-type", ""):
        try:
            return {k: str(v) for k, v in json.loads(call.body or b"{}").items()}
        except ValueError:
            return {}
    return {k: v[-1] for k, v in parse_qs(call.body.decode("utf-8", "replace")).items()}


def _oauth_error(error: str, description: str | None = None, **extra: Any) -> Response:
    # GitHub answers OAuth errors with 200 and an "error" field.
    data: dict[str, Any] = {"error": error}
    if description is not None:
        data["error_description"] = description
    data.update(extra)
    return json_response(200, data)


def device_code(state: ForgeState, call: Call) -> Response:
    client_id = _params(call).get("client_id", "")
    with state.lock:
        if client_id not in state.apps:
            return _oauth_error("incorrect_client_credentials", "The client_id is not valid.")
        policy = state.device_policy
        device = Device(
            device_code=secrets.token_hex(20),
            user_code=f"{secrets.token_hex(2).upper()}-{secrets.token_hex(2).upper()}",
            client_id=client_id,
            expires_at=time.time() + policy.expires_in,
            interval=policy.interval,
            login=policy.login,
            outcome=policy.outcome,
            pending=policy.pending,
            slow_down=policy.slow_down,
        )
        state.devices[device.device_code] = device
    logger.debug("device code issued for client %s", client_id)
    return json_response(
        200,
        {
            "device_code": device.device_code,
            "user_code": device.user_code,
            "verification_uri": f"{state.url}/login/device",
            "expires_in": policy.expires_in,
            "interval": device.interval,
        },
    )


def device_page(state: ForgeState, call: Call) -> Response:
    return Response(200, b"<html><body>Enter your code</body></html>", "text/html; charset=utf-8")


def access_token(state: ForgeState, call: Call) -> Response:
    params = _params(call)
    client_id = params.get("client_id", "")
    with state.lock:
        if client_id not in state.apps:
            return _oauth_error("incorrect_client_credentials")
        grant = params.get("grant_type", "")
        if grant == "refresh_token":
            return _refresh(state, params, client_id)
        if grant != DEVICE_GRANT:
            return _oauth_error("unsupported_grant_type")
        device = state.devices.get(params.get("device_code", ""))
        if device is None or device.client_id != client_id or device.done:
            return _oauth_error("incorrect_device_code")
        return _poll(state, device, client_id)


def _refresh(state: ForgeState, params: dict[str, str], client_id: str) -> Response:
    # Like GitHub, a refresh token works once (it rotates); the delay lets tests overlap two.
    time.sleep(state.refresh_delay)
    old = state.refresh.pop(params.get("refresh_token", ""), None)
    if old is None or old.client_id != client_id:
        return _oauth_error("bad_refresh_token", "The refresh token passed is incorrect or expired.")
    return json_response(200, issue_token(state, old.login, client_id))


def _poll(state: ForgeState, device: Device, client_id: str) -> Response:
    if device.slow_down > 0:
        device.slow_down -= 1
        device.interval += 5
        return _oauth_error(
            "slow_down",
            interval=device.interval,
            error_description="Too many requests have been made in the same timeframe.",
        )
    if device.outcome == "expire" or device.expires_at <= time.time():
        return _oauth_error("expired_token", "This 'device_code' has expired.")
    if device.pending > 0 or (device.login is None and device.outcome == "approve"):
        device.pending = max(0, device.pending - 1)
        return _oauth_error("authorization_pending", "The authorization request is still pending.")
    device.done = True
    if device.outcome == "deny":
        return _oauth_error("access_denied", "The authorization request was denied.")
    assert device.login is not None
    logger.debug("device code approved for %s", device.login)
    return json_response(200, issue_token(state, device.login, client_id))


def issue_token(state: ForgeState, login: str, client_id: str) -> dict[str, Any]:
    """A new access token for ``login`` (and a refresh token when the app issues expiring tokens)."""
    token = "gho_" + secrets.token_hex(18)
    with state.lock:
        state.tokens[token] = login
        data: dict[str, Any] = {"access_token": token, "token_type": "bearer", "scope": "repo"}
        if state.apps.get(client_id):
            refresh = "ghr_" + secrets.token_hex(30)
            state.refresh[refresh] = Refresh(login, client_id)
            state.token_expiry[token] = time.time() + TOKEN_LIFETIME
            data.update(
                expires_in=TOKEN_LIFETIME, refresh_token=refresh, refresh_token_expires_in=REFRESH_LIFETIME
            )
    return data
