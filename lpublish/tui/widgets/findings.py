"""A list of findings in plain words: what is wrong, what to do, and whether one key fixes it.

Owns: ``FindingsView`` and ``findings_text``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text

from lpublish.i18n import t
from lpublish.tui.widgets.prose import Prose

if TYPE_CHECKING:
    from lpublish.findings import Finding

MARKS = {"error": "✗", "warning": "!", "info": "i"}
STYLES = {"error": "bold red", "warning": "yellow", "info": "dim"}


def findings_text(findings: Iterable[Finding], *, ok_text: str = "") -> Text:
    """Rich text for findings (errors first); ``ok_text`` when there are none."""
    order = {"error": 0, "warning": 1, "info": 2}
    items = sorted(findings, key=lambda f: order.get(str(f.severity), 3))
    text = Text()
    if not items:
        text.append(f"✓ {ok_text}", style="bold green")
        return text
    for index, finding in enumerate(items):
        severity = str(finding.severity)
        if index:
            text.append("\n")
        text.append(f"{MARKS.get(severity, '-')} {finding.message}", style=STYLES.get(severity, ""))
        if finding.hint:
            text.append(f"\n  {finding.hint}", style="dim")
        if finding.fix:
            text.append(f"\n  {t('tui.findings.fixable')}", style="cyan")
    return text


class FindingsView(Prose):
    """Findings for one file or one form (Japanese wrapped at phrase boundaries)."""

    def show(self, findings: Iterable[Finding], ok_text: str = "") -> None:
        self.update(findings_text(findings, ok_text=ok_text))
