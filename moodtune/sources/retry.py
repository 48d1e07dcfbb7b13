"""The retry policy shared by the HTTP lyrics providers: what is transient, how long to wait.

A provider raises TransientError for 429, 5xx, timeouts and connection failures;
`transient_retrying` retries those, honouring a server's Retry-After (capped) and otherwise
backing off. `parse_retry_after` reads that header for every HTTP client (the LLM's too).
Must not do any I/O of its own.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base

MAX_RETRY_AFTER_S = 30.0


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP date (RFC 9110).

    None when the header is absent or unreadable; never negative.
    """
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class TransientError(Exception):
    """A failure worth retrying; `retry_after` is the server's requested wait, if any."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def transient_retrying(
    attempts: int,
    backoff: wait_base,
    sleep: Callable[[float], None],
    max_retry_after_s: float = MAX_RETRY_AFTER_S,
) -> Retrying:
    """Retry TransientError up to `attempts` tries, then re-raise the last one."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, max_retry_after_s)
        return float(backoff(state))

    return Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait,
        sleep=sleep,
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    )
