"""Responsive variants: width choice, parallel vs serial encoding, cache reuse, unreadable sources."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from lpublish.site.images import (
    ImageRequest,
    VariantCache,
    VariantSettings,
    cache_path,
    generate_variants,
    variant_widths,
)


def test_variant_widths() -> None:
    assert variant_widths(1920, [480, 960, 1440, 1920]) == [480, 960, 1440, 1920]
    assert variant_widths(1600, [480, 960, 1440, 1920]) == [480, 960, 1440, 1600]  # keep the sharpest
    assert variant_widths(300, [480, 960]) == [300]  # smaller than every width: only the original
    assert variant_widths(4000, [960, 480, 480]) == [480, 960]  # never upscaled, never above the list


def sources(folder: Path) -> list[ImageRequest]:
    folder.mkdir()
    requests = []
    for i, (size, mode) in enumerate([((300, 200), "RGB"), ((260, 260), "RGBA"), ((200, 120), "RGB")]):
        img = Image.new(mode, size, (40 * i, 120, 200, 128)[: len(mode)])
        img.paste((255, 200, 0, 255)[: len(mode)], (10, 10, 80, 60))
        path = folder / f"img{i}.png"
        img.save(path, "PNG")
        requests.append(ImageRequest(path, path.name, (100, 200), ("avif", "webp")))
    return requests


def test_parallel_and_serial_encoding_are_identical(tmp_path: Path) -> None:
    requests = sources(tmp_path / "src")
    serial, _, n_serial, _ = generate_variants(
        requests, VariantCache(tmp_path / "c1"), VariantSettings(workers=1)
    )
    parallel, _, n_parallel, _ = generate_variants(
        requests, VariantCache(tmp_path / "c2"), VariantSettings(workers=2, parallel_min_pixels=0)
    )
    assert n_serial == n_parallel == 3 * 2 * 3
    for rel, image in serial.items():
        assert [(v.name, v.size) for v in image.variants] == [
            (v.name, v.size) for v in parallel[rel].variants
        ]
        for a, b in zip(image.variants, parallel[rel].variants, strict=True):
            assert cache_path(tmp_path / "c1", a.key, a.format).read_bytes() == (
                cache_path(tmp_path / "c2", b.key, b.format).read_bytes()
            )
    # alpha sources get a PNG fallback, opaque ones JPEG
    assert serial["img1.png"].formats == ["avif", "webp", "png"]
    assert serial["img0.png"].formats == ["avif", "webp", "jpeg"]


def test_cache_is_reused_and_survives_reload(tmp_path: Path) -> None:
    requests = sources(tmp_path / "src")
    cache = VariantCache(tmp_path / "cache")
    _, _, generated, reused = generate_variants(requests, cache, VariantSettings(workers=1))
    cache.save()
    again = VariantCache(tmp_path / "cache")
    _, _, generated2, reused2 = generate_variants(requests, again, VariantSettings(workers=1))
    assert (generated, reused, generated2, reused2) == (18, 0, 0, 18)
    # different quality = different cache entries
    _, _, generated3, _ = generate_variants(requests, again, VariantSettings(workers=1, avif_quality=40))
    assert generated3 == 6


def test_unreadable_source_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    images, failures, generated, _ = generate_variants(
        [ImageRequest(bad, "broken.jpg", (100,), ("webp",))], VariantCache(tmp_path / "c"), VariantSettings()
    )
    assert images == {} and generated == 0
    assert set(failures) == {"broken.jpg"}
