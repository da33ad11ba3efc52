"""Where a request's images land in the site: slot folder, safe file name, alt text.

Owns: ``place_image``, the one rule for putting an image into a site tree. The submit flow uses it in
its git workspace and the TUI's preview uses it on a throwaway copy, so the preview shows exactly the
files a request will contain. Must not import UI libraries.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lpublish.config import SiteConfig
from lpublish.publish.changeset import ImageChange


def place_image(site_dir: Path, config: SiteConfig, image: ImageChange, *, fmt: str, sha256: str) -> Path:
    """Copy ``image`` into its slot folder under ``site_dir`` and record its alt text; the new path.

    ``fmt`` is the real (content-detected) format and ``sha256`` the file's content hash; they pick the
    extension and the safe file name. A replaced file is removed with its alt text; a single-image slot
    (``filename`` set) keeps exactly one file, whatever its previous format.
    """
    from lpublish.assets.alt import read_alt_texts, write_alt_text, write_alt_texts
    from lpublish.assets.names import EXTENSIONS, resolve_inside, safe_filename

    rules = config.slots[image.slot]
    folder = site_dir / rules.path
    folder.mkdir(parents=True, exist_ok=True)
    ext = EXTENSIONS.get(fmt, fmt)
    if image.replace:
        old = resolve_inside(folder, image.replace)
        old.unlink(missing_ok=True)
        write_alt_text(folder, image.replace, "")
    if rules.filename:
        name = f"{rules.filename}.{ext}"
        # A single-image slot holds one file: drop the previous one in another format.
        texts = read_alt_texts(folder)
        for other in folder.glob(f"{rules.filename}.*"):
            if other.name != name and other.suffix.lstrip(".") in EXTENSIONS.values():
                other.unlink()
                texts.pop(other.name, None)
        write_alt_texts(folder, texts)
    else:
        name = safe_filename(image.source.name, image.slot, sha256, ext)
    target = resolve_inside(folder, name)
    shutil.copyfile(image.source, target)
    if image.alt.strip() or (folder / "alt.toml").is_file():
        write_alt_text(folder, name, image.alt)
    return target
