from __future__ import annotations

import pytest

from moodtune.errors import InputError
from moodtune.text import (
    MAX_QUERY_CHARS,
    MAX_STANZAS,
    clean_lyrics,
    clean_name,
    emoji_to_words,
    split_lines,
    split_stanzas,
    strip_control,
    validate_query,
)

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


def test_unicode_queries_are_kept_and_emoji_spelled_out() -> None:
    assert validate_query("  tristesse 🥀 ") == "tristesse wilted flower"
    assert validate_query("façade naïve") == "façade naïve"


def test_a_query_over_the_limit_is_refused_not_cut() -> None:
    assert len(validate_query("a" * MAX_QUERY_CHARS)) == MAX_QUERY_CHARS
    with pytest.raises(InputError, match="20,000 characters long; describe the feeling in under"):
        validate_query("a" * 20_000)


def test_emoji_become_their_names_for_analysis() -> None:
    assert validate_query("😭💔😢") == "loudly crying face broken heart crying face"
    assert (
        clean_lyrics("I saw you 😍\nand I 💔")
        == "I saw you smiling face with heart-eyes\nand I broken heart"
    )
    # Text without emoji is untouched, so stored English lyrics analyse exactly as before.
    plain = "Rain on the window\n\nI miss you"
    assert emoji_to_words(plain) == plain
    assert clean_lyrics(plain) == plain


def test_terminal_control_sequences_are_stripped_keeping_newlines_and_tabs() -> None:
    raw = "a\x1b[2Jb\x1b[31mred\x1b[0m\x1b]0;pwned\x07 t\tx\ny\x9b31mz\x00\x07\x85"
    assert strip_control(raw) == "abred t\tx\nyz"
    assert clean_lyrics("Line one\x1b[2J\nLine\x1b]2;title\x07 two") == "Line one\nLine two"
    assert clean_name("Sad\x1b[31m Song\x1b[0m\n") == "Sad Song"


def test_stanzas_and_lines_per_track_are_capped() -> None:
    huge = "\n\n".join(f"verse {i} line a\nverse {i} line b" for i in range(10_000))
    stanzas = split_stanzas(huge)
    assert len(stanzas) == MAX_STANZAS
    assert stanzas[0] == "verse 0 line a\nverse 0 line b"
    assert len(split_lines(huge)) == MAX_STANZAS * 8
