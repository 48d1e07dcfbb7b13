"""Heavy objects shared by every session of the app, built once per process.

Owns: the @st.cache_resource getters (settings, embedder, extractor, store, recommender,
feedback and corrections stores, emotion word vectors, the
library as listeners hear it), each keyed by plain strings. The store is opened read-only
and refreshed on every call (under a lock, since sessions run in threads) so a version committed
by the Ingest page or the CLI shows up on the next rerun; its in-memory index is rebuilt only
when the version changes. Must not cache a sqlite connection or anything session-specific, and
must not catch errors: pages decide what to show.
"""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from moodtune.config import Settings, load_settings
from moodtune.corrections import CorrectionStore
from moodtune.embed import Embedder, get_embedder
from moodtune.emotions import build_extractor
from moodtune.emotions.base import EmotionExtractor
from moodtune.feedback import FeedbackStore
from moodtune.listener import ListenerView
from moodtune.models import EMOTIONS
from moodtune.recommend import Recommender, build_recommender
from moodtune.store import Store

_REFRESH_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """Read settings once per process (env vars and .streamlit/secrets.toml)."""
    return load_settings()


@st.cache_resource(show_spinner="Loading the sentence model…")
def embedder(name: str) -> Embedder:
    """Return the embedder `name`, warmed up so the first query is not the slow one."""
    model = get_embedder(name)
    model.embed(["warm up"])
    return model


@st.cache_resource(show_spinner="Loading the emotion model…")
def extractor(name: str) -> EmotionExtractor:
    """Return the emotion extractor `name`."""
    return build_extractor(name, settings())


@st.cache_resource(show_spinner=False)
def _open_store(url: str) -> Store:
    # Read-only: this handle is shared by every session; ingestion writes through its own.
    config = settings()
    return Store(url, read_only=True, creds=config.storage_creds, cache_dir=config.pack_path)


def store(url: str | None = None) -> Store:
    """Return the shared library handle, refreshed to the latest committed version."""
    handle = _open_store(url or settings().library_url)
    with _REFRESH_LOCK:
        handle.refresh()
        handle.index()
    return handle


@st.cache_resource(show_spinner=False)
def feedback_store(path: str) -> FeedbackStore:
    """Return the feedback store at `path` (it opens a connection per call)."""
    return FeedbackStore(path)


def votes() -> FeedbackStore:
    """Return the feedback store beside the configured library."""
    return feedback_store(str(settings().feedback_path))


@st.cache_resource(show_spinner=False)
def correction_store(path: str) -> CorrectionStore:
    """Return the corrections store at `path` (it opens a connection per call)."""
    return CorrectionStore(path)


def corrections() -> CorrectionStore:
    """Return the listeners' corrections beside the configured library."""
    return correction_store(str(settings().corrections_path))


@st.cache_resource(show_spinner=False)
def _recommender(url: str, extractor_name: str, embedder_name: str) -> Recommender:
    config = settings()
    return build_recommender(
        config,
        _open_store(url),
        embedder=embedder(embedder_name),
        extractor=extractor(extractor_name),
        feedback=feedback_store(str(config.feedback_path)),
        corrections=correction_store(str(config.corrections_path)),
    )


def recommender() -> Recommender:
    """Return the recommender for the current library, with the extractor it was built with."""
    config = settings()
    library = store(config.library_url)
    return _recommender(
        config.library_url,
        library.extractor_name or config.extractor,
        library.embedder_name or config.embedder,
    )


def listener_view() -> ListenerView:
    """The library with listeners' corrections applied (rebuilt when either changes)."""
    engine = recommender()
    with _REFRESH_LOCK:
        return engine.view()


@st.cache_resource(show_spinner=False)
def emotion_vectors(embedder_name: str) -> np.ndarray:
    """Embed the eight emotion names once, rows in EMOTIONS order."""
    return embedder(embedder_name).embed(list(EMOTIONS))
