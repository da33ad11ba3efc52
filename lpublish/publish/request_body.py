"""The reviewers' pull request body: everything needed to decide without opening anything else.

Owns: ``render_body`` (summary and notes, a preview link, the file table with human sizes and alt texts,
before/after thumbnails pinned to commits, the campaign's title, dates in the site's time zone, button
and hero, the checklist, and the hidden machine-readable marker) and ``raw_url``. The body is always
rendered from the whole request's marker data, so an update describes every change, not only the last.
Must not import UI libraries.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lpublish.config import SiteConfig
from lpublish.content.slots import describe_place
from lpublish.findings import Finding, Severity
from lpublish.i18n import t
from lpublish.units import format_bytes

MARKER = "lpublish:request"
MARKER_RE = re.compile(r"<!--\s*lpublish:request\s+(\{.*?\})\s*-->", re.DOTALL)
THUMB_WIDTH = 240


def parse_marker(body: str) -> dict[str, Any] | None:
    """The machine-readable data lpublish put in a PR body, or ``None``."""
    match = MARKER_RE.search(body or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def marker(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "-->" would end the HTML comment early; escape the characters JSON allows us to.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- {MARKER} {text} -->"


def cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def human_bytes(n: int | None) -> str:
    """Sizes as people read them (176 KB, 8.2 MB); "—" when unknown."""
    return "—" if n is None else format_bytes(n)


def raw_url(config: SiteConfig, ref: str, path: str) -> str:
    """The file at ``ref`` (a commit SHA keeps working after the branch is deleted)."""
    return f"{config.forge.web_url.rstrip('/')}/{config.forge.repo}/raw/{quote(ref)}/{quote(path)}"


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _slot_label(config: SiteConfig, slot: str) -> str:
    """The place in plain words: "Top page, main image (in pages/index.md, key hero.image) (`hero`)"."""
    section = config.slots.get(slot)
    if section is None:
        return slot
    return f"{describe_place(section, t('publish.body.lang'))} (`{slot}`)"


def _entry_note(entry: dict[str, Any]) -> str:
    """What happened at the place, and a list entry's fields, for the reviewers' table."""
    action = entry.get("action")
    if action not in ("add", "remove", "replace"):
        return ""
    note = "<br>" + t(f"content.body.{action}")
    fields = entry.get("fields") or {}
    shown = ", ".join(f"{k}: {cell(str(v))}" for k, v in fields.items() if k != "image" and v)
    return note + (f" ({shown})" if shown else "")


def _when(config: SiteConfig, value: Any) -> str:
    """An ISO date-time shown in the site's time zone, with the zone named."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return cell(str(value))
    zone = ZoneInfo(config.site.timezone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({config.site.timezone})"


def _image(config: SiteConfig, ref: str, path: str, alt: str) -> str:
    return f'<img src="{raw_url(config, ref, path)}" width="{THUMB_WIDTH}" alt="{_attr(alt)}">'


def _files(config: SiteConfig, data: dict[str, Any]) -> list[str]:
    files = data.get("files", [])
    if not files:
        return []
    columns = ("file", "slot", "size", "bytes", "findings")
    lines = [
        "| " + " | ".join(t(f"publish.body.col.{c}") for c in columns) + " |",
        "|---|---|---|---|---|",
    ]
    for entry in files:
        size = f"{entry['width']}×{entry['height']}" if entry.get("width") else "—"
        before = entry.get("original_bytes")
        after = entry.get("bytes")
        size_text = f"{human_bytes(before)} → {human_bytes(after)}" if before else human_bytes(after)
        findings = [
            Finding(f["code"], Severity(f["severity"]), f.get("file", ""), params=f.get("params", {}))
            for f in entry.get("findings", [])
        ]
        finding_text = "<br>".join(cell(f"{f.severity}: {f.message}") for f in findings) or "—"
        lines.append(
            f"| `{cell(entry['path'])}` | {cell(_slot_label(config, entry.get('slot', '')) + _entry_note(entry))} | {size} "
            f"| {size_text} | {finding_text} |"
        )
    lines += ["", f"### {t('designer.body.images')}", ""]
    branch = str(data.get("branch", ""))
    for entry in files:
        ref = str(entry.get("commit") or data.get("commit") or branch)
        alt = str(entry.get("alt") or "")
        lines.append(f"#### `{cell(entry['path'])}`")
        lines.append("")
        if entry.get("action") == "remove":
            # A removed list entry: only what goes away, as it is on the base now.
            old_ref = str(entry.get("before_ref") or config.forge.base)
            old = str(entry.get("replaced") or entry["path"])
            lines += [f"{t('content.body.remove')}: {_image(config, old_ref, old, old)}", ""]
            continue
        if alt:
            lines.append(f"{t('designer.body.alt')}: {cell(alt)}")
        else:
            lines.append(f"{t('designer.body.alt')}: _{t('designer.body.no_alt')}_")
        lines.append("")
        if entry.get("before") and entry.get("before_ref"):
            lines += [
                f"| {t('designer.body.before')} | {t('designer.body.after')} |",
                "|---|---|",
                f"| {_image(config, str(entry['before_ref']), str(entry['before']), t('designer.body.before'))} "
                f"| {_image(config, ref, entry['path'], alt or entry['path'])} |",
            ]
        else:
            lines.append(_image(config, ref, entry["path"], alt or entry["path"]))
        lines.append("")
    return lines


def _campaign(config: SiteConfig, data: dict[str, Any]) -> list[str]:
    info = data.get("campaign_info")
    slug = data.get("campaign")
    if not slug:
        return []
    if not isinstance(info, dict):
        return [t("publish.body.campaign", slug=slug), ""]
    lines = [f"### {t('designer.body.campaign', title=cell(str(info.get('title') or slug)))}", ""]
    rows = [
        (t("designer.body.campaign_page"), f"`{cell(str(info.get('path') or slug))}`"),
        (t("designer.body.campaign_start"), _when(config, info.get("start"))),
        (t("designer.body.campaign_end"), _when(config, info.get("end")) if info.get("end") else "—"),
        (t("designer.body.campaign_summary"), cell(str(info.get("summary") or "—"))),
    ]
    if info.get("cta_label") or info.get("cta_url"):
        rows.append(
            (
                t("designer.body.campaign_button"),
                f"{cell(str(info.get('cta_label') or ''))} → <{cell(str(info.get('cta_url') or ''))}>",
            )
        )
    rows.append((t("designer.body.alt"), cell(str(info.get("hero_alt") or "—"))))
    lines += ["| | |", "|---|---|"] + [f"| {label} | {value} |" for label, value in rows]
    lines.append("")
    if info.get("hero"):
        ref = str(data.get("commit") or data.get("branch", ""))
        lines += [_image(config, ref, str(info["hero"]), str(info.get("hero_alt") or info["hero"])), ""]
    return lines


def render_body(config: SiteConfig, data: dict[str, Any]) -> str:
    """The reviewers' PR body for the whole request described by ``data`` (the marker's content)."""
    lines: list[str] = [marker(data), "", f"## {t('publish.body.heading')}", ""]
    notes = [
        str(n) for n in data.get("notes") or ([data["note"]] if data.get("note") else []) if str(n).strip()
    ]
    for index, note in enumerate(notes):
        if index:
            lines += [f"**{t('designer.body.later_note', number=index + 1)}**", ""]
        lines += [note, ""]
    preview = data.get("preview_url")
    if preview:
        lines += [f"**{t('designer.body.preview')}:** <{preview}>", ""]
    else:
        lines += [f"_{t('designer.body.preview_comment')}_", ""]
    lines += _files(config, data)
    lines += _campaign(config, data)
    if data.get("page_files"):
        # Every file the page publishes, so nothing reaches the site without a reviewer seeing its name.
        lines += [f"{t('security.body.page_files')}", ""]
        lines += [f"- `{cell(str(path))}`" for path in data["page_files"]] + [""]
    lines += [
        f"### {t('publish.body.checklist')}",
        "",
        f"- [ ] {t('publish.body.check_preview')}",
        f"- [ ] {t('publish.body.check_alt')}",
        f"- [ ] {t('publish.body.check_text')}",
        "",
        f"_{t('publish.body.footer')}_",
    ]
    return "\n".join(lines) + "\n"
