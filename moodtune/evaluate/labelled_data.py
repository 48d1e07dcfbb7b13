"""Readers of the two labelled formats: XED `text<TAB>labels` files and the query set (JSONL
lines or a JSON list of query objects).

Every bad row is reported at once, in one InputError, in plain words (no Python or pydantic
type names). Must not score anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError

from moodtune.errors import InputError
from moodtune.models import EMOTIONS
from moodtune.text import json_kind

DEFAULT_QUERIES: Path = Path(__file__).resolve().parents[2] / "data" / "eval_queries.jsonl"


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    id: str
    query: str
    emotions: tuple[str, ...]  # expected emotions; the first one decides relevance

    @property
    def target(self) -> str:
        return self.emotions[0]


def _read_text(path: str | Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the {what} {path}: {exc}.") from exc


def _bad_rows(source: str, problems: Sequence[str]) -> InputError:
    shown = "; ".join(problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return InputError(f"{source} has rows that cannot be used: {shown}{more}.")


def parse_xed(text: str, source: str = "the XED file") -> list[LabelledText]:
    """Parse `text<TAB>labels` lines (labels comma-separated); a `text\\tlabels` header is skipped.

    There is no quoting: a line's last tab separates the text from its labels.
    """
    items: list[LabelledText] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or (number == 1 and line.strip().lower() == "text\tlabels"):
            continue
        body, tab, labels = line.rpartition("\t")
        names = tuple(dict.fromkeys(x.strip().lower() for x in labels.split(",") if x.strip()))
        unknown = [x for x in names if x not in EMOTIONS]
        if not tab or not body.strip():
            problems.append(f"line {number}: expected text, a tab, then labels")
        elif unknown:
            problems.append(f"line {number}: unknown emotion {', '.join(unknown)}")
        else:
            items.append(LabelledText(body, names))
    if problems:
        raise _bad_rows(source, problems)
    if not items:
        raise InputError(f"{source} holds no labelled lines.")
    return items


def read_xed(path: str | Path) -> list[LabelledText]:
    """Read an XED-format file (`text<TAB>labels`, the format of ../shared/eval)."""
    return parse_xed(_read_text(path, "labelled text file"), str(path))


FEW_QUERIES = 20  # below this, a bootstrap over queries gives intervals that mean little


class _QueryRow(BaseModel):
    """One query object. Problems are PydanticCustomErrors of type "plain" (already in plain
    words) or pydantic's own error types, which _PYDANTIC_WORDS words plainly."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    # Fields in the order their problems are reported: only a row's first problem is shown.
    query: str = Field(min_length=1)
    emotions: list[str]  # expected emotions, the main one first
    id: str = ""

    @model_validator(mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        """Keys in any case and spacing; a null field counts as a missing one."""
        if not isinstance(value, dict):
            return value  # pydantic's "model_type"
        row = {str(k).strip().lower(): v for k, v in value.items()}
        return {k: v for k, v in row.items() if v is not None}

    @field_validator("emotions", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        # "sadness, trust", as the Ingest page's files write them.
        return value.split(",") if isinstance(value, str) else value

    @field_validator("emotions")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        names = list(dict.fromkeys(v.strip().lower() for v in value if v.strip()))
        unknown = [n for n in names if n not in EMOTIONS]
        if unknown:
            # Unquoted, as parse_xed and `moodtune eval recommend` have always named them. The
            # names go last in the context: pydantic fills the template in the context's order.
            raise PydanticCustomError(
                "plain",
                "unknown {word} {names} (the eight are {eight})",
                {
                    "word": "emotion" if len(unknown) == 1 else "emotions",
                    "eight": ", ".join(EMOTIONS),
                    "names": ", ".join(unknown),
                },
            )
        if not names:
            raise PydanticCustomError(
                "plain", "the emotions list is empty: at least one expected emotion is needed"
            )
        return names

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise PydanticCustomError(
                "plain",
                "the id must be text or a whole number, not {kind}",
                {"kind": json_kind(value)},
            )
        return str(value)


# Pydantic's own error types, by field ("row" for the whole object), in plain words; {kind}
# names the value that was given.
_PYDANTIC_WORDS: dict[tuple[str, str], str] = {
    ("row", "model_type"): 'expected an object like {"query": ..., "emotions": [...]}, not {kind}',
    ("query", "missing"): "the query field is missing",
    ("query", "string_type"): "the query must be text, not {kind}",
    ("query", "string_too_short"): "the query is empty",
    ("emotions", "missing"): 'the emotions field is missing (a list such as ["joy", "trust"])',
    ("emotions", "list_type"): 'emotions must be a list of names such as ["joy"], not {kind}',
    ("emotions", "string_type"): 'emotions must be names such as "joy", not {kind}',
}


def _plain(error: ErrorDetails) -> str:
    """One validation error in plain words, never pydantic's own text."""
    if error["type"] == "plain":
        return error["msg"]
    field = str(error["loc"][0]) if error["loc"] else "row"
    template = _PYDANTIC_WORDS.get((field, error["type"]), "the {field} cannot be used ({kind})")
    return template.replace("{field}", field).replace("{kind}", json_kind(error["input"]))


def _query_row(item: object, where: str) -> LabelledQuery | str:
    """One query object as a LabelledQuery, or its first problem in plain words."""
    try:
        row = _QueryRow.model_validate(item)
    except ValidationError as exc:
        return _plain(exc.errors(include_url=False)[0])
    return LabelledQuery(row.id or where.replace(" ", "-"), row.query, tuple(row.emotions))


@dataclass(frozen=True, slots=True)
class _BadJson:
    """A JSONL line that is not JSON at all, with what the decoder said."""

    problem: str


def _query_items(text: str, source: str) -> list[tuple[str, object]]:
    """(where, decoded value or problem) for each query: a JSON array's items or JSONL lines.

    A whole-file parse tells a JSON array (or one object) from JSONL; a file that only fails
    with "Extra data" is JSONL and is read line by line, so each bad line gets its own note.
    """
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("[") and exc.msg != "Extra data":
            raise InputError(
                f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            ) from exc
    else:
        if isinstance(payload, list):
            return [(f"item {n}", item) for n, item in enumerate(payload, 1)]
        if isinstance(payload, dict):  # one object, on one line or spread over several
            first = next(n for n, line in enumerate(text.splitlines(), 1) if line.strip())
            return [(f"line {first}", payload)]
        raise InputError(
            f"{source} holds {json_kind(payload)}, not query objects: write one JSON object per "
            'line ({"id", "query", "emotions": [...]}) or a JSON list of them.'
        )
    items: list[tuple[str, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as exc:
            problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
            items.append((f"line {number}", _BadJson(problem)))
    return items


def parse_queries(text: str, source: str = "the query file") -> list[LabelledQuery]:
    """Parse query objects `{"id", "query", "emotions": [...]}`: JSONL lines or a JSON list.

    The id is optional (the line or item number stands in). Two queries with the same id are
    an error rather than one silently dropped: the per-query results are keyed by id.
    """
    items: list[LabelledQuery] = []
    problems: list[str] = []
    first_seen: dict[str, str] = {}
    for where, value in _query_items(text, source):
        row = value.problem if isinstance(value, _BadJson) else _query_row(value, where)
        if isinstance(row, str):
            problems.append(f"{where}: {row}")
        elif row.id in first_seen:
            problems.append(
                f"{where}: the id '{row.id}' is already used by {first_seen[row.id]} "
                "(each query needs its own id)"
            )
        else:
            first_seen[row.id] = where
            items.append(row)
    if problems:
        raise _bad_rows(source, problems)
    if not items:
        raise InputError(f"{source} holds no queries.")
    return items


def few_queries_note(n_queries: int) -> str | None:
    """A warning for results scored on fewer than FEW_QUERIES queries, else None."""
    if n_queries >= FEW_QUERIES:
        return None
    return (
        f"Only {n_queries} {'query was' if n_queries == 1 else 'queries were'} scored: intervals "
        'from so few queries mean little, so a "clearly lower" or "clearly higher" on them is '
        f"weak evidence. Use at least {FEW_QUERIES} queries, spread over the emotions, to compare "
        "approaches."
    )


def read_queries(path: str | Path = DEFAULT_QUERIES) -> list[LabelledQuery]:
    """Read a labelled query file (JSONL as data/eval_queries.jsonl, or a JSON list)."""
    return parse_queries(_read_text(path, "query file"), str(path))
