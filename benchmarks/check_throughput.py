"""Benchmark: how many images per second ``lpublish check`` validates (header-level and full decode).

Generates N realistic images (noisy-gradient JPEGs, default 2400x1000, seeded, so every run checks the
same bytes) into ``benchmarks/.work/check/`` and validates them as candidates for a slot:

- header-level (``decode=False``: format sniffing, container walk, metadata, slot rules, SHA-256),
- full (adds the complete decode that catches truncation; JPEGs use ``Image.draft`` at 1/8 scale),
- a naive baseline (Pillow ``open`` + ``verify`` + full-size ``load``, what a hand-written checker does),

each with 1 worker and with all cores. Every measurement runs in a fresh interpreter ("cold": imports,
process-pool start-up and the first file read are included; the OS page cache is not dropped, since
that would disturb other work on the machine).

Run: ``.venv/bin/python benchmarks/check_throughput.py --count 500``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work" / "check"

CONFIG = """
[site]
name = "bench"
max_pixels = 50_000_000

[slots.bench]
label = {{ ja = "ベンチ", en = "Bench" }}
path = "images/bench"
min_width = 1200
min_height = 500
max_width = {max_width}
max_height = {max_height}
aspect = "{width}:{height}"
formats = ["jpeg", "webp"]
max_bytes = 3_000_000
alt_required = false
allow_alpha = false

[campaign]
hero_slot = "bench"
social_slot = "bench"
"""


def generate(count: int, width: int, height: int) -> list[Path]:
    """Seeded noisy-gradient JPEGs (reused when already generated with the same parameters)."""
    from PIL import Image, ImageDraw

    folder = WORK / f"{width}x{height}"
    folder.mkdir(parents=True, exist_ok=True)
    (WORK / "site").mkdir(parents=True, exist_ok=True)
    (WORK / "site" / "lpublish.toml").write_text(
        CONFIG.format(width=width, height=height, max_width=width * 2, max_height=height * 2),
        encoding="utf-8",
    )
    paths = [folder / f"img-{index:05d}.jpg" for index in range(count)]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"generating {len(missing)} images of {width}x{height} into {folder} ...", flush=True)
    for path in missing:
        index = int(path.stem.split("-")[1])
        rng = random.Random(index)
        small = Image.new("RGB", (48, 20))
        px = small.load()
        assert px is not None
        base = [rng.randrange(40, 200) for _ in range(3)]
        for y in range(20):
            for x in range(48):
                px[x, y] = (base[0] + x * 2, base[1] + y * 3, base[2] - x)
        image = small.resize((width, height), Image.Resampling.BICUBIC)
        grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
        image = Image.merge("RGB", [Image.blend(c, grain, 0.08) for c in image.split()])
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = rng.randrange(width), rng.randrange(height)
            r = rng.randrange(20, height // 3)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
        image.save(path, "JPEG", quality=85)
    return paths


def measure(mode: str, workers: int, folder: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process and return its numbers."""
    paths = sorted(folder.glob("*.jpg"))
    start = time.perf_counter()
    if mode == "naive":
        from PIL import Image

        for path in paths:
            with Image.open(path) as image:
                image.verify()
            with Image.open(path) as image:
                image.load()
    else:
        from lpublish.assets.validate import check_images
        from lpublish.config import load_config

        config = load_config(site=WORK / "site")
        checks = check_images([(p, "bench") for p in paths], config, workers=workers, decode=(mode == "full"))
        bad = [c for c in checks if not c.ok]
        if bad:
            raise SystemExit(f"unexpected findings: {[f.code for f in bad[0].findings]}")
    seconds = time.perf_counter() - start
    return {"images": len(paths), "seconds": seconds, "per_second": len(paths) / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=500, help="number of images (default 500)")
    parser.add_argument("--width", type=int, default=2400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=0, help="'all cores' worker count (0 = all)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive Pillow baseline")
    parser.add_argument("--_measure", nargs=3, metavar=("MODE", "WORKERS", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._measure:
        mode, workers, folder = args._measure
        print(json.dumps(measure(mode, int(workers), Path(folder))))
        return
    generate(args.count, args.width, args.height)
    folder = WORK / f"{args.width}x{args.height}"
    # Only the first --count images take part (earlier runs may have generated more).
    subset = WORK / f"run-{args.width}x{args.height}-{args.count}"
    subset.mkdir(exist_ok=True)
    for path in subset.glob("*.jpg"):
        path.unlink()
    for index in range(args.count):
        (subset / f"img-{index:05d}.jpg").symlink_to(folder / f"img-{index:05d}.jpg")
    cores = args.workers or len(os.sched_getaffinity(0))
    runs = [("header", 1), ("header", cores), ("full", 1), ("full", cores)]
    if not args.skip_naive:
        runs.append(("naive", 1))
    print(f"{args.count} JPEGs {args.width}x{args.height}, {cores} core(s) available", flush=True)
    print(f"{'check':<8} {'workers':>7} {'seconds':>8} {'images/s':>9} {'images/s/core':>13}")
    for mode, workers in runs:
        if workers > 1 and cores == 1:
            continue
        output = subprocess.run(
            [sys.executable, __file__, "--_measure", mode, str(workers), str(subset)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        per_core = result["per_second"] / workers
        print(
            f"{mode:<8} {workers:>7} {result['seconds']:>8.2f} {result['per_second']:>9.1f} {per_core:>13.1f}"
        )


if __name__ == "__main__":
    main()
