"""A small, honest runner for the `run:` steps of a GitHub Actions workflow (test helper).

It parses the workflow YAML, evaluates the `${{ }}` expressions and `if:` conditions the lpublish workflows
use (contexts: github, env, vars, steps, needs, runner; functions: always, success, failure, cancelled),
and runs every `run:` block with bash exactly as written, in job order. `uses:` steps are recorded and
skipped: the test prepares what they would (checkout, Python, credentials come from the moto env).
This keeps the YAML and the tested path from drifting apart.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^']|'')*')
      | (?P<op>==|!=|&&|\|\||!|\(|\)|,)
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*(?:\(\))?)
    )""",
    re.VERBOSE,
)


def load_workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    if True in data:  # YAML 1.1 reads `on:` as True
        data["on"] = data.pop(True)
    return data


@dataclass
class StepRecord:
    job: str
    name: str
    kind: str  # run | uses | skipped
    outcome: str = "success"
    stdout: str = ""
    stderr: str = ""
    returncode: int = 0


@dataclass
class WorkflowRun:
    """One simulated run: contexts in, records and job results out."""

    github: dict[str, Any]
    vars: dict[str, str]
    runner_temp: Path
    workspace: Path
    base_env: dict[str, str]
    summary: Path
    skip_run: tuple[str, ...] = ("python -m pip install",)
    #: Outputs a skipped ``uses:`` step would have set, by action name without the version
    #: (``{"actions/upload-artifact": {"artifact-url": ...}}``).
    uses_outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    records: list[StepRecord] = field(default_factory=list)
    needs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: job name -> result of the last ``run`` (kept by tests that run several events)
    results: dict[str, str] = field(default_factory=dict)

    # --- expressions ------------------------------------------------------------------------------

    def _lookup(self, path: str, ctx: dict[str, Any]) -> Any:
        parts = path.split(".")
        node: Any = ctx.get(parts[0], "")
        for part in parts[1:]:
            if isinstance(node, dict):
                node = node.get(part, "")
            else:
                return ""
        return "" if node is None else node

    def evaluate(self, expr: str, ctx: dict[str, Any]) -> Any:
        """Evaluate a GitHub expression (the subset the workflows use) by translating it to Python."""
        out: list[str] = []
        pos = 0
        expr = expr.strip()
        while pos < len(expr):
            m = _TOKEN.match(expr, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot parse expression {expr!r} at {pos}")
            pos = m.end()
            if m.group("str") is not None:
                out.append(repr(m.group("str")[1:-1].replace("''", "'")))
            elif m.group("op") is not None:
                op = m.group("op")
                out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
            elif m.group("num") is not None:
                out.append(m.group("num"))
            else:
                name = m.group("name")
                if name.endswith("()"):
                    out.append(f"_fn({name[:-2]!r})")
                elif name in ("true", "false", "null"):
                    out.append({"true": "True", "false": "False", "null": "''"}[name])
                else:
                    out.append(f"_get({name!r})")
        code = "".join(out)
        return eval(code, {"__builtins__": {}}, {"_get": lambda p: self._lookup(p, ctx), "_fn": ctx["_fn"]})

    def substitute(self, text: str, ctx: dict[str, Any]) -> str:
        def one(m: re.Match[str]) -> str:
            value = self.evaluate(m.group(1), ctx)
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))

    # --- running ----------------------------------------------------------------------------------

    def run_job(self, workflow: dict[str, Any], job_name: str) -> str:
        """Run one job; returns its result (success | failure | skipped)."""
        job = workflow["jobs"][job_name]
        job_state = {"failed": False}

        def fn(name: str) -> bool:
            return {
                "always": True,
                "success": not job_state["failed"],
                "failure": job_state["failed"],
                "cancelled": False,
            }[name]

        ctx: dict[str, Any] = {
            "github": self.github,
            "vars": self.vars,
            "needs": self.needs,
            "runner": {"temp": str(self.runner_temp), "os": "Linux"},
            "steps": {},
            "env": {},
            "_fn": fn,
        }
        job_if = job.get("if")
        if job_if is not None and not self._condition(str(job_if), ctx):
            self.needs[job_name] = {"result": "skipped"}
            return "skipped"
        env = dict(self.base_env)
        for scope in (workflow.get("env") or {}, job.get("env") or {}):
            for key, value in scope.items():
                ctx["env"] = env
                env[key] = self.substitute(str(value), ctx)
        ctx["env"] = env
        for index, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses") or step.get("run", "")[:40]
            step_id = step.get("id", f"__{index}")
            condition = step.get("if")
            if not self._condition(str(condition) if condition is not None else "success()", ctx):
                ctx["steps"][step_id] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                self.records.append(StepRecord(job_name, name, "skipped", "skipped"))
                continue
            if "uses" in step or any(step["run"].strip().startswith(s) for s in self.skip_run):
                action = str(step.get("uses", "")).split("@", 1)[0]
                outputs = dict(self.uses_outputs.get(action, {}))
                ctx["steps"][step_id] = {"outcome": "success", "conclusion": "success", "outputs": outputs}
                self.records.append(StepRecord(job_name, name, "uses"))
                continue
            step_env = dict(env)
            for key, value in (step.get("env") or {}).items():
                step_env[key] = self.substitute(str(value), ctx)
            output = self.runner_temp / f"output-{job_name}-{index}"
            output.write_text("", encoding="utf-8")
            step_env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(self.summary))
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                cwd=self.workspace,
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            outcome = "success" if proc.returncode == 0 else "failure"
            ctx["steps"][step_id] = {
                "outcome": outcome,
                "conclusion": "success" if step.get("continue-on-error") else outcome,
                "outputs": parse_outputs(output),
            }
            self.records.append(
                StepRecord(job_name, name, "run", outcome, proc.stdout, proc.stderr, proc.returncode)
            )
            if proc.returncode != 0 and not step.get("continue-on-error"):
                job_state["failed"] = True
        result = "failure" if job_state["failed"] else "success"
        outputs = {key: self.substitute(str(value), ctx) for key, value in (job.get("outputs") or {}).items()}
        self.needs[job_name] = {"result": result, "outputs": outputs}
        return result

    def _condition(self, text: str, ctx: dict[str, Any]) -> bool:
        text = text.strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2]
        # Without a status function GitHub adds an implicit success() &&.
        if not re.search(r"\b(always|success|failure|cancelled)\(\)", text):
            text = f"success() && ({text})"
        return bool(self.evaluate(text, ctx))

    def run(self, workflow: dict[str, Any]) -> dict[str, str]:
        """Run every job in `needs` order; returns job -> result."""
        results: dict[str, str] = {}
        pending = list(workflow["jobs"])
        while pending:
            for name in pending:
                needs = workflow["jobs"][name].get("needs") or []
                needs = [needs] if isinstance(needs, str) else needs
                if all(n in results for n in needs):
                    results[name] = self.run_job(workflow, name)
                    pending.remove(name)
                    break
            else:
                raise ValueError(f"unsatisfiable needs in {pending}")
        return results

    def output_of(self, job: str) -> str:
        return "\n".join(r.stdout + r.stderr for r in self.records if r.job == job)


def parse_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, delimiter = line.split("<<", 1)
            value: list[str] = []
            i += 1
            while i < len(lines) and lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            outputs[key] = "\n".join(value)
        elif "=" in line:
            key, value_text = line.split("=", 1)
            outputs[key] = value_text
        i += 1
    return outputs


def base_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """The environment a runner step starts with: PATH with lpublish, HOME, the test's AWS and language."""
    keep = (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_REGION",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "LPUBLISH_HOME",
        "PYTHON_KEYRING_BACKEND",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        CI="true",
        GITHUB_ACTIONS="true",
    )
    return env
