"""Benchmark: time from ``submit`` to the pull request URL, full clone vs lpublish's managed partial clone.

Builds a site repository with a lot of image history (``--size-mb`` of incompressible "photos" spread
over many commits that keep replacing the same few files, so the current tree stays small while the
history is big), serves it from the local GitHub-compatible server over loopback HTTP (git smart HTTP
with the token through the credential helper, REST API for the pull request), then measures:

- **full clone**: the designer already has (or first makes) a full clone; lpublish works in a separate
  worktree of it. The first row includes the time of the full ``git clone``.
- **partial clone**: no clone on the machine; lpublish makes its managed blobless, sparse clone in the
  cache on the first submit and fetches it on later ones.

Usage::

    .venv/bin/python benchmarks/submit.py                # 200 MB of history (default)
    .venv/bin/python benchmarks/submit.py --size-mb 1000 # the 1 GB case from the issue (slow to generate)

Generated repositories go to ``benchmarks/.work/submit`` (removed afterwards unless ``--keep``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lpublish.config import SiteConfig, load_config  # noqa: E402
from lpublish.publish import service  # noqa: E402
from lpublish.publish.changeset import ChangeSet, ImageChange  # noqa: E402
from lpublish.publish.github import GitHubForge  # noqa: E402
from lpublish.publish.workspace import git_env  # noqa: E402
from lpublish.sandbox.forge.server import LocalForge  # noqa: E402
from tests.plugins.gitrepos import make_site_repo  # noqa: E402

TOKEN = "ghp_benchmark_" + "0" * 26


def add_history(bare: Path, size_mb: int, file_mb: float, files_per_commit: int) -> int:
    """Append commits replacing ``files_per_commit`` gallery images with random bytes until ``size_mb``
    of blobs were written (``git fast-import``: fast, and the data does not compress, like photos)."""
    blob_bytes = int(file_mb * 1_000_000)
    blobs = max(1, int(size_mb * 1_000_000 // blob_bytes))
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=bare, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    write = proc.stdin.write
    stamp = 1_700_000_000
    commits = 0
    done = 0
    first = True
    while done < blobs:
        batch = min(files_per_commit, blobs - done)
        for i in range(batch):
            data = os.urandom(blob_bytes)
            write(f"blob\nmark :{i + 1}\ndata {len(data)}\n".encode())
            write(data)
            write(b"\n")
        message = f"Replace gallery photos ({commits + 1})".encode()
        write(
            f"commit refs/heads/main\ncommitter Photo Desk <photos@example.com> {stamp + commits} +0000\n".encode()
        )
        write(f"data {len(message)}\n".encode() + message + b"\n")
        if first:
            write(b"from refs/heads/main^0\n")
            first = False
        for i in range(batch):
            write(f"M 100644 :{i + 1} site/images/gallery/photo-{i:02d}.jpg\n".encode())
        write(b"\n")
        done += batch
        commits += 1
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    return commits


def hero(path: Path, shade: int) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (2400, 1000), (shade % 256, 120, 60))
    draw = ImageDraw.Draw(img)
    for x in range(0, 2400, 150):
        draw.line([(x, 0), (x + 400, 1000)], fill=(30, (shade * 7) % 256, 200), width=8)
    img.save(path, "JPEG", quality=82)
    return path


def timed_submits(config: SiteConfig, work: Path, count: int, label: str, offset: int) -> list[float]:
    forge = GitHubForge(config.forge.api_url, config.forge.repo, TOKEN)
    times = []
    for n in range(count):
        image = hero(work / f"{label}-{n}.jpg", offset + n * 37)
        change = ChangeSet(f"Bench {label} {n}", images=[ImageChange("hero", image, "Benchmark hero")])
        start = time.perf_counter()
        result = service.submit(config, change, forge=forge, token=TOKEN)
        times.append(time.perf_counter() - start)
        assert result.url
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200, help="image history to generate (default 200)")
    parser.add_argument("--file-mb", type=float, default=2.0, help="size of one photo (default 2)")
    parser.add_argument("--files-per-commit", type=int, default=10, help="photos replaced per commit")
    parser.add_argument("--submits", type=int, default=3, help="submits per mode (first + later)")
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/.work/submit afterwards")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    work = ROOT / "benchmarks" / ".work" / "submit"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    forge = LocalForge()
    url = forge.start()
    try:
        t0 = time.perf_counter()
        repo = make_site_repo(
            work / "repo",
            forge={"repo": "acme/lp", "api_url": url, "web_url": url, "reviewers": [], "team_reviewers": []},
        )
        commits = add_history(repo.bare, args.size_mb, args.file_mb, args.files_per_commit)
        subprocess.run(["git", "gc", "--quiet"], cwd=repo.bare, check=True)
        generate = time.perf_counter() - t0
        pack_mb = sum(p.stat().st_size for p in (repo.bare / "objects").rglob("*") if p.is_file()) / 1e6
        forge.add_repo("acme/lp", repo.bare, "main")
        forge.add_user("hana", TOKEN, name="Hana Sato")

        # full clone: the designer's own clone (made now, over HTTP), lpublish uses a worktree of it
        os.environ["LPUBLISH_HOME"] = str(work / "home-full")
        full = work / "full-clone"
        probe = load_config(site=repo.site)
        env = {**os.environ, **git_env(probe, TOKEN)}
        start = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", f"{url}/acme/lp.git", str(full)], env=env, check=True)
        clone_time = time.perf_counter() - start
        full_times = timed_submits(load_config(site=full / "site"), work, args.submits, "full", 0)

        # partial clone: only the site folder on disk, lpublish manages a blobless sparse clone
        os.environ["LPUBLISH_HOME"] = str(work / "home-partial")
        standalone = work / "standalone-site"
        shutil.copytree(repo.site, standalone)
        partial_times = timed_submits(load_config(site=standalone), work, args.submits, "partial", 100)
        cache_mb = (
            sum(p.stat().st_size for p in (work / "home-partial" / "cache").rglob("*") if p.is_file()) / 1e6
        )
        full_mb = sum(p.stat().st_size for p in (full / ".git").rglob("*") if p.is_file()) / 1e6
    finally:
        forge.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    result = {
        "history_mb": args.size_mb,
        "commits": commits,
        "pack_mb": round(pack_mb, 1),
        "generate_s": round(generate, 1),
        "full_clone_s": round(clone_time, 2),
        "full_clone_disk_mb": round(full_mb, 1),
        "full_submits_s": [round(t, 2) for t in full_times],
        "partial_submits_s": [round(t, 2) for t in partial_times],
        "partial_clone_disk_mb": round(cache_mb, 1),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"history: {args.size_mb} MB in {commits} commits (pack {pack_mb:.0f} MB), generated in {generate:.1f} s"
    )
    print("| mode | first submit (s) | later submits (s) | on disk (MB) |")
    print("|---|---:|---:|---:|")
    later_full = ", ".join(f"{t:.2f}" for t in full_times[1:])
    later_partial = ", ".join(f"{t:.2f}" for t in partial_times[1:])
    print(
        f"| full clone (clone {clone_time:.2f} s + worktree submit) | {clone_time + full_times[0]:.2f} "
        f"| {later_full} | {full_mb:.0f} |"
    )
    print(f"| managed partial clone | {partial_times[0]:.2f} | {later_partial} | {cache_mb:.0f} |")


if __name__ == "__main__":
    main()
