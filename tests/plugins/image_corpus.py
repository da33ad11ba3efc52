"""A generated corpus of good, bad and hostile image files for the asset tests.

Everything is made here with Pillow and a few hand-built byte strings (a PNG header claiming huge
dimensions, a Display P3 ICC profile, polyglots), so the tests need no binary fixtures and no network.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

TEST_CONFIG = """
[site]
name = "Test site"
max_pixels = 10_000_000

[slots.photo]
label = { ja = "写真", en = "Photo" }
path = "images/photo"
min_width = 400
min_height = 300
max_width = 1600
max_height = 1200
aspect = "4:3"
aspect_tolerance = 0.01
formats = ["jpeg", "webp", "png"]
max_bytes = 200_000
alt_required = true
allow_alpha = false

[slots.hero]
label = { ja = "メイン", en = "Hero" }
path = "images/hero"
filename = "hero"
min_width = 400
min_height = 300
aspect = "4:3"
formats = ["jpeg", "webp"]
alt_required = true
allow_alpha = false

[slots.banner]
label = { ja = "バナー", en = "Banner" }
path = "images/banner"
formats = ["png", "webp", "gif", "avif"]
animation = "warning"
alt_required = false

[slots.logo]
label = { ja = "ロゴ", en = "Logo" }
path = "images/logo"
formats = ["svg", "png"]
max_bytes = 50_000
alt_required = true

[campaign]
hero_slot = "hero"
social_slot = "photo"
"""


def gradient(width: int, height: int, seed: int = 1, noise: int = 12) -> Image.Image:
    """A soft diagonal gradient with a little seeded noise: compresses like a real photo."""
    rng = random.Random(seed)
    small = Image.new("RGB", (32, 24))
    px = small.load()
    assert px is not None
    for y in range(24):
        for x in range(32):
            px[x, y] = (40 + x * 6, 60 + y * 7, 200 - x * 3)
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    if noise:
        grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
        grain = grain.point(lambda v: 128 + (v - 128) * noise // 128)
        image = Image.merge("RGB", [Image.blend(c, grain, 0.15) for c in image.split()])
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill=(250, 230, 120))
    return image


def noise(width: int, height: int, seed: int = 2) -> Image.Image:
    """Pure noise: the worst case for compression (for byte budget tests)."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))


def save(image: Image.Image, path: Path, fmt: str, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, fmt, **options)
    return path


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


# --- hand-built bytes ------------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def _desc(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc"
        + b"\0" * 4
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + b"\0" * 8  # unicode language code + count
        + b"\0" * 3  # scriptcode code + count
        + b"\0" * 67
    )


def _curve(gamma: float) -> bytes:
    return b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"


def icc_profile(
    description: str,
    red: tuple[float, float, float],
    green: tuple[float, float, float],
    blue: tuple[float, float, float],
    gamma: float = 2.2,
) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile (what Display P3 or Adobe RGB are)."""
    tags = [
        (b"desc", _desc(description)),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*red)),
        (b"gXYZ", _xyz(*green)),
        (b"bXYZ", _xyz(*blue)),
        (b"rTRC", _curve(gamma)),
        (b"gTRC", _curve(gamma)),
        (b"bTRC", _curve(gamma)),
        (b"cprt", b"text" + b"\0" * 4 + b"no copyright\0\0\0\0"),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries = b""
    bodies = b""
    for signature, body in tags:
        padded = body + b"\0" * (-len(body) % 4)
        entries += signature + struct.pack(">II", offset + len(bodies), len(body))
        bodies += padded
    size = 128 + table_size + len(bodies)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntr"
        + b"RGB "
        + b"XYZ "
        + struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 4  # platform
        + b"\0" * 4  # flags
        + b"\0" * 8  # manufacturer + model
        + b"\0" * 8  # attributes
        + struct.pack(">I", 0)  # rendering intent
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 4  # creator
        + b"\0" * 16  # profile id
        + b"\0" * 28
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + entries + bodies


def display_p3_profile() -> bytes:
    # Display P3 primaries, chromatically adapted to D50 (as in Apple's profile).
    return icc_profile(
        "Display P3 (test)", (0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841)
    )


def zip_payload() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def exif_with(orientation: int | None = None, gps: bool = False, serial: bool = False) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (35.0, 39.0, 31.0), 3: "E", 4: (139.0, 44.0, 28.0)}
    if serial:
        exif[0x8769] = {0xA431: "SN-0042-1234"}
    return exif


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'

SVG_CLEAN = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" fill="#123"/><a href="#top"><text x="4" y="20">Logo</text></a></svg>'
SVG_HOSTILE: dict[str, tuple[bytes, list[str]]] = {
    "script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        ["svg.script"],
    ),
    "onload": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
        ["svg.event-handler"],
    ),
    "javascript-href": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<a xlink:href=" jav&#x09;ascript:alert(1)"><rect width="5" height="5"/></a></svg>',
        ["svg.javascript-url"],
    ),
    "foreign-object": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject width="10" height="10">'
        b'<div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject></svg>',
        ["svg.foreign-object"],
    ),
    "external-image": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/track.png" width="1" height="1"/></svg>',
        ["svg.external-reference"],
    ),
    "css-import": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>',
        ["svg.external-reference"],
    ),
    "entity": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        ["svg.unsafe-xml"],
    ),
    "xxe": (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        ["svg.unsafe-xml"],
    ),
    "animate-javascript": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" to="javascript:alert(1)"/>'
        b"<text>x</text></a></svg>",
        ["svg.javascript-url"],
    ),
    "not-svg-root": (b'<?xml version="1.0"?><svg:x xmlns:svg="urn:x"><svg /></svg:x>', ["svg.invalid"]),
}
