"""One-key fixes: deterministic output that re-validates clean, and the original never changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from lpublish.assets.fix import fix_image
from lpublish.assets.inspect import inspect_image
from lpublish.assets.validate import check_image
from lpublish.config import SiteConfig
from lpublish.errors import ContentError, UsageError
from tests.plugins import image_corpus as c
from tests.plugins.image_cases import CASES
from tests.plugins.pixels import rgb

FIXABLE = [
    "16-bit png",
    "alpha where forbidden",
    "avif + zip polyglot",
    "animated gif in a still slot",
    "animated webp",
    "cmyk",
    "display p3",
    "gif where not allowed",
    "gps, serial, rotated",
    "japanese name",
    "jpeg + zip polyglot",
    "png + html polyglot",
    "png named .jpg",
    "too large",
    "too many bytes",
    "xmp",
    "good jpeg",
]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", FIXABLE)
def test_fix_is_deterministic_and_clean(case: str, config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    build, slot, _ = CASES[case]
    source = build(inbox)
    original = sha(source)
    before = check_image(source, slot, config)
    assert before.fixable, [f.code for f in before.findings]
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    first = fix_image(source, slot, config, first_dir)
    second = fix_image(source, slot, config, second_dir)
    assert first.output.read_bytes() == second.output.read_bytes()  # byte-identical
    assert (
        first.output.name == second.output.name == before.target_name.rsplit(".", 1)[0] + first.output.suffix
    )
    assert sha(source) == original  # the designer's file is untouched
    assert first.check.ok, [f.message for f in first.check.findings]
    recheck = check_image(first.output, slot, config)
    assert recheck.errors == []
    assert first.after_bytes == first.output.stat().st_size
    assert first.before_bytes == source.stat().st_size
    info = inspect_image(first.output, max_pixels=config.site.max_pixels)
    assert not info.has_exif and not info.has_gps and not info.has_xmp and info.icc_description is None
    if case != "good jpeg":
        assert first.changes


def test_cmyk_becomes_rgb(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["cmyk"][0](inbox), "photo", config, tmp_path)
    with Image.open(result.output) as image:
        assert image.mode == "RGB"
    assert any("CMYK" in line for line in result.changes)


def test_wide_gamut_is_colour_managed(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    flat = Image.new("RGB", (800, 600), (200, 100, 50))
    source = c.save(flat, inbox / "p3.jpg", "JPEG", quality=95, icc_profile=c.display_p3_profile())
    result = fix_image(source, "photo", config, tmp_path)
    with Image.open(result.output) as image:
        pixel = rgb(image, (400, 300))
    # A naive conversion would keep (200, 100, 50); P3 orange is more saturated than sRGB can say.
    assert max(abs(a - b) for a, b in zip(pixel, (200, 100, 50), strict=True)) >= 5
    assert any("Display P3" in line for line in result.changes)


def test_orientation_applied_and_location_removed(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["gps, serial, rotated"][0](inbox), "photo", config, tmp_path)
    with Image.open(result.output) as image:
        assert image.size == (800, 600)
        assert len(image.getexif()) == 0
    assert result.before_size == (800, 600) and result.after_size == (800, 600)
    assert any("GPS" in line for line in result.changes)


def test_byte_budget_is_met(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["too many bytes"][0](inbox), "photo", config, tmp_path)
    assert result.before_bytes > 200_000 >= result.after_bytes
    assert any("Compressed" in line for line in result.changes)


def test_too_large_is_downscaled(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["too large"][0](inbox), "photo", config, tmp_path)
    assert result.before_size == (2000, 1500)
    assert result.after_size == (1600, 1200)


def test_transparency_flattened_on_white(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["alpha where forbidden"][0](inbox), "photo", config, tmp_path)
    with Image.open(result.output) as image:
        assert image.mode == "RGB"
        corner = rgb(image, (0, 0))  # alpha 0 there
    assert corner == (255, 255, 255)


def test_trailing_payload_is_gone(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["jpeg + zip polyglot"][0](inbox), "photo", config, tmp_path)
    assert b"PK\x03\x04" not in result.output.read_bytes()


def test_animation_keeps_first_frame(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["animated webp"][0](inbox), "photo", config, tmp_path)
    with Image.open(result.output) as image:
        assert getattr(image, "n_frames", 1) == 1
        red = rgb(image, (10, 10))
    assert red[0] > 200 and red[1] < 60


def test_sixteen_bit_becomes_eight(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["16-bit png"][0](inbox), "photo", config, tmp_path)
    info = inspect_image(result.output, max_pixels=config.site.max_pixels)
    assert info.bit_depth == 8 and info.mode == "L"


def test_out_file_extension_chooses_an_allowed_format(
    config: SiteConfig, inbox: Path, tmp_path: Path
) -> None:
    source = CASES["good jpeg"][0](inbox)
    as_webp = fix_image(source, "photo", config, tmp_path / "fixed.webp")
    assert as_webp.output == tmp_path / "fixed.webp" and as_webp.format == "webp"
    as_gif = fix_image(source, "photo", config, tmp_path / "fixed.gif")  # not allowed: corrected
    assert as_gif.output == tmp_path / "fixed.jpg" and as_gif.format == "jpeg"


def test_never_overwrites_the_original(config: SiteConfig, inbox: Path) -> None:
    source = CASES["good jpeg"][0](inbox)
    original = sha(source)
    with pytest.raises(UsageError):
        fix_image(source, "photo", config, source)
    with pytest.raises(UsageError):
        fix_image(source, "photo", config, inbox)  # a folder where the fixed name is the same file
    assert sha(source) == original


@pytest.mark.parametrize(
    "case", ["truncated jpeg", "empty file", "html named .png", "bomb claiming 10 gigapixels"]
)
def test_unfixable_inputs_raise_content_errors(
    case: str, config: SiteConfig, inbox: Path, tmp_path: Path
) -> None:
    source = CASES[case][0](inbox)
    with pytest.raises(ContentError) as caught:
        fix_image(source, "photo", config, tmp_path)
    assert caught.value.exit_code == 1
    assert caught.value.message
    assert list(tmp_path.glob("*.jpg")) == []


def test_svg_is_not_rewritten(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    with pytest.raises(ContentError):
        fix_image(c.write(inbox / "logo.svg", c.SVG_CLEAN), "logo", config, tmp_path)


def test_wrong_shape_still_needs_a_person(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    result = fix_image(CASES["wrong aspect"][0](inbox), "photo", config, tmp_path)
    assert [f.code for f in result.check.errors] == ["image.wrong-aspect"]


def test_png_photo_over_budget_becomes_lossy(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    source = c.save(c.gradient(1600, 1200, noise=40), inbox / "photo.png", "PNG")
    assert source.stat().st_size > 200_000
    result = fix_image(source, "photo", config, tmp_path)
    assert result.format == "jpeg" and result.output.name == "photo.jpg"
    assert result.after_size == (1600, 1200)  # no need to shrink
    assert result.check.ok
