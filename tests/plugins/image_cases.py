"""The image cases the asset tests share: name -> (how to make the file in a folder, the slot it is
checked for, the finding codes a designer must see). Every case is generated (``image_corpus``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image

from tests.plugins import image_corpus as c

Builder = Callable[[Path], Path]


def jpeg(name: str, image: Image.Image | None = None, **options: object) -> Builder:
    return lambda folder: c.save(image or c.gradient(800, 600), folder / name, "JPEG", quality=85, **options)


def raw(name: str, data: Callable[[], bytes]) -> Builder:
    return lambda folder: c.write(folder / name, data())


def good_jpeg() -> bytes:
    return c.encoded(c.gradient(800, 600), "JPEG", quality=85)


def animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (800, 600), colour) for colour in ("red", "green", "blue")]
    return c.encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def rgba_png() -> bytes:
    image = c.gradient(800, 600, noise=0).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((800, 600)))
    return c.encoded(image, "PNG")


def sixteen_bit_png() -> bytes:
    grey = c.gradient(800, 600, noise=0).convert("L").convert("I").point(lambda v: v * 257)
    return c.encoded(grey.convert("I;16"), "PNG")


CASES: dict[str, tuple[Builder, str, list[str]]] = {
    "good jpeg": (jpeg("ok.jpg"), "photo", []),
    "good webp": (lambda f: c.save(c.gradient(800, 600), f / "ok.webp", "WEBP"), "photo", []),
    "truncated jpeg": (
        raw("cut.jpg", lambda: good_jpeg()[: len(good_jpeg()) * 2 // 3]),
        "photo",
        ["image.truncated"],
    ),
    "truncated png": (
        raw("cut.png", lambda: c.encoded(c.gradient(800, 600, noise=0), "PNG")[:-2000]),
        "photo",
        ["image.truncated"],
    ),
    "truncated webp": (
        raw("cut.webp", lambda: c.encoded(c.gradient(800, 600), "WEBP")[:-500]),
        "photo",
        ["image.truncated"],
    ),
    "bomb claiming 10 gigapixels": (
        raw("bomb.png", lambda: c.png_bomb(100_000, 100_000)),
        "photo",
        ["image.too-many-pixels"],
    ),
    "bomb above max_pixels": (
        raw("big.png", lambda: c.png_bomb(4000, 3000)),
        "photo",
        ["image.too-many-pixels"],
    ),
    "cmyk": (jpeg("cmyk.jpg", c.gradient(800, 600).convert("CMYK")), "photo", ["image.cmyk"]),
    "16-bit png": (raw("deep.png", sixteen_bit_png), "photo", ["image.high-bit-depth"]),
    "display p3": (jpeg("p3.jpg", icc_profile=c.display_p3_profile()), "photo", ["image.color-profile"]),
    "gps, serial, rotated": (
        jpeg("phone.jpg", c.gradient(600, 800), exif=c.exif_with(orientation=6, gps=True, serial=True)),
        "photo",
        ["image.camera-serial", "image.exif-orientation", "image.gps-location"],
    ),
    "xmp": (jpeg("xmp.jpg", xmp=c.XMP), "photo", ["image.metadata"]),
    "animated gif in a still slot": (
        raw("anim.gif", lambda: animated("GIF")),
        "photo",
        ["image.animated", "image.format-not-allowed"],
    ),
    "animated webp": (raw("anim.webp", lambda: animated("WEBP")), "photo", ["image.animated"]),
    "animated gif where it is a warning": (
        raw("anim.gif", lambda: animated("GIF")),
        "banner",
        ["image.animated"],
    ),
    "too small": (jpeg("small.jpg", c.gradient(200, 150)), "photo", ["image.too-small"]),
    "too large": (jpeg("large.jpg", c.gradient(2000, 1500)), "photo", ["image.too-large"]),
    "wrong aspect": (jpeg("wide.jpg", c.gradient(800, 400)), "photo", ["image.wrong-aspect"]),
    "too many bytes": (jpeg("heavy.jpg", c.noise(1200, 900)), "photo", ["image.too-many-bytes"]),
    "alpha where forbidden": (raw("alpha.png", rgba_png), "photo", ["image.alpha-not-allowed"]),
    "alpha where allowed": (raw("alpha.png", rgba_png), "banner", []),
    "jpeg + zip polyglot": (
        raw("poly.jpg", lambda: good_jpeg() + c.zip_payload()),
        "photo",
        ["image.trailing-data"],
    ),
    "png + html polyglot": (
        raw(
            "poly.png",
            lambda: (
                c.encoded(c.gradient(800, 600, noise=0), "PNG") + b"<html><script>alert(1)</script></html>"
            ),
        ),
        "photo",
        ["image.trailing-data"],
    ),
    "avif + zip polyglot": (
        raw("poly.avif", lambda: c.encoded(c.gradient(640, 480), "AVIF", quality=60) + c.zip_payload()),
        "banner",
        ["image.trailing-data"],
    ),
    "empty file": (raw("empty.jpg", lambda: b""), "photo", ["file.empty"]),
    "html named .png": (
        raw("page.png", lambda: b"<!DOCTYPE html><html><body>hi</body></html>"),
        "photo",
        ["image.not-an-image"],
    ),
    "heic photo": (
        raw("phone.heic", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100),
        "photo",
        ["image.unsupported-format"],
    ),
    "png named .jpg": (
        lambda f: c.save(c.gradient(800, 600, noise=0), f / "real.jpg", "PNG"),
        "photo",
        ["image.wrong-extension", "name.will-rename"],
    ),
    "gif where not allowed": (
        lambda f: c.save(c.gradient(800, 600), f / "still.gif", "GIF"),
        "photo",
        ["image.format-not-allowed"],
    ),
    "japanese name": (jpeg("夏のキャンペーン.jpg"), "photo", ["name.will-rename"]),
    "encoded traversal name": (jpeg("..%2f..%2fetc%2fevil.jpg"), "photo", ["name.unsafe"]),
    "backslash traversal name": (jpeg("..\\..\\evil.jpg"), "photo", ["name.unsafe"]),
    "clean svg": (raw("logo.svg", lambda: c.SVG_CLEAN), "logo", []),
    "svg where not allowed": (raw("logo.svg", lambda: c.SVG_CLEAN), "photo", ["image.format-not-allowed"]),
}
