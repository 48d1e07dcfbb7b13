"""Take the README's screenshots of refinement and map selections, in headless Chromium.

Serves `streamlit run app.py` on a library holding the demo catalogue (build one with
`MOODTUNE_HOME=DIR moodtune ingest demo`), asks the Recommend page for a feeling, refines it
with "less angry", and on the Emotion Explorer drags a box over the map; writes two PNGs under
docs/. Run from the repository root on a copy of a library (it saves nothing, but votes nothing
either):

    python scripts/screenshot_lists.py --home .moodtune
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from screenshot_explorer import WIDTH, _save  # scripts/ is on the path when run

from moodtune.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app

ROOT = Path(__file__).resolve().parents[1]
QUERY = "they lied to us and I am furious"
MODEL_MS = 300_000


def _refined(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/Recommend")
    box = page.locator(".st-key-rec-query textarea")
    expect(box).to_be_visible(timeout=MODEL_MS)
    box.fill(QUERY)
    page.get_by_role("radio", name="emotions").check(force=True)
    page.locator(".st-key-rec-submit button").click()
    expect(page.locator(".st-key-rec-followup input")).to_be_visible(timeout=MODEL_MS)
    page.locator(".st-key-rec-followup input").fill("less angry")
    page.locator(".st-key-rec-followup-go button").click()
    expect(page.get_by_text("Changed:", exact=False).first).to_be_visible(timeout=MODEL_MS)
    page.wait_for_timeout(2500)
    main = page.locator('[data-testid="stMain"]').bounding_box()
    start = page.get_by_text("Refined:", exact=False).first.bounding_box()
    keep = page.get_by_role("heading", name="Keep this list").bounding_box()
    assert main is not None
    assert start is not None
    assert keep is not None
    clip = {
        "x": main["x"],
        "y": start["y"] - 10,
        "width": main["width"],
        "height": keep["y"] - start["y"] + 140,
    }
    _save(page.screenshot(clip=clip), out / "recommend_refined.png")


def _selection(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/Emotion_Explorer")
    chart = page.locator('.st-key-explorer-map [data-testid="stPlotlyChart"]')
    expect(chart).to_be_visible(timeout=MODEL_MS)
    page.wait_for_timeout(2000)
    chart.hover()
    chart.locator('[data-title="Box Select"]').click()
    area = chart.locator(".nsewdrag").first.bounding_box()
    assert area is not None
    x0, y0 = area["x"] + area["width"] * 0.55, area["y"] + area["height"] * 0.15
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + area["width"] * 0.3, y0 + area["height"] * 0.35, steps=12)
    page.mouse.up()
    expect(page.get_by_text("tracks selected on the map", exact=False)).to_be_visible(
        timeout=60_000
    )
    page.wait_for_timeout(2500)
    top = chart.bounding_box()
    keep = page.locator(".st-key-explorer-selection-spotify").bounding_box()
    main = page.locator('[data-testid="stMain"]').bounding_box()
    assert top is not None
    assert keep is not None
    assert main is not None
    clip = {
        "x": main["x"],
        "y": top["y"] - 10,
        "width": main["width"],
        "height": keep["y"] + keep["height"] - top["y"] + 20,
    }
    _save(page.screenshot(clip=clip), out / "explorer_selection.png")


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
            page = browser.new_page(viewport={"width": WIDTH, "height": 3600})
            _refined(page, url, args.out)
            _selection(page, url, args.out)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
