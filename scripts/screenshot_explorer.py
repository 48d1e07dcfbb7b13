"""Take the README's screenshots of the Emotion Explorer with playlists, in headless Chromium.

Serves `streamlit run app.py` on a library that holds the demo playlists (build one with
`MOODTUNE_HOME=DIR moodtune ingest demo`), picks a playlist, compares two, and writes two small
PNGs under docs/. Run from the repository root:

    python scripts/screenshot_explorer.py --home .moodtune
"""

from __future__ import annotations

import argparse
import io
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from moodtune.appserver import chromium_page, running_app

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1280
SHOWN = "Night shift"
COMPARED = ("Night shift", "Picket line", "After the move")


def _save(png: bytes, path: Path, width: int = 900) -> None:
    """Downscale and cut to 128 colours, so each image stays around 100-200 kB."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} kB)")


def _clip(page: Page, top: float, bottom: float) -> dict[str, float]:
    """The page's main column between two heights."""
    main = page.locator('[data-testid="stMain"]').bounding_box()
    assert main is not None
    return {"x": main["x"], "y": top, "width": main["width"], "height": bottom - top}


Shot = Callable[[Page, str, Path], None]


def shoot(description: str, shots: Sequence[Shot]) -> None:
    """Parse --home and --out, serve the app on that library, and take `shots` in order."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--home", type=Path, required=True, help="MOODTUNE_HOME with the demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(ROOT, args.home.resolve(), Path(tmp) / "streamlit.log") as (url, _),
        # Tall enough that the whole page renders without scrolling (Streamlit scrolls inside
        # its own container, which a full-page screenshot would not unroll).
        chromium_page(WIDTH, 3600) as page,
    ):
        for take in shots:
            take(page, url, args.out)


def _shoot(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/Emotion_Explorer")
    expect(page.locator(".st-key-explorer-map")).to_be_visible(timeout=300_000)
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text("Playlist", exact=True)
    page.locator('[data-testid="stSelectbox"]').filter(has=label).click()
    page.get_by_role("option", name=re.compile(rf"^{SHOWN} · ")).click()
    expect(page.get_by_text(f"{SHOWN}: profile")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2500)
    arc = page.locator(".st-key-playlist-arc").bounding_box()
    assert arc is not None
    _save(
        page.screenshot(clip=_clip(page, 0, arc["y"] + arc["height"])),
        out / "explorer_playlist.png",
    )

    compare = page.get_by_role("combobox", name="Playlists to compare")
    for name in COMPARED:
        compare.click()
        compare.press_sequentially(name)
        expect(page.get_by_role("option", name=re.compile(rf"^{name} · "))).to_have_count(1)
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_text("carries more", exact=False).first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2500)
    heading = page.get_by_role("heading", name="Compare playlists").bounding_box()
    table = page.locator('[data-testid="stDataFrame"]').bounding_box()
    assert heading is not None
    assert table is not None
    clip = _clip(page, heading["y"] - 10, table["y"] + table["height"] + 10)
    _save(page.screenshot(clip=clip), out / "explorer_compare.png")


def main() -> None:
    shoot(__doc__.splitlines()[0], [_shoot])


if __name__ == "__main__":
    main()
