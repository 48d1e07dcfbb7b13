"""Which language a text is in: English goes down the English-trained path, the rest multilingual.

Owns: `detect` and `is_english`, on py3langid's model (shipped inside its wheel, loaded once per
process, numpy only, deterministic). The model is restricted to LANGUAGES: English, the four
languages MoodTune is evaluated in, and their close neighbours, so a short English sentence is not
taken for a language nobody types here. Must not download anything.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

ENGLISH = "en"
# English, the evaluated languages (es, de, fr, pt) and languages often confused with them.
LANGUAGES = ("en", "es", "de", "fr", "pt", "it", "nl", "ca", "gl", "ro", "sv", "da", "no", "pl")
# A text is read as English unless the other languages together are this sure: short lines are
# ambiguous, and the English path is the one tuned for MoodTune's English library and queries.
MIN_OTHER_PROB = 0.9
MIN_CHARS = 12  # shorter texts (a word or two) stay on the English path unless clearly marked

_lock = threading.Lock()


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    full.set_languages(list(LANGUAGES))
    # Rebuilt from the restricted tables, so the 97-language table is not kept in memory.
    return LanguageIdentifier(
        full.nb_ptc,
        full.nb_pc,
        full.nb_classes,
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )


def detect(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code, probability) of the most likely language among LANGUAGES."""
    if not text.strip():
        return ENGLISH, 1.0
    with _lock:
        lang, prob = _identifier().classify(text)
    return str(lang), float(prob)


def english_prob(text: str) -> float:
    """Probability that the text is English, among LANGUAGES."""
    if not text.strip():
        return 1.0
    with _lock:
        ranked = _identifier().rank(text)
    return float(dict(ranked).get(ENGLISH, 0.0))


def is_english(text: str) -> bool:
    """True unless the other languages together are sure enough (see MIN_OTHER_PROB)."""
    stripped = text.strip()
    if len(stripped) < MIN_CHARS and stripped.isascii():
        return True
    return 1.0 - english_prob(stripped) < MIN_OTHER_PROB
