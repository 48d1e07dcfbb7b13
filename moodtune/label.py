"""What `moodtune label`, the explorer's and the result cards' "this song feels like ..." do.

Owns: finding a track by id or title, recording and undoing a listener's correction with the
track's title and artist, listing the corrections of a library, and the evaluation of the
library's song emotions as listeners hear them (`corrected_agreement`): agreement of the
uncorrected labelled tracks with their labels, before and after the calibration the
corrections switch on, plus the calibration's held-out check.
Must not print or import streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from moodtune.calibration import Calibration
from moodtune.corrections import Correction, CorrectionStore
from moodtune.errors import InputError, NotFoundError
from moodtune.evaluate import RESAMPLES, Interval, format_table
from moodtune.listener import CALIBRATED, StatesSource, corrected_rows, listener_profiles
from moodtune.models import Track
from moodtune.song_agreement import SongAgreementReport, song_agreement
from moodtune.store import LibraryIndex

_LISTED = 8


def find_track(index: LibraryIndex, text: str) -> int:
    """Row of the track whose id is `text`, else whose title is `text` (case-insensitive)."""
    wanted = text.strip()
    if not wanted:
        raise InputError("Name a track by its id or its title.")
    if wanted in index.track_ids:
        return index.track_ids.index(wanted)
    folded = wanted.casefold()
    rows = [r for r, title in enumerate(index.titles) if title.casefold() == folded]
    if not rows:
        rows = [r for r, title in enumerate(index.titles) if folded in title.casefold()]
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise NotFoundError(f"No track with the id or title {wanted!r} in the library.")
    listed = "; ".join(
        f"{index.track_ids[r]} ({index.titles[r]} — {index.artists[r]})" for r in rows[:_LISTED]
    )
    more = f" and {len(rows) - _LISTED} more" if len(rows) > _LISTED else ""
    raise InputError(f"{len(rows)} tracks match {wanted!r}: {listed}{more}. Use the id.")


def label_track(
    index: LibraryIndex,
    corrections: CorrectionStore,
    track: str,
    main: str,
    second: str | None = None,
    *,
    who: str = "",
) -> Correction:
    """Record that `track` (an id or a title) feels like `main` (and `second`)."""
    row = find_track(index, track)
    return corrections.set(
        index.track_ids[row],
        main,
        second,
        who=who,
        title=index.titles[row],
        artist=index.artists[row],
    )


def undo_label(
    index: LibraryIndex, corrections: CorrectionStore, track: str, *, who: str = ""
) -> tuple[str, Correction | None]:
    """Withdraw the latest correction of `track`; return its id and the one now in force."""
    current = corrections.current()
    wanted = track.strip()
    # A correction can outlive its track (a playlist changed): undo works by id even then.
    track_id = wanted if wanted in current else index.track_ids[find_track(index, wanted)]
    return track_id, corrections.undo(track_id, who=who)


@dataclass(frozen=True, slots=True)
class CalibrationEffect:
    """What the corrections' calibration does to a library, labelled or not."""

    calibration: Calibration
    calibrated: int  # uncorrected tracks whose emotions it adjusts
    changed: int  # of those, tracks whose strongest emotion it changed

    @property
    def corrections(self) -> int:
        """Corrections in force for tracks of this library."""
        return self.calibration.corrections

    def describe(self) -> str:
        if not self.calibration.active:
            return f"Calibration: {self.calibration.reason}"
        return (
            f"Calibration: {self.calibration.reason} It adjusts {self.calibrated} uncorrected "
            f"tracks and changes the strongest emotion of {self.changed} of them."
        )

    def summary(self) -> dict[str, object]:
        """For JSON output: the corrections, the calibration's state and what it moved."""
        return {
            "corrections": self.corrections,
            "calibration": self.calibration.summary(),
            "effect": {"calibrated": self.calibrated, "changed": self.changed},
        }


def _effect(
    index: LibraryIndex, profiles: np.ndarray, sources: Sequence[str], calibration: Calibration
) -> CalibrationEffect:
    rows = np.array([s == CALIBRATED for s in sources], dtype=bool)
    changed = np.argmax(index.profiles[rows], axis=1) != np.argmax(profiles[rows], axis=1)
    return CalibrationEffect(calibration, int(rows.sum()), int(changed.sum()))


