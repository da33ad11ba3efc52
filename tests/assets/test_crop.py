"""Cropping to a slot's aspect: box placement, edges, EXIF rotation, determinism, never upscaling,
and the original left untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from lpublish.assets.crop import CropBox, crop_box, crop_image, move_box, picture_size
from lpublish.errors import ContentError
from tests.plugins.pixels import rgb


def photo(path: Path, width: int, height: int, **save: object) -> Path:
    image = Image.new("RGB", (width, height), (20, 40, 60))
    # a bright square at the top-left corner tells where the crop came from
    image.paste((250, 250, 250), (0, 0, 40, 40))
    image.save(path, "JPEG", quality=90, **save)
    return path


def test_box_is_the_largest_of_the_aspect_and_presets_place_it() -> None:
    # 16:10 photo for a 12:5 hero: full width, height 2560 * 5 / 12 = 1066
    centre = crop_box(2560, 1600, 12 / 5)
    assert (centre.width, centre.height) == (2560, 1066)
    assert centre.left == 0 and centre.top == (1600 - 1066) // 2
    assert crop_box(2560, 1600, 12 / 5, position="top").top == 0
    assert crop_box(2560, 1600, 12 / 5, position="bottom").top == 1600 - 1066
    tall = crop_box(1000, 1000, 2.0, position="left")
    assert (tall.left, tall.top, tall.width, tall.height) == (0, 250, 1000, 500)
    square = crop_box(1600, 1000, 1.0, position="right")
    assert (square.left, square.width) == (600, 1000)


def test_focal_point_centres_the_box_within_the_picture() -> None:
    box = crop_box(2000, 1000, 1.0, focal=(0.25, 0.5))
    assert (box.left, box.top, box.width) == (0, 0, 1000)  # pushed against the left edge
    box = crop_box(3000, 1000, 1.0, focal=(0.5, 0.1))
    assert box.left == 1000
    moved = move_box(box, -5000, 40, 3000, 1000)
    assert (moved.left, moved.top) == (0, 0)


def test_crop_writes_a_copy_of_the_box_and_keeps_the_original(tmp_path: Path) -> None:
    source = photo(tmp_path / "moon.jpg", 1600, 1000)
    before = source.read_bytes()
    box = crop_box(1600, 1000, 12 / 5, position="top")
    result = crop_image(source, box, tmp_path / "out", max_pixels=50_000_000)
    assert source.read_bytes() == before
    with Image.open(result.output) as cropped:
        assert cropped.size == (1600, 666)
        assert rgb(cropped, (5, 5))[0] > 200  # the bright corner is in the top crop
    again = crop_image(source, box, tmp_path / "again", max_pixels=50_000_000)
    assert again.output.read_bytes() == result.output.read_bytes()  # deterministic
    assert result.after_size == (1600, 666) and result.before_size == (1600, 1000)


def test_crop_follows_exif_rotation(tmp_path: Path) -> None:
    # stored 1000x1600, shown rotated (orientation 6) as 1600x1000
    exif = Image.Exif()
    exif[0x0112] = 6
    source = photo(tmp_path / "turned.jpg", 1000, 1600, exif=exif)
    assert picture_size(source, max_pixels=50_000_000) == (1600, 1000)
    box = crop_box(1600, 1000, 12 / 5)
    result = crop_image(source, box, tmp_path / "out", max_pixels=50_000_000)
    assert result.after_size == (1600, 666)


def test_a_box_bigger_than_the_picture_is_refused(tmp_path: Path) -> None:
    source = photo(tmp_path / "small.jpg", 800, 600)
    with pytest.raises(ContentError) as caught:
        crop_image(source, CropBox(0, 0, 1600, 600), tmp_path / "out", max_pixels=50_000_000)
    assert caught.value.key == "designer.crop.outside"
