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
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from moodtune.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 1280
SHOWN = "Night shift"
COMPARED = ("Night shift", "Picket line", "After the move")


def _save(png: bytes, path: Path, width: int = 900) -> None:
    """Downscale and cut to 128 colours, so each image stays around 100-200 kB."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} kB)")


def _shoot(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/Emotion_Explorer")
    expect(page.locator(".st-key-explorer-map")).to_be_visible(timeout=300_000)
    label = page.locator('[data-testid="stWidgetLabel"]').get_by_text("Playlist", exact=True)
    page.locator('[data-testid="stSelectbox"]').filter(has=label).click()
    page.get_by_role("option", name=re.compile(rf"^{SHOWN} · ")).click()
    expect(page.get_by_text(f"{SHOWN}: profile")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(2500)
    main = page.locator('[data-testid="stMain"]')
    top = main.bounding_box()
    arc = page.locator(".st-key-playlist-arc").bounding_box()
    assert top is not None
    assert arc is not None
    clip = {"x": top["x"], "y": 0, "width": top["width"], "height": arc["y"] + arc["height"]}
    _save(page.screenshot(clip=clip), out / "explorer_playlist.png")

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
    clip = {
        "x": top["x"],
        "y": heading["y"] - 10,
        "width": top["width"],
        "height": table["y"] + table["height"] - heading["y"] + 20,
    }
    _save(page.screenshot(clip=clip), out / "explorer_compare.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="MOODTUNE_HOME with the demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(ROOT, args.home.resolve(), Path(tmp) / "streamlit.log") as (url, _),
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS))
        try:
            # Tall enough that the whole page renders without scrolling (Streamlit scrolls inside
            # its own container, which a full-page screenshot would not unroll).
            page = browser.new_page(viewport={"width": WIDTH, "height": 3600})
            _shoot(page, url, args.out)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
