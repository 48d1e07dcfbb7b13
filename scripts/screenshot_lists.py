"""Take the README's screenshots of refinement and map selections, in headless Chromium.

Serves `streamlit run app.py` on a library holding the demo catalogue (build one with
`MOODTUNE_HOME=DIR moodtune ingest demo`), asks the Recommend page for a feeling, refines it
with "less angry", and on the Emotion Explorer drags a box over the map; writes two PNGs under
docs/. Run from the repository root on a copy of a library (it saves nothing, but votes nothing
either):

    python scripts/screenshot_lists.py --home .moodtune
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from screenshot_explorer import _clip, _save, shoot  # scripts/ is on the path when run

from moodtune.appserver import box_select

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
    start = page.get_by_text("Refined:", exact=False).first.bounding_box()
    keep = page.get_by_role("heading", name="Keep this list").bounding_box()
    assert start is not None
    assert keep is not None
    clip = _clip(page, start["y"] - 10, keep["y"] + 130)
    _save(page.screenshot(clip=clip), out / "recommend_refined.png")


def _selection(page: Page, url: str, out: Path) -> None:
    page.goto(f"{url}/Emotion_Explorer")
    chart = page.locator('.st-key-explorer-map [data-testid="stPlotlyChart"]')
    expect(chart).to_be_visible(timeout=MODEL_MS)
    page.wait_for_timeout(2000)
    box_select(page, chart)
    expect(page.get_by_text("tracks selected on the map", exact=False)).to_be_visible(
        timeout=60_000
    )
    page.wait_for_timeout(2500)
    top = chart.bounding_box()
    keep = page.locator(".st-key-explorer-selection-spotify").bounding_box()
    assert top is not None
    assert keep is not None
    clip = _clip(page, top["y"] - 10, keep["y"] + keep["height"] + 10)
    _save(page.screenshot(clip=clip), out / "explorer_selection.png")


def main() -> None:
    shoot(__doc__.splitlines()[0], [_refined, _selection])


if __name__ == "__main__":
    main()
