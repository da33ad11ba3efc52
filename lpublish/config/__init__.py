"""Loading and validating ``lpublish.toml``.

Owns: finding the config file (walk up from the working directory, or ``--site DIR``), parsing it,
turning every pydantic problem into a ``ConfigProblem`` with file, line, key path and a "did you mean"
hint, and the JSON Schema for editors. All problems are reported at once as one ``ConfigError`` (exit 2).
Must not import UI libraries.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from lpublish.config.model import SiteConfig
from lpublish.config.sections import (
    BuildSection,
    CampaignSection,
    DeploySection,
    DeployTarget,
    ForgeSection,
    HeaderRule,
    Label,
    SiteSection,
    SlotSection,
)
from lpublish.errors import ConfigError
from lpublish.i18n import t

__all__ = [
    "CONFIG_NAME",
    "BuildSection",
    "CampaignSection",
    "ConfigProblem",
    "DeploySection",
    "DeployTarget",
    "ForgeSection",
    "HeaderRule",
    "Label",
    "SiteConfig",
    "SiteSection",
    "SlotSection",
    "find_config",
    "json_schema",
    "load_config",
    "parse_config",
]

CONFIG_NAME = "lpublish.toml"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in the config file."""

    file: str
    line: int
    key: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.key or '(top level)'}: {self.message}"
        if self.suggestion:
            text += " " + t("config.did_you_mean", suggestion=self.suggestion)
        return text


def find_config(start: Path | None = None, site: Path | None = None) -> Path:
    """Locate ``lpublish.toml``: in ``site`` if given, else walking up from ``start`` (or cwd)."""
    if site is not None:
        candidate = site / CONFIG_NAME if site.is_dir() or not site.suffix else site
        if candidate.is_file():
            return candidate
        raise ConfigError("config.not_found_in", path=str(site))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    # From the repository's root, the site may be one folder down (``[forge] site_path``, e.g. site/).
    below = [
        p
        for p in sorted(here.glob(f"*/{CONFIG_NAME}"))
        if not p.parent.name.startswith(".") and p.parent.name != "node_modules"
    ]
    if len(below) == 1:
        return below[0]
    raise ConfigError("config.not_found", path=str(here))


def load_config(site: Path | None = None, start: Path | None = None) -> SiteConfig:
    """Find, read and validate the config. Raises ``ConfigError`` listing every problem."""
    path = find_config(start=start, site=site)
    logger.info("reading the config %s", path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config.unreadable", path=str(path), error=type(exc).__name__) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> SiteConfig:
    """Validate config ``text`` read from ``path`` (used by tests and ``lpublish init``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line_match = re.search(r"line (\d+)", str(exc))
        line = int(line_match.group(1)) if line_match else 1
        problem = ConfigProblem(str(path), line, "", t("config.toml_syntax", error=str(exc)))
        raise ConfigError("config.invalid", path=str(path), count=1, details=[str(problem)]) from None
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc, text, path)
        logger.info("%s: %d problem(s)", path, len(problems))
        raise ConfigError(
            "config.invalid", path=str(path), count=len(problems), details=[str(p) for p in problems]
        ) from None
    bound = config.bind(path.parent, path)
    logger.debug(
        "config %s: site %s, %d slot(s), build adapter %s",
        path,
        bound.site.name,
        len(bound.slots),
        bound.build.adapter,
    )
    return bound


def config_problems(text: str, path: Path) -> list[ConfigProblem]:
    """All problems in config ``text`` (empty when valid); for editors and tests."""
    try:
        data = tomllib.loads(text)
        SiteConfig.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        line_match = re.search(r"line (\d+)", str(exc))
        return [ConfigProblem(str(path), int(line_match.group(1)) if line_match else 1, "", str(exc))]
    except ValidationError as exc:
        return _problems(exc, text, path)
    return []


def json_schema() -> str:
    """The JSON Schema of ``lpublish.toml`` (for editors such as VS Code with Even Better TOML)."""
    schema = SiteConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "lpublish.toml"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True)


# --- turning pydantic errors into plain problems -------------------------------------------------


def _model_for(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose fields the last element of ``loc`` is looked up in."""
    model: Any = SiteConfig
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part in fields:
            annotation = fields[part].annotation
            model = _inner_model(annotation)
        else:
            # a key of a dict-of-models (slot or target name): stay on the value model
            continue
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _problems(exc: ValidationError, text: str, path: Path) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        key = ".".join(str(p) for p in loc)
        suggestion = None
        kind = error["type"]
        if kind == "extra_forbidden":
            model = _model_for(loc)
            if model is not None:
                close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
                suggestion = close[0] if close else None
            message = t("config.unknown_key", key=str(loc[-1]))
        elif kind == "missing":
            message = t("config.missing_key", key=str(loc[-1]))
        elif kind in ("literal_error", "enum"):
            expected = error.get("ctx", {}).get("expected", "")
            message = t("config.not_allowed", value=repr(error.get("input")), expected=expected)
            allowed = re.findall(r"'([^']+)'", str(expected))
            close = difflib.get_close_matches(str(error.get("input")), allowed, n=1)
            suggestion = close[0] if close else None
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            message = t("config.wrong_type", expected=kind.split("_")[0], value=repr(error.get("input")))
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            limit = next(iter(error.get("ctx", {}).values()), "")
            message = t(f"config.{kind}", limit=limit, value=error.get("input"))
        else:
            msg = str(error["msg"]).removeprefix("Value error, ")
            message = t("config.invalid_value", error=msg)
        problems.append(ConfigProblem(str(path), locate_line(text, loc), key, message, suggestion))
    return problems


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _split_key(raw: str) -> list[str]:
    return [p.strip().strip('"').strip("'") for p in raw.split(".")]


def locate_line(text: str, loc: tuple[int | str, ...]) -> int:
    """Best line number for a key path in TOML ``text`` (1 when it cannot be placed)."""
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if not parts:
        return 1
    best_line, best_depth = 1, 0
    table: list[str] = []
    array_index: dict[str, int] = {}
    wanted_index = next((p for p in loc if isinstance(p, int)), None)
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(2))
            if header.group(1) == "[[":
                name = ".".join(table)
                array_index[name] = array_index.get(name, -1) + 1
                if wanted_index is not None and array_index[name] != wanted_index:
                    table = ["\0"]  # another element of the array: never matches
                    continue
            depth = _match_depth(table, parts)
            if depth > best_depth:
                best_line, best_depth = number, depth
            continue
        key = _KEY.match(line)
        if key:
            full = table + _split_key(key.group(1))
            depth = _match_depth(full, parts)
            if depth > best_depth and depth == len(full):
                best_line, best_depth = number, depth
    return best_line


def _match_depth(candidate: list[str], parts: list[str]) -> int:
    depth = 0
    for a, b in zip(candidate, parts, strict=False):
        if a != b:
            break
        depth += 1
    return depth if depth == len(candidate) else 0