def calibration_effect(
    index: LibraryIndex,
    corrections: Mapping[str, Correction],
    states: StatesSource | None = None,
) -> CalibrationEffect:
    """Whether the calibration is on, why, and how many tracks it moves (no labels needed)."""
    heard = listener_profiles(index, corrections, states)
    return _effect(index, heard.profiles, heard.sources, heard.calibration)


@dataclass(frozen=True, slots=True)
class CorrectedAgreement:
    """Song emotions of the uncorrected labelled tracks against their labels, before (the
    model alone) and after (with the calibration the corrections switch on)."""

    before: SongAgreementReport
    after: SongAgreementReport
    effect: CalibrationEffect

    @property
    def corrections(self) -> int:
        """Corrections in force for tracks of this library."""
        return self.effect.corrections

    @property
    def calibration(self) -> Calibration:
        return self.effect.calibration


def corrected_agreement(
    index: LibraryIndex,
    corrections: Mapping[str, Correction],
    *,
    resamples: int = RESAMPLES,
    uncorrected_only: bool = True,
    states: StatesSource | None = None,
) -> CorrectedAgreement:
    """Agreement with the labels of the tracks a listener has not corrected (or of all).

    `states` reads the library's song states, which the calibration learns over; without it
    the calibration stays off.
    """
    heard = listener_profiles(index, corrections, states)
    profiles, sources, calibration = heard.profiles, heard.sources, heard.calibration
    corrected = corrected_rows(index, corrections)
    rows = [
        r
        for r in range(len(index))
        if index.labels[r] and (not uncorrected_only or r not in corrected)
    ]
    if not rows:
        raise InputError(
            "No labelled track is left to judge: every labelled track has been corrected."
        )
    labels = [index.labels[r] for r in rows]
    scope = "uncorrected labelled tracks" if uncorrected_only else "labelled tracks"

    def judge(matrix: np.ndarray, how: str) -> SongAgreementReport:
        return song_agreement(
            matrix[rows],
            labels,
            track_ids=[index.track_ids[r] for r in rows],
            titles=[index.titles[r] for r in rows],
            source=f"this library's {scope}, {how}",
            extractor=", ".join(sorted(set(index.extractors))),
            version=", ".join(sorted(set(index.extractor_versions))),
            resamples=resamples,
        )

    before = judge(index.profiles, "the model alone")
    after = judge(profiles, "as listeners hear it")
    return CorrectedAgreement(before, after, _effect(index, profiles, sources, calibration))


def import_corrections(tracks: Sequence[Track], corrections: CorrectionStore, *, who: str) -> int:
    """Record each track's `emotions` (main first, then an optional second) as a listener's
    correction; return how many were recorded. Tracks without emotions are skipped."""
    recorded = 0
    for track in tracks:
        if not track.labels:
            continue
        second = track.labels[1] if len(track.labels) > 1 else None
        corrections.set(
            track.track_id, track.labels[0], second, who=who, title=track.title, artist=track.artist
        )
        recorded += 1
    return recorded


def _ci(interval: Interval) -> str:
    return f"{interval.mean:.3f} [{interval.low:.3f}, {interval.high:.3f}]"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def corrected_agreement_table(result: CorrectedAgreement) -> str:
    """Before and after on the judged tracks, and the held-out check, as Markdown."""
    pct = round(result.after.confidence * 100)
    rows = [
        [
            "model alone",
            _ci(result.before.top1),
            _ci(result.before.top2),
            _ci(result.before.macro_f1),
            _share(result.calibration.loo_before),
        ],
        [
            "with the corrections' calibration" + ("" if result.calibration.active else " (off)"),
            _ci(result.after.top1),
            _ci(result.after.top2),
            _ci(result.after.macro_f1),
            _share(result.calibration.loo_after),
        ],
    ]
    return format_table(
        [
            "song emotions",
            f"top-1 [{pct}% CI]",
            f"main in top 2 [{pct}% CI]",
            f"macro-F1 [{pct}% CI]",
            "on the corrections, held out in turn",
        ],
        rows,
    )
