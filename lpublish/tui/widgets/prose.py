"""``Prose``: a ``Static`` for sentences (messages, findings, hints), wrapped by ``lpublish.tui.wrap``.

Owns: ``Prose``. Use it instead of ``Static``/``Label`` wherever a translated sentence may be longer than
its widget: Japanese then breaks between phrases, never before 。/、 or inside a word, and re-wraps
whenever the widget's width changes. Content that is not text (a Rich renderable) is shown unchanged.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widgets import Static

from lpublish.tui.wrap import PhraseWrapped


class Prose(Static):
    """Static text wrapped at phrase boundaries (see ``lpublish.tui.wrap``)."""

    def render(self) -> RenderResult:
        visual = self.visual
        return PhraseWrapped(visual) if isinstance(visual, Content) else visual
