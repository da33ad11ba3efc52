"""Route tables for the local forge: method + path pattern -> handler.

Owns: :class:`Call` (one request as handlers see it), :class:`Route` and :class:`RouteTable`. A table
is an ordered list; the first route whose pattern matches the whole path and which accepts the method
wins, and its pattern's groups become ``Call.params``. What the tables hold is in ``dispatch``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from lpublish.sandbox.forge.responses import Response
from lpublish.sandbox.forge.state import ForgeState, Repo


@dataclass(frozen=True)
class Call:
    """One request: what the client sent, and what the dispatcher learnt about it on the way."""

    method: str
    #: The path, percent-decoded, without the query.
    path: str
    #: The query's parameters (the last value of each) and the query as sent.
    query: dict[str, str]
    raw_query: str
    #: Header names in lower case.
    headers: dict[str, str]
    body: bytes
    #: The groups of the route's pattern.
    params: tuple[str, ...] = ()
    #: API calls: the user the token belongs to, and the JSON body (``{}`` when there is none).
    login: str = ""
    data: Any = field(default=None)

    def with_params(self, params: tuple[str, ...]) -> Call:
        return replace(self, params=params)


#: A handler of a route outside a repository (OAuth, git, LFS, web pages, ``/user`` ...).
Handler = Callable[[ForgeState, Call], Response]
#: A handler of a route under ``/repos/{owner}/{repo}`` (the dispatcher found the repository).
RepoHandler = Callable[[ForgeState, Repo, Call], Response]

H = TypeVar("H", Handler, RepoHandler)


@dataclass(frozen=True)
class Route(Generic[H]):
    #: The methods this route answers; empty: every method (protocols that answer methods themselves).
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: H


def route(methods: str, pattern: str, handler: H) -> Route[H]:
    """A route: ``methods`` space-separated (``"GET POST"``) or ``"*"``; ``pattern`` a regular
    expression that must match the whole path."""
    names = frozenset() if methods == "*" else frozenset(methods.split())
    return Route(names, re.compile(pattern), handler)


class RouteTable(Generic[H]):
    """Routes in the order they are tried."""

    def __init__(self, routes: Iterable[Route[H]]) -> None:
        self.routes: tuple[Route[H], ...] = tuple(routes)

    def find(self, method: str, path: str) -> tuple[H, tuple[str, ...]] | None:
        """The handler for ``method path`` and the pattern's groups, or ``None``.

        A path that a route knows but with another method is ``None`` too: GitHub answers both with
        ``404 Not Found``, never ``405``.
        """
        for candidate in self.routes:
            found = candidate.pattern.fullmatch(path)
            if found is not None and (not candidate.methods or method in candidate.methods):
                return candidate.handler, found.groups()
        return None
