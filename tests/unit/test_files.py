from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from moodtune.errors import ConfigError, InputError
from moodtune.sources.files import (
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_LYRICS_CHARS,
    load_tracks_file,
    parse_tracks,
    read_tracks_file,
    track_id_for,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def test_good_csv_gives_tracks_with_optional_fields() -> None:
    tracks = load_tracks_file(DATA / "files_good.csv")
    assert [t.title for t in tracks] == ["Paper Boats", "Static Hearts", "Thunder On The Lawn"]
    first = tracks[0]
    assert first.artist == "The Lanterns"
    assert first.album == "Harbour Lights"
    assert first.year == 2019
    assert first.url == "https://example.org/paper-boats"
    assert first.labels == ("joy", "anticipation")
    assert first.source == "file"
    # Multi-line quoted lyrics survive untouched.
    assert first.lyrics == "We folded every worry\ninto paper boats and let the gutter take them"
    assert tracks[1].year is None
    assert tracks[1].album == ""
    assert tracks[2].year == 2011  # "2011.0" from a spreadsheet
    assert tracks[2].labels == ("anger", "anticipation")


def test_good_json_uses_given_id_else_a_stable_one() -> None:
    tracks = load_tracks_file(str(DATA / "files_good.json"), source="upload")
    assert tracks[0].track_id == "custom-001"
    assert tracks[1].track_id == track_id_for("Nora Vale", "1999")
    assert tracks[1].title == "1999"
    assert tracks[1].labels == ("joy", "surprise")
    assert {t.source for t in tracks} == {"upload"}


def test_jsonl_rows_are_lines() -> None:
    tracks = load_tracks_file(DATA / "files_demo.jsonl")
    assert [t.track_id for t in tracks] == ["d1", "d2", "d3"]


def test_generated_id_ignores_case_spacing_and_format() -> None:
    csv_tracks = parse_tracks(b"title,artist,lyrics\nPaper  Boats,the lanterns,x\n", "a.csv")
    json_tracks = parse_tracks(
        json.dumps([{"title": "paper boats", "artist": "The Lanterns", "lyrics": "y"}]).encode(),
        "b.json",
    )
    assert csv_tracks[0].track_id == json_tracks[0].track_id
    assert csv_tracks[0].track_id.startswith("file-")
    assert len(csv_tracks[0].track_id) == len("file-") + 12
    assert csv_tracks[0].title == "Paper Boats"  # inner spaces collapsed in names


def test_bad_rows_are_all_reported_with_row_numbers() -> None:
    with pytest.raises(InputError) as info:
        load_tracks_file(DATA / "files_bad.csv")
    message = str(info.value)
    assert "Row 2: lyrics is empty" in message
    assert "Row 3: artist is empty" in message
    assert "Row 4: year 'abc' is not a whole year (write it like 1998)" in message
    assert "Row 5: emotion 'happiness' is not one of" in message
    assert "Row 7: lyrics is missing" in message
    assert "Row 1:" not in message
    assert "Row 6:" not in message
    assert "5 problems" in message


def test_json_rows_that_are_not_objects_are_reported() -> None:
    data = json.dumps(
        [{"title": "A", "artist": "B", "lyrics": "C"}, "oops", {"title": "D", "artist": "E"}]
    ).encode()
    with pytest.raises(InputError, match=r"Row 2: expected an object.*Row 3: lyrics is missing"):
        parse_tracks(data, "t.json")


def test_jsonl_bad_line_is_reported_by_line_number() -> None:
    data = b'{"title": "A", "artist": "B", "lyrics": "C"}\n\n{"title": "D",\n'
    with pytest.raises(InputError, match=r"Row 3: not valid JSON"):
        parse_tracks(data, "t.jsonl")


def test_many_bad_rows_are_capped_in_the_message() -> None:
    rows = "".join(f"T{i},A{i},\n" for i in range(30))
    with pytest.raises(InputError) as info:
        parse_tracks(("title,artist,lyrics\n" + rows).encode(), "big.csv")
    message = str(info.value)
    assert "30 problems" in message
    assert "and 10 more" in message
    assert "Row 21:" not in message


def test_duplicate_ids_later_row_wins_in_first_place() -> None:
    data = json.dumps(
        [
            {"id": "x", "title": "Old", "artist": "A", "lyrics": "old words"},
            {"id": "y", "title": "Other", "artist": "B", "lyrics": "other"},
            {"id": "x", "title": "New", "artist": "A", "lyrics": "new words"},
        ]
    ).encode()
    tracks = parse_tracks(data, "dupes.json")
    assert [(t.track_id, t.title) for t in tracks] == [("x", "New"), ("y", "Other")]


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "e.csv", "is empty"),
        (b"  \n\n", "e.json", "is empty"),
        ("title,artist,lyrics\nCaf\u00e9,A,B\n".encode("latin-1"), "l.csv", "not UTF-8"),
        (b"title,artist\nA,B\n", "m.csv", "missing the column(s) lyrics"),
        (b"[{]", "j.json", "not valid JSON"),
        (b'{"title": "A"}', "o.json", "JSON list of track objects"),
        (b"[]", "none.json", "no tracks"),
        (b"title,artist,lyrics\n", "header.csv", "no tracks"),
        (b"title,artist,lyrics\nA,B,C\n", "tracks.xlsx", "unsupported file type"),
        (b"\x00\x01title", "bin.csv", "binary"),
    ],
)
def test_unusable_files_give_a_clear_input_error(data: bytes, filename: str, expected: str) -> None:
    with pytest.raises(InputError, match=re.escape(expected)) as info:
        parse_tracks(data, filename)
    assert filename in str(info.value)
    assert isinstance(info.value, ConfigError)  # exit code 2 in the CLI


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_tracks_file(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="folder"):
        load_tracks_file(tmp_path)


