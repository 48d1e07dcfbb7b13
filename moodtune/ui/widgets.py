"""Small display pieces shared by the pages: errors, library status, result cards with thumbs,
the feedback summary, ingestion reports, versions, the explorer's track panel, and the
form that corrects a song's emotions.

Owns: how outside text is shown (st.text, dataframes, or md_escape'd markdown; links only to
validated Spotify pages), the thumbs-vote bookkeeping (a card shows the vote that counts for its
result, from any session; one stored row per changed vote), and keeping the values of the
Recommend page's forms while their mode or the page is not shown.
Must not rank, ingest or compute emotion positions: it renders what moodtune returns.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from moodtune.charts import radar, share_bar
from moodtune.corrections import Correction
from moodtune.errors import MoodTuneError
from moodtune.explore import emotion_lines
from moodtune.feedback import Vote
from moodtune.ingest import IngestReport
from moodtune.listener import CALIBRATED, LISTENER
from moodtune.models import EMOTIONS, Recommendation
from moodtune.recommend import describe_emotions
from moodtune.store import LibraryIndex, Store
from moodtune.ui import resources
from moodtune.ui.actions import QueryResult
from moodtune.ui.journeys import JOURNEY, MATCH
from moodtune.ui.safe import md_escape, spotify_url
from moodtune.ui.setup import session_id

ERROR_LIMIT = 4000
REFINE_PENDING = "rec-refine-pending"  # a "more/less like this" click, applied on the next run
# A correction saved or undone on a result card: the message to show once the list is re-ranked
# on the next run.
RERANK_PENDING = "rec-rerank-pending"
# The Recommend page's values per mode: its form, the journey form, their filters, the follow-up
# and the list names (keys from moodtune.ui.list_filters, .playlists, .journeys, .list_actions).
FORM_KEYS = {
    MATCH: (
        "rec-query", "rec-approach", "rec-k", "rec-playlist", "rec-exclude", "rec-years",
        "rec-one-per-artist", "rec-followup", "rec-list-name",
    ),
    JOURNEY: (
        "jr-query", "jr-target", "jr-sentence", "jr-n", "jr-exclude", "jr-years",
        "jr-one-per-artist", "jr-map-kind", "jr-list-name",
    ),
}  # fmt: skip
_MODE_DRAWN = "rec-mode-drawn"  # the mode the Recommend page's last run drew
_PAGE_KEYS = ("rec-mode", *FORM_KEYS[MATCH], *FORM_KEYS[JOURNEY])
_KEPT = "_keep-"  # prefix of the copies of _PAGE_KEYS, which no widget owns
NO_SECOND = "—"
EMOTIONS_BY = {
    LISTENER: "emotions set by a listener",
    CALIBRATED: "emotions calibrated by listeners' corrections",
}


def show_error(exc: MoodTuneError) -> None:
    """Show a library error's one-sentence message (it may quote file names or rows)."""
    st.error(md_escape(str(exc), ERROR_LIMIT))


def library_status(library: Store) -> None:
    """Show tracks, versions, extractor and location of the library."""
    a, b, c, d = st.columns(4)
    a.metric("Tracks", len(library))
    b.metric("Versions", len(library.versions()))
    c.metric("Extractor", library.extractor_name or "?")
    # The id's first 10 digits fit the column; the whole id (as the versions table shows it)
    # is in the metric's help.
    d.metric("Version", library.version[:10], help=f"Version id {library.version}")
    st.caption("Library location")
    st.code(library.url, language=None)


