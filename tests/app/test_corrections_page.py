"""AppTest: correcting a song's emotions from the explorer's track panel and from a result card,
undoing it, and the Evaluation page's corrections section."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from moodtune.corrections import CorrectionStore
from tests.app.helpers import PAGES, ROOT, frame_with, plain, run_page, texts


def _by_prefix(widgets: object, prefix: str) -> object:
    for widget in widgets:  # type: ignore[attr-defined]
        if str(widget.key).startswith(prefix):
            return widget
    raise AssertionError(f"No widget whose key starts with {prefix!r}.")


def test_a_correction_from_the_explorer_is_saved_shown_and_undone(library_home: Path) -> None:
    at = run_page("explorer")
    main = _by_prefix(at.selectbox, "explorer-fix-main-")
    track_id = str(main.key).removeprefix("explorer-fix-main-")  # type: ignore[attr-defined]
    main.select("anticipation")  # type: ignore[attr-defined]
    _by_prefix(at.selectbox, "explorer-fix-second-").select("joy")  # type: ignore[attr-defined]
    at.run()  # choosing reruns the page, which enables Save
    at = _by_prefix(at.button, "explorer-fix-save-").click().run()  # type: ignore[attr-defined]
    assert not at.exception, [e.value for e in at.exception]

    stored = CorrectionStore(library_home / "corrections.db").current()
    assert (stored[track_id].main, stored[track_id].second, stored[track_id].who) == (
        "anticipation", "joy", "app",
    )  # fmt: skip
    shown = plain(" ".join(texts(at)))
    assert "Set to anticipation + joy by a listener in the app" in shown
    assert "Emotions set by a listener." in shown
    assert "optimism" in shown  # anticipation + joy: their dyad in the refined words

    at = _by_prefix(at.button, "explorer-fix-undo-").click().run()  # type: ignore[attr-defined]
    assert not at.exception
    assert CorrectionStore(library_home / "corrections.db").current() == {}
    assert "Emotions set by a listener." not in plain(" ".join(texts(at)))


def test_a_result_card_corrects_its_song_and_the_list_reranks(library_home: Path) -> None:
    at = AppTest.from_file(str(PAGES["recommend"]), default_timeout=180).run()
    at.text_area(key="rec-query").input("rainy sunday, missing home")
    at.radio(key="rec-approach").set_value("emotions")
    at = at.button(key="rec-submit").click().run()
    assert not at.exception
    first = _first_title(at)
    at.selectbox(key=_key(at, "fix-emotions-1-main-")).select("trust").run()
    at = at.button(key=_key(at, "fix-emotions-1-save-")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = CorrectionStore(library_home / "corrections.db").current()
    assert [c.main for c in stored.values()] == ["trust"]
    # The list on screen re-ranks with the correction: a sad song heard as trust leaves the top.
    assert _first_title(at) != first
    shown = plain(" ".join(texts(at)))
    assert "Changed: " in shown
    assert any("the list below is re-ranked with it" in plain(s.value) for s in at.success)
    reranked = _titles(at)
    # Asking again gives the list already on screen.
    at = at.button(key="rec-submit").click().run()
    assert not at.exception
    assert _titles(at) == reranked
    assert not any("re-ranked" in plain(s.value) for s in at.success)


def _titles(at: AppTest) -> list[str]:
    cards = [m.value for m in at.markdown if m.value.startswith("**") and "\\. " in m.value]
    return [card.split("**")[1] for card in cards]


def _first_title(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**1\\."))


def _key(at: AppTest, prefix: str) -> str:
    for widget in (*at.selectbox, *at.button):
        if str(widget.key).startswith(prefix):
            return str(widget.key)
    raise AssertionError(f"No widget whose key starts with {prefix!r}.")


def test_the_evaluation_page_shows_what_corrections_changed(library_home: Path) -> None:
    store = CorrectionStore(library_home / "corrections.db")
    for track_id in ("demo-001", "demo-002", "demo-003"):
        store.set(track_id, "joy")
    at = AppTest.from_file(str(ROOT / "app_pages" / "4_Evaluation.py"), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame_with(at, "corrections, held out in turn")
    assert list(table["song emotions"]) == ["model alone", "with the corrections' calibration"]
    labelled = int(frame_with(at, "tracks judged")["tracks judged"].iloc[0])
    assert labelled == 162 - 3
    assert any("3 of the 10 corrections" in plain(t) for t in texts(at))


def test_the_evaluation_page_on_an_unlabelled_library_says_what_the_calibration_does(
    library_home: Path,
) -> None:
    from moodtune.config import load_settings
    from moodtune.store import Store

    library = Store(load_settings(home=str(library_home)).library_url)
    index = library.index()
    for r in range(len(index)):
        library.ds["labels"][r] = ""
    library.commit("forget the catalogue's labels")
    store = CorrectionStore(library_home / "corrections.db")
    for r in range(12):
        store.set(index.track_ids[r], index.labels[r][0])
    at = AppTest.from_file(str(ROOT / "app_pages" / "4_Evaluation.py"), default_timeout=300).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = plain(" ".join(texts(at)))
    assert "No track of this library has labels, so there is nothing to judge it on." in shown
    assert "Calibration: O" in shown  # On: ... or Off: ..., with its reason


def test_the_explorer_names_the_corrected_song_a_calibrated_track_resembles(
    library_home: Path,
) -> None:
    import random

    from moodtune.config import load_settings
    from moodtune.store import Store

    index = Store(load_settings(home=str(library_home)).library_url, read_only=True).index()
    at = run_page("explorer")
    shown_id = str(_by_prefix(at.selectbox, "explorer-fix-main-").key).removeprefix(
        "explorer-fix-main-"
    )
    store = CorrectionStore(library_home / "corrections.db")
    others = [r for r in range(len(index)) if index.track_ids[r] != shown_id]
    for r in random.Random(3).sample(others, 30):
        store.set(index.track_ids[r], index.labels[r][0])
    at = run_page("explorer")
    assert not at.exception, [e.value for e in at.exception]
    shown = plain(" ".join(texts(at)))
    assert "Emotions calibrated by listeners' corrections: nearest corrected song: “" in shown
    from moodtune.charts import SOURCE_LEGEND

    assert plain(SOURCE_LEGEND) in shown  # the map's marks are explained