def test_bom_semicolons_and_header_case() -> None:
    data = "\ufeffTitle;Artist;Lyrics;Emotions\nA;B;line one, still one;Fear\n".encode()
    (track,) = parse_tracks(data, "excel.csv")
    assert (track.title, track.artist, track.lyrics) == ("A", "B", "line one, still one")
    assert track.labels == ("fear",)


def test_tsv_and_extra_columns_ignored() -> None:
    data = b"title\tartist\tlyrics\tbpm\nA\tB\tC\t120\n"
    (track,) = parse_tracks(data, "t.tsv")
    assert track.lyrics == "C"


def test_year_out_of_range_and_wrong_types() -> None:
    data = json.dumps(
        [
            {"title": "A", "artist": "B", "lyrics": "C", "year": 3},
            {"title": ["x"], "artist": "B", "lyrics": "C"},
            {"title": "A", "artist": "B", "lyrics": "C", "emotions": 5},
        ]
    ).encode()
    with pytest.raises(InputError) as info:
        parse_tracks(data, "t.json")
    message = str(info.value)
    assert "Row 1: year 3 is not between 1000 and 2100" in message
    assert "Row 2: title must be text" in message
    assert "Row 3: emotions must be a list" in message


def test_lyrics_are_kept_raw() -> None:
    raw = "[Verse 1]\n  Rain on the window  \n\n[Chorus]\nhome\n"
    (track,) = parse_tracks(
        json.dumps([{"title": "A", "artist": "B", "lyrics": raw}]).encode(), "t.json"
    )
    assert track.lyrics == raw


def _huge_cell_file(suffix: str, lyrics: str) -> bytes:
    rows = [
        {"title": "Fine", "artist": "A", "lyrics": "la la"},
        {"title": "Huge", "artist": "B", "lyrics": lyrics},
    ]
    if suffix == ".json":
        return json.dumps(rows).encode()
    if suffix == ".jsonl":
        return "\n".join(json.dumps(r) for r in rows).encode()
    body = "".join(f'{r["title"]},{r["artist"]},"{r["lyrics"]}"\n' for r in rows)
    return ("title,artist,lyrics\n" + body).encode()


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl"])
def test_every_format_refuses_an_oversized_cell_by_row(suffix: str) -> None:
    data = _huge_cell_file(suffix, "tears " * (MAX_LYRICS_CHARS // 6 + 1))
    with pytest.raises(InputError) as info:
        parse_tracks(data, f"songs{suffix}")
    length = f"{len('tears ' * (MAX_LYRICS_CHARS // 6 + 1)):,}"
    assert f"Row 2: lyrics is {length} characters long; the limit is 100,000" in str(info.value)
    assert "Row 1" not in str(info.value)
    # A long title is held to the other fields' limit, in every format alike.
    row = {"title": "t" * (MAX_FIELD_CHARS + 1), "artist": "A", "lyrics": "la"}
    with pytest.raises(InputError, match="Row 1: title is 1,001 characters long"):
        parse_tracks(json.dumps(row).encode(), "one.jsonl")


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl"])
def test_every_format_refuses_a_file_over_the_size_limit(suffix: str, tmp_path: Path) -> None:
    data = _huge_cell_file(suffix, "x" * (MAX_FILE_BYTES + 10))
    with pytest.raises(InputError, match=r"is 20\.0 MB; the limit is 20 MB per file"):
        parse_tracks(data, f"songs{suffix}")
    path = tmp_path / f"songs{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"the limit is 20 MB per file"):
        load_tracks_file(path)


def test_repeated_rows_are_merged_and_said() -> None:
    data = (
        b"title,artist,lyrics\n"
        b"Same Song,Dup Artist,first words\n"
        b"Same Song,Dup Artist,second words\n"
        b"Other,Band,other words\n"
        b"same song,DUP artist,last words\n"
    )
    read = read_tracks_file(data, "dups.csv")
    assert [t.title for t in read.tracks] == ["same song", "Other"]
    assert read.tracks[0].lyrics == "last words"
    assert (read.rows, read.repeats) == (4, 2)
    assert read.summary("dups.csv") == (
        "2 tracks read from dups.csv; every row is valid. 2 rows of 4 repeated a track named "
        "earlier in the file (same id, or same artist and title ignoring case); the last row "
        "of each track is kept."
    )


def test_a_file_without_repeats_says_only_what_was_read() -> None:
    read = read_tracks_file(b"title,artist,lyrics\nOne,Band,words\n", "one.csv")
    assert read.summary("one.csv") == "1 track read from one.csv; every row is valid."


def test_json_shapes_are_named_in_json_words() -> None:
    with pytest.raises(InputError, match="not an object"):
        parse_tracks(b'{"title": "x"}', "one.json")
    with pytest.raises(InputError, match="got a number"):
        parse_tracks(b'[{"title": "a", "artist": "b", "lyrics": "c"}, 3]', "two.json")
    with pytest.raises(InputError, match=r"year '1850\.5' is not a whole year"):
        parse_tracks(b"title,artist,lyrics,year\nA,B,words,1850.5\n", "y.csv")


def test_an_unclosed_quote_is_named_not_reported_as_missing_cells() -> None:
    data = b'title,artist,lyrics\n"Open quote,Artist,words\nSecond,Art,more words\n'
    with pytest.raises(InputError) as caught:
        parse_tracks(data, "quoted.csv")
    message = str(caught.value)
    assert 'Row 1: a quote (") opened in this row is never closed' in message
    assert "is missing" not in message
