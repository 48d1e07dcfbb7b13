"""What can be done with any list the app shows (results, a journey, a map selection, a playlist):
save it as a playlist, download it as CSV or M3U, or create a private Spotify playlist.

Owns: those widgets (keys `<key>-name`, `<key>-save`, `<key>-csv`, `<key>-m3u`, `<key>-spotify`)
and the writable library handle a save needs (opened per save; the shared handle is read-only).
The name typed in the name box names the saved playlist, the downloads and the Spotify playlist;
left empty, the downloads and Spotify take the list's own name.
Without Spotify authorisation the Spotify button explains what to configure. Must not build the
files or talk to Spotify itself: moodtune.list_export and moodtune.sources.spotify_playlist do.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from moodtune.errors import MoodTuneError
from moodtune.list_export import ExportTrack, export_tracks, file_name, render
from moodtune.playlists import save_playlist
from moodtune.sources.spotify_playlist import (
    WHAT_TO_CONFIGURE,
    PlaylistWriter,
    creation_configured,
    make_playlist_client,
)
from moodtune.store import open_store
from moodtune.ui import resources
from moodtune.ui.safe import md_escape, spotify_url


def list_actions(
    track_ids: Sequence[str], name: str, key: str, *, save: bool = True, suggested: str = ""
) -> None:
    """Save / download / send to Spotify the tracks `track_ids` (in order), named `name` unless
    the listener types another name; the name box offers `suggested` (else `name`)."""
    if not track_ids:
        return
    try:
        tracks = export_tracks(resources.listener_view().index, track_ids)
    except MoodTuneError as exc:
        st.error(md_escape(str(exc), 400))
        return
    chosen = name
    if save:
        # A new list (or suggestion) brings its own name; a typed name stays while it does.
        offered = (suggested or name)[:80]
        if st.session_state.get(f"{key}-for") != offered:
            st.session_state[f"{key}-for"] = offered
            st.session_state[f"{key}-name"] = offered
        # Not in a form: the typed name must reach the downloads below as soon as it is entered.
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        typed = str(left.text_input("Playlist name", key=f"{key}-name") or "")
        if right.button("Save as playlist", key=f"{key}-save"):
            _save(typed, track_ids)
        chosen = typed.strip() or name
    csv_col, m3u_col, spotify_col = st.columns(3)
    csv_col.download_button(
        "Download CSV", render(tracks, "csv"), file_name(chosen, "csv"), "text/csv",
        key=f"{key}-csv",
    )  # fmt: skip
    m3u_col.download_button(
        "Download M3U", render(tracks, "m3u", chosen), file_name(chosen, "m3u"),
        "audio/x-mpegurl", key=f"{key}-m3u",
    )  # fmt: skip
    if spotify_col.button("Create a private Spotify playlist", key=f"{key}-spotify"):
        _to_spotify(chosen, tracks)


def _save(name: str, track_ids: Sequence[str]) -> None:
    try:
        saved = save_playlist(open_store(resources.settings()), name, track_ids)
    except MoodTuneError as exc:
        st.error(md_escape(str(exc), 400))
        return
    st.success(md_escape(f"Saved “{saved.name}” ({len(saved.track_ids)} tracks)."))


def _to_spotify(name: str, tracks: Sequence[ExportTrack]) -> None:
    settings = resources.settings()
    if not creation_configured(settings):
        st.info(md_escape(WHAT_TO_CONFIGURE, 600))
        return
    try:
        with st.spinner("Creating the playlist on Spotify…"):
            writer = PlaylistWriter(make_playlist_client(settings))
            created = writer.create(name, tracks, "Made with MoodTune")
    except MoodTuneError as exc:
        st.error(md_escape(str(exc), 600))
        return
    left_out = f"; {created.left_out} tracks are not on Spotify" if created.left_out else ""
    st.success(md_escape(f"Created “{created.name}” with {created.added} tracks{left_out}."))
    link = spotify_url(created.url)
    if link is not None:
        st.link_button("Open it in Spotify", link)
