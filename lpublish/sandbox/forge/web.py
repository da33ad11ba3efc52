"""The local forge's pages for browsers: raw files and a tiny page per pull request.

Owns: ``/{owner}/{repo}/raw/{ref}/{path}`` (the ref may contain slashes; PR bodies show thumbnails
from here) and ``/{owner}/{repo}/pull/{n}`` (title, state and body, HTML-escaped).
"""

from __future__ import annotations

import html

from lpublish.sandbox.forge.bare_git import blob, ref_sha
from lpublish.sandbox.forge.responses import Response, not_found
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.state import ForgeState

_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "md": "text/plain; charset=utf-8",
    "toml": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def content_type(path: str) -> str:
    return _CONTENT_TYPES.get(path.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def raw_file(state: ForgeState, call: Call) -> Response:
    full_name, rest = call.params
    repo = state.repos.get(full_name)
    if repo is None:
        return not_found()
    # The ref may contain slashes (lpublish/hana/...): try the longest ref that exists.
    parts = rest.split("/")
    for cut in range(len(parts) - 1, 0, -1):
        ref, path = "/".join(parts[:cut]), "/".join(parts[cut:])
        sha = ref_sha(state, repo, f"refs/heads/{ref}") or ref_sha(state, repo, ref)
        if sha:
            data = blob(state, repo, sha, path)
            if data is not None:
                return Response(200, data, content_type(path))
    return not_found()


def pull_page(state: ForgeState, call: Call) -> Response:
    full_name, number = call.params
    repo = state.repos.get(full_name)
    pull = repo.pulls.get(int(number)) if repo else None
    if pull is None:
        return not_found()
    page = (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(pull.title)}</title>"
        f"<h1>{html.escape(pull.title)} #{number}</h1><p>{pull.state}</p>"
        f"<pre>{html.escape(pull.body)}</pre>"
    )
    return Response(200, page.encode("utf-8"), "text/html; charset=utf-8")
