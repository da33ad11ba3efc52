"""TUI responsiveness: start-up to the first drawn screen, and a 24-megapixel photo's check + thumbnail.

    .venv/bin/python benchmarks/tui_start.py --runs 5

1. **start**: a fresh interpreter per run, from process start (``Popen``) to the home screen's first
   refresh (headless driver, so the terminal itself is not measured). Goal: < 0.6 s.
2. **photo**: in a running app (Pilot), from selecting a 6000x4000 JPEG on the image screen until its
   findings and half-block thumbnail are on screen (the check + thumbnail worker, end to end).
   Goal: < 0.3 s.

Generated inputs go to ``benchmarks/.work/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work" / "tui"

CHILD = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from lpublish.config import load_config
from lpublish.tui.app import LpublishApp
from lpublish.tui.context import TuiContext
from lpublish.tui.settings import TuiSettings

class Timed(LpublishApp):
    def on_mount(self) -> None:
        # Textual also runs LpublishApp.on_mount (handlers run for every class in the MRO).
        self.call_after_refresh(self.done)

    def done(self) -> None:
        self.call_after_refresh(self._print)

    def _print(self) -> None:
        with open({out!r}, "w") as fh:
            fh.write(f"{{time.time():.6f}}")
        self.exit()

context = TuiContext(config=load_config(site=Path({site!r})), token_resolver=lambda c: None, open_browser=False)
Timed(context, settings=TuiSettings()).run(headless=True, size=(80, 24))
"""


def start_once(site: Path) -> float:
    out_file = Path(tempfile.mkdtemp(prefix="lpublish-bench-")) / "drawn.txt"
    code = CHILD.format(root=str(ROOT), site=str(site), out=str(out_file))
    env = {**os.environ, "LPUBLISH_HOME": tempfile.mkdtemp(prefix="lpublish-bench-"), "LPUBLISH_LANG": "en"}
    begin = time.time()
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return float(out_file.read_text()) - begin


def make_photo(path: Path) -> Path:
    from PIL import Image

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        grain = Image.effect_noise((6000, 4000), 25).convert("L")
        gradient = Image.linear_gradient("L").resize((6000, 4000))
        Image.merge("RGB", (gradient, grain, Image.blend(gradient, grain, 0.5))).save(
            path, "JPEG", quality=88
        )
    return path


async def photo_once(site: Path, photo: Path) -> float:
    from lpublish.config import load_config
    from lpublish.tui.app import LpublishApp
    from lpublish.tui.context import TuiContext
    from lpublish.tui.screens.images import ImageScreen
    from lpublish.tui.settings import TuiSettings

    context = TuiContext(config=load_config(site=site), token_resolver=lambda c: None, open_browser=False)
    app = LpublishApp(context, settings=TuiSettings())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.push_screen(ImageScreen("hero"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ImageScreen)
        begin = time.perf_counter()
        screen.select_file(photo)
        while screen.check is None:
            await asyncio.sleep(0.002)
        await pilot.pause()  # the findings and thumbnail are drawn
        return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    args = parser.parse_args()
    os.environ.setdefault("LPUBLISH_HOME", tempfile.mkdtemp(prefix="lpublish-bench-"))
    starts = [start_once(args.site) for _ in range(args.runs)]
    print(
        f"start to first screen: median {statistics.median(starts):.3f} s, min {min(starts):.3f} s "
        f"over {args.runs} runs (goal < 0.6 s)"
    )
    photo = make_photo(WORK / "photo-24mp.jpg")
    times = [asyncio.run(photo_once(args.site, photo)) for _ in range(args.runs)]
    print(
        f"24 MP JPEG findings + thumbnail: median {statistics.median(times):.3f} s, min {min(times):.3f} s "
        f"over {args.runs} runs (goal < 0.3 s)"
    )


if __name__ == "__main__":
    main()
