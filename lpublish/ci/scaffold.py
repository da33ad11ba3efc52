"""``lpublish init``: scaffold lpublish into an existing site repository.

Owns: proposing image slots (``lpublish.content.propose``: from what the pages use, each of the right
kind, rules from the place), detecting the site's generator
(``lpublish.site.adapters.detect``) and writing its ``[build]`` preset, command and output, the base
branch from git (``origin/HEAD``, else the current branch), ``lpublish.toml``, the three workflows
(installing the site's toolchain before ``lpublish build``), a docs page for the team and an admin setup
page with the exact AWS policies where the generator does not publish them (or added to the generator's
own exclude list: Jekyll ``exclude:``, ``.eleventyignore``), and refusing to overwrite existing files
unless forced (a rerun that would write the same files changes nothing). The front end
(``lpublish/cli/init_cmd.py``) confirms the proposed slots with
the user. Must not import UI libraries.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lpublish.ci import policies
from lpublish.ci.toolchain import toolchain_steps
from lpublish.ci.workflows import WORKFLOWS, WorkflowVars, render_workflow, uses_lfs
from lpublish.config import CONFIG_NAME, SiteConfig, parse_config
from lpublish.content.propose import SlotProposal, propose_slots, slots_toml
from lpublish.errors import ContentError, UsageError
from lpublish.site.adapters.detect import Detection, detect

#: A proposed slot (kind, place and rules); see ``lpublish.content.propose``.
SlotGuess = SlotProposal


@dataclass
class InitPlan:
    """What ``lpublish init`` will write (``files``) and what is in the way (``existing``)."""

    site_root: Path
    repo_root: Path
    repo: str
    slots: list[SlotGuess]
    setup: policies.AwsSetup
    files: dict[Path, str] = field(default_factory=dict)
    detection: Detection = field(default_factory=lambda: Detection(preset="", adapter="lpublish"))
    base: str = "main"
    #: (setting, value used, flag that changes it) for the defaults ``init`` chose.
    defaults_used: list[tuple[str, str, str]] = field(default_factory=list)
    #: Edits to the generator's own files (new full text): its exclude list gets lpublish's files.
    edits: dict[Path, str] = field(default_factory=dict)

    @property
    def existing(self) -> list[Path]:
        """Planned new files that already exist with other content (what ``--force`` would replace)."""
        return sorted(p for p in self.files if p.exists() and _read_text(p) != self.files[p])

    @property
    def unchanged(self) -> bool:
        """Every planned file exists with exactly the planned content (an adopted repository)."""
        return all(p.exists() and _read_text(p) == text for p, text in self.files.items()) and all(
            _read_text(p) == text for p, text in self.edits.items()
        )

    @property
    def site_dir(self) -> str:
        """The site folder relative to the repository root ("." at the root)."""
        rel = self.site_root.relative_to(self.repo_root).as_posix()
        return rel or "."


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


# --- proposing slots ---------------------------------------------------------------------------------


def guess_slots(root: Path, config: SiteConfig | None = None) -> list[SlotGuess]:
    """Slots proposed from the images the site's pages use (``lpublish.content.propose``)."""
    return propose_slots(root, config)


# --- writing the config -----------------------------------------------------------------------------


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _build_lines(detection: Detection) -> list[str]:
    lines = ["[build]"]
    found = ", ".join(detection.reasons) or "no generator found"
    lines.append(f"# Detected from {found}. A preset only fills defaults: every key can be changed.")
    lines.append(f"adapter = {_toml_str(detection.adapter)}")
    if detection.preset:
        lines.append(f"preset = {_toml_str(detection.preset)}")
    if detection.adapter == "command":
        if detection.install:
            lines.append(f"install = {_toml_str(detection.install)}")
        lines.append(f"command = {_toml_str(detection.command)}")
        lines.append(f"output = {_toml_str(detection.output)}")
    if detection.adapter == "static":
        lines.append(f"source = {_toml_str(detection.source)}")
    lines.append("")
    return lines


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
    timezone: str = "Asia/Tokyo",
    base: str = "main",
    detection: Detection | None = None,
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
        f"timezone = {_toml_str(timezone)}",
        "",
    ]
    if detection is not None:
        lines += _build_lines(detection)
    lines.append(slots_toml(slots))
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
        f"base = {_toml_str(base)}",
        'labels = ["lpublish"]',
        "",
        "[deploy]",
        'default_target = "production"',
        "# Never uploaded, besides the built-in .git/, .github/, lpublish.toml, .lpublish*, node_modules/, _headers:",
        "exclude = []",
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
        "# Cache headers: names with a content hash (app.3f9a1c2b.css, hero.DwIC_L_T.webp, Hugo",
        "# fingerprints) are cached for a year (immutable); pages and every other file briefly, then",
        "# revalidated, so a replaced image shows at once. A _headers file in the output is read too.",
        "# Add [[headers]] rules only for exceptions, for example:",
        "# [[headers]]",
        '# pattern = "downloads/*"',
        '# extra = { "Content-Disposition" = "attachment" }',
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


