"""The local forge: a GitHub-compatible server over real bare git repositories.

It stands in for GitHub (which cannot run here) in the tests, the benchmarks and practice mode, over
real HTTP on 127.0.0.1: the REST subset lpublish calls, with JSON valid against GitHub's OpenAPI
description; the OAuth device flow; git over smart HTTP; the Git LFS batch API; raw files and a page per
pull request. Errors use GitHub's shape; tests inject faults with ``LocalForge.fail_next``; merges are
real merges in the bare repository. Must not import UI libraries.

Modules, each owning one thing:

- ``server``: ``LocalForge`` (start/stop, setup, the helpers that act as reviewers and CI);
- ``http_handler``: HTTP in and out, rate-limit headers, the per-request log line;
- ``dispatch``: the route tables and the order of checks a request goes through;
- ``routes``: ``Call``, ``Route``, ``RouteTable``;
- ``state``: the data and its lock; ``bare_git``: git on the bare repositories (refs, the real merge);
- ``shapes``: GitHub's JSON for users, repositories, pull requests, comments, reviews, search items;
- ``responses``: answers and GitHub's error shapes, injected faults; ``paging``: pages and ``Link``;
- API areas: ``account`` (``/user``, ``/rate_limit``, search), ``repos``, ``pulls``, ``issues``,
  ``checks``, ``deployments``;
- protocols with their own authentication: ``oauth``, ``git_http``, ``lfs``, ``web``;
  ``credentials`` reads tokens from ``Authorization``.
"""
