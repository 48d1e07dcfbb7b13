"""Readers of the two labelled formats: XED `text<TAB>labels` files and the JSONL query set.

Every bad row is reported at once, in one InputError. Must not score anything.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from moodtune.errors import InputError
from moodtune.models import EMOTIONS

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


class _QueryRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str | int | None = None
    query: str
    emotions: list[str]

    @field_validator("query")
    @classmethod
    def _query(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty")
        return value.strip()

    @field_validator("emotions")
    @classmethod
    def _emotions(cls, value: list[str]) -> list[str]:
        names = [v.strip().lower() for v in value]
        unknown = [v for v in names if v not in EMOTIONS]
        if unknown:
            raise ValueError(f"unknown emotion {', '.join(unknown)}")
        if not names:
            raise ValueError("at least one expected emotion is needed")
        return list(dict.fromkeys(names))


def parse_queries(text: str, source: str = "the query file") -> list[LabelledQuery]:
    """Parse JSONL lines `{"id", "query", "emotions": [...]}`; the id is optional."""
    items: list[LabelledQuery] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = _QueryRow.model_validate(json.loads(line))
        except json.JSONDecodeError:
            problems.append(f"line {number}: not a JSON object")
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "row"
            problems.append(f"line {number}: {where}: {first['msg']}")
            continue
        qid = str(row.id) if row.id is not None and str(row.id) else f"line-{number}"
        items.append(LabelledQuery(qid, row.query, tuple(row.emotions)))
    if problems:
        raise _bad_rows(source, problems)
    if not items:
        raise InputError(f"{source} holds no queries.")
    return items


def read_queries(path: str | Path = DEFAULT_QUERIES) -> list[LabelledQuery]:
    """Read a labelled query file (JSONL, the format of data/eval_queries.jsonl)."""
    return parse_queries(_read_text(path, "query file"), str(path))
