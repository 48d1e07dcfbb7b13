"""What the app's buttons do: answer a query, and run an ingestion with live progress.

Owns: the query-length limit of the text boxes, the "compare" choice (every approach side by
side), QueryResult (kept in session state so a thumbs click does not re-rank the list the user
is voting on), IngestJob, and the st.status/progress display around Ingestor.run.
Must not rank, parse sources or write the library itself: it calls moodtune's library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from moodtune.errors import InputError, MoodTuneError
from moodtune.filters import unknown_year_note
from moodtune.ingest import IngestReport, LyricsFetcher, TrackOutcome, build_ingestor
from moodtune.models import Playlist, Recommendation, RecommendFilters, Track
from moodtune.recommend import APPROACHES, Recommender
from moodtune.refine import ListChanges, RefinedQuery, compare_lists, move, rank_refined, start
from moodtune.text import MAX_QUERY_CHARS, validate_query
from moodtune.ui import resources
from moodtune.ui.safe import md_escape

# The same cap as the library and CLI: a pasted verse or a whole lyric is a fair query.
QUERY_LIMIT = MAX_QUERY_CHARS
COMPARE = "compare"
_LOG_LINES = 12


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to one submitted query: one ranked list per approach asked."""

    query: str
    choice: str
    k: int
    results: tuple[tuple[str, tuple[Recommendation, ...]], ...]
    filters: RecommendFilters | None = None
    refined: RefinedQuery | None = None  # set once the list has been refined
    changes: tuple[tuple[str, ListChanges], ...] = ()  # per approach, against the list before

    @property
    def label(self) -> str:
        """The sentence, with the refinements in words once there are any."""
        return self.refined.label if self.refined is not None else self.query

    @property
    def track_ids(self) -> list[str]:
        """The tracks shown, each once, in order (the first approach's list first)."""
        return list(dict.fromkeys(r.track_id for _, recs in self.results for r in recs))

    def year_note(self) -> str:
        """How many shown tracks have no year, when a year range is set; else ''."""
        f = self.filters
        if f is None:
            return ""
        years = [r.year for _, recs in self.results for r in recs]
        return unknown_year_note(years, f.year_from, f.year_to)


@dataclass(frozen=True, slots=True)
class IngestJob:
    """Tracks to ingest, a label for the library history, and where missing lyrics come from.

    With `reanalyse`, the job may have no tracks: it then only re-analyses the stored tracks
    whose emotions came from another extractor or version (every ingestion does that too).
    `playlists` are the source's playlists, whose membership the run records.
    """

    tracks: Sequence[Track]
    label: str
    lyrics: LyricsFetcher | None = None
    notes: tuple[str, ...] = ()
    reanalyse: bool = False
    playlists: Sequence[Playlist] = ()
    embedder: str | None = None  # a switch: the library is re-embedded with it


def approach_choices() -> list[str]:
    """Every registered approach, then 'compare'."""
    return [*APPROACHES.names(), COMPARE]


def check_query(query: str | None) -> str:
    """Return the cleaned query; InputError when it is empty or too long for a feeling."""
    return validate_query(query)


def ask(
    query: str | None,
    choice: str,
    k: int,
    playlist: str = "",
    filters: RecommendFilters | None = None,
) -> QueryResult:
    """Answer `query` with one approach, or with all of them when `choice` is 'compare';
    with `playlist` (an id or name), only among that playlist's tracks; with `filters`, only
    among the tracks they allow."""
    text = check_query(query)
    if choice != COMPARE:
        APPROACHES.get(choice)  # an unknown name fails here with the list of valid ones
    approaches = APPROACHES.names() if choice == COMPARE else [choice]
    engine = resources.recommender()
    if playlist:
        filters = dataclasses.replace(filters or RecommendFilters(), playlist=playlist)
    return QueryResult(
        text,
        choice,
        k,
        tuple((a, tuple(engine.recommend(text, a, k, filters))) for a in approaches),
        filters,
    )


def refine_result(
    result: QueryResult,
    *,
    more_like: str = "",
    less_like: str = "",
    sentence: str = "",
) -> QueryResult:
    """Move the result's query (toward or away from a track id, or by a follow-up sentence),
    re-rank every list it shows with the same filters, and say what changed in each."""
    if not (more_like or less_like or sentence.strip()):
        raise InputError("Say how the list should change, e.g. “less angry” or “more upbeat”.")
    engine = resources.recommender()
    index = engine.view().index
    rows = {tid: row for row, tid in enumerate(index.track_ids)}
    for tid in (more_like, less_like):
        if tid and tid not in rows:
            raise InputError("That track is no longer in the library; ask again.")
    moved = move(
        engine,
        _current_query(engine, result),
        more_like=[rows[more_like]] if more_like else [],
        less_like=[rows[less_like]] if less_like else [],
        sentences=[sentence] if sentence.strip() else [],
    )
    return _reranked(engine, result, moved, moved)


def rerank_result(result: QueryResult) -> QueryResult:
    """Rank the result's query (refined or not) again with the same filters, e.g. after a
    correction changed how the library is heard, and say what changed in each list."""
    engine = resources.recommender()
    return _reranked(engine, result, _current_query(engine, result), result.refined)


def _current_query(engine: Recommender, result: QueryResult) -> RefinedQuery:
    return result.refined if result.refined is not None else start(engine, result.query)


def _reranked(
    engine: Recommender, result: QueryResult, query: RefinedQuery, refined: RefinedQuery | None
) -> QueryResult:
    """`result` with every list ranked again for `query` (same approaches, k and filters), what
    changed in each, and `refined` as its refined query."""
    lists = tuple(
        (a, tuple(rank_refined(engine, query, a, result.k, result.filters)))
        for a, _ in result.results
    )
    changes = tuple(
        (a, compare_lists(old, new))
        for (a, old), (_, new) in zip(result.results, lists, strict=True)
    )
    return dataclasses.replace(result, results=lists, refined=refined, changes=changes)


def outcome_line(outcome: TrackOutcome) -> str:
    """One plain-text log line for a track's outcome."""
    reason = f": {outcome.reason}" if outcome.reason else ""
    return f"{outcome.status:>9}  {outcome.title} — {outcome.artist}{reason}"


def ingest_with_progress(job: IngestJob) -> IngestReport:
    """Run `job` inside a status box with a progress bar and a live per-track log."""
    if not job.tracks and not job.reanalyse:
        raise InputError("There is nothing to ingest: the source gave no tracks.")
    total = len(job.tracks)
    title = (
        f"Ingesting {total} tracks from {md_escape(job.label)}…"
        if total
        else "Re-analysing the stored tracks…"
    )
    with st.status(title, expanded=True) as box:
        bar = st.progress(0.0, text="Loading the models and reading the library…")
        log = st.empty()
        recent: list[str] = []

        def progress(done: int, total: int, outcome: TrackOutcome) -> None:
            bar.progress(min(1.0, done / max(total, 1)), text=f"{done} of {total} tracks")
            recent.append(outcome_line(outcome))
            log.text("\n".join(recent[-_LOG_LINES:]))

        try:
            ingestor = build_ingestor(
                resources.settings(), lyrics=job.lyrics, embedder_name=job.embedder
            )
            report = ingestor.run(job.tracks, job.label, progress, job.playlists)
        except MoodTuneError:
            box.update(label="Ingestion stopped", state="error", expanded=True)
            raise
        failed = report.counts.get("failed", 0)
        box.update(
            label=md_escape(report.summary()),
            state="error" if failed and failed == len(report.outcomes) else "complete",
            expanded=False,
        )
    return report
