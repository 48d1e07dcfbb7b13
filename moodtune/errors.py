"""One exception tree; `str(exc)` is one sentence for the user, `exit_code` is for the CLI.

    MoodTuneError            exit 1   base; NotFoundError, ExtractionError, StoreError stay at 1
    ├── NotFoundError        exit 1   a track, lyrics or library that does not exist
    ├── ExtractionError      exit 1   an emotion extractor could not give a valid answer
    ├── StoreError           exit 1   the Deep Lake library or feedback store failed
    ├── ConfigError          exit 2   bad/missing settings or bad user input
    │   ├── UnknownNameError exit 2   a registry name that does not exist
    │   └── InputError       exit 2   a query, k, file or link that cannot be used
    └── SourceError          exit 3   remote API down, rate-limited, or unexpected payload

Foreign exceptions are wrapped once, at the boundary that met them (`raise X(...) from exc`).
Only the shells (cli.py, pages) catch MoodTuneError.
"""

from __future__ import annotations


class MoodTuneError(Exception):
    exit_code: int = 1


class NotFoundError(MoodTuneError):
    pass


class ExtractionError(MoodTuneError):
    pass


class StoreError(MoodTuneError):
    pass


class ConfigError(MoodTuneError):
    exit_code = 2


class UnknownNameError(ConfigError):
    pass


class InputError(ConfigError):
    pass


class SourceError(MoodTuneError):
    exit_code = 3
