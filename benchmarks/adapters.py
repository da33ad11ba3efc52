"""Site adapters: time from ``lpublish init`` to the first green build, and ``lpublish build``'s overhead.

    .venv/bin/python benchmarks/adapters.py --runs 3

For each fixture site (``tests/fixtures/sites/<name>``, copied into a fresh git repository under
``benchmarks/.work/adapters``, Node fixtures linked to the shared ``node_modules`` cache):

1. **init → green build**: wall time of ``lpublish init --yes`` followed by ``lpublish build``, each a
   fresh process (what an engineer adopting the site waits for; the generator's first build included).
2. **overhead**: the median of ``--runs`` warm builds of the generator's own command run directly in the
   site (``hugo``, ``npm run build`` ...) against the median of ``lpublish build`` (a fresh process:
   interpreter start, config, detection checks, listing the output, page scan, build manifest).
   Goal: lpublish adds under 5 % + 0.3 s. The **in-process** column is lpublish's own work around the
   generator (from ``--format json``: ``seconds - generator_seconds``), without interpreter start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "adapters"
sys.path.insert(0, str(ROOT))

from tests.plugins.sites import NAMES, fixture_site  # noqa: E402

LPUBLISH = str(Path(sys.executable).parent / "lpublish")


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def _timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    return _run(argv, cwd, env)[0]


def measure(name: str, runs: int) -> dict[str, float | str]:
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    root = fixture_site(name, folder, with_config=False)
    env = {**os.environ, "ASTRO_TELEMETRY_DISABLED": "1", "NO_COLOR": "1"}
    adopt = _timed([LPUBLISH, "init", str(root), "--yes"], root, env)
    adopt += _timed([LPUBLISH, "build", "--site", str(root)], root, env)
    sys.path.insert(0, str(ROOT))
    from lpublish.config import load_config

    config = load_config(site=root)
    command = config.build.command
    direct, wrapped, inside = [], [], []
    for _ in range(runs):
        if command:
            direct.append(_timed(["/bin/sh", "-c", command], root, env))
        seconds, out = _run([LPUBLISH, "build", "--site", str(root), "--format", "json"], root, env)
        wrapped.append(seconds)
        build = json.loads(out)["result"]["build"]
        inside.append(float(build["seconds"]) - float(build["generator_seconds"]))
    direct_s = statistics.median(direct) if direct else 0.0
    wrapped_s = statistics.median(wrapped)
    overhead = wrapped_s - direct_s
    budget = direct_s * 0.05 + 0.3
    return {
        "site": name,
        "command": command or "(static: no build)",
        "init_to_green": adopt,
        "direct": direct_s,
        "lpublish": wrapped_s,
        "overhead": overhead,
        "inside": statistics.median(inside),
        "budget": budget,
        "ok": "yes" if overhead <= budget else "no",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sites", nargs="*", default=list(NAMES))
    args = parser.parse_args()
    print(
        "| site | command | init → green build (s) | generator (s) | lpublish build (s) | overhead (s) "
        "| in-process (s) | budget 5 % + 0.3 s | within |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for name in args.sites:
        row = measure(name, args.runs)
        print(
            f"| {row['site']} | `{row['command']}` | {row['init_to_green']:.2f} | {row['direct']:.2f} | "
            f"{row['lpublish']:.2f} | {row['overhead']:.2f} | {row['inside']:.2f} | {row['budget']:.2f} | {row['ok']} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
