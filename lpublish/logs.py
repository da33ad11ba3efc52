"""Logging for people debugging lpublish: ``--verbose`` / ``LPUBLISH_DEBUG`` show what each step does.

Owns: the log handler and format, and the redaction every log line passes through. Modules log with
``logging.getLogger(__name__)``; they never configure logging themselves. Redaction is a safety net, not
a licence: code still never passes a token to a logger.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

from lpublish.environment import Environment

#: Shapes of secrets that must never reach a log line: GitHub tokens, credentials in URLs, auth headers,
#: AWS secret keys in ``key=value`` form.
_SECRET_PATTERNS = (
    re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b"),
    re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),
    re.compile(r"(?i)(?<=authorization: )(bearer |token |basic )?\S+"),
    re.compile(r"(?i)(?<=aws_secret_access_key=)\S+"),
    re.compile(r"(?i)(?<=aws_session_token=)\S+"),
)
REDACTED = "***"

_HANDLER_NAME = "lpublish"


def redact(text: str) -> str:
    """``text`` with anything shaped like a secret replaced by ``***``."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line (message, arguments and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def level_for(verbose: int, env: Environment) -> int:
    """``-v`` shows what each step does (INFO), ``-vv`` or ``LPUBLISH_DEBUG`` every detail (DEBUG);
    otherwise only warnings."""
    if verbose >= 2 or env.debug:
        return logging.DEBUG
    if verbose == 1:
        return logging.INFO
    return logging.WARNING


def configure(verbose: int = 0, env: Environment | None = None, stream: TextIO | None = None) -> int:
    """Send lpublish's log records to ``stream`` (stderr) at the level ``verbose``/``env`` ask for.

    Idempotent: a second call replaces the handler instead of doubling every line. Returns the level.
    Only the ``lpublish`` logger is configured, so libraries (botocore, urllib3) stay quiet unless
    ``LPUBLISH_DEBUG`` is set, where their records are wanted too.
    """
    env = env if env is not None else Environment.from_os()
    level = level_for(verbose, env)
    root = logging.getLogger("lpublish")
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(RedactingFormatter("lpublish %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # Records also propagate to the root logger; keep them from being printed twice when a host (pytest,
    # Textual's devtools) configured one.
    root.propagate = False
    return level
