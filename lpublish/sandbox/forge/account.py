"""The local forge's endpoints outside a repository: the signed-in user, the rate limit, search.

Owns: the handlers of ``GET /user``, ``/rate_limit`` and ``GET /search/issues`` (the qualifiers lpublish
uses: ``repo:``, ``is:pr``, ``author:``, ``state:``; sorted by update time).
"""

from __future__ import annotations

import json
import time

from lpublish.sandbox.forge.paging import paged
from lpublish.sandbox.forge.responses import RATE_LIMIT, Response, json_response, validation
from lpublish.sandbox.forge.routes import Call
from lpublish.sandbox.forge.shapes import private_user_json, search_item_json
from lpublish.sandbox.forge.state import ForgeState


def get_user(state: ForgeState, call: Call) -> Response:
    return json_response(200, private_user_json(state, state.users[call.login]))


def rate_limit(state: ForgeState, call: Call) -> Response:
    rate = {"limit": RATE_LIMIT, "remaining": RATE_LIMIT - 1, "reset": int(time.time()) + 3600, "used": 1}
    return json_response(200, {"resources": {}, "rate": rate})


def search_issues(state: ForgeState, call: Call) -> Response:
    query = call.query
    with state.lock:
        terms = dict(t.split(":", 1) for t in query.get("q", "").split() if ":" in t)
        repo = state.repos.get(terms.get("repo", ""))
        if repo is None or state.users[call.login].permission == "none":
            return validation("Search", "q", "invalid", message="The listed repositories cannot be searched")
        pulls = [p for p in repo.pulls.values() if terms.get("is") in ("pr", None)]
        if "author" in terms:
            pulls = [p for p in pulls if p.user.lower() == terms["author"].lower()]
        if terms.get("state") in ("open", "closed"):
            pulls = [p for p in pulls if p.state == terms["state"]]
        pulls.sort(key=lambda p: (p.updated_at, p.number), reverse=query.get("order", "desc") == "desc")
        response = paged([search_item_json(state, repo, p) for p in pulls], query, "items")
    data = json.loads(response.body)
    data["incomplete_results"] = False
    data["search_type"] = "lexical"
    response.body = json.dumps(data).encode()
    return response
