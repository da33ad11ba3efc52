"""Benchmark: lpublish's responsive-image variants vs sharp (libvips), plus a cached sample-site rebuild.

Generates ``--count`` photo-like images (deterministic: gradients, shapes and grain), then makes the same
variants with both tools: widths ``--widths`` (never upscaled) in AVIF, WebP and JPEG with equal quality
settings (AVIF q60 / libaom speed 6 = sharp effort 3, 4:2:0; WebP q80 method 4 = effort 4; JPEG q82
progressive, optimised Huffman tables, 4:2:0). Both use every core. Prints wall time, the time ratio and
total output bytes per format, then the time of a cached (no-change) rebuild of the sample site.

sharp is installed at run time into ``benchmarks/.work/node_modules`` (never committed) with
``npm install --prefix benchmarks/.work sharp``; without node/npm the sharp half is skipped.

Run: ``.venv/bin/python benchmarks/build_images.py --count 100``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"
sys.path.insert(0, str(ROOT))

from lpublish.site.images import (  # noqa: E402 - after the path tweak above
    AVIF_SPEED,
    WEBP_METHOD,
    ImageRequest,
    VariantCache,
    VariantSettings,
    cache_path,
    generate_variants,
)

QUALITY = {"avif": 60, "webp": 80, "jpeg": 82}

SHARP_SCRIPT = r"""
const sharp = require('sharp');
const fs = require('fs');
const path = require('path');
const os = require('os');
const [,, listFile, outDir, widthsArg, speed, webpMethod] = process.argv;
const files = JSON.parse(fs.readFileSync(listFile, 'utf8'));
const widths = widthsArg.split(',').map(Number);
const q = JSON.parse(process.env.QUALITY);
// one image at a time per worker slot; libvips itself also threads inside each operation
sharp.concurrency(0);
const limit = os.cpus().length;
async function one(file) {
  // Decode the source once (to raw pixels) and resize from that for every output, as lpublish does:
  // re-reading the file for each of the 9 outputs would charge sharp for 9 decodes.
  const {data, info} = await sharp(file).raw().toBuffer({resolveWithObject: true});
  const raw = {raw: {width: info.width, height: info.height, channels: info.channels}};
  const meta = {width: info.width};
  let ws = widths.filter(w => w <= meta.width);
  if (meta.width < Math.max(...widths)) ws.push(meta.width);
  ws = [...new Set(ws)].sort((a, b) => a - b);
  const stem = path.basename(file, path.extname(file));
  const sizes = {avif: 0, webp: 0, jpeg: 0};
  for (const w of ws) {
    const base = sharp(data, raw).resize({width: w, kernel: 'lanczos3'});
    const jobs = [
      ['avif', base.clone().avif({quality: q.avif, effort: 9 - Number(speed), chromaSubsampling: '4:2:0'})],
      ['webp', base.clone().webp({quality: q.webp, effort: Number(webpMethod)})],
      ['jpeg', base.clone().jpeg({quality: q.jpeg, progressive: true, optimiseCoding: true, chromaSubsampling: '4:2:0'})],
    ];
    for (const [fmt, pipeline] of jobs) {
      const buf = await pipeline.toBuffer();
      fs.writeFileSync(path.join(outDir, `${stem}-${w}.${fmt}`), buf);
      sizes[fmt] += buf.length;
    }
  }
  return sizes;
}
(async () => {
  const total = {avif: 0, webp: 0, jpeg: 0};
  const start = process.hrtime.bigint();
  let next = 0;
  async function worker() {
    while (next < files.length) {
      const s = await one(files[next++]);
      for (const k of Object.keys(total)) total[k] += s[k];
    }
  }
  await Promise.all(Array.from({length: limit}, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({seconds, bytes: total}));
})();
"""


def photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """A deterministic image with the texture of a photo: smooth light, shapes, fine grain."""
    rng = random.Random(seed)
    w, h = size
    top = tuple(rng.randrange(40, 200) for _ in range(3))
    bottom = tuple(rng.randrange(60, 240) for _ in range(3))
    column = Image.linear_gradient("L").resize((1, h))
    img = Image.composite(Image.new("RGB", (1, h), bottom), Image.new("RGB", (1, h), top), column).resize(
        (w, h)
    )
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(8, 20)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(h * 0.03, h * 0.25)
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rectangle((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=colour)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(1.5, 6)))
    noise = Image.frombytes("L", img.size, rng.randbytes(w * h)).filter(ImageFilter.GaussianBlur(0.7))
    return Image.blend(img, ImageChops.overlay(img, noise.convert("RGB")), 0.25)


def make_images(folder: Path, count: int, size: tuple[int, int]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"photo-{i:03d}.jpg"
        if not path.exists():
            photo_like(size, i).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def run_lpublish(
    paths: list[Path], widths: list[int], workers: int, cache_dir: Path
) -> tuple[float, dict[str, int], int, dict[tuple[str, int, str], Path]]:
    """Encode with lpublish into ``cache_dir``; returns time, bytes per format, count, output files."""
    requests = [ImageRequest(p, p.name, tuple(widths), ("avif", "webp")) for p in paths]
    settings = VariantSettings(
        jpeg_quality=QUALITY["jpeg"],
        webp_quality=QUALITY["webp"],
        avif_quality=QUALITY["avif"],
        workers=workers,
    )
    start = time.perf_counter()
    images, failures, generated, _ = generate_variants(requests, VariantCache(cache_dir), settings)
    seconds = time.perf_counter() - start
    assert not failures, failures
    sizes = {"avif": 0, "webp": 0, "jpeg": 0}
    files: dict[tuple[str, int, str], Path] = {}
    for rel, image in images.items():
        for v in image.variants:
            sizes[v.format] += v.size
            files[(Path(rel).stem, v.width, v.format)] = cache_path(cache_dir, v.key, v.format)
    return seconds, sizes, generated, files


def ensure_sharp() -> bool:
    if (WORK / "node_modules" / "sharp").is_dir():
        return True
    if shutil.which("npm") is None or shutil.which("node") is None:
        return False
    result = subprocess.run(
        ["npm", "install", "--prefix", str(WORK), "sharp", "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and (WORK / "node_modules" / "sharp").is_dir()


def run_sharp(paths: list[Path], widths: list[int], out: Path) -> tuple[float, dict[str, int]] | None:
    """Encode with sharp into ``out`` (``<stem>-<width>.<format>``); returns time and bytes per format."""
    if not ensure_sharp():
        return None
    script = WORK / "sharp_variants.js"
    script.write_text(SHARP_SCRIPT, encoding="utf-8")
    listing = WORK / "files.json"
    listing.write_text(json.dumps([str(p) for p in paths]), encoding="utf-8")
    env = {**os.environ, "QUALITY": json.dumps(QUALITY), "NODE_PATH": str(WORK / "node_modules")}
    result = subprocess.run(
        [
            "node",
            str(script),
            str(listing),
            str(out),
            ",".join(map(str, widths)),
            str(AVIF_SPEED),
            str(WEBP_METHOD),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return float(data["seconds"]), {k: int(v) for k, v in data["bytes"].items()}


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mse = sum(v * v for v in ImageStat.Stat(diff).rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255 * 255 / mse)


def quality(
    paths: list[Path],
    widths: list[int],
    ours: dict[tuple[str, int, str], Path],
    sharp_out: Path | None,
    sample: int,
) -> dict[str, tuple[float, float | None]]:
    """Mean PSNR (dB) per format against an exact Lanczos resize of the source, for ``sample`` images."""
    scores: dict[str, list[tuple[float, float | None]]] = {"avif": [], "webp": [], "jpeg": []}
    for path in paths[:sample]:
        with Image.open(path) as src:
            src.load()
            for width in widths:
                if width > src.width:
                    continue
                ref = src.convert("RGB").resize(
                    (width, round(src.height * width / src.width)), Image.Resampling.LANCZOS
                )
                for fmt in scores:
                    with Image.open(ours[(path.stem, width, fmt)]) as mine:
                        a = psnr(ref, mine)
                    b = None
                    if sharp_out is not None:
                        with Image.open(sharp_out / f"{path.stem}-{width}.{fmt}") as theirs:
                            b = psnr(ref, theirs) if theirs.size == ref.size else None
                    scores[fmt].append((a, b))
    result: dict[str, tuple[float, float | None]] = {}
    for fmt, values in scores.items():
        mine_mean = sum(a for a, _ in values) / max(1, len(values))
        theirs = [b for _, b in values if b is not None]
        result[fmt] = (mine_mean, sum(theirs) / len(theirs) if theirs else None)
    return result


def cached_rebuild() -> tuple[float, float, int]:
    from lpublish.config import load_config
    from lpublish.site.build import build_site

    site = WORK / "sample-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(ROOT / "site", site, ignore=shutil.ignore_patterns("dist", ".lpublish-cache"))
    config = load_config(site=site)
    start = time.perf_counter()
    first = build_site(config)
    full = time.perf_counter() - start
    start = time.perf_counter()
    again = build_site(config)
    cached = time.perf_counter() - start
    assert again.generated == 0 and not again.written
    return full, cached, first.generated


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="lpublish image variants vs sharp")
    parser.add_argument("--count", type=int, default=100, help="number of source images (default 100)")
    parser.add_argument("--size", default="2400x1600", help="source size WxH (default 2400x1600)")
    parser.add_argument("--widths", default="480,960,1440", help="variant widths (default 480,960,1440)")
    parser.add_argument("--workers", type=int, default=0, help="lpublish worker processes (0 = all cores)")
    parser.add_argument("--skip-sharp", action="store_true")
    parser.add_argument("--quality-sample", type=int, default=10, help="images used for the PSNR comparison")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))
    widths = [int(w) for w in args.widths.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    paths = make_images(WORK / f"images-{width}x{height}", args.count, (width, height))
    print(
        f"{len(paths)} images {width}x{height}, widths {widths}, formats avif/webp/jpeg, cores {os.cpu_count()}"
    )

    ours_dir = Path(tempfile.mkdtemp(prefix="lpublish-bench-cache-", dir=WORK))
    sharp_dir = Path(tempfile.mkdtemp(prefix="sharp-out-", dir=WORK))
    try:
        seconds, sizes, generated, ours = run_lpublish(paths, widths, args.workers, ours_dir)
        print(
            f"lpublish: {seconds:8.2f} s  {generated} variants  "
            + "  ".join(f"{k} {v:,} B" for k, v in sizes.items())
        )
        sharp = None if args.skip_sharp else run_sharp(paths, widths, sharp_dir)
        if sharp is None:
            print("sharp:    skipped (node/npm or the sharp package not available)")
        else:
            s_seconds, s_sizes = sharp
            print(f"sharp:    {s_seconds:8.2f} s  " + "  ".join(f"{k} {v:,} B" for k, v in s_sizes.items()))
            print(f"time ratio lpublish/sharp: {seconds / s_seconds:.2f}x")
            total, s_total = sum(sizes.values()), sum(s_sizes.values())
            print(f"bytes ratio lpublish/sharp: {total / s_total:.3f} ({total:,} vs {s_total:,})")
        scores = quality(paths, widths, ours, sharp_dir if sharp else None, args.quality_sample)
        for fmt, (mine, theirs) in scores.items():
            ratio = f"  bytes {sizes[fmt] / sharp[1][fmt]:.3f}" if sharp else ""
            other = f"  sharp {theirs:.2f} dB" if theirs is not None else ""
            print(f"  {fmt}: PSNR lpublish {mine:.2f} dB{other}{ratio}")
    finally:
        shutil.rmtree(ours_dir, ignore_errors=True)
        shutil.rmtree(sharp_dir, ignore_errors=True)
    full, cached, n = cached_rebuild()
    print(f"sample site: full build {full:.2f} s ({n} variants), cached rebuild {cached:.3f} s")


if __name__ == "__main__":
    main()
