"""The Ingest page's embedder choice: a new library is built with the chosen embedder, and
switching an existing library re-embeds every stored track with the other one."""

from __future__ import annotations

from pathlib import Path

from helpers import run_page, texts

from moodtune.config import load_settings
from moodtune.store import Store
from moodtune.ui.sources import UPLOAD

SONGS = (
    "title,artist,lyrics\n"
    'Río de noche,Ana,"Lloro sola junto al río\nte fuiste y no vuelves"\n'
    'Sunday Porch,Ben,"We laugh all night on the porch\nfriends and lemonade"\n'
)


def _store() -> Store:
    return Store(load_settings().library_url)


def test_a_new_library_is_built_with_the_chosen_embedder(empty_home: Path) -> None:
    at = run_page("ingest")
    assert not at.exception
    assert at.selectbox(key="ingest-embedder").value == "minilm"
    at.selectbox(key="ingest-embedder").set_value("e5").run()
    assert any("will be built with `e5`" in t for t in texts(at))
    at.radio(key="ingest-source").set_value(UPLOAD).run()
    at.file_uploader(key="ingest-upload").set_value(("mixed.csv", SONGS.encode(), "text/plain"))
    at.run()
    at.button(key="ingest-upload-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    store = _store()
    assert store.embedder_name == "e5"
    assert len(store.index()) == 2

    # Switching back to minilm: the page warns, and its button re-embeds the stored tracks.
    at = run_page("ingest")
    assert at.selectbox(key="ingest-embedder").value == "e5"
    at.selectbox(key="ingest-embedder").set_value("minilm").run()
    assert any("re-embeds and re-analyses every stored track" in w.value for w in at.warning)
    at.button(key="ingest-reembed-go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    store = _store()
    assert store.embedder_name == "minilm"
    versions = {embedder for _, embedder, _ in store.stored_state().values()}
    assert versions == {"all-MiniLM-L6-v2"}
