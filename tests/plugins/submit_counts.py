"""Counting what a submitted change goes through: validations, draft saves, placements.

Owns ``count_submit_steps(monkeypatch) -> Calls``: real counting spies (``tests.plugins.spies``) on the
one validation (``validate_changeset``), the campaign form's field rules (counted per slug), the image
check (counted per file name), the draft store's ``create`` and ``save`` (counted per stage: the change's
own save is ``save:prepared``, the record of a pushed branch ``save:pushed``, a failure's mark
``save:error``) and placing (``place_change``, ``write_campaign``). Everything runs as it would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import lpublish.assets.validate
import lpublish.publish.place_change
import lpublish.publish.service
import lpublish.publish.validate_change
import lpublish.site.campaigns
from lpublish.publish.drafts import Draft, DraftStore
from tests.plugins.spies import Calls, spy


def _fields_label(config: Any, fields: dict[str, Any], *args: Any, **kwargs: Any) -> str:
    return f"validate_campaign_fields:{fields.get('slug')}"


def _image_label(path: Path, *args: Any, **kwargs: Any) -> str:
    return f"check_image:{Path(path).name}"


def _save_label(store: DraftStore, draft: Draft) -> str:
    return "save:error" if draft.error else f"save:{draft.stage}"


def count_submit_steps(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Spy on every step a submitted change is validated, saved or placed by (see the module docstring)."""
    calls = Calls()
    spy(monkeypatch, calls, lpublish.publish.validate_change, "validate_changeset")
    spy(monkeypatch, calls, lpublish.site.campaigns, "validate_campaign_fields", _fields_label)
    spy(monkeypatch, calls, lpublish.assets.validate, "check_image", _image_label)
    spy(monkeypatch, calls, DraftStore, "create")
    spy(monkeypatch, calls, DraftStore, "save", _save_label)
    spy(monkeypatch, calls, lpublish.publish.place_change, "place_change")
    spy(monkeypatch, calls, lpublish.site.campaigns, "write_campaign")
    return calls
