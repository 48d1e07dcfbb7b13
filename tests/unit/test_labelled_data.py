"""The query-file reader: JSONL lines or a JSON list, and every problem in plain words."""

from __future__ import annotations

import re

import pytest

from moodtune.errors import InputError
from moodtune.evaluate.labelled_data import (
    FEW_QUERIES,
    LabelledQuery,
    few_queries_note,
    parse_queries,
)

# What the tester saw leak from pydantic and Python into the page.
_JARGON = re.compile(r"Value error|Field required|_QueryRow|dictionary|\bdict\b|\bint\b|\bstr\b")


def _problem(text: str, source: str = "q.jsonl") -> str:
    with pytest.raises(InputError) as caught:
        parse_queries(text, source)
    message = str(caught.value)
    assert not _JARGON.search(message), message
    return message


def test_a_json_list_of_query_objects_is_read() -> None:
    text = '[{"id":"a","query":"so happy","emotions":["joy"]}]'
    assert parse_queries(text, "q_list.json") == [LabelledQuery("a", "so happy", ("joy",))]
    pretty = (
        '[\n  {"query": "so sad", "emotions": ["sadness"]},\n'
        '  {"query": "x", "emotions": "anger, fear"}\n]'
    )
    assert parse_queries(pretty) == [
        LabelledQuery("item-1", "so sad", ("sadness",)),
        LabelledQuery("item-2", "x", ("anger", "fear")),
    ]


def test_a_json_list_reports_its_items_by_number() -> None:
    message = _problem('[{"query": "x", "emotions": ["joy"]}, {"query": "y"}, 3]', "q_list.json")
    assert "item 2: the emotions field is missing" in message
    assert "item 3: expected an object" in message
    assert "not a number" in message


def test_a_broken_json_list_names_its_line_and_column() -> None:
    message = _problem('[{"query": "x", "emotions": ["joy"]}\n', "q_list.json")
    assert message.startswith("q_list.json is not valid JSON (line 2, column 1:")


def test_broken_lines_are_not_valid_json_with_a_column() -> None:
    message = _problem('{"id":"u1","query":"hi"\nnot json\n', "q_bad.jsonl")
    assert "line 1: not valid JSON (Expecting ',' delimiter at column 24)" in message
    assert "line 2: not valid JSON (Expecting value at column 1)" in message
    assert "not a JSON object" not in message


def test_an_unknown_emotion_is_named_with_the_eight() -> None:
    message = _problem('{"id":"u2","query":"x","emotions":["happiness"]}')
    assert (
        "line 1: unknown emotion happiness (the eight are joy, trust, fear, surprise, sadness, "
        "disgust, anger, anticipation)"
    ) in message


def test_missing_and_wrongly_typed_fields_are_plain_sentences() -> None:
    message = _problem(
        '{"id": "a", "query": "so happy"}\n'
        '{"emotions": ["joy"]}\n'
        '{"query": 5, "emotions": ["joy"]}\n'
        '{"query": "x", "emotions": []}\n'
        '["x"]\n'
    )
    assert "line 1: the emotions field is missing" in message
    assert "line 2: the query field is missing" in message
    assert "line 3: the query must be text, not a number" in message
    assert "line 4: the emotions list is empty" in message
    assert "line 5: expected an object" in message
    assert "not a list" in message


def test_a_file_holding_neither_lines_nor_a_list_says_so() -> None:
    message = _problem('"just text"', "q.json")
    assert message.startswith("q.json holds text, not query objects")


def test_a_repeated_id_is_an_error_naming_both_lines() -> None:
    message = _problem(
        '{"id": "a", "query": "so happy", "emotions": ["joy"]}\n'
        '{"id": "a", "query": "so sad", "emotions": ["sadness"]}\n',
        "q_dupid.jsonl",
    )
    assert "line 2: the id 'a' is already used by line 1" in message


def test_few_queries_get_a_warning() -> None:
    assert few_queries_note(FEW_QUERIES) is None
    note = few_queries_note(3)
    assert note is not None
    assert note.startswith("Only 3 queries were scored")
    assert "mean little" in note
    assert "Only 1 query was scored" in str(few_queries_note(1))
