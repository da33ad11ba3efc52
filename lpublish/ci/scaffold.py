"""``lpublish init``: scaffold lpublish into an existing site repository.

Owns: guessing image slots from the images already in the site (grouped by folder; sizes, aspect ratio,
formats and a byte budget inferred from what is there), writing ``lpublish.toml``, the three workflows,
a docs page for the team and an admin setup page with the exact AWS policies, and refusing to overwrite
existing files unless forced. The front end (``lpublish/cli/init_cmd.py``) confirms the guessed slots with
the user. Must not import UI libraries.
"""

from __future__ import annotations

import math
import re
import subprocess
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path

from PIL import Image

from lpublish.ci import policies
from lpublish.ci.workflows import WORKFLOWS, WorkflowVars, render_workflow, uses_lfs
from lpublish.config import CONFIG_NAME, parse_config
from lpublish.errors import ContentError, UsageError

IMAGE_SUFFIXES = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".webp": "webp",
    ".avif": "avif",
    ".gif": "gif",
    ".svg": "svg",
}
#: Folders that never hold source images (build output, caches, dependencies, VCS).
SKIP_DIRS = {
    ".git",
    "node_modules",
    "dist",
    "build",
    "_site",
    "public",
    ".lpublish-cache",
    "__pycache__",
    ".venv",
}
#: Images in one folder count as one "shape" when their aspect ratios are within this relative distance.
ASPECT_SPREAD = 0.02
#: Never decode more than this while guessing (headers only are read, but keep the guard anyway).
MAX_PIXELS = 100_000_000


@dataclass
class ImageSeen:
    """One image found while guessing: where, what format, how big."""

    path: Path
    format: str
    width: int | None
    height: int | None
    bytes: int
    has_alpha: bool = False


@dataclass
class SlotGuess:
    """A slot proposed from one folder of images."""

    name: str
    path: str
    images: list[ImageSeen]
    formats: list[str]
    filename: str = ""
    min_width: int | None = None
    min_height: int | None = None
    aspect: str | None = None
    max_bytes: int | None = None
    allow_alpha: bool = True

    @property
    def count(self) -> int:
        return len(self.images)


@dataclass
class InitPlan:
    """What ``lpublish init`` will write (``files``) and what is in the way (``existing``)."""

    site_root: Path
    repo_root: Path
    repo: str
    slots: list[SlotGuess]
    setup: policies.AwsSetup
    files: dict[Path, str] = field(default_factory=dict)

    @property
    def existing(self) -> list[Path]:
        return sorted(p for p in self.files if p.exists())

    @property
    def site_dir(self) -> str:
        """The site folder relative to the repository root ("." at the root)."""
        rel = self.site_root.relative_to(self.repo_root).as_posix()
        return rel or "."


# --- finding and measuring images -------------------------------------------------------------------


def find_images(root: Path) -> list[Path]:
    """Image files under ``root``, skipping build output, caches and hidden folders; sorted."""
    found: list[Path] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        if path.is_file() and not path.is_symlink() and path.suffix.lower() in IMAGE_SUFFIXES:
            found.append(path)
    return found


