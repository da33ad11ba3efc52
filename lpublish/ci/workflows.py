"""The GitHub Actions workflow templates and how they are filled in.

Owns: ``render_workflow`` and the list of workflows ``lpublish init`` writes. Templates live in
``lpublish/ci/templates/`` and are valid workflows themselves (so they are linted as they are); the
placeholders ``__LPUBLISH_SITE__``, ``__LPUBLISH_PATHS__``, ``__LPUBLISH_INSTALL__``, ``__LPUBLISH_BASE__``
(the branch deploys follow) and ``__LPUBLISH_OUTPUT__`` (the built folder kept between jobs) are plain YAML
scalars replaced by text substitution, and the placeholder step ``Install the site's toolchain`` is
replaced by the site's toolchain steps (``lpublish.ci.toolchain``) or removed, because Jinja's ``{{ }}`` would collide with GitHub's ``${{ }}``.
This repository's own ``site-pr.yml`` and ``site-schedule.yml`` are rendered from the same templates (a
test keeps them identical). Must not import UI libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from lpublish import __version__

#: The placeholder step in the templates that stands for the site's toolchain steps.
TOOLCHAIN_STEP = """      - name: Install the site's toolchain
        run: echo "__LPUBLISH_TOOLCHAIN__"
"""

#: The workflows ``lpublish init`` writes into ``.github/workflows/``.
WORKFLOWS: tuple[str, ...] = ("site-pr.yml", "site-deploy.yml", "site-schedule.yml")


@dataclass(frozen=True)
class WorkflowVars:
    """What differs between repositories: where the site is and how lpublish is installed."""

    #: The site folder relative to the repository root ("." when lpublish.toml is at the root).
    site: str = "."
    #: The shell command that installs lpublish, pinned to one version.
    install: str = ""
    #: The branch whose pushes are deployed.
    base: str = "main"
    #: The folder (relative to the site) the build leaves the site in, kept between the PR jobs.
    output: str = "dist"
    #: YAML steps installing the site's toolchain (setup-node + npm ci, Hugo, Ruby), or empty.
    toolchain: str = ""
    #: The repository keeps files in Git LFS: checkouts must fetch the objects, not the pointers.
    lfs: bool = False

    @property
    def paths(self) -> str:
        """The ``on.*.paths`` glob that matches changes to the site."""
        site = self.site.strip("/")
        return "**" if site in ("", ".") else f"{site}/**"

    @property
    def install_command(self) -> str:
        return self.install or pinned_install()


def pinned_install(version: str = __version__) -> str:
    """Install exactly this lpublish version (a pinned tool gives the same checks in CI as on laptops)."""
    return f'python -m pip install "lpublish=={version}"'


def template_text(name: str) -> str:
    """The raw template (itself a valid workflow with placeholder values)."""
    return resources.files("lpublish.ci").joinpath("templates", name).read_text(encoding="utf-8")


def render_workflow(name: str, variables: WorkflowVars) -> str:
    """The workflow ``name`` filled in for one repository."""
    site = variables.site.strip("/") or "."
    text = (
        template_text(name)
        .replace(TOOLCHAIN_STEP, variables.toolchain)
        .replace("__LPUBLISH_SITE__", site)
        .replace("__LPUBLISH_PATHS__", variables.paths)
        .replace("__LPUBLISH_INSTALL__", variables.install_command)
        .replace("__LPUBLISH_BASE__", variables.base)
        .replace("__LPUBLISH_OUTPUT__", variables.output.strip("/") or ".")
    )
    if variables.lfs:
        text = text.replace(
            "          persist-credentials: false\n",
            "          persist-credentials: false\n          lfs: true\n",
        )
    return text


def uses_lfs(repo_root: Path) -> bool:
    """Whether the repository's ``.gitattributes`` stores anything with Git LFS (``filter=lfs``)."""
    try:
        text = (repo_root / ".gitattributes").read_text(encoding="utf-8")
    except OSError:
        return False
    return any("filter=lfs" in line.split("#", 1)[0] for line in text.splitlines())


#: How this repository's own workflows are rendered (site in ``site/``, lpublish from the checkout).
THIS_REPO = WorkflowVars(site="site", install="python -m pip install .")


def write_repo_workflows(repo_root: Path) -> list[Path]:
    """Regenerate this repository's own site workflows from the templates (``python -m lpublish.ci.workflows``)."""
    written = []
    for name in ("site-pr.yml", "site-schedule.yml"):
        path = repo_root / ".github" / "workflows" / name
        path.write_text(render_workflow(name, THIS_REPO), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a developer convenience
    for written_path in write_repo_workflows(Path.cwd()):
        print(written_path)
