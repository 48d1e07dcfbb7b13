"""Extractor scoring: micro/macro and per-emotion F1 of an extractor on labelled text.

Must not build its extractor (the caller passes it in) or print.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moodtune.emotions.base import PRESENT, EmotionExtractor
from moodtune.evaluate.labelled_data import read_xed
from moodtune.evaluate.metrics import F1Report, multilabel_f1, predicted_labels
from moodtune.evaluate.tables import format_table

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ExtractorReport:
    extractor: str
    version: str
    data: str
    threshold: float
    seconds: float
    scores: F1Report


def evaluate_extractor(
    extractor: EmotionExtractor,
    path: str | Path,
    *,
    batch_size: int = 128,
    threshold: float = PRESENT,
    progress: Progress | None = None,
) -> ExtractorReport:
    """Score `extractor` on an XED-format file: an emotion counts as predicted at >= threshold."""
    items = read_xed(path)
    predicted: list[tuple[str, ...]] = []
    start = time.perf_counter()
    for at in range(0, len(items), batch_size):
        batch = items[at : at + batch_size]
        profiles = extractor.extract([item.text for item in batch])
        predicted.extend(predicted_labels(p, threshold) for p in profiles)
        if progress is not None:
            progress(len(predicted), len(items))
    seconds = time.perf_counter() - start
    scores = multilabel_f1([item.labels for item in items], predicted)
    return ExtractorReport(extractor.name, extractor.version, str(path), threshold, seconds, scores)


def extractor_table(report: ExtractorReport) -> str:
    """Per-emotion precision/recall/F1 plus the micro and macro rows, as a Markdown table."""
    s = report.scores
    rows = [
        [x.label, f"{x.precision:.3f}", f"{x.recall:.3f}", f"{x.f1:.3f}", str(x.support)]
        for x in s.per_label
    ]
    rows.append(
        ["micro", f"{s.micro_precision:.3f}", f"{s.micro_recall:.3f}", f"{s.micro_f1:.3f}", ""]
    )
    rows.append(["macro", "", "", f"{s.macro_f1:.3f}", ""])
    return format_table(["emotion", "precision", "recall", "F1", "support"], rows)
