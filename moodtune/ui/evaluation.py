"""What the Evaluation page shows: song emotions against their labels, the approach comparison
on labelled queries, and the votes.

Owns: scoring the library's labelled tracks with `song_agreement` and running
`compare_approaches`, once per library version behind st.cache_data, reading an uploaded query
file, and the tables and plotly figures of the results. Must not compute metrics
(moodtune/evaluate/ and moodtune/song_agreement.py do) or catch errors: the page decides what
to show.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from moodtune.charts import confusion_heatmap, plot_text
from moodtune.errors import InputError, MoodTuneError
from moodtune.evaluate import (
    DEFAULT_QUERIES,
    RESAMPLES,
    FeedbackReport,
    Interval,
    RecommenderReport,
    compare_approaches,
    describe_comparison,
    describe_feedback,
    feedback_report,
    parse_queries,
)
from moodtune.evaluate.labelled_data import few_queries_note
from moodtune.evaluate.tables import EMPTY_CELL
from moodtune.feedback import FeedbackStore
from moodtune.label import (
    CalibrationEffect,
    CorrectedAgreement,
    calibration_effect,
    corrected_agreement,
)
from moodtune.recommend import build_recommender
from moodtune.song_agreement import SongAgreementReport, describe_song_agreement, song_agreement
from moodtune.store import Store
from moodtune.ui import resources
from moodtune.ui.safe import md_escape
from moodtune.ui.widgets import ERROR_LIMIT, show_error

# A query file is a few hundred lines, not a data set. The uploader enforces the limit in the
# browser (`max_upload_size`, so its "2MB per file" is true); run_comparison checks it again for
# callers that hand it bytes directly.
MAX_UPLOAD_MB = 2
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# Our own sentences: shown whole (md_escape's default would cut them mid-word at 200 characters).
SUMMARY_LIMIT = ERROR_LIMIT


def labelled_tracks(library: Store) -> int:
    """How many tracks of the library carry emotion labels (only those can be hits)."""
    return sum(1 for labels in library.index().labels if labels)


@st.cache_data(show_spinner="Ranking the library for every labelled query…", max_entries=8)
def _comparison(
    url: str, version: str, queries_text: str, source: str, resamples: int
) -> RecommenderReport:
    # `version` is part of the cache key: a new ingestion commit means a new comparison.
    config = resources.settings()
    library = resources.store(url)
    extractor = library.extractor_name or config.extractor
    # No feedback store: the labelled comparison must not depend on who voted for what.
    recommender = build_recommender(
        config,
        library,
        embedder=resources.embedder(library.embedder_name or config.embedder),
        extractor=resources.extractor(extractor),
    )
    queries = parse_queries(queries_text, source)
    return compare_approaches(recommender, queries, source=source, resamples=resamples)


@st.cache_data(show_spinner=False, max_entries=8)
def _song_agreement(url: str, version: str) -> SongAgreementReport:
    # `version` is part of the cache key: a re-analysis is a new commit.
    index = resources.store(url).index()
    return song_agreement(
        index.profiles,
        index.labels,
        track_ids=index.track_ids,
        titles=index.titles,
        source="this library's labelled tracks",
        extractor=", ".join(sorted(set(index.extractors))),
        version=", ".join(sorted(set(index.extractor_versions))),
    )


def library_song_agreement(library: Store) -> SongAgreementReport:
    """How often each labelled track's strongest analysed emotion is its labelled main one."""
    return _song_agreement(library.url, library.version)


@st.cache_data(show_spinner=False, max_entries=8)
def _corrected(url: str, version: str, revision: int) -> CorrectedAgreement | CalibrationEffect:
    # `version` and `revision` are the cache key: a new commit or a new correction.
    library = resources.store(url)
    index = library.index()
    current = resources.corrections().current()
    if not any(index.labels):
        return calibration_effect(index, current, library.song_states)
    return corrected_agreement(index, current, resamples=RESAMPLES, states=library.song_states)


def corrections_effect(library: Store) -> CorrectedAgreement | CalibrationEffect:
    """Agreement of the uncorrected labelled tracks before and after the corrections'
    calibration, with its held-out check; without labelled tracks, only what it does."""
    return _corrected(library.url, library.version, resources.corrections().revision())


