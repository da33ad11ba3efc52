"""The process environment, read in one place.

Owns: which environment variables lpublish reads and what they mean. Core code takes an
:class:`Environment` (the CLI builds one with :meth:`Environment.from_os`); tests pass their own instead of
patching ``os.environ``. Nothing here ever logs or formats a value, because some of them are tokens.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

#: Variables that hold secrets: never logged, never copied into a child process that does not need them.
SECRET_VARIABLES = frozenset(
    {"LPUBLISH_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
)


def _frozen(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class Environment:
    """An immutable snapshot of environment variables with named accessors for the ones lpublish uses."""

    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _frozen(self.values))

    @classmethod
    def from_os(cls) -> Environment:
        """The current process's environment (read once, at the edge: the CLI, the TUI, a test)."""
        return cls(dict(os.environ))

    def get(self, name: str, default: str = "") -> str:
        """The stripped value of ``name``, or ``default`` when it is unset or blank."""
        value = self.values.get(name, "").strip()
        return value or default

    def first(self, *names: str) -> str | None:
        """The first of ``names`` that is set and not blank."""
        for name in names:
            value = self.get(name)
            if value:
                return value
        return None

    def with_values(self, **changes: str | None) -> Environment:
        """A copy with ``changes`` applied (``None`` removes a variable)."""
        merged = dict(self.values)
        for name, value in changes.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        return Environment(merged)

    def for_child(self, **extra: str) -> dict[str, str]:
        """A mutable mapping for ``subprocess`` (``env=``): this environment plus ``extra``."""
        return {**self.values, **extra}

    # ------------------------------------------------------------------ what lpublish reads, by meaning

    @property
    def debug(self) -> bool:
        """``LPUBLISH_DEBUG``: debug logging, and tracebacks instead of the plain "internal problem"."""
        return self.get("LPUBLISH_DEBUG") not in ("", "0", "false", "no")

    @property
    def lpublish_home(self) -> Path | None:
        """``LPUBLISH_HOME``: one folder for drafts, settings and caches (tests, portable installs)."""
        value = self.get("LPUBLISH_HOME")
        return Path(value) if value else None

    @property
    def github_token(self) -> str | None:
        """A token given by the environment (``LPUBLISH_GITHUB_TOKEN``, then ``GITHUB_TOKEN``)."""
        return self.first("LPUBLISH_GITHUB_TOKEN", "GITHUB_TOKEN")

    @property
    def workflow_token(self) -> str | None:
        """The token a workflow step uses (``GITHUB_TOKEN``, then ``LPUBLISH_GITHUB_TOKEN``): in Actions
        the job's own token comes first."""
        return self.first("GITHUB_TOKEN", "LPUBLISH_GITHUB_TOKEN")

    @property
    def language(self) -> str | None:
        """``LPUBLISH_LANG``, as given (the i18n layer normalises it)."""
        return self.get("LPUBLISH_LANG") or None

    @property
    def in_github_actions(self) -> bool:
        return self.get("GITHUB_ACTIONS") == "true"

    @property
    def github_sha(self) -> str | None:
        return self.get("GITHUB_SHA") or None

    @property
    def github_run_id(self) -> str | None:
        return self.get("GITHUB_RUN_ID") or None

    @property
    def github_ref_name(self) -> str | None:
        return self.get("GITHUB_REF_NAME") or None

    @property
    def github_server_url(self) -> str | None:
        """``GITHUB_SERVER_URL``: the web address of the GitHub running the workflow."""
        return self.get("GITHUB_SERVER_URL") or None

    @property
    def github_workspace(self) -> Path | None:
        """``GITHUB_WORKSPACE``: the checked-out repository of a workflow run."""
        value = self.get("GITHUB_WORKSPACE")
        return Path(value) if value else None

    def github_run_url(self) -> str | None:
        """This Actions run's page (``$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID``)."""
        server, repo, run = self.github_server_url, self.get("GITHUB_REPOSITORY"), self.github_run_id
        return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None

    @property
    def step_summary_path(self) -> Path | None:
        """``GITHUB_STEP_SUMMARY``: where a workflow step's Markdown summary goes."""
        value = self.get("GITHUB_STEP_SUMMARY")
        return Path(value) if value else None

    def aws_endpoint(self, service: str) -> str | None:
        """The endpoint override for an AWS service (``AWS_ENDPOINT_URL_<SERVICE>``, then
        ``AWS_ENDPOINT_URL``), as the AWS SDKs document it."""
        return self.first(f"AWS_ENDPOINT_URL_{service.upper()}", "AWS_ENDPOINT_URL")
