"""Evaluation of extractors and approaches, split by what each part holds.

- `metrics`: pure ranking metrics (precision@k, nDCG@k, reciprocal rank) and multi-label F1
- `bootstrap`: percentile bootstrap and Wilson intervals, with the shared level, resamples, seed
- `labelled_data`: readers of XED `text<TAB>labels` files and of the JSONL query set
- `extractor_scoring`: F1 of an extractor on labelled text
- `approach_comparison`: approaches ranked on labelled queries, and thumbs-up share per approach
- `tables`: the Markdown table the CLI, the docs and bench/ print

Every public name is importable from `moodtune.evaluate` too, as before the split. Nothing here
prints, builds its own collaborators or imports streamlit.
"""

from __future__ import annotations

from moodtune.evaluate.approach_comparison import (
    ApproachScores,
    FeedbackReport,
    FeedbackRow,
    QueryResult,
    RecommenderReport,
    compare_approaches,
    describe_comparison,
    describe_feedback,
    evaluate_recommender,
    feedback_report,
    feedback_table,
    rank_library,
    recommender_table,
)
from moodtune.evaluate.bootstrap import (
    CONFIDENCE,
    RESAMPLES,
    SEED,
    Interval,
    bootstrap_ci,
    mean_interval,
    wilson_interval,
)
from moodtune.evaluate.extractor_scoring import (
    ExtractorReport,
    evaluate_extractor,
    extractor_table,
)
from moodtune.evaluate.labelled_data import (
    DEFAULT_QUERIES,
    LabelledQuery,
    LabelledText,
    parse_queries,
    parse_xed,
    read_queries,
    read_xed,
)
from moodtune.evaluate.metrics import (
    F1Report,
    LabelScores,
    dcg_at_k,
    expected_random,
    mrr,
    multilabel_f1,
    ndcg_at_k,
    precision_at_k,
    predicted_labels,
    reciprocal_rank,
)
from moodtune.evaluate.tables import (
    format_interval,
    format_table,
)

__all__ = [
    "CONFIDENCE",
    "DEFAULT_QUERIES",
    "RESAMPLES",
    "SEED",
    "ApproachScores",
    "ExtractorReport",
    "F1Report",
    "FeedbackReport",
    "FeedbackRow",
    "Interval",
    "LabelScores",
    "LabelledQuery",
    "LabelledText",
    "QueryResult",
    "RecommenderReport",
    "bootstrap_ci",
    "compare_approaches",
    "dcg_at_k",
    "describe_comparison",
    "describe_feedback",
    "evaluate_extractor",
    "evaluate_recommender",
    "expected_random",
    "extractor_table",
    "feedback_report",
    "feedback_table",
    "format_interval",
    "format_table",
    "mean_interval",
    "mrr",
    "multilabel_f1",
    "ndcg_at_k",
    "parse_queries",
    "parse_xed",
    "precision_at_k",
    "predicted_labels",
    "rank_library",
    "read_queries",
    "read_xed",
    "reciprocal_rank",
    "recommender_table",
    "wilson_interval",
]
