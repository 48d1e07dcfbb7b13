"""Embeddings of emotion words, shared by ingestion (songs) and recommendation (queries).

Approach 2 embeds the joined basic words ("sadness, fear") as one sentence, as the original
write-up did. Approach 3 takes the score-weighted mean of the refined words' own embeddings, so
a word's weight is its intensity and no word is counted twice. The 32-word vocabulary is embedded
once per instance. Must not rank or store.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from moodtune.embed import Embedder, normalize_rows
from moodtune.emotions.words import EmotionWord, vocabulary, words_text


class WordVectors:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._vocab: dict[str, np.ndarray] | None = None

    @property
    def vocab(self) -> dict[str, np.ndarray]:
        if self._vocab is None:
            words = vocabulary()
            self._vocab = dict(zip(words, self.embedder.embed(words), strict=True))
        return self._vocab

    def basic_vectors(self, word_lists: Sequence[Sequence[EmotionWord]]) -> np.ndarray:
        """Embed each list of basic words as one sentence; (n, dim)."""
        return self.embedder.embed([words_text(list(ws)) for ws in word_lists])

    def refined_vectors(self, word_lists: Sequence[Sequence[EmotionWord]]) -> np.ndarray:
        """Weighted mean of each list's word vectors, L2-normalised; (n, dim)."""
        vocab = self.vocab
        out = np.zeros((len(word_lists), self.embedder.dim), dtype=np.float32)
        for row, words in enumerate(word_lists):
            for w in words:
                out[row] += w.weight * vocab[w.word]
        return normalize_rows(out)
