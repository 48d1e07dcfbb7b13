"""How well song-level emotion analysis agrees with listeners: `moodtune eval songs`.

Owns: the agreement metrics between songs' analysed profiles and their labelled emotions (the
first label is the main emotion a listener hears): top-1 agreement, main emotion within the top
2, macro-F1 over main emotions, per-emotion recall, the confusion matrix, percentile bootstrap
intervals over songs, and the majority-class and random baselines; `evaluate_song_file`, which
analyses a labelled file into a scratch library (a temporary directory, never the user's) through
the real ingestion pipeline; and the Markdown table and one-paragraph reading of a report.
Must not print or import streamlit; the CLI and the Evaluation page show what it returns.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moodtune.config import Settings
from moodtune.errors import InputError
from moodtune.evaluate import CONFIDENCE, RESAMPLES, SEED, Interval, format_table
from moodtune.models import EMOTIONS, EmotionProfile

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SongResult:
    """One labelled song: its main emotion and what the analysis ranked first and second."""

    track_id: str
    title: str
    main: str
    predicted: str
    second: str

    @property
    def agrees(self) -> bool:
        return self.predicted == self.main


@dataclass(frozen=True, slots=True)
class EmotionRecall:
    """Of the songs whose main emotion is `emotion`, how many the analysis put first."""

    emotion: str
    songs: int
    recalled: int
    predicted: int  # songs of any label whose top emotion is this one

    @property
    def recall(self) -> float:
        return self.recalled / self.songs if self.songs else 0.0


@dataclass(frozen=True, slots=True)
class Baseline:
    name: str
    top1: float
    top2: float
    macro_f1: float


@dataclass(frozen=True, slots=True)
class SongAgreementReport:
    source: str
    extractor: str
    version: str
    n: int
    confidence: float
    resamples: int
    top1: Interval
    top2: Interval
    macro_f1: Interval  # mean F1 over the emotions that are some song's main emotion
    per_emotion: tuple[EmotionRecall, ...]  # every main emotion present, in EMOTIONS order
    confusion: tuple[tuple[int, ...], ...]  # 8 x 8: rows are main emotions, columns top-1
    baselines: tuple[Baseline, ...]  # majority class, then random
    songs: tuple[SongResult, ...]

    @property
    def unreachable(self) -> tuple[str, ...]:
        """Main emotions that no song of theirs gets as its top emotion."""
        return tuple(r.emotion for r in self.per_emotion if r.recalled == 0)


def macro_f1(main: Sequence[int] | np.ndarray, predicted: Sequence[int] | np.ndarray) -> float:
    """Mean single-label F1 over the classes present in `main` (predictions of others are FP)."""
    gold = np.asarray(main)
    pred = np.asarray(predicted)
    if gold.size == 0:
        raise ValueError("macro-F1 needs at least one song.")
    scores = []
    for label in np.unique(gold):
        tp = int(np.sum((pred == label) & (gold == label)))
        fp = int(np.sum((pred == label) & (gold != label)))
        fn = int(np.sum((pred != label) & (gold == label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def _interval(
    values: np.ndarray, draws: np.ndarray, statistic: Callable[[np.ndarray], float], tail: float
) -> Interval:
    sampled = [statistic(values[d]) for d in draws]
    low, high = np.quantile(sampled, [tail, 1 - tail])
    return Interval(statistic(values), float(low), float(high))


def _baselines(main: np.ndarray) -> tuple[Baseline, ...]:
    """Always the most common main emotion (an oracle of this file's labels), and uniform."""
    counts = Counter(main.tolist())
    (first, n_first), *rest = counts.most_common(2)
    n_second = rest[0][1] if rest else 0
    n = len(main)
    majority = Baseline(
        f"always {EMOTIONS[first]}",
        n_first / n,
        (n_first + n_second) / n,
        macro_f1(main, np.full(n, first)),
    )
    # A uniform guess: recall 1/8 for every class, precision = the class's share.
    shares = [counts[c] / n for c in counts]
    chance = 1 / len(EMOTIONS)
    random_f1 = float(np.mean([2 * s * chance / (s + chance) for s in shares]))
    return majority, Baseline("random", chance, 2 * chance, random_f1)


def song_agreement(
    profiles: Sequence[EmotionProfile] | np.ndarray,
    labels: Sequence[Sequence[str]],
    *,
    track_ids: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
    source: str = "",
    extractor: str = "",
    version: str = "",
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> SongAgreementReport:
    """Score analysed profiles against labels; songs without labels are left out.

    Ties between scores go to the emotion that comes first in EMOTIONS, as
    EmotionProfile.dominant does.
    """
    matrix = np.array(
        [p.scores if isinstance(p, EmotionProfile) else p for p in profiles], dtype=np.float64
    ).reshape(-1, len(EMOTIONS))
    if len(matrix) != len(labels):
        raise ValueError(f"{len(matrix)} profiles but {len(labels)} label lists.")
    ids = list(track_ids) if track_ids is not None else [str(i) for i in range(len(labels))]
    names = list(titles) if titles is not None else ids
    keep = [i for i, song_labels in enumerate(labels) if song_labels]
    if not keep:
        raise InputError("None of the songs has emotion labels, so there is nothing to agree with.")
    if resamples < 1:
        raise InputError(f"resamples must be at least 1 (got {resamples}).")
    # A stable sort keeps EMOTIONS order among equal scores.
    order = np.argsort(-matrix[keep], axis=1, kind="stable")
    main = np.array([EMOTIONS.index(labels[i][0]) for i in keep])
    top1 = order[:, 0]
    hit1 = (top1 == main).astype(np.float64)
    hit2 = ((top1 == main) | (order[:, 1] == main)).astype(np.float64)
    confusion = np.zeros((len(EMOTIONS), len(EMOTIONS)), dtype=int)
    for gold, guess in zip(main, top1, strict=True):
        confusion[gold, guess] += 1
    per_emotion = tuple(
        EmotionRecall(
            EMOTIONS[e],
            int(confusion[e].sum()),
            int(confusion[e, e]),
            int(confusion[:, e].sum()),
        )
        for e in range(len(EMOTIONS))
        if confusion[e].sum()
    )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(keep), size=(resamples, len(keep)))
    tail = (1 - confidence) / 2
    pairs = np.stack([main, top1], axis=1)
    songs = tuple(
        SongResult(ids[i], names[i], labels[i][0], EMOTIONS[order[j, 0]], EMOTIONS[order[j, 1]])
        for j, i in enumerate(keep)
    )
    return SongAgreementReport(
        source=source,
        extractor=extractor,
        version=version,
        n=len(keep),
        confidence=confidence,
        resamples=resamples,
        top1=_interval(hit1, draws, lambda v: float(v.mean()), tail),
        top2=_interval(hit2, draws, lambda v: float(v.mean()), tail),
        macro_f1=_interval(pairs, draws, lambda v: macro_f1(v[:, 0], v[:, 1]), tail),
        per_emotion=per_emotion,
        confusion=tuple(tuple(int(x) for x in row) for row in confusion),
        baselines=_baselines(main),
        songs=songs,
    )


def evaluate_song_file(
    settings: Settings,
    path: str | Path,
    *,
    extractor_name: str | None = None,
    resamples: int = RESAMPLES,
    progress: Progress | None = None,
) -> SongAgreementReport:
    """Analyse a labelled track file in a scratch library and score the agreement.

    The file is read as `moodtune ingest file` reads it (title, artist, lyrics, emotions with
    the main one first). The scratch library lives in a temporary directory that is removed
    afterwards, so the user's library is never touched.
    """
    from moodtune.ingest import build_ingestor
    from moodtune.sources.files import load_tracks_file
    from moodtune.store import Store

    tracks = load_tracks_file(path)
    if not any(t.labels for t in tracks):
        raise InputError(
            f"{path} has no `emotions` column (or it is empty everywhere): label each song with "
            'its main emotion first, e.g. "sadness, trust".'
        )
    with tempfile.TemporaryDirectory(prefix="moodtune-eval-songs-") as scratch:
        store = Store(Path(scratch) / "library", create=True)
        ingestor = build_ingestor(settings, extractor_name=extractor_name, store=store)
        report = ingestor.run(
            tracks,
            f"eval songs {Path(path).name}",
            progress=(lambda done, total, _: progress(done, total)) if progress else None,
        )
        skipped = [o for o in report.outcomes if o.status in ("no lyrics", "failed")]
        if skipped:
            shown = "; ".join(f"{o.title}: {o.reason}" for o in skipped[:3])
            raise InputError(f"{len(skipped)} songs in {path} could not be analysed ({shown}).")
        index = store.index()
        return song_agreement(
            index.profiles,
            index.labels,
            track_ids=index.track_ids,
            titles=index.titles,
            source=str(path),
            extractor=ingestor.extractor.name,
            version=ingestor.extractor.version,
            resamples=resamples,
        )


def _ci(interval: Interval) -> str:
    return f"{interval.mean:.3f} [{interval.low:.3f}, {interval.high:.3f}]"


def agreement_table(report: SongAgreementReport) -> str:
    """Top-1, top-2 and macro-F1 with intervals, then the two baselines, as Markdown."""
    pct = round(report.confidence * 100)
    rows = [
        [
            f"{report.extractor} ({report.version})",
            _ci(report.top1),
            _ci(report.top2),
            _ci(report.macro_f1),
        ]
    ]
    rows += [
        [b.name, f"{b.top1:.3f}", f"{b.top2:.3f}", f"{b.macro_f1:.3f}"] for b in report.baselines
    ]
    return format_table(
        ["analysis", f"top-1 [{pct}% CI]", f"main in top 2 [{pct}% CI]", f"macro-F1 [{pct}% CI]"],
        rows,
    )


def recall_table(report: SongAgreementReport) -> str:
    """Per main emotion: songs, recalled at top 1, recall, and how often it was predicted."""
    rows = [
        [r.emotion, str(r.songs), str(r.recalled), f"{r.recall:.3f}", str(r.predicted)]
        for r in report.per_emotion
    ]
    return format_table(["main emotion", "songs", "top-1", "recall", "predicted"], rows)


def confusion_table(report: SongAgreementReport) -> str:
    """The confusion matrix: one row per main emotion present, one column per emotion."""
    rows = [
        [EMOTIONS[i], *(str(x) for x in row)] for i, row in enumerate(report.confusion) if sum(row)
    ]
    return format_table(["main \\ top-1", *(e[:5] for e in EMOTIONS)], rows)


def describe_song_agreement(report: SongAgreementReport) -> str:
    """One paragraph: agreement against the best baseline, and any unreachable emotion."""
    pct = round(report.confidence * 100)
    majority = report.baselines[0]
    text = (
        f"On {report.n} labelled songs the strongest emotion agrees with the main label for "
        f"{report.top1.mean:.0%} ({pct}% CI {report.top1.low:.0%} to {report.top1.high:.0%}); "
        f"the main label is within the top 2 for {report.top2.mean:.0%}. Answering "
        f"'{majority.name}' would score {majority.top1:.0%}."
    )
    if report.unreachable:
        text += (
            " Never recalled as a song's strongest emotion: " + ", ".join(report.unreachable) + "."
        )
    return text
