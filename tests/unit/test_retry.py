"""The one Retry-After reader every HTTP client uses (LRCLIB, Genius, Spotify, the LLM)."""

from __future__ import annotations

import email.utils
import time

from moodtune.sources.retry import parse_retry_after


def test_seconds_dates_and_garbage() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("-3") == 0.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 < (parse_retry_after(later) or 0) <= 30
    earlier = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert parse_retry_after(earlier) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None
    assert parse_retry_after(None) is None
