from __future__ import annotations

import numpy as np

from moodtune.embed import EMBEDDERS, get_embedder, normalize_rows


def test_minilm_is_one_instance_per_process_and_normalised() -> None:
    embedder = get_embedder("minilm")
    assert get_embedder("minilm") is embedder
    vectors = embedder.embed(["rain on the window", "sunshine on the beach", "rain on the window"])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2])
    assert embedder.embed([]).shape == (0, 384)


def test_minilm_embeddings_carry_meaning() -> None:
    a, b, c = get_embedder("minilm").embed(
        ["I miss my old friends", "lonely without my buddies", "tax form"]
    )
    assert a @ b > a @ c


def test_cached_vectors_match_fresh_ones() -> None:
    embedder = EMBEDDERS.get("minilm")()
    first = embedder.embed(["a cold night in the harbour"])
    embedder._cache.clear()
    assert np.allclose(first, embedder.embed(["a cold night in the harbour"]), atol=1e-6)


def test_hash_embedder_is_deterministic() -> None:
    h = get_embedder("hash")
    assert np.array_equal(h.embed(["same words"]), h.embed(["same words"]))
    assert h.embed([""]).sum() == 0


def test_normalize_rows_keeps_zero_rows() -> None:
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(out, [[0.6, 0.8], [0.0, 0.0]])
