"""Git over smart HTTP on the local forge, through ``git http-backend``.

Owns: ``/{owner}/{repo}.git/...`` (clone, fetch, push), with Basic auth where the token is the
password (so lpublish's credential helper is exercised for real), read-only users refused on push,
partial clones allowed as on GitHub, and reading a request body that git sends with
``Transfer-Encoding: chunked`` (large pushes).
"""

from __future__ import annotations

import logging
import subprocess
from io import BufferedIOBase

from lpublish.sandbox.forge.bare_git import git_env
from lpublish.sandbox.forge.credentials import basic_password
from lpublish.sandbox.forge.responses import Response
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.state import ForgeState

logger = logging.getLogger(__name__)


def read_body(stream: BufferedIOBase, headers: dict[str, str]) -> bytes:
    """A request's body: ``Content-Length`` bytes, or the chunks of a chunked body joined."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = stream.readline().strip()
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                stream.readline()
                break
            chunks.append(stream.read(size))
            stream.readline()
        return b"".join(chunks)
    length = int(headers.get("content-length") or 0)
    return stream.read(length) if length else b""


def smart_http(state: ForgeState, call: Call) -> Response:
    full_name, sub = call.params
    repo = state.repos.get(full_name)
    if repo is None:
        return Response(404, b"Repository not found\n", "text/plain")
    login = state.login_for(basic_password(call.headers))
    if login is None:
        return Response(
            401, b"Authentication required\n", "text/plain", {"WWW-Authenticate": 'Basic realm="LocalForge"'}
        )
    pushing = "git-receive-pack" in sub or "service=git-receive-pack" in call.raw_query
    if pushing and state.users[login].permission != "write":
        return Response(403, b"Permission denied\n", "text/plain")
    env = git_env(
        state.env,
        GIT_PROJECT_ROOT=str(repo.bare.parent),
        GIT_HTTP_EXPORT_ALL="1",
        PATH_INFO="/" + repo.bare.name + sub,
        REQUEST_METHOD=call.method,
        QUERY_STRING=call.raw_query,
        CONTENT_TYPE=call.headers.get("content-type", ""),
        CONTENT_LENGTH=str(len(call.body)),
        REMOTE_USER=login,
        REMOTE_ADDR="127.0.0.1",
        GIT_HTTP_MAX_REQUEST_BUFFER="1000M",
        # Like GitHub: partial clones (--filter=blob:none) and the lazy blob fetches they do later.
        GIT_CONFIG_COUNT="3",
        GIT_CONFIG_KEY_0="uploadpack.allowFilter",
        GIT_CONFIG_VALUE_0="true",
        GIT_CONFIG_KEY_1="uploadpack.allowAnySHA1InWant",
        GIT_CONFIG_VALUE_1="true",
        GIT_CONFIG_KEY_2="http.receivepack",
        GIT_CONFIG_VALUE_2="true",
    )
    if call.headers.get("content-encoding"):
        env["HTTP_CONTENT_ENCODING"] = call.headers["content-encoding"]
    if call.headers.get("git-protocol"):
        env["GIT_PROTOCOL"] = call.headers["git-protocol"]
    logger.debug("git http-backend %s %s for %s", call.method, sub, full_name)
    result = subprocess.run(
        ["git", "http-backend"], input=call.body, capture_output=True, env=env, check=False
    )
    return _cgi_response(result.stdout)


def _cgi_response(output: bytes) -> Response:
    """http-backend's CGI answer (headers, a blank line, the payload) as a response."""
    head, blank, payload = output.partition(b"\r\n\r\n")
    if not blank:
        head, _, payload = output.partition(b"\n\n")
    status = 200
    extra: dict[str, str] = {}
    content_type = "application/octet-stream"
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        value = value.strip()
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name.lower() == "content-type":
            content_type = value
        elif name:
            extra[name] = value
    return Response(status, payload, content_type, extra)
