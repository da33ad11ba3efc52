"""Reading pixels back from images a test produced: one colour as an (r, g, b) tuple."""

from __future__ import annotations

from PIL import Image


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    """The colour at ``xy`` as (r, g, b), whatever the image's mode (alpha and palettes dropped)."""
    pixel = image.convert("RGB").getpixel(xy)
    # Pillow types getpixel for every mode (float, None, tuples); an RGB image gives a 3-tuple.
    assert isinstance(pixel, tuple) and len(pixel) == 3, pixel
    red, green, blue = pixel
    return int(red), int(green), int(blue)