def keep_form_values(mode: str) -> None:
    """Keep each Recommend mode's form as it made its list (call before drawing any widget).

    Streamlit drops the value of a widget that a run does not draw, and a widget drawn again
    shows its default in the browser unless the run tells it the value. Writing a value back
    under its key makes it session state, which outlives the run and is sent to the browser
    with the widget. So the hidden mode's values are written back on every run, and the shown
    mode's once, on the run that draws them again: not on every run, since a value written
    while its widget is on screen replaces what the listener is typing into it.
    """
    drawn_before = st.session_state.get(_MODE_DRAWN)
    st.session_state[_MODE_DRAWN] = mode
    keys = [key for other, names in FORM_KEYS.items() if other != mode for key in names]
    if drawn_before not in (None, mode):
        keys += FORM_KEYS.get(mode, ())
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def restore_page_values() -> None:
    """Give the Recommend page's widgets back their values after another page ran (call before
    drawing any widget).

    A run of another page drops the value of every widget of this one. So each value is also
    copied under a key no widget owns, and a value that is gone is written back from its copy:
    written under its key, it is sent to the browser with the widget.
    """
    for key in _PAGE_KEYS:
        if key not in st.session_state and _KEPT + key in st.session_state:
            st.session_state[key] = st.session_state[_KEPT + key]
    copy_page_values()


def copy_page_values() -> None:
    """Copy the Recommend page's values for restore_page_values; call again as the run ends,
    since the run may have changed some (a new list's name)."""
    for key in _PAGE_KEYS:
        if key in st.session_state:
            st.session_state[_KEPT + key] = st.session_state[key]


def _vote_key(query: str, rec: Recommendation) -> str:
    digest = hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]
    return f"thumbs-{digest}-{rec.approach}-{rec.track_id}"


def record_vote(query: str, rec: Recommendation, value: int | None, key: str) -> None:
    """Store a changed thumbs value once; a cleared thumb keeps the last stored vote."""
    saved = f"{key}-saved"
    if value is None or st.session_state.get(saved) == value:
        return
    try:
        resources.votes().record(
            Vote(session_id(), query, rec.approach, rec.rank, rec.track_id, up=value == 1)
        )
    except MoodTuneError as exc:
        show_error(exc)
        return
    st.session_state[saved] = value
    st.toast("Thanks, your vote is saved.")


def _stored_vote(query: str, rec: Recommendation, key: str) -> int | None:
    """The vote that counts for this result (1 up, 0 down), whichever session cast it; read
    once, then kept with the card's own votes so that showing it never stores it again."""
    saved = f"{key}-saved"
    if saved not in st.session_state:
        try:
            up = resources.votes().vote_for(query, rec.approach, rec.track_id)
        except MoodTuneError as exc:
            show_error(exc)
            return None
        st.session_state[saved] = None if up is None else int(up)
    value = st.session_state[saved]
    return None if value is None else int(value)


def _queue_refine(direction: str, track_id: str) -> None:
    st.session_state[REFINE_PENDING] = (direction, track_id)


