"""Every kind of good, bad and hostile file gives exactly the finding codes a designer should see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from lpublish.assets.inspect import ImageProblem, inspect_image
from lpublish.assets.validate import AssetCheck, check_image, check_images
from lpublish.config import SiteConfig
from lpublish.errors import UsageError
from lpublish.findings import Severity
from tests.plugins import image_corpus as c
from tests.plugins.image_cases import CASES


def codes(check: AssetCheck) -> list[str]:
    return sorted(f.code for f in check.findings)


def assert_explained(check: AssetCheck, file: str) -> None:
    """What a designer sees for any file: a readable image, or an error saying why not; every finding
    names the file and says it in words (no raw catalog key, no unfilled placeholder)."""
    if check.info is None:
        assert check.errors, "a file that could not be read must say why"
    elif check.info.format != "svg":  # a vector may leave its size to the page
        assert check.info.width > 0 and check.info.height > 0
    for finding in check.findings:
        assert finding.file == file
        assert finding.message and "{" not in finding.message and not finding.message.startswith("finding.")


@pytest.mark.parametrize("case", sorted(CASES))
def test_corpus_gives_exact_codes(case: str, config: SiteConfig, inbox: Path) -> None:
    build, slot, expected = CASES[case]
    path = build(inbox)
    before = path.read_bytes()
    check = check_image(path, slot, config, display_name=path.name)
    assert codes(check) == sorted(expected), [f.message for f in check.findings]
    for finding in check.findings:
        assert finding.file == path.name
        assert finding.message and "{" not in finding.message
    assert path.read_bytes() == before  # checking never changes the file


@pytest.mark.parametrize("case", sorted(CASES))
def test_messages_exist_in_japanese(case: str, config: SiteConfig, inbox: Path) -> None:
    from lpublish.i18n import set_language

    build, slot, _ = CASES[case]
    check = check_image(build(inbox), slot, config)
    set_language("ja")
    try:
        for finding in check.findings:
            assert finding.message != finding.code
            assert "{" not in finding.message
    finally:
        set_language(None)


@pytest.mark.parametrize("name", sorted(c.SVG_HOSTILE))
def test_hostile_svgs_are_refused(name: str, config: SiteConfig, inbox: Path) -> None:
    data, expected = c.SVG_HOSTILE[name]
    path = c.write(inbox / "logo.svg", data)
    check = check_image(path, "logo", config)
    assert sorted(set(codes(check))) == sorted(set(expected))
    assert not check.ok
    assert not check.fixable  # a person must re-export the SVG


def test_xxe_never_reads_the_referenced_file(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    ).encode()
    check = check_image(c.write(inbox / "x.svg", data), "logo", config)
    assert codes(check) == ["svg.unsafe-xml"]
    assert all("TOP-SECRET" not in f.message for f in check.findings)


def test_severities_and_fixes(config: SiteConfig, inbox: Path) -> None:
    path = CASES["gps, serial, rotated"][0](inbox)
    by_code = {f.code: f for f in check_image(path, "photo", config).findings}
    assert by_code["image.gps-location"].severity is Severity.ERROR
    assert by_code["image.camera-serial"].severity is Severity.WARNING
    assert by_code["image.exif-orientation"].fix == "rotate"
    check = check_image(path, "photo", config)
    assert not check.ok and check.fixable
    gif = CASES["animated gif where it is a warning"][0](inbox)
    (animated_finding,) = check_image(gif, "banner", config).findings
    assert animated_finding.severity is Severity.WARNING


def test_aspect_message_shows_the_crop(config: SiteConfig, inbox: Path) -> None:
    path = CASES["wrong aspect"][0](inbox)
    (finding,) = check_image(path, "photo", config).findings
    assert "800x400" in finding.message and "533x400" in finding.message and "4:3" in finding.message
    assert finding.fix is None


def test_dimensions_follow_exif_orientation(config: SiteConfig, inbox: Path) -> None:
    # stored 600x800 but shown 800x600: the slot's 4:3 rule holds for what people see
    path = CASES["gps, serial, rotated"][0](inbox)
    info = inspect_image(path, max_pixels=config.site.max_pixels)
    assert (info.width, info.height) == (600, 800)
    assert info.display_size == (800, 600)


def test_real_format_comes_from_content(config: SiteConfig, inbox: Path) -> None:
    path = c.save(c.gradient(800, 600), inbox / "photo.webp", "JPEG")
    info = inspect_image(path, max_pixels=config.site.max_pixels)
    assert info.format == "jpeg"
    check = check_image(path, "photo", config)
    assert codes(check) == ["image.wrong-extension", "name.will-rename"]
    assert check.target_name == "photo.jpg"


def test_header_only_check_still_sees_a_cut_file(config: SiteConfig, inbox: Path) -> None:
    path = CASES["truncated jpeg"][0](inbox)
    assert codes(check_image(path, "photo", config, decode=False)) == ["image.truncated"]


def test_truncated_jpeg_passes_verify_but_not_us(config: SiteConfig, inbox: Path) -> None:
    path = CASES["truncated jpeg"][0](inbox)
    with Image.open(path) as image:
        image.verify()  # Pillow's verify() is fooled ...
    assert not check_image(path, "photo", config).ok  # ... the full decode is not


def test_unreadable_inputs_become_findings(config: SiteConfig, inbox: Path) -> None:
    assert codes(check_image(inbox / "missing.jpg", "photo", config)) == ["file.not-found"]
    assert codes(check_image(inbox, "photo", config)) == ["file.is-directory"]


def test_permission_denied_is_a_finding(config: SiteConfig, inbox: Path) -> None:
    import os

    if os.geteuid() == 0:
        # root reads any file; /proc/self/mem still fails to read (EIO) the same way
        assert codes(check_image(Path("/proc/self/mem"), "photo", config)) == ["file.unreadable"]
        return
    path = CASES["good jpeg"][0](inbox)
    path.chmod(0)
    try:
        assert codes(check_image(path, "photo", config)) == ["file.unreadable"]
    finally:
        path.chmod(0o644)


def test_fifo_is_not_opened(config: SiteConfig, inbox: Path) -> None:
    import os

    fifo = inbox / "pipe.jpg"
    os.mkfifo(fifo)  # opening it would block forever
    assert codes(check_image(fifo, "photo", config)) == ["file.not-regular"]


def test_japanese_name_gets_slot_and_hash(config: SiteConfig, inbox: Path) -> None:
    path = CASES["japanese name"][0](inbox)
    check = check_image(path, "photo", config)
    assert check.info is not None
    assert check.target_name == f"photo-{check.info.sha256[:8]}.jpg"


def test_fixed_name_slot_uses_its_name(config: SiteConfig, inbox: Path) -> None:
    path = c.save(c.gradient(800, 600), inbox / "My Hero.JPG", "JPEG", quality=85)
    check = check_image(path, "hero", config)
    assert check.target_name == "hero.jpg"


def test_alt_text_required(config: SiteConfig, inbox: Path) -> None:
    path = CASES["good jpeg"][0](inbox)
    assert codes(check_image(path, "photo", config, alt="")) == ["alt.missing"]
    assert codes(check_image(path, "photo", config, alt="   ")) == ["alt.missing"]
    assert codes(check_image(path, "photo", config, alt="A cup of tea")) == []
    assert codes(check_image(path, "photo", config)) == []  # not asked yet
    png = c.save(c.gradient(800, 600), inbox / "ok.png", "PNG")
    assert codes(check_image(png, "banner", config, alt="")) == []  # banner does not require it


def test_duplicate_of_a_site_file(config: SiteConfig, site_dir: Path, inbox: Path) -> None:
    path = CASES["good jpeg"][0](inbox)
    shutil.copy(path, site_dir / "images" / "photo" / "existing.jpg")
    check = check_image(path, "photo", config)
    assert codes(check) == ["image.duplicate"]
    assert "images/photo/existing.jpg" in check.findings[0].message


def test_case_insensitive_collision(config: SiteConfig, site_dir: Path, inbox: Path) -> None:
    c.save(c.gradient(800, 600, seed=9), site_dir / "images" / "photo" / "tea.jpg", "JPEG")
    path = c.save(c.gradient(800, 600), inbox / "TEA.jpg", "JPEG", quality=85)
    assert codes(check_image(path, "photo", config)) == ["name.collision", "name.will-rename"]


def test_unknown_slot_names_the_real_ones(config: SiteConfig, inbox: Path) -> None:
    with pytest.raises(UsageError) as caught:
        check_image(inbox / "x.jpg", "heroo", config)
    assert "banner, hero, logo, photo" in caught.value.message


def test_inspect_raises_content_error_for_non_images(inbox: Path) -> None:
    path = c.write(inbox / "x.png", b"not an image at all")
    with pytest.raises(ImageProblem) as caught:
        inspect_image(path, max_pixels=1000)
    assert caught.value.code == "image.not-an-image"
    assert caught.value.exit_code == 1


def test_check_images_in_parallel_matches_serial(config: SiteConfig, inbox: Path) -> None:
    items = []
    for index, name in enumerate(sorted(CASES)):
        build, slot, _ = CASES[name]
        folder = inbox / f"case{index}"
        folder.mkdir()
        items.append((build(folder), slot))
    serial = check_images(items, config, workers=1)
    parallel = check_images(items, config, workers=2)
    assert [codes(x) for x in serial] == [codes(x) for x in parallel]
    assert [x.path for x in parallel] == [p for p, _ in items]
    for (_path, _slot), check, name in zip(items, parallel, sorted(CASES), strict=True):
        assert codes(check) == sorted(CASES[name][2]), name


def test_check_images_cancel(config: SiteConfig, inbox: Path) -> None:
    import threading

    from lpublish.errors import CancelledError

    path = CASES["good jpeg"][0](inbox)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        check_images([(path, "photo")] * 3, config, workers=1, cancel=cancel)


def test_duplicate_anywhere_in_the_site(config: SiteConfig, site_dir: Path, inbox: Path) -> None:
    path = CASES["good jpeg"][0](inbox)
    shutil.copy(path, site_dir / "images" / "hero" / "hero.jpg")
    check = check_image(path, "photo", config)
    assert codes(check) == ["image.duplicate"]
    assert "images/hero/hero.jpg" in check.findings[0].message


def test_every_problem_at_once(config: SiteConfig, inbox: Path) -> None:
    wide_and_big = c.save(c.gradient(3000, 1000), inbox / "wide.jpg", "JPEG", quality=85)
    assert codes(check_image(wide_and_big, "photo", config)) == ["image.too-large", "image.wrong-aspect"]


def test_palette_with_transparency_counts_as_alpha(config: SiteConfig, inbox: Path, tmp_path: Path) -> None:
    from lpublish.assets.fix import fix_image

    image = c.gradient(800, 600, noise=0).convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    path = c.save(image, inbox / "pal.png", "PNG", transparency=0)
    assert codes(check_image(path, "photo", config)) == ["image.alpha-not-allowed"]
    result = fix_image(path, "photo", config, tmp_path)
    assert result.check.ok


MAGIC = [
    b"",
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"\x00\x00\x00\x1cftypavif",
    b"<svg xmlns='http://www.w3.org/2000/svg'>",
    b"\xef\xbb\xbf<?xml",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=400))
def test_hostile_bytes_never_crash(config: SiteConfig, inbox: Path, magic: bytes, body: bytes) -> None:
    path = c.write(inbox / "fuzz.jpg", magic + body)
    check = check_image(path, "photo", config, display_name="fuzz.jpg")  # findings, never an exception
    assert not check.ok  # a few hundred random bytes are never a photo to publish
    assert_explained(check, "fuzz.jpg")


@pytest.mark.parametrize("case", ["too many bytes", "gps, serial, rotated", "jpeg + zip polyglot"])
def test_hostile_bytes_inside_real_files_never_crash(config: SiteConfig, inbox: Path, case: str) -> None:
    import random

    data = bytearray(CASES[case][0](inbox).read_bytes())
    rng = random.Random(7)
    for attempt in range(20):
        mutated = bytearray(data)
        for _ in range(8):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        cut = mutated[: rng.randrange(len(mutated) // 2, len(mutated))] if attempt % 2 else mutated
        path = c.write(inbox / f"m{attempt}.jpg", bytes(cut))
        # JPEG decoders shrug off some damage, so either outcome is fine: what matters is that it is
        # explained, and that checking leaves the file as it was.
        assert_explained(check_image(path, "photo", config, display_name=path.name), path.name)
        assert path.read_bytes() == bytes(cut)


def test_cancel_stops_a_process_pool(config: SiteConfig, inbox: Path) -> None:
    import threading

    from lpublish.errors import CancelledError
    from lpublish.progress import ProgressEvent

    path = CASES["good jpeg"][0](inbox)
    cancel = threading.Event()
    seen: list[ProgressEvent] = []

    def progress(event: ProgressEvent) -> None:
        seen.append(event)
        if event.done:
            cancel.set()  # the designer pressed Esc after the first results

    with pytest.raises(CancelledError):
        check_images([(path, "photo")] * 40, config, workers=2, progress=progress, cancel=cancel)
    assert seen[0].total == 40 and seen[-1].done < 40
