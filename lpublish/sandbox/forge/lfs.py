"""Git LFS on the local forge: the batch API (basic transfers) and object storage.

Owns: ``/{owner}/{repo}.git/info/lfs/objects/batch`` (upload and download answers, write access
required to upload) and ``/objects/{oid}`` (PUT checked against its SHA-256, GET), with objects kept in
``lfs-objects/`` next to the bare repository.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from lpublish.sandbox.forge.credentials import basic_password
from lpublish.sandbox.forge.responses import Response, not_found
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.state import ForgeState

logger = logging.getLogger(__name__)

LFS_JSON = "application/vnd.git-lfs+json"
_OBJECT = re.compile(r"objects/([0-9a-f]{64})")


def store_of(bare: Path) -> Path:
    """Where the LFS objects of the repository at ``bare`` are kept."""
    return bare / "lfs-objects"


def lfs(state: ForgeState, call: Call) -> Response:
    full_name, rest = call.params
    repo = state.repos.get(full_name)
    login = state.login_for(basic_password(call.headers))
    if repo is None:
        return not_found()
    if login is None:
        return Response(
            401,
            b'{"message":"Credentials needed"}',
            LFS_JSON,
            {"LFS-Authenticate": 'Basic realm="LocalForge"'},
        )
    store = store_of(repo.bare)
    if rest == "objects/batch" and call.method == "POST":
        return _batch(state, call, full_name, store, write=state.users[login].permission == "write")
    found = _OBJECT.fullmatch(rest)
    if found and call.method == "PUT":
        oid = found.group(1)
        if hashlib.sha256(call.body).hexdigest() != oid:
            return Response(422, b'{"message":"oid mismatch"}', LFS_JSON)
        store.mkdir(exist_ok=True)
        (store / oid).write_bytes(call.body)
        with state.lock:
            state.lfs_uploads.append(oid)
        logger.debug("LFS object %s stored for %s", oid[:12], full_name)
        return Response(200)
    if found and call.method == "GET" and (store / found.group(1)).is_file():
        return Response(200, (store / found.group(1)).read_bytes(), "application/octet-stream")
    return not_found()


def _batch(state: ForgeState, call: Call, full_name: str, store: Path, *, write: bool) -> Response:
    request = json.loads(call.body or b"{}")
    operation = request.get("operation")
    if operation == "upload" and not write:
        return Response(403, b'{"message":"Write access required"}', LFS_JSON)
    base = f"{state.url}/{full_name}.git/info/lfs/objects"
    # The client sends the same credentials to the object URLs.
    auth = {"Authorization": call.headers.get("authorization", "")}
    answers = []
    for item in request.get("objects", []):
        oid, size = str(item.get("oid", "")), int(item.get("size", 0))
        answer: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
        have = (store / oid).is_file()
        if operation == "upload" and not have:
            answer["actions"] = {"upload": {"href": f"{base}/{oid}", "header": auth, "expires_in": 3600}}
        elif operation == "download":
            if have:
                answer["actions"] = {"download": {"href": f"{base}/{oid}", "header": auth}}
            else:
                answer["error"] = {"code": 404, "message": "Object does not exist"}
        answers.append(answer)
    payload = {"transfer": "basic", "objects": answers, "hash_algo": "sha256"}
    return Response(200, json.dumps(payload).encode(), LFS_JSON)
