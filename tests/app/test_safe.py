"""Outside text shown through markdown stays inert; only real Spotify pages become links."""

from __future__ import annotations

import string

import pytest

from moodtune.ui.safe import md_escape, spotify_url

TRACK = "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"


def test_md_escape_backslashes_every_ascii_punctuation() -> None:
    text = "[x](javascript:alert(1)) <b>**hi**</b> :red[a] $x$ www.evil.example #1"
    escaped = md_escape(text)
    # Outside backslash pairs, no punctuation is left for markdown to act on.
    rest = escaped.replace("\\\\", "")
    for i, ch in enumerate(rest):
        if ch in string.punctuation and ch != "\\":
            assert rest[i - 1] == "\\", (ch, rest[max(0, i - 5) : i + 5])
    assert escaped.replace("\\", "") == text


def test_md_escape_keeps_one_line_and_a_limit() -> None:
    assert md_escape("a\n\n# b\tc") == "a \\# b c"
    assert md_escape("x" * 50, 10) == "x" * 9 + "…"
    assert md_escape("Ça va — très bien") == "Ça va — très bien"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (TRACK, TRACK),
        (TRACK + "?si=abc#x", TRACK),
        ("https://open.spotify.com/intl-de/album/4uLU6hMCjMI75M1A2tKUQC/",
         "https://open.spotify.com/album/4uLU6hMCjMI75M1A2tKUQC"),
        ("http://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", None),
        ("https://open.spotify.com.evil.example/track/4uLU6hMCjMI75M1A2tKUQC", None),
        ("https://evil.example/?https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", None),
        ("https://user@open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC", None),
        ("https://open.spotify.com:8443/track/4uLU6hMCjMI75M1A2tKUQC", None),
        ("https://open.spotify.com/track/short", None),
        ("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC/../../x", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)  # fmt: skip
def test_spotify_url_accepts_only_open_spotify_pages(url: object, expected: str | None) -> None:
    assert spotify_url(url) == expected
