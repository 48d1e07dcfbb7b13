from __future__ import annotations

import pytest

from moodtune.errors import InputError
from moodtune.text import MAX_QUERY_CHARS, clean_lyrics, split_lines, split_stanzas, validate_query

GENIUS_PAGE = (
    "12 ContributorsTranslationsEspañolRain Street Lyrics\r\n"
    "[Verse 1: Mara Quinn]\r\n"
    "Rain\u00a0on the window\u200b\r\n"
    "Bus lights in the fog\r\n"
    "[Chorus]\r\n"
    "Hold on, hold on\r\n"
    "You might also likeHold on, hold on\r\n"
    "\r\n\r\n\r\n"
    "[Verse 2]\r\n"
    "Streets of silver\r\n"
    "Hold on, hold on123Embed"
)


def test_clean_lyrics_removes_genius_artifacts() -> None:
    text = clean_lyrics(GENIUS_PAGE)
    assert "Contributors" not in text
    assert "Translations" not in text
    assert "[" not in text
    assert "Embed" not in text
    assert "You might also like" not in text
    assert "\r" not in text
    assert "\u200b" not in text
    assert "\u00a0" not in text
    assert text.startswith("Rain on the window")
    assert text.endswith("Hold on, hold on")
    assert "\n\n\n" not in text


def test_section_tags_start_new_stanzas() -> None:
    stanzas = split_stanzas(clean_lyrics(GENIUS_PAGE))
    assert stanzas[0] == "Rain on the window\nBus lights in the fog"
    assert stanzas[1].startswith("Hold on, hold on")
    assert stanzas[-1] == "Streets of silver\nHold on, hold on"


def test_clean_keeps_plain_lyrics_unchanged() -> None:
    plain = "Line one\nLine two\n\nLine three\nLine four"
    assert clean_lyrics(plain) == plain


def test_embed_tail_with_digits_is_removed_but_numbers_in_lines_stay() -> None:
    cleaned = clean_lyrics("Route 66 at night\nNine to five45Embed")
    assert cleaned == "Route 66 at night\nNine to five"


def test_long_stanza_is_chunked() -> None:
    block = "\n".join(f"line {i}" for i in range(20))
    stanzas = split_stanzas(block, max_lines=8)
    assert [len(s.split("\n")) for s in stanzas] == [8, 8, 4]


def test_split_lines_dedupes_case_insensitively() -> None:
    assert split_lines("Hold on\nhold on\n\nLet go") == ["Hold on", "Let go"]


@pytest.mark.parametrize("bad", ["", "   ", "\u200b\n\t", None])
def test_blank_query_is_input_error(bad: str | None) -> None:
    with pytest.raises(InputError, match="empty"):
        validate_query(bad)


def test_long_and_unicode_queries_are_kept() -> None:
    assert len(validate_query("a" * 20_000)) == MAX_QUERY_CHARS
    assert validate_query("  tristesse 🥀 ") == "tristesse 🥀"
