"""GitHub's pagination for the local forge's lists.

Owns: ``page``/``per_page`` as GitHub reads them (30 by default, at most 100), one page of a list, and
the ``Link`` header (``next``/``last``, ``prev``/``first``) that clients such as githubkit's paginator
follow.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from lpublish.sandbox.forge.responses import Response, json_response


def page_numbers(query: dict[str, str], total: int) -> tuple[int, int, int]:
    """(page, per_page, last page) as GitHub computes them (per_page 30 by default, at most 100)."""
    try:
        per_page = max(1, min(100, int(query.get("per_page", "30"))))
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        per_page, page = 30, 1
    return page, per_page, max(1, -(-total // per_page))


def paged(items: list[Any], query: dict[str, str], wrap: str | None = None) -> Response:
    """One page of ``items`` with the page numbers for the ``Link`` header (``wrap``: the list sits in
    an object ``{"total_count": n, wrap: [...]}``, as check runs and search results do)."""
    page, per_page, last = page_numbers(query, len(items))
    chunk = items[(page - 1) * per_page : page * per_page]
    response = json_response(200, {"total_count": len(items), wrap: chunk} if wrap else chunk)
    response.pages = (page, last)
    return response


def link_header(base: str, query: dict[str, str], page: int, last: int) -> str:
    """GitHub's pagination links (``next``/``last``, ``prev``/``first``)."""

    def url(number: int) -> str:
        return base + "?" + urlencode({**query, "page": str(number)})

    links = []
    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
    return ", ".join(links)
