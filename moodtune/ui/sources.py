"""The Ingest page's three source panels (demo catalogue, file upload, Spotify playlist), the
sentence-embedder choice, and the notice that offers to re-analyse tracks scored by another
extractor version.

Owns: each panel's widgets and the IngestJob it returns when its button is pressed, the upload
size limit, and the exact words telling the user what to configure for Spotify. Spotify and
the lyrics providers are imported inside their panel, so the page loads without them.
Must not run the ingestion (actions.py does) or catch errors (the page shows them).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from moodtune.embed import EMBEDDERS
from moodtune.errors import NotFoundError
from moodtune.playlists import file_playlist
from moodtune.sources.demo import load_demo_catalogue, load_demo_playlists
from moodtune.sources.files import (
    MAX_FILE_BYTES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    SUFFIXES,
    read_tracks_file,
)
from moodtune.text import counted
from moodtune.ui import resources
from moodtune.ui.actions import IngestJob
from moodtune.ui.safe import md_escape

MAX_UPLOAD_MB = MAX_FILE_BYTES // 1024 // 1024  # the file limit of every import
DEMO, UPLOAD, SPOTIFY = "Demo catalogue", "CSV / JSON file", "Spotify playlist"
SOURCES = (DEMO, UPLOAD, SPOTIFY)
SPOTIFY_HELP = (
    "Spotify import is off because no Spotify app is configured. To turn it on: create an app "
    "at developer.spotify.com/dashboard, add the redirect URI `http://127.0.0.1:8888/callback` "
    "to it, then set `SPOTIPY_CLIENT_ID` (the app's client id; no secret is needed) and, if you "
    "chose another redirect URI, `SPOTIPY_REDIRECT_URI`, either as environment variables or as "
    "keys in `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`), and restart the "
    "app. Lyrics come from LRCLIB (no key) and Genius (set `GENIUS_ACCESS_TOKEN`)."
)


EMBEDDER_LABELS = {
    "minilm": "minilm: English (all-MiniLM-L6-v2), fast; the default",
    "e5": "e5: multilingual (multilingual-e5-small): Spanish, German, French, Portuguese, "
    "English and more; slower to ingest",
}


def embedder_panel() -> tuple[str | None, IngestJob | None]:
    """Let the user choose the library's sentence embedder.

    Returns (the embedder to ingest with when it differs from the library's, else None; a
    re-embedding job when its button was pressed, else None). A library holds the vectors of
    one embedder only, so a switch re-embeds (and re-analyses) every stored track.
    """
    try:
        store = resources.store()
        count, current = len(store.index()), store.embedder_name
    except NotFoundError:
        count, current = 0, None
    active = current or resources.settings().embedder
    names = [n for n in EMBEDDERS.names() if n in EMBEDDER_LABELS]
    if active not in names:
        names.insert(0, active)  # e.g. a test library built with another embedder
    choice = str(
        st.selectbox(
            "Sentence embedder",
            names,
            index=names.index(active),
            format_func=lambda n: EMBEDDER_LABELS.get(n, n),
            key="ingest-embedder",
            help="Lyrics and feelings are compared as vectors of this model. Choose e5 when "
            "your songs or your feelings are in other languages.",
        )
    )
    if choice == active:
        where = "the library's" if current else "the default for a new library"
        st.caption(f"Embedder: `{active}` ({where}).")
        return None, None
    if not count:
        st.caption(f"The new library will be built with `{choice}`.")
        return choice, None
    st.warning(
        f"The library's {count} tracks are embedded with `{active}`. A library never mixes "
        f"embedders: the next ingestion with `{choice}` re-embeds and re-analyses every stored "
        "track from its stored lyrics (with e5, minutes for a few hundred songs on a small "
        "machine)."
    )
    if st.button(f"Re-embed {count} stored tracks with {choice}", key="ingest-reembed-go"):
        return choice, IngestJob((), f"re-embedding with {choice}", reanalyse=True, embedder=choice)
    return choice, None


def reanalysis_panel() -> IngestJob | None:
    """Say how many stored tracks carry emotions from another extractor or version; offer to
    re-analyse them. Raises NotFoundError when there is no library yet."""
    index = resources.store().index()
    current = resources.extractor(resources.settings().extractor)
    stale = index.stale_analyses(current.version)
    if not stale:
        return None
    st.warning(
        f"{stale} of {len(index)} tracks carry emotions from another extractor or an older "
        f"version of it; the current one is `{current.name}` ({md_escape(current.version)}). "
        "Recommendations and the Emotion Explorer use those older profiles until the tracks are "
        "re-analysed from their stored lyrics (any ingestion does it too)."
    )
    if st.button(f"Re-analyse {stale} tracks", key="ingest-reanalyse-go"):
        return IngestJob((), "re-analysis", reanalyse=True)
    return None


def demo_panel() -> IngestJob | None:
    """Offer the bundled catalogue of original songs."""
    tracks = load_demo_catalogue()
    st.write(
        f"The demo catalogue holds {len(tracks)} original songs written for MoodTune, "
        "with their lyrics. Ingesting it again only updates what changed."
    )
    playlists = load_demo_playlists()
    st.caption(
        "It comes as playlists made for a few listeners: "
        + ", ".join(f"{p.name} ({len(p.track_ids)})" for p in playlists)
        + "."
    )
    if st.button(f"Ingest the demo catalogue ({len(tracks)} songs)", key="ingest-demo-go"):
        return IngestJob(tracks, "demo catalogue", playlists=playlists)
    return None


def upload_panel() -> IngestJob | None:
    """Take a CSV/TSV/JSON/JSONL file, validate every row, then offer to ingest it."""
    required = ", ".join(f"`{c}`" for c in REQUIRED_COLUMNS)
    optional = ", ".join(f"`{c}`" for c in OPTIONAL_COLUMNS)
    st.markdown(f"Columns: {required} (required); {optional} (optional).")
    upload = st.file_uploader(
        "Tracks file",
        type=[s.lstrip(".") for s in SUFFIXES],
        key="ingest-upload",
        max_upload_size=MAX_UPLOAD_MB,
    )
    if upload is None:
        return None
    read = read_tracks_file(upload.getvalue(), upload.name)
    tracks = read.tracks
    st.success(read.summary(md_escape(upload.name)))
    preview = pd.DataFrame(
        [{"title": t.title, "artist": t.artist, "id": t.track_id} for t in tracks]
    )
    st.dataframe(preview, hide_index=True, height=min(400, 38 + 35 * len(tracks)))
    st.caption(
        f"The file becomes the playlist “{md_escape(upload.name)}”; importing a changed file "
        "with the same name updates its tracks and their order."
    )
    if st.button(f"Ingest {counted(len(tracks), 'track')}", key="ingest-upload-go"):
        return IngestJob(
            tracks, f"file {upload.name}", playlists=(file_playlist(upload.name, tracks),)
        )
    return None


def spotify_panel() -> IngestJob | None:
    """Sign in with Spotify (PKCE) and read one of the user's playlists."""
    config = resources.settings()
    if not config.spotify_configured:
        st.info(SPOTIFY_HELP)
        st.text_input("Playlist link", key="ingest-spotify-link", disabled=True)
        return None
    from moodtune.sources.providers import build_lyrics_chain
    from moodtune.sources.spotify import (
        SpotifyPlaylistSource,
        complete_spotify_login,
        has_spotify_token,
        make_spotify_auth,
        make_spotify_client,
        spotify_login_url,
        spotify_playlist,
    )

    auth = make_spotify_auth(config)
    if not has_spotify_token(auth):
        st.write(
            "Sign in to Spotify, approve MoodTune, then paste here the address your browser "
            "was sent to (it starts with your redirect URI and holds ?code=…)."
        )
        st.link_button("Sign in to Spotify", spotify_login_url(auth), key="ingest-spotify-login")
        redirected = st.text_input("Address after signing in", key="ingest-spotify-redirect")
        if st.button("Finish signing in", key="ingest-spotify-finish"):
            complete_spotify_login(auth, redirected or "")
            st.rerun()
        return None
    link = st.text_input(
        "Playlist link",
        key="ingest-spotify-link",
        placeholder="https://open.spotify.com/playlist/…",
    )
    if not st.button("Import the playlist", key="ingest-spotify-go"):
        return None
    playlist = SpotifyPlaylistSource(make_spotify_client(config, auth)).fetch_playlist(link or "")
    chain = build_lyrics_chain(config)
    return IngestJob(
        playlist.tracks,
        f"Spotify playlist {playlist.name}",
        lyrics=chain,
        notes=(*playlist.skipped, *chain.notes),
        playlists=(spotify_playlist(playlist),),
    )