def query_uploader() -> UploadedFile | None:
    """The optional query-file uploader, which states (and enforces) the 2 MB limit."""
    return st.file_uploader(
        f"Your own queries (optional, up to {MAX_UPLOAD_MB} MB): JSONL lines or a JSON list of "
        '{"id", "query", "emotions": [...]}',
        type=["jsonl", "json", "txt"],
        key="eval-upload",
        max_upload_size=MAX_UPLOAD_MB,
        help=(
            f"At most {MAX_UPLOAD_MB} MB per file, UTF-8. One query per line (JSONL), or one JSON "
            'list of them, e.g. [{"id": "q1", "query": "so happy today", "emotions": ["joy"]}]. '
            "The first emotion decides which songs are hits; each id may appear only once "
            "(a repeated id is reported as an error, not dropped). Use 20 queries or more: "
            "intervals from fewer mean little."
        ),
    )


def run_comparison(upload: bytes | None = None, name: str = "") -> RecommenderReport:
    """Compare every approach on the shipped query set, or on an uploaded one."""
    if upload is None:
        text, source = DEFAULT_QUERIES.read_text(encoding="utf-8"), "data/eval_queries.jsonl"
    else:
        if len(upload) > MAX_UPLOAD_BYTES:
            raise InputError(
                f"{name} is larger than {MAX_UPLOAD_MB} MB; a query file is one line per query."
            )
        try:
            text, source = upload.decode("utf-8"), name or "uploaded file"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name} is not UTF-8 text; save it as UTF-8 JSONL or JSON.") from exc
    library = resources.store()
    return _comparison(library.url, library.version, text, source, RESAMPLES)


def current_feedback() -> FeedbackReport:
    """Thumbs-up shares from the feedback database beside the library (none when absent)."""
    path = resources.settings().feedback_path
    return feedback_report(FeedbackStore(path) if path.is_file() else None)


def _ci(interval: Interval) -> str:
    return f"[{interval.low:.3f}, {interval.high:.3f}]"


def comparison_frame(report: RecommenderReport) -> pd.DataFrame:
    """One row per approach: each metric's mean and its interval."""
    p, n = report.precision_k, report.ndcg_k
    chance_p, chance_n, chance_r = report.chance
    chance = {"approach": "random order (expected)", f"P@{p}": round(chance_p, 3),
              f"P@{p} CI": EMPTY_CELL, f"nDCG@{n}": round(chance_n, 3),
              f"nDCG@{n} CI": EMPTY_CELL, "MRR": round(chance_r, 3), "MRR CI": EMPTY_CELL,
              f"nDCG@{n} vs best": EMPTY_CELL}  # fmt: skip
    return pd.DataFrame(
        [
            {
                "approach": a.approach,
                f"P@{p}": round(a.precision.mean, 3),
                f"P@{p} CI": _ci(a.precision),
                f"nDCG@{n}": round(a.ndcg.mean, 3),
                f"nDCG@{n} CI": _ci(a.ndcg),
                "MRR": round(a.mrr.mean, 3),
                "MRR CI": _ci(a.mrr),
                f"nDCG@{n} vs best": "best"
                if a.approach == report.best
                else f"{a.ndcg_vs_best.mean:+.3f} {_ci(a.ndcg_vs_best)}",
            }
            for a in report.approaches
        ]
        + [chance]
    )


def comparison_chart(report: RecommenderReport) -> go.Figure:
    """Grouped bars of the three metrics per approach, with their bootstrap intervals."""
    metrics = (
        (f"P@{report.precision_k}", "precision"),
        (f"nDCG@{report.ndcg_k}", "ndcg"),
        ("MRR", "mrr"),
    )
    fig = go.Figure()
    for label, attr in metrics:
        values = [getattr(a, attr) for a in report.approaches]
        fig.add_bar(
            name=label,
            x=[plot_text(a.approach) for a in report.approaches],
            y=[v.mean for v in values],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [v.high - v.mean for v in values],
                "arrayminus": [v.mean - v.low for v in values],
            },
            hovertemplate=f"%{{x}} {label}: %{{y:.3f}}<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        yaxis={"range": [0, 1]},
        height=340,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
        legend={"orientation": "h"},
    )
    return fig


