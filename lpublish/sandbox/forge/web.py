"""The local forge's pages for browsers: raw files and a tiny page per pull request.

Owns: ``/{owner}/{repo}/raw/{ref}/{path}`` (the ref may contain slashes; PR bodies show thumbnails
from here) and ``/{owner}/{repo}/pull/{n}`` (title, state and body, HTML-escaped).
"""

from __future__ import annotations

import html

from lpublish.media_types import content_type_for, is_text
from lpublish.sandbox.forge.bare_git import blob, ref_sha
from lpublish.sandbox.forge.responses import Response, not_found
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.state import ForgeState

#: What GitHub's raw host serves every text file as (it never renders a page or runs a script).
RAW_TEXT = "text/plain; charset=utf-8"


def raw_content_type(path: str) -> str:
    """A raw file's type: lpublish's table (``lpublish.media_types``) for pictures (SVG included: PR
    bodies show thumbnails from here), fonts and other binaries; plain text for every other text type
    (pages, scripts, Markdown, TOML), as GitHub's raw host does."""
    ctype = content_type_for(path)
    return RAW_TEXT if is_text(ctype) and not ctype.startswith("image/") else ctype


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
                return Response(200, data, raw_content_type(path))
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