def recommendation_card(
    rec: Recommendation,
    query: str,
    *,
    vote: bool = True,
    note: str = "",
    refine: bool = False,
    narrow: bool = False,
) -> None:
    """One result: title, artist, score, matched emotions, best line, link, thumbs; with
    `note`, how it moved in the last refinement; with `refine`, "more/less like this" (short
    labels when `narrow`, as in the compare columns), and a correction re-ranks the list."""
    with st.container(border=True, key=f"card-{rec.approach}-{rec.rank}"):
        moved = f"  · _{md_escape(note)}_" if note else ""
        st.markdown(f"**{rec.rank}\\. {md_escape(rec.title)}**{moved}  \n{md_escape(rec.artist)}")
        matched = describe_emotions(rec.matched_emotions)
        by = f" · {EMOTIONS_BY[rec.emotions_by]}" if rec.emotions_by in EMOTIONS_BY else ""
        by += f" ({rec.emotions_note})" if rec.emotions_note else ""
        st.caption(
            md_escape(
                f"{rec.match:.0%} match · {rec.approach} · {matched}{by} "
                f"(raw {rec.approach} score {rec.score:.3f})",
                400,
            ),
            help="Match: the share of your library this song outranks for your sentence, "
            "comparable across approaches. The raw score is the approach's own number.",
        )
        if rec.matched_line:
            st.text(f"“{rec.matched_line}”")
        if rec.playlists:
            st.caption(md_escape("in " + ", ".join(rec.playlists), 300))
        extra = [f"{rec.year}" if rec.year else "year unknown"]
        if rec.demoted:
            extra.append("moved down: you gave it a thumbs-down for a similar feeling")
        st.caption(md_escape(" · ".join(extra), 300))
        if refine:
            more, less = st.columns(2)
            more.button(
                "More" if narrow else "More like this", key=f"more-{rec.approach}-{rec.rank}",
                help="More like this: move the list toward this song.",
                on_click=_queue_refine, args=("more", rec.track_id),
            )  # fmt: skip
            less.button(
                "Less" if narrow else "Less like this", key=f"less-{rec.approach}-{rec.rank}",
                help="Less like this: move the list away from this song.",
                on_click=_queue_refine, args=("less", rec.track_id),
            )  # fmt: skip
        link = spotify_url(rec.url)
        if link is not None:
            st.link_button("Open in Spotify", link, key=f"spotify-{rec.approach}-{rec.rank}")
        if vote:
            key = _vote_key(query, rec)
            thumbs = st.feedback("thumbs", key=key, default=_stored_vote(query, rec, key))
            record_vote(query, rec, thumbs, key)
            with st.popover("This song feels like…", key=f"fix-{rec.approach}-{rec.rank}"):
                correction_form(
                    rec.track_id, rec.title, rec.artist, f"fix-{rec.approach}-{rec.rank}",
                    rerank=refine,
                )  # fmt: skip


def query_results(result: QueryResult, *, vote: bool = True) -> None:
    """Show one list, or the approaches side by side when comparing."""
    columns = st.columns(len(result.results)) if len(result.results) > 1 else [st.container()]
    for column, (approach, recs) in zip(columns, result.results, strict=True):
        with column:
            if len(result.results) > 1:
                st.subheader(approach)
            if not recs:
                st.info("No track matches the filters.")
            for rec in recs:
                recommendation_card(rec, result.query, vote=vote)


def feedback_summary() -> None:
    """Show the share of thumbs-up per approach, with counts."""
    rows = resources.votes().summary()
    if not rows:
        st.caption("No votes yet: thumbs on the results above are stored here.")
        return
    st.plotly_chart(
        share_bar([(r.approach, r.share_up, r.total) for r in rows]), key="feedback-chart"
    )
    table = pd.DataFrame(
        [
            {"approach": r.approach, "up": r.up, "down": r.down, "votes": r.total,
             "share up": r.share_up}
            for r in rows
        ]
    )  # fmt: skip
    st.dataframe(
        table,
        hide_index=True,
        key="feedback-table",
        column_config={
            "share up": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
        },
    )


def ingest_report(report: IngestReport) -> None:
    """Show counts and a per-track table of an ingestion run."""
    counts = report.counts
    cols = st.columns(5)
    for col, status in zip(
        cols, ("added", "updated", "unchanged", "no lyrics", "failed"), strict=True
    ):
        col.metric(status, counts.get(status, 0))
    table = pd.DataFrame(
        [
            {"status": o.status, "title": o.title, "artist": o.artist, "reason": o.reason,
             "lyrics from": o.lyrics_provider, "id": o.track_id}
            for o in report.outcomes
        ]
    )  # fmt: skip
    st.dataframe(table, hide_index=True, key="ingest-table")
    st.caption(f"Library version {report.version} · {report.track_count} tracks in total")


def versions_table(library: Store) -> None:
    """Show the library's commits, newest first."""
    frame = pd.DataFrame(
        [{"version": v.id, "when": v.timestamp, "message": v.message} for v in library.versions()]
    )
    st.dataframe(frame, hide_index=True, key="versions-table")