def per_query_frame(report: RecommenderReport) -> pd.DataFrame:
    """One row per query: its target emotion and the rank of the first hit per approach."""
    rows: dict[str, dict[str, object]] = {}
    for r in report.per_query:
        row = rows.setdefault(r.query_id, {"id": r.query_id, "query": r.query, "emotion": r.target})
        row[f"first hit: {r.approach}"] = r.first_hit
    return pd.DataFrame(list(rows.values()))


def feedback_frame(report: FeedbackReport) -> pd.DataFrame:
    """One row per approach: votes, thumbs-up share and its Wilson interval."""
    return pd.DataFrame(
        [
            {
                "approach": r.approach,
                "share up": r.share_up,
                "CI low": round(r.low, 3) if r.total else None,
                "CI high": round(r.high, 3) if r.total else None,
                "up": r.up,
                "down": r.down,
                "votes": r.total,
            }
            for r in report.rows
        ]
    )


def feedback_chart(report: FeedbackReport) -> go.Figure:
    """Thumbs-up share per approach that has votes, with Wilson intervals."""
    rows = [r for r in report.rows if r.total]
    shares = [r.share_up or 0.0 for r in rows]
    fig = go.Figure(
        go.Bar(
            x=shares,
            y=[plot_text(r.approach, 40) for r in rows],
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [r.high - s for r, s in zip(rows, shares, strict=True)],
                "arrayminus": [s - r.low for r, s in zip(rows, shares, strict=True)],
            },
            text=[f"{s:.0%} of {r.total}" for r, s in zip(rows, shares, strict=True)],
            hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        height=60 + 40 * max(1, len(rows)),
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    return fig


def show_summary(text: str) -> None:
    """Write a plain-language summary, one line per sentence group, never cut short."""
    for line in text.splitlines():
        st.markdown(md_escape(line, SUMMARY_LIMIT))


def show_comparison(report: RecommenderReport) -> None:
    """Draw the comparison: a warning on few queries, summary, chart, table, per-query ranks."""
    note = few_queries_note(report.n_queries)
    if note:
        st.warning(md_escape(note, SUMMARY_LIMIT))
    show_summary(describe_comparison(report))
    st.plotly_chart(comparison_chart(report), key="eval-chart")
    st.dataframe(
        comparison_frame(report), hide_index=True, placeholder=EMPTY_CELL, key="eval-table"
    )
    st.caption(
        md_escape(
            f"{report.n_queries} queries from {report.queries} on {report.tracks} tracks "
            f"({report.labelled_tracks} labelled), library version {report.library_version}. "
            f"Intervals: {round(report.confidence * 100)}% percentile bootstrap over queries "
            f"({report.resamples} resamples); 'vs best' is the paired difference.",
            SUMMARY_LIMIT,
        )
    )
    if report.skipped:
        st.caption(
            md_escape(
                f"Skipped {len(report.skipped)} queries whose first emotion no track carries: "
                + ", ".join(report.skipped),
                400,
            )
        )
    with st.expander("Per query: rank of the first hit for each approach"):
        st.dataframe(per_query_frame(report), hide_index=True, key="eval-per-query")


def song_agreement_frame(report: SongAgreementReport) -> pd.DataFrame:
    """The analysis and the two baselines: top-1, main in top 2 and macro-F1.

    The analysis is named by its extractor only: a version string can be 60 characters and
    would push the table past the page (show_song_agreement prints it below the table).
    """
    rows = [
        {
            "analysis": report.extractor,
            "top-1": round(report.top1.mean, 3),
            "top-1 CI": _ci(report.top1),
            "main in top 2": round(report.top2.mean, 3),
            "top-2 CI": _ci(report.top2),
            "macro-F1": round(report.macro_f1.mean, 3),
            "macro-F1 CI": _ci(report.macro_f1),
        }
    ]
    rows += [
        {"analysis": f"baseline: {b.name}", "top-1": round(b.top1, 3), "top-1 CI": EMPTY_CELL,
         "main in top 2": round(b.top2, 3), "top-2 CI": EMPTY_CELL,
         "macro-F1": round(b.macro_f1, 3), "macro-F1 CI": EMPTY_CELL}
        for b in report.baselines
    ]  # fmt: skip
    return pd.DataFrame(rows)


def recall_frame(report: SongAgreementReport) -> pd.DataFrame:
    """Per main emotion: songs, how many come out on top, and how often it is predicted."""
    rows = [
        {"main emotion": r.emotion, "songs": r.songs, "top-1": r.recalled,
         "recall": round(r.recall, 3), "predicted": r.predicted}
        for r in report.per_emotion
    ]  # fmt: skip
    return pd.DataFrame(rows)


def show_song_agreement(report: SongAgreementReport) -> None:
    """Draw the agreement summary, its table, the per-emotion recall and the confusion heatmap."""
    show_summary(describe_song_agreement(report))
    st.dataframe(
        song_agreement_frame(report),
        hide_index=True,
        placeholder=EMPTY_CELL,
        key="eval-songs-table",
    )
    st.caption(md_escape(f"Analysis: {report.extractor}, version {report.version}.", SUMMARY_LIMIT))
    left, right = st.columns(2)
    with left:
        st.dataframe(recall_frame(report), hide_index=True, key="eval-songs-recall")
    with right:
        st.plotly_chart(confusion_heatmap(report.confusion), key="eval-songs-confusion")
    misses = [
        {"title": s.title, "labelled": s.main, "analysed": s.predicted, "second": s.second}
        for s in report.songs
        if not s.agrees
    ]
    with st.expander(f"Songs whose strongest emotion differs from the label ({len(misses)})"):
        st.dataframe(pd.DataFrame(misses), hide_index=True, key="eval-songs-misses")


def show_feedback(report: FeedbackReport) -> None:
    """Draw the thumbs-up shares with their Wilson intervals and counts."""
    show_summary(describe_feedback(report))
    if report.total == 0:
        return
    st.plotly_chart(feedback_chart(report), key="eval-feedback-chart")
    st.dataframe(
        feedback_frame(report),
        hide_index=True,
        placeholder=EMPTY_CELL,
        key="eval-feedback-table",
        column_config={
            "share up": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
        },
    )


def corrected_frame(result: CorrectedAgreement) -> pd.DataFrame:
    """Model alone against the corrections' calibration, on uncorrected labelled tracks."""
    rows = []
    for name, report, loo in (
        ("model alone", result.before, result.calibration.loo_before),
        ("with the corrections' calibration", result.after, result.calibration.loo_after),
    ):
        rows.append(
            {
                "song emotions": name,
                "tracks judged": report.n,
                "top-1": round(report.top1.mean, 3),
                "top-1 CI": _ci(report.top1),
                "main in top 2": round(report.top2.mean, 3),
                "macro-F1": round(report.macro_f1.mean, 3),
                # None shows as the placeholder: too few corrections to hold any out.
                "corrections, held out in turn": None if loo is None else round(loo, 3),
            }
        )
    return pd.DataFrame(rows)


def show_corrections_section(library: Store) -> None:
    """The Evaluation page's section on listeners' corrections and what they taught."""
    st.subheader("Listeners' corrections")
    st.caption(
        'Corrections ("this song feels like…" in the explorer or on a result) set a track\'s '
        "emotions. From 10 of them on, the library learns from them: it adjusts the model's "
        "other songs by how much each resembles the corrected ones, and keeps the adjustment "
        "unless, with each correction held out in turn, it gets fewer of them right than the "
        "model alone. Judged on the labelled tracks nobody corrected. "
        "`moodtune eval songs --library` prints the same."
    )
    try:
        effect = corrections_effect(library)
    except MoodTuneError as exc:
        show_error(exc)
        return
    show_corrections(effect)


def show_corrections(result: CorrectedAgreement | CalibrationEffect) -> None:
    """What the listeners' corrections changed: the calibration's state and its effect."""
    st.metric("Corrections in force", result.corrections)
    if isinstance(result, CalibrationEffect):
        show_summary(result.describe())
        st.caption("No track of this library has labels, so there is nothing to judge it on.")
        return
    show_summary(result.effect.describe())
    st.dataframe(
        corrected_frame(result),
        hide_index=True,
        placeholder=EMPTY_CELL,
        key="eval-corrections-table",
    )
