"""Writing to GitHub Actions' step files: the job summary and step outputs.

Owns: ``append_summary`` (``$GITHUB_STEP_SUMMARY``, Markdown, 1 MiB limit per step) and ``set_outputs``
(``$GITHUB_OUTPUT``, with the heredoc form for values that contain newlines). Outside Actions (no path
given) both do nothing, so commands behave the same on a laptop. Must not import UI libraries.
"""

from __future__ import annotations

import secrets
from pathlib import Path

#: GitHub refuses step summaries larger than 1 MiB; keep clear of it.
SUMMARY_LIMIT = 1_000_000
_CUT_MARK = "\n…\n".encode()


def append_summary(path: Path | str | None, markdown: str) -> bool:
    """Append ``markdown`` to the job summary file; ``False`` when there is no summary file to write.

    The limit is for the whole file (one step's summary), so what is already there counts: text that
    does not fit is cut at a character boundary and ends with an ellipsis line.
    """
    if not path:
        return False
    target = Path(path)
    data = (markdown if markdown.endswith("\n") else markdown + "\n").encode("utf-8")
    room = SUMMARY_LIMIT - (target.stat().st_size if target.exists() else 0)
    if len(data) > room:
        cut = _CUT_MARK if room >= len(_CUT_MARK) else b""
        kept = data[: max(0, room - len(cut))].decode("utf-8", errors="ignore").encode("utf-8")
        data = kept + cut
    with target.open("ab") as fh:
        fh.write(data)
    return True


def set_outputs(path: Path | str | None, values: dict[str, str]) -> bool:
    """Write step outputs (``name=value``; multi-line values use a random heredoc delimiter)."""
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as fh:
        for name, value in values.items():
            if "\n" in value or "\r" in value:
                # A random delimiter: content cannot end the block early and inject other outputs.
                delimiter = f"lpublish_{secrets.token_hex(8)}"
                fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                fh.write(f"{name}={value}\n")
    return True
