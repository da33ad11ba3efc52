"""Generate the sample site's images (Hoshizora Tea): soft, text-free night-sky and tea compositions.

Owns: every committed raster image under ``site/images`` and ``site/campaigns``, plus the SVG logo and
favicon. Deterministic (seeded randomness, fixed encoder settings, no metadata), Pillow only, so running
it again gives the same files. Each output satisfies its slot in ``site/lpublish.toml``: 8-bit sRGB, no
EXIF, no alpha where the slot forbids it, within the byte budget.

Run: ``.venv/bin/python site/tools/generate_images.py`` (or ``make site-images``).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

SITE = Path(__file__).resolve().parent.parent

RGB = tuple[int, int, int]


def lerp(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def vertical_gradient(size: tuple[int, int], stops: list[tuple[float, RGB]]) -> Image.Image:
    """A top-to-bottom gradient through colour ``stops`` ((position 0..1, colour), sorted)."""
    width, height = size
    column = Image.new("RGB", (1, height))
    pixels = column.load()
    assert pixels is not None
    for y in range(height):
        pos = y / max(1, height - 1)
        for (p0, c0), (p1, c1) in itertools.pairwise(stops):
            if p0 <= pos <= p1:
                pixels[0, y] = lerp(c0, c1, (pos - p0) / max(1e-9, p1 - p0))
                break
    return column.resize((width, height), Image.Resampling.NEAREST)


def diagonal_gradient(size: tuple[int, int], a: RGB, b: RGB) -> Image.Image:
    small = Image.new("RGB", (64, 64))
    px = small.load()
    assert px is not None
    for y in range(64):
        for x in range(64):
            px[x, y] = lerp(a, b, (x + y) / 126)
    return small.resize(size, Image.Resampling.BICUBIC)


def glow(base: Image.Image, center: tuple[float, float], radius: float, color: RGB, strength: float) -> None:
    """Add a soft radial light (screen-blended blurred disc) in place."""
    layer = Image.new("RGB", base.size, (0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy = center
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=color)
    layer = layer.filter(ImageFilter.GaussianBlur(radius * 0.6))
    layer = Image.eval(layer, lambda v: int(v * strength))
    base.paste(ImageChops.screen(base, layer))


def stars(
    base: Image.Image, rng: random.Random, count: int, max_y: float, tint: RGB = (255, 250, 235)
) -> None:
    draw = ImageDraw.Draw(base)
    width, height = base.size
    for _ in range(count):
        x = rng.uniform(0, width)
        y = rng.uniform(0, height * max_y) ** 1.0
        r = rng.choice((0.6, 0.8, 1.0, 1.2, 1.6, 2.2))
        fade = 1 - (y / (height * max_y)) * 0.6
        col = lerp((60, 60, 90), tint, fade * rng.uniform(0.6, 1.0))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=col)


def grain(base: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Blend seeded noise so gradients look photographic and do not band."""
    noise = Image.frombytes("L", base.size, rng.randbytes(base.size[0] * base.size[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB")
    return Image.blend(base, ImageChops.overlay(base, noise), amount)


def hills(base: Image.Image, rng: random.Random, layers: list[tuple[float, RGB]]) -> None:
    width, height = base.size
    for level, colour in layers:
        phase = rng.uniform(0, math.tau)
        amp = height * rng.uniform(0.03, 0.06)
        points = [(0.0, float(height))]
        for i in range(0, 101):
            x = width * i / 100
            y = height * level + amp * math.sin(phase + i / 100 * math.tau * rng.uniform(0.8, 1.2))
            points.append((x, y))
        points.append((float(width), float(height)))
        mask = Image.new("L", base.size, 0)
        ImageDraw.Draw(mask).polygon(points, fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(2))
        base.paste(Image.new("RGB", base.size, colour), (0, 0), mask)


def soft_shape(
    base: Image.Image, box: tuple[float, float, float, float], colour: RGB, blur: float, ellipse: bool
) -> None:
    mask = Image.new("L", base.size, 0)
    draw = ImageDraw.Draw(mask)
    if ellipse:
        draw.ellipse(box, fill=255)
    else:
        draw.rounded_rectangle(box, radius=(box[2] - box[0]) * 0.18, fill=255)
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    base.paste(Image.new("RGB", base.size, colour), (0, 0), mask)


def cup_top_view(base: Image.Image, center: tuple[float, float], radius: float, tea: RGB, rim: RGB) -> None:
    """A tea cup seen from above on its saucer: shadow, saucer, rim, tea, a light reflection."""
    cx, cy = center
    r = radius
    soft_shape(
        base,
        (
            cx - r * 1.45 + r * 0.12,
            cy - r * 1.45 + r * 0.18,
            cx + r * 1.45 + r * 0.12,
            cy + r * 1.45 + r * 0.18,
        ),
        lerp(rim, (40, 30, 30), 0.55),
        r * 0.12,
        True,
    )
    soft_shape(
        base,
        (cx - r * 1.4, cy - r * 1.4, cx + r * 1.4, cy + r * 1.4),
        lerp(rim, (255, 255, 255), 0.35),
        2,
        True,
    )
    soft_shape(
        base,
        (cx - r * 1.02, cy - r * 1.02, cx + r * 1.02, cy + r * 1.02),
        lerp(rim, (0, 0, 0), 0.12),
        3,
        True,
    )
    soft_shape(base, (cx - r, cy - r, cx + r, cy + r), rim, 1, True)
    soft_shape(base, (cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), tea, 1, True)
    soft_shape(
        base,
        (cx - r * 0.55, cy - r * 0.62, cx - r * 0.05, cy - r * 0.38),
        lerp(tea, (255, 255, 255), 0.35),
        r * 0.08,
        True,
    )


def save_jpeg(img: Image.Image, path: Path, quality: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # No exif/icc arguments: the file carries no metadata; subsampling fixed for stable output.
    img.convert("RGB").save(
        path, "JPEG", quality=quality, optimize=True, progressive=True, subsampling="4:2:0"
    )


def save_webp(img: Image.Image, path: Path, quality: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(path, "WEBP", quality=quality, method=6)


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.convert("RGB").save(path, "PNG", optimize=True)


# --- the compositions ----------------------------------------------------------------------------


def night_sky(size: tuple[int, int], seed: int) -> Image.Image:
    rng = random.Random(seed)
    w, h = size
    img = vertical_gradient(
        size, [(0.0, (16, 20, 58)), (0.45, (58, 44, 110)), (0.78, (196, 120, 140)), (1.0, (250, 196, 150))]
    )
    stars(img, rng, int(w * h / 2600), 0.62)
    glow(img, (w * 0.76, h * 0.28), h * 0.16, (255, 236, 200), 0.9)
    soft_shape(
        img,
        (w * 0.76 - h * 0.085, h * 0.28 - h * 0.085, w * 0.76 + h * 0.085, h * 0.28 + h * 0.085),
        (255, 246, 222),
        1.5,
        True,
    )
    hills(img, rng, [(0.74, (92, 70, 120)), (0.82, (58, 46, 88)), (0.9, (34, 28, 60))])
    return grain(img, rng, 0.10)


def hero(seed: int = 1) -> Image.Image:
    img = night_sky((1920, 800), seed)
    glow(img, (1920 * 0.24, 800 * 0.7), 150, (255, 210, 160), 0.35)
    return img


def product(seed: int, background: tuple[RGB, RGB], tea: RGB, rim: RGB, size: int = 1000) -> Image.Image:
    rng = random.Random(seed)
    img = diagonal_gradient((size, size), *background)
    for _ in range(7):
        x, y, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(size * 0.03, size * 0.09)
        glow(img, (x, y), r, (255, 255, 255), 0.25)
    cup_top_view(img, (size * 0.5, size * 0.52), size * 0.25, tea, rim)
    # a leaf on the saucer
    leaf = Image.new("L", img.size, 0)
    ImageDraw.Draw(leaf).ellipse((size * 0.66, size * 0.7, size * 0.82, size * 0.77), fill=255)
    leaf = leaf.rotate(-28, center=(size * 0.74, size * 0.735)).filter(ImageFilter.GaussianBlur(1.2))
    img.paste(Image.new("RGB", img.size, lerp(tea, (60, 120, 60), 0.6)), (0, 0), leaf)
    return grain(img, rng, 0.06)


def og_default(seed: int = 7) -> Image.Image:
    img = night_sky((1200, 630), seed)
    cup_top_view(img, (600, 400), 120, (150, 96, 60), (246, 238, 226))
    return img


def autumn_hero(seed: int = 11, size: tuple[int, int] = (1600, 900), grainy: bool = True) -> Image.Image:
    rng = random.Random(seed)
    w, h = size
    img = vertical_gradient(size, [(0.0, (62, 32, 52)), (0.5, (168, 78, 52)), (1.0, (236, 170, 96))])
    for _ in range(40):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(h * 0.02, h * 0.07)
        colour = rng.choice([(238, 120, 60), (250, 180, 80), (200, 70, 50), (255, 214, 140)])
        glow(img, (x, y), r, colour, rng.uniform(0.25, 0.55))
    cup_top_view(img, (w * 0.62, h * 0.56), h * 0.22, (150, 84, 40), (250, 240, 228))
    return grain(img, rng, 0.08) if grainy else img


def summer_hero(seed: int = 13, size: tuple[int, int] = (1600, 900)) -> Image.Image:
    rng = random.Random(seed)
    w, h = size
    img = vertical_gradient(size, [(0.0, (40, 120, 170)), (0.6, (120, 200, 214)), (1.0, (226, 246, 240))])
    for _ in range(22):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        s = rng.uniform(h * 0.05, h * 0.12)
        soft_shape(
            img, (x, y, x + s, y + s), lerp((200, 236, 246), (255, 255, 255), rng.random()), s * 0.15, False
        )
    glow(img, (w * 0.3, h * 0.3), h * 0.2, (255, 255, 230), 0.6)
    cup_top_view(img, (w * 0.58, h * 0.58), h * 0.2, (120, 168, 70), (236, 248, 250))
    return grain(img, rng, 0.06)


def og_campaign(seed: int = 17) -> Image.Image:
    # No grain: noise makes lossless PNG far larger than the og slot's byte budget.
    return autumn_hero(seed, size=(1200, 630), grainy=False)


LOGO_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 48" width="240" height="48" role="img">
  <title>Hoshizora Tea</title>
  <circle cx="24" cy="24" r="22" fill="#1c2150"/>
  <path d="M30 10a14 14 0 1 0 8 24a11 11 0 1 1-8-24z" fill="#ffe7b8"/>
  <path d="M14 13l1.2 2.6 2.8.3-2.1 1.9.6 2.8-2.5-1.4-2.5 1.4.6-2.8-2.1-1.9 2.8-.3z" fill="#ffffff"/>
  <text x="54" y="22" font-family="'Hiragino Mincho ProN','Yu Mincho',serif" font-size="16" fill="#1c2150">星空ティー</text>
  <text x="54" y="40" font-family="'Helvetica Neue',Arial,sans-serif" font-size="12" letter-spacing="2.4" fill="#6a5a8c">HOSHIZORA TEA</text>
</svg>
"""

FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">
  <circle cx="24" cy="24" r="22" fill="#1c2150"/>
  <path d="M30 10a14 14 0 1 0 8 24a11 11 0 1 1-8-24z" fill="#ffe7b8"/>
  <path d="M14 13l1.2 2.6 2.8.3-2.1 1.9.6 2.8-2.5-1.4-2.5 1.4.6-2.8-2.1-1.9 2.8-.3z" fill="#ffffff"/>
</svg>
"""

OUTPUTS: list[tuple[str, Callable[[Path], None]]] = [
    ("images/hero/hero.jpg", lambda p: save_jpeg(hero(), p, 84)),
    (
        "images/products/hojicha-starry-night.jpg",
        lambda p: save_jpeg(
            product(3, ((236, 222, 206), (204, 184, 214)), (142, 86, 50), (250, 246, 240)), p, 84
        ),
    ),
    (
        "images/products/sencha-milky-way.jpg",
        lambda p: save_jpeg(
            product(4, ((214, 232, 214), (190, 206, 232)), (132, 168, 70), (248, 250, 246)), p, 84
        ),
    ),
    (
        "images/products/earl-grey-moonlight.webp",
        lambda p: save_webp(
            product(5, ((226, 214, 238), (246, 220, 200)), (176, 112, 48), (246, 242, 250)), p, 82
        ),
    ),
    ("images/og/default.jpg", lambda p: save_jpeg(og_default(), p, 84)),
    ("images/og/autumn-tea-2026.png", lambda p: save_png(og_campaign(), p)),
    ("campaigns/autumn-tea-2026/hero.jpg", lambda p: save_jpeg(autumn_hero(), p, 82)),
    ("campaigns/summer-iced-2026/hero.webp", lambda p: save_webp(summer_hero(), p, 80)),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--site", type=Path, default=SITE, help="site folder to write into")
    args = parser.parse_args(argv)
    site: Path = args.site
    for relative, make in OUTPUTS:
        target = site / relative
        make(target)
        print(f"{relative}: {target.stat().st_size:,} bytes")
    for relative, text in (("images/logo/logo.svg", LOGO_SVG), ("static/favicon.svg", FAVICON_SVG)):
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
        print(f"{relative}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