def measure(path: Path) -> ImageSeen | None:
    """Format and size from the file header (no full decode); ``None`` for unreadable files."""
    fmt = IMAGE_SUFFIXES[path.suffix.lower()]
    size = path.stat().st_size
    if fmt == "svg":
        return ImageSeen(path, "svg", None, None, size)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[f.upper() for f in set(IMAGE_SUFFIXES.values()) - {"svg"}]) as img:
                width, height = img.size
                alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
                real = (img.format or fmt).lower()
    except (OSError, ValueError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    if width * height > MAX_PIXELS:
        return None
    return ImageSeen(path, "jpeg" if real == "mpo" else real, width, height, size, alpha)


def _slot_name(folder: str, taken: set[str]) -> str:
    base = folder.rstrip("/").rsplit("/", 1)[-1] if folder not in ("", ".") else "images"
    name = re.sub(r"[^a-z0-9-]+", "-", base.lower()).strip("-")[:32] or "images"
    if not name[0].isalnum():
        name = "s" + name
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _aspect(images: list[ImageSeen]) -> str | None:
    ratios = [i.width / i.height for i in images if i.width and i.height]
    if not ratios or len(ratios) != len(images):
        return None
    low, high = min(ratios), max(ratios)
    if (high - low) / low > ASPECT_SPREAD:
        return None  # mixed shapes: no aspect rule rather than a wrong one
    first = next(i for i in images if i.width and i.height)
    assert first.width and first.height
    frac = Fraction(first.width, first.height).limit_denominator(50)
    if abs(float(frac) - first.width / first.height) / (first.width / first.height) > 0.005:
        frac = Fraction(first.width, first.height)
    return f"{frac.numerator}:{frac.denominator}"


def _budget(images: list[ImageSeen]) -> int:
    # Room above today's largest file, rounded up to 10 kB, so existing images pass.
    largest = max(i.bytes for i in images)
    return int(math.ceil(largest * 1.25 / 10_000) * 10_000)


def guess_slots(root: Path) -> list[SlotGuess]:
    """One proposed slot per folder that holds images, measured from the images in it."""
    groups: dict[str, list[ImageSeen]] = defaultdict(list)
    for path in find_images(root):
        seen = measure(path)
        if seen is not None:
            groups[path.parent.relative_to(root).as_posix()].append(seen)
    taken: set[str] = set()
    slots = []
    for folder in sorted(groups):
        images = groups[folder]
        sized = [i for i in images if i.width and i.height]
        formats = sorted({i.format for i in images})
        slot = SlotGuess(
            name=_slot_name(folder, taken),
            path=folder if folder else ".",
            images=images,
            formats=formats,
            aspect=_aspect(images),
            max_bytes=_budget(images),
            allow_alpha=any(i.has_alpha for i in images) or "svg" in formats,
        )
        if sized and len(sized) == len(images):
            slot.min_width = min(i.width for i in sized if i.width)
            slot.min_height = min(i.height for i in sized if i.height)
        if len(images) == 1:
            slot.filename = images[0].path.stem
        slots.append(slot)
    return slots


# --- writing the config -----------------------------------------------------------------------------


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def render_config(
    slots: list[SlotGuess],
    *,
    site_name: str,
    repo: str,
    bucket: str,
    preview_bucket: str,
    distribution: str = "",
    region: str = "ap-northeast-1",
    site_url: str = "https://www.example.com/",
) -> str:
    """``lpublish.toml`` for the guessed slots (validated by the caller with ``parse_config``)."""
    lines = [
        "# lpublish.toml — the rules for this site, written by `lpublish init`.",
        "# Check every [slots.*] below: the sizes and formats were guessed from the images already here.",
        "# Schema for editors: `lpublish config schema > lpublish.schema.json`.",
        "",
        "[site]",
        f"name = {_toml_str(site_name)}",
        f"base_url = {_toml_str(site_url)}",
        'timezone = "Asia/Tokyo"',
        "",
    ]
    for slot in slots:
        label = slot.name.replace("-", " ").capitalize()
        lines.append(f"[slots.{slot.name}]")
        lines.append(f"# Guessed from {slot.count} image(s) in {slot.path}. Translate the ja label.")
        lines.append(f"label = {{ en = {_toml_str(label)}, ja = {_toml_str(label)} }}")
        lines.append(f"path = {_toml_str(slot.path)}")
        if slot.filename:
            lines.append(f"filename = {_toml_str(slot.filename)}")
        if slot.min_width and slot.min_height:
            lines.append(f"min_width = {slot.min_width}")
            lines.append(f"min_height = {slot.min_height}")
        if slot.aspect:
            lines.append(f"aspect = {_toml_str(slot.aspect)}")
        lines.append(f"formats = {_toml_list(slot.formats)}")
        if slot.max_bytes:
            lines.append(f"max_bytes = {slot.max_bytes}")
        lines.append("alt_required = true")
        lines.append(f"allow_alpha = {'true' if slot.allow_alpha else 'false'}")
        lines.append("")
    hero = next((s.name for s in slots if "hero" in s.name), None)
    og = next((s.name for s in slots if s.name in ("og", "ogp", "social", "share")), None)
    if slots:
        # [campaign] must name declared slots; fall back to the first slot until an admin decides.
        lines.append("[campaign]")
        lines.append(f"hero_slot = {_toml_str(hero or slots[0].name)}")
        lines.append(f"social_slot = {_toml_str(og or hero or slots[0].name)}")
        lines.append("")
    lines += [
        "[forge]",
        'type = "github"',
        f"repo = {_toml_str(repo)}",
        'base = "main"',
        'labels = ["lpublish"]',
        "",
        "[deploy]",
        'default_target = "production"',
        "",
        "[deploy.targets.production]",
        f"bucket = {_toml_str(bucket)}",
        f"region = {_toml_str(region)}",
        f"distribution = {_toml_str(distribution)}",
        f"site_url = {_toml_str(site_url)}",
        "",
        "[deploy.targets.preview]",
        f"bucket = {_toml_str(preview_bucket)}",
        f"region = {_toml_str(region)}",
        "preview = true",
        'preview_prefix = "pr-{pr}/"',
        "",
        "[[headers]]",
        'pattern = "assets/*"',
        'cache_control = "public, max-age=31536000, immutable"',
        "",
        "[[headers]]",
        'pattern = "*.html"',
        'cache_control = "public, max-age=0, must-revalidate"',
        "",
        "[[headers]]",
        'pattern = "*"',
        'cache_control = "public, max-age=300"',
        "",
    ]
    return "\n".join(lines)


# --- repository facts -------------------------------------------------------------------------------


def git_toplevel(folder: Path) -> Path | None:
    """The root of the git work tree holding ``folder`` (``None`` when it is not in one)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()).resolve() if out.returncode == 0 and out.stdout.strip() else None


_REMOTE = re.compile(r"(?:github\.com|[^/:@]+)[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def guess_repo(folder: Path) -> str:
    """``owner/name`` from the ``origin`` remote (credentials in the URL are never read out)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    match = _REMOTE.search(out.stdout.strip()) if out.returncode == 0 else None
    return f"{match.group(1)}/{match.group(2)}" if match else ""


# --- the plan ---------------------------------------------------------------------------------------


def _doc_template(name: str) -> str:
    return resources.files("lpublish.ci").joinpath("templates", name).read_text(encoding="utf-8")


def _slots_table(slots: list[SlotGuess]) -> str:
    rows = ["| slot | folder | formats | minimum size | aspect | max size |", "|---|---|---|---|---|---|"]
    for s in slots:
        size = f"{s.min_width}×{s.min_height}" if s.min_width and s.min_height else "-"
        budget = f"{(s.max_bytes or 0) // 1000} kB" if s.max_bytes else "-"
        rows.append(
            f"| `{s.name}` | `{s.path}` | {', '.join(s.formats)} | {size} | {s.aspect or '-'} | {budget} |"
        )
    return "\n".join(rows) if slots else "(no image folders found yet)"


def setup_markdown(setup: policies.AwsSetup, *, site_dir: str) -> str:
    """The admin setup page: every AWS and GitHub step with the generated policies filled in."""
    fence = "```"
    account_note = (
        ""
        if setup.account_id != policies.ACCOUNT_PLACEHOLDER
        else f" Replace `{policies.ACCOUNT_PLACEHOLDER}` with your 12-digit AWS account id (or generate this"
        " page again with `lpublish ci setup-doc --account-id 123456789012`)."
    )
    return (
        _doc_template("docs-setup.md")
        .replace("__ACCOUNT_NOTE__", account_note)
        .replace("__REPO__", setup.repo)
        .replace("__SITE_DIR__", site_dir)
        .replace("__BUCKET__", setup.bucket)
        .replace("__PREVIEW_BUCKET__", setup.preview_bucket or setup.bucket)
        .replace("__DISTRIBUTION__", setup.distribution)
        .replace(
            "__TRUST_PRODUCTION__", f"{fence}json\n{policies.as_json(policies.trust_policy(setup))}{fence}"
        )
        .replace(
            "__TRUST_PREVIEW__",
            f"{fence}json\n{policies.as_json(policies.trust_policy(setup, preview=True))}{fence}",
        )
        .replace(
            "__POLICY_PRODUCTION__",
            f"{fence}json\n{policies.as_json(policies.production_policy(setup))}{fence}",
        )
        .replace(
            "__POLICY_PREVIEW__", f"{fence}json\n{policies.as_json(policies.preview_policy(setup))}{fence}"
        )
        .replace(
            "__BUCKET_POLICY__", f"{fence}json\n{policies.as_json(policies.bucket_policy(setup))}{fence}"
        )
        .replace("__CLOUDFRONT_FUNCTION__", f"{fence}js\n{policies.CLOUDFRONT_FUNCTION}{fence}")
    )


def plan_init(
    site_root: Path,
    *,
    repo: str = "",
    account_id: str = "",
    bucket: str = "",
    preview_bucket: str = "",
    distribution: str = "",
    site_url: str = "",
    slots: list[SlotGuess] | None = None,
) -> InitPlan:
    """Everything ``lpublish init`` would write for the site in ``site_root`` (nothing written yet)."""
    if not site_root.is_dir():
        raise UsageError("ci.init.not_a_folder", path=str(site_root))
    site_root = site_root.resolve()
    repo_root = git_toplevel(site_root) or site_root
    repo = repo or guess_repo(site_root) or f"OWNER/{repo_root.name or 'site'}"
    slots = guess_slots(site_root) if slots is None else slots
    name = repo.rsplit("/", 1)[-1]
    bucket = bucket or f"{name.lower()}-site"
    preview_bucket = preview_bucket or f"{name.lower()}-previews"
    site_url = site_url or "https://www.example.com/"
    config_text = render_config(
        slots,
        site_name=name,
        repo=repo,
        bucket=bucket,
        preview_bucket=preview_bucket,
        distribution=distribution,
        site_url=site_url,
    )
    config_path = site_root / CONFIG_NAME
    config = parse_config(config_text, config_path)  # a guess that does not validate is a bug: fail loudly
    setup = policies.AwsSetup.from_config(config, account_id=account_id)
    plan = InitPlan(site_root=site_root, repo_root=repo_root, repo=repo, slots=slots, setup=setup)
    plan.files[config_path] = config_text
    variables = WorkflowVars(site=plan.site_dir, lfs=uses_lfs(repo_root))
    for workflow in WORKFLOWS:
        plan.files[repo_root / ".github" / "workflows" / workflow] = render_workflow(workflow, variables)
    plan.files[repo_root / "docs" / "lpublish.md"] = (
        _doc_template("docs-team.md")
        .replace("__SITE_NAME__", name)
        .replace("__SITE_DIR__", plan.site_dir)
        .replace("__SLOTS__", _slots_table(slots))
    )
    plan.files[repo_root / "docs" / "lpublish-setup.md"] = setup_markdown(setup, site_dir=plan.site_dir)
    return plan


def write_init(plan: InitPlan, *, force: bool = False) -> list[Path]:
    """Write the planned files. Refuses (``ContentError``, nothing written) when any exists, unless forced."""
    existing = plan.existing
    if existing and not force:
        raise ContentError(
            "ci.init.exists",
            count=len(existing),
            details=[
                str(p.relative_to(plan.repo_root)) if p.is_relative_to(plan.repo_root) else str(p)
                for p in existing
            ],
        )
    written = []
    for path, text in plan.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