def track_detail(library: Store, index: LibraryIndex, row: int) -> None:
    """Radar, refined words, the lines carrying the top emotions of one track, and the form
    that corrects its emotions. `index` is the library as listeners hear it."""
    profile = index.profile(row)
    st.markdown(f"**{md_escape(index.titles[row])}** — {md_escape(index.artists[row])}")
    if index.emotion_source(row) in EMOTIONS_BY:
        note = index.calibrated_note(row)
        st.caption(
            md_escape(
                EMOTIONS_BY[index.emotion_source(row)].capitalize()
                + (f": {note}." if note else "."),
                400,
            )
        )
    left, right = st.columns(2)
    left.plotly_chart(radar([(index.titles[row], profile)]), key="track-radar")
    with right:
        st.caption("Refined emotion words")
        st.text(index.refined_words[row] or "—")
        st.caption("Lines that carry its top emotions")
        vectors = resources.emotion_vectors(library.embedder_name or resources.settings().embedder)
        for item in emotion_lines(library.track_text(row), profile, vectors):
            st.text(f"{item.emotion} {item.score:.2f}  “{item.line}”")
    st.caption("This song feels like…")
    correction_form(index.track_ids[row], index.titles[row], index.artists[row], "explorer-fix")


# How a correction's stored author reads on the page ("app" and "cli" are where it was made).
_WHO = {"app": "a listener in the app", "cli": "the command line"}


def _correction_note(current: Correction) -> str:
    who = _WHO.get(current.who, current.who) or "a listener"
    return (
        f"Set to {' + '.join(current.emotions)} by {who} "
        f"on {current.created_at[:16].replace('T', ' ')}."
    )


def correction_form(
    track_id: str, title: str, artist: str, key: str, *, rerank: bool = False
) -> None:
    """Pick a track's main emotion (and optionally a second); save it or undo the last one.

    With `rerank` (on a Recommend result card), the list re-ranks on the next run and says so.
    """
    try:
        current = resources.corrections().current().get(track_id)
    except MoodTuneError as exc:
        show_error(exc)
        return
    if current is not None:
        st.caption(md_escape(_correction_note(current)))
    left, right = st.columns(2)
    main = left.selectbox(
        "Main emotion",
        EMOTIONS,
        index=EMOTIONS.index(current.main) if current else None,
        placeholder="Choose…",
        key=f"{key}-main-{track_id}",
    )
    seconds = [NO_SECOND, *EMOTIONS]
    second = right.selectbox(
        "Second (optional)",
        seconds,
        index=seconds.index(current.second) if current and current.second else 0,
        key=f"{key}-second-{track_id}",
    )
    save, undo = st.columns(2)
    if save.button("Save", key=f"{key}-save-{track_id}", disabled=main is None):
        try:
            resources.corrections().set(
                track_id,
                str(main),
                None if second == NO_SECOND else str(second),
                who="app",
                title=title,
                artist=artist,
            )
        except MoodTuneError as exc:
            show_error(exc)
            return
        _after_correction(
            rerank,
            "Saved: every approach now ranks this song by your emotions.",
            f"Saved: every approach now ranks “{title}” by your emotions; "
            "the list below is re-ranked with it.",
        )
    if current is not None and undo.button("Undo", key=f"{key}-undo-{track_id}"):
        try:
            resources.corrections().undo(track_id, who="app")
        except MoodTuneError as exc:
            show_error(exc)
            return
        for name in (f"{key}-main-{track_id}", f"{key}-second-{track_id}"):
            st.session_state.pop(name, None)
        _after_correction(
            rerank,
            "Correction withdrawn.",
            f"Correction of “{title}” withdrawn; the list below is re-ranked without it.",
        )


def _after_correction(rerank: bool, toast: str, reranked: str) -> None:
    if rerank:
        st.session_state[RERANK_PENDING] = reranked  # shown once the list is re-ranked
    else:
        st.toast(toast)
    st.rerun()
