"""The Recommend page's results with refinement: "more/less like this" on each card, a follow-up
sentence, what changed, and what can be done with the list.

Owns: applying a queued card click or a follow-up to the QueryResult kept in session state (key
`rec-result`), re-ranking it after a correction made on one of its cards, the follow-up form
(keys `rec-followup`, `rec-followup-go`), "start over" (`rec-restart`), the change summary and
dropped tracks, and the list's save/export actions (prefix `rec-list`, shown when the list has
tracks). Must not move queries or rank: moodtune.ui.actions.refine_result and rerank_result call
the library.
"""

from __future__ import annotations

import streamlit as st

from moodtune.errors import MoodTuneError
from moodtune.ui import resources, widgets
from moodtune.ui.actions import QueryResult, ask, refine_result, rerank_result
from moodtune.ui.list_actions import list_actions
from moodtune.ui.safe import md_escape

RESULT_KEY = "rec-result"


def _apply_pending(result: QueryResult) -> QueryResult:
    reranked = st.session_state.pop(widgets.RERANK_PENDING, None)
    if reranked:
        try:
            result = rerank_result(result)
        except MoodTuneError as exc:
            widgets.show_error(exc)
        else:
            st.session_state[RESULT_KEY] = result
            st.success(md_escape(str(reranked), 400))
    pending = st.session_state.pop(widgets.REFINE_PENDING, None)
    if not pending:
        return result
    direction, track_id = pending
    try:
        if direction == "more":
            result = refine_result(result, more_like=str(track_id))
        else:
            result = refine_result(result, less_like=str(track_id))
    except MoodTuneError as exc:
        widgets.show_error(exc)
        return result
    st.session_state[RESULT_KEY] = result
    return result


def _follow_up(result: QueryResult) -> QueryResult:
    with st.form("rec-followup-form", border=False):
        left, right = st.columns([4, 1], vertical_alignment="bottom")
        sentence = left.text_input(
            "Refine with a few words", key="rec-followup", placeholder="less angry, more upbeat…"
        )
        go = right.form_submit_button("Refine", key="rec-followup-go")
    if go:
        try:
            result = refine_result(result, sentence=str(sentence or ""))
        except MoodTuneError as exc:
            widgets.show_error(exc)
            return result
        st.session_state[RESULT_KEY] = result
    return result


LYRICS_UNREADABLE = (
    "Your feeling is not in English, and this library's embedder (MiniLM) compares words in "
    "English only, so lyrics similarity is close to random order here; emotions, refined and "
    "hybrid read the feeling in its language. To match words across languages, switch the "
    "library's embedder to e5 on the Ingest page."
)


def results_section(result: QueryResult) -> None:
    """The (possibly refined) lists, the refinement controls, and the list's actions."""
    result = _apply_pending(result)
    result = _follow_up(result)
    if result.refined is not None:
        st.markdown(md_escape(f"Refined: {result.label}", 400))
        if st.button("Start over from the sentence", key="rec-restart"):
            try:
                result = ask(result.query, result.choice, result.k, filters=result.filters)
            except MoodTuneError as exc:
                widgets.show_error(exc)
            else:
                st.session_state[RESULT_KEY] = result
                st.rerun()  # the refined header above was already drawn
    changes = dict(result.changes)
    note = result.year_note()
    if note:
        st.caption(md_escape(note, 300))
    narrow = len(result.results) > 1
    columns = st.columns(len(result.results)) if narrow else [st.container()]
    for column, (approach, recs) in zip(columns, result.results, strict=True):
        with column:
            if narrow:
                st.subheader(approach)
            change = changes.get(approach)
            if change is not None:
                st.caption(md_escape(change.summary()))
            if approach == "lyrics" and not resources.recommender().lyrics_readable(result.query):
                st.info(LYRICS_UNREADABLE)
            if not recs:
                st.info("No track matches the filters.")
            notes = {c.track_id: c.note for c in change.entries} if change is not None else {}
            for rec in recs:
                widgets.recommendation_card(
                    rec, result.label, note=notes.get(rec.track_id, ""), refine=True, narrow=narrow
                )
            if change is not None and change.dropped:
                st.caption(
                    md_escape(
                        "Dropped: " + "; ".join(f"{t} — {a}" for _, t, a in change.dropped), 600
                    )
                )
    if result.track_ids:
        st.subheader("Keep this list")
        list_actions(result.track_ids, result.label, "rec-list")