def _git(folder: Path, *args: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def guess_base(folder: Path) -> str:
    """The branch pull requests go to: ``origin/HEAD``, else the current branch, else ``main``."""
    remote_head = _git(folder, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote_head.startswith("origin/") and len(remote_head) > len("origin/"):
        return remote_head.removeprefix("origin/")
    return _git(folder, "symbolic-ref", "--quiet", "--short", "HEAD") or "main"


# --- keeping lpublish's files out of the generator's output -----------------------------------------

#: lpublish's files a generator reading the site root could publish (docs are added per plan).
OWN_FILES = ("lpublish.toml",)


def _jekyll_exclude_edit(config_file: Path, entries: list[str]) -> str | None:
    """``_config.yml`` with ``entries`` added to ``exclude:`` (round trip: comments and order kept)."""
    from ruamel.yaml import YAML

    text = _read_text(config_file)
    if text is None:
        return None
    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    yaml_rt.width = 4096
    try:
        data = yaml_rt.load(text)
    except Exception:  # ruamel raises many error types for a broken file; leave such a file alone
        return None
    if data is None or not hasattr(data, "get"):
        return None
    current = data.get("exclude")
    missing = [e for e in entries if current is None or e not in list(current)]
    if not missing:
        return text
    if current is None:
        # A new key at the end of the file: append plain lines so the rest stays byte-identical.
        block = "".join(f"  - {e}\n" for e in missing)
        sep = "" if text.endswith("\n") else "\n"
        return f"{text}{sep}# lpublish's own files are not part of the site (added by lpublish init).\nexclude:\n{block}"
    items = list(current)
    if items and getattr(current, "fa", None) is not None and not current.fa.flow_style():
        # A block list: insert lines after its last item, with its indentation (the diff is those lines).
        line, col = current.lc.data[len(items) - 1]
        lines = text.splitlines(keepends=True)
        last = lines[line]
        if not last.endswith("\n"):
            lines[line] = last + "\n"
        dash = " " * (col - 2 if col >= 2 else 0) + "- "
        lines[line + 1 : line + 1] = [f"{dash}{e}\n" for e in missing]
        return "".join(lines)
    for entry in missing:
        current.append(entry)
    buffer = io.StringIO()
    yaml_rt.indent(mapping=2, sequence=4, offset=2)
    yaml_rt.dump(data, buffer)
    return buffer.getvalue()


def _eleventy_ignore_edit(path: Path, entries: list[str]) -> str:
    text = _read_text(path) or ""
    have = {line.strip() for line in text.splitlines()}
    missing = [e for e in entries if e not in have]
    if not missing:
        return text
    sep = "" if not text or text.endswith("\n") else "\n"
    return text + sep + "".join(f"{e}\n" for e in missing)


def _docs_dir(detection: Detection) -> str:
    """Where init's docs go (relative to the repository): ``docs`` unless the generator publishes it."""
    published = (
        {detection.output.strip("/"), detection.source.strip("/")}
        if detection.adapter != "lpublish"
        else set()
    )
    return ".github/lpublish" if "docs" in published else "docs"


def _generator_edits(plan: InitPlan, docs: list[Path]) -> dict[Path, str]:
    """Edits that put lpublish's files on the generator's own exclude list (nothing when not needed)."""
    detection = plan.detection
    site = plan.site_root
    own = [*OWN_FILES, *(d.relative_to(site).as_posix() for d in docs if d.is_relative_to(site))]
    edits: dict[Path, str] = {}
    if detection.preset == "jekyll" and detection.config_file and detection.input_dir in ("", "."):
        path = site / detection.config_file
        text = _jekyll_exclude_edit(path, own)
        if text is not None and text != _read_text(path):
            edits[path] = text
    if detection.preset == "eleventy" and detection.input_dir in ("", "."):
        path = site / ".eleventyignore"
        text = _eleventy_ignore_edit(path, [e for e in own if e.endswith(".md")])
        if text != (_read_text(path) or ""):
            edits[path] = text
    return edits


def _output_for_workflows(detection: Detection, config_out_dir: str) -> str:
    if detection.adapter == "command":
        return detection.output
    if detection.adapter == "static":
        return ".lpublish-cache"  # the static build's manifest; the checkout itself is the site
    return config_out_dir


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
        .replace("__BASE__", setup.branch)
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


def _detected_config(site_root: Path, detection: Detection) -> SiteConfig | None:
    """A config with the detected ``[build]`` preset, so slot proposals resolve URLs like the site."""
    from pydantic import ValidationError

    build: dict[str, str] = {"adapter": detection.adapter}
    if detection.preset and detection.preset != "lpublish":
        build["preset"] = detection.preset
    try:
        return SiteConfig.model_validate({"build": build}).bind(site_root)
    except ValidationError:
        return None


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
    timezone: str = "",
    region: str = "",
    base: str = "",
) -> InitPlan:
    """Everything ``lpublish init`` would write for the site in ``site_root`` (nothing written yet)."""
    if not site_root.is_dir():
        raise UsageError("ci.init.not_a_folder", path=str(site_root))
    site_root = site_root.resolve()
    repo_root = git_toplevel(site_root) or site_root
    repo = repo or guess_repo(site_root) or f"OWNER/{repo_root.name or 'site'}"
    detection = detect(site_root)
    slots = guess_slots(site_root, _detected_config(site_root, detection)) if slots is None else slots
    defaults: list[tuple[str, str, str]] = []
    if not timezone:
        timezone = "Asia/Tokyo"
        defaults.append(("time zone", timezone, "--timezone"))
    if not region:
        region = "ap-northeast-1"
        defaults.append(("AWS region", region, "--region"))
    if not site_url:
        site_url = "https://www.example.com/"
        defaults.append(("site URL", site_url, "--site-url"))
    base = base or guess_base(site_root)
    name = repo.rsplit("/", 1)[-1]
    bucket = bucket or f"{name.lower()}-site"
    preview_bucket = preview_bucket or f"{name.lower()}-previews"
    config_text = render_config(
        slots,
        site_name=name,
        repo=repo,
        bucket=bucket,
        preview_bucket=preview_bucket,
        distribution=distribution,
        region=region,
        site_url=site_url,
        timezone=timezone,
        base=base,
        detection=detection,
    )
    config_path = site_root / CONFIG_NAME
    config = parse_config(config_text, config_path)  # a guess that does not validate is a bug: fail loudly
    setup = policies.AwsSetup.from_config(config, account_id=account_id)
    plan = InitPlan(
        site_root=site_root,
        repo_root=repo_root,
        repo=repo,
        slots=slots,
        setup=setup,
        detection=detection,
        base=base,
        defaults_used=defaults,
    )
    plan.files[config_path] = config_text
    variables = WorkflowVars(
        site=plan.site_dir,
        base=base,
        output=_output_for_workflows(detection, config.site.out_dir),
        toolchain=toolchain_steps(detection, plan.site_dir),
        lfs=uses_lfs(repo_root),
    )
    for workflow in WORKFLOWS:
        plan.files[repo_root / ".github" / "workflows" / workflow] = render_workflow(workflow, variables)
    docs = repo_root / _docs_dir(detection)
    team_doc, setup_doc = docs / "lpublish.md", docs / "lpublish-setup.md"
    plan.files[team_doc] = (
        _doc_template("docs-team.md")
        .replace("__SITE_NAME__", name)
        .replace("__SITE_DIR__", plan.site_dir)
        .replace("__SLOTS__", _slots_table(slots))
    )
    plan.files[setup_doc] = setup_markdown(setup, site_dir=plan.site_dir)
    plan.edits = _generator_edits(plan, [team_doc, setup_doc])
    return plan


def write_init(plan: InitPlan, *, force: bool = False) -> list[Path]:
    """Write the planned files and edits. Refuses (``ContentError``, nothing written) when a planned file
    exists with other content, unless forced; files that already hold exactly the planned text are left
    alone (a rerun on an adopted repository writes nothing)."""
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
    for path, text in [*plan.files.items(), *plan.edits.items()]:
        if _read_text(path) == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
