"""Lyric cleaning and chunking: pure functions, no I/O.

Owns: turning what lyric pages return (section tags, "123Embed" tails, "You might also like",
contributor/translation headers, CRLF, zero-width and non-breaking spaces) into clean lyrics;
dropping terminal control characters and escape sequences from outside text; spelling emoji
out as words for analysis; splitting clean lyrics into stanzas and lines; validating queries.
"""

from __future__ import annotations

import re
import unicodedata

import emoji

from moodtune.errors import InputError

MAX_QUERY_CHARS = 10_000
# About 800 lines: ten long songs. A 98,000-character track at 200 stanzas took 76 s to ingest
# on a busy 2-core machine; beyond this, the rest of a pasted album adds time, not meaning.
MAX_STANZAS = 100

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_SECTION_TAG = re.compile(r"^\s*[\[(][^\])\n]{0,60}[\])]\s*$")
_INLINE_TAG = re.compile(
    r"\[(?:chorus|verse|bridge|intro|outro|hook|refrain|pre-chorus|post-chorus|"
    r"interlude|instrumental|breakdown)[^\]\n]{0,50}\]",
    re.IGNORECASE,
)
_EMBED_TAIL = re.compile(r"(?:You might also like)?\s*\d*\s*Embed\s*$", re.IGNORECASE)
_YMAL = re.compile(r"You might also like", re.IGNORECASE)
_HEADER = re.compile(
    r"^(?:\d+\s+Contributors?.*|Translations?\b.*|.*\bLyrics\s*$|Read More\s*$|"
    r"See .* Live\s*$|Get tickets as low as .*)$",
    re.IGNORECASE,
)
_MULTI_BLANK = re.compile(r"\n{3,}")
# Terminal escape sequences (CSI such as ESC[2J and colours, OSC such as a window title, and
# two-byte ESC sequences) go whole, so no "[2J" debris is left; then every other C0/C1 control
# character except newline and tab.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, BEL/ST-terminated
    r"|\x1b[@-Z\\^_]"  # other two-byte sequences
)
_SPACE_RUN = re.compile(" {2,}")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Drop terminal escape sequences and C0/C1 control characters; keep newlines and tabs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_name(text: str) -> str:
    """Return a title, artist or album as one plain line without control characters."""
    return " ".join(strip_control(text).split())


def emoji_to_words(text: str) -> str:
    """Spell each emoji out as its name ("😭" -> "loudly crying face"); other text is unchanged.

    Emoji carry feeling, but the embedder and the extractors only read words.
    """
    if emoji.emoji_count(text) == 0:
        return text
    words = emoji.demojize(text, delimiters=(" ", " ")).replace("_", " ")
    return _SPACE_RUN.sub(" ", words)


def normalize_whitespace(text: str) -> str:
    """Unify newlines, drop control and zero-width characters, turn odd spaces into spaces."""
    text = unicodedata.normalize("NFC", text)
    text = strip_control(text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def clean_lyrics(raw: str) -> str:
    """Return lyrics without page artifacts, stanzas separated by exactly one blank line."""
    text = normalize_whitespace(emoji_to_words(raw))
    lines: list[str] = []
    for index, line in enumerate(text.split("\n")):
        # Genius glues "You might also like" onto the next line; keep what follows it.
        line = _YMAL.sub("", line).strip()
        if index < 3 and _HEADER.match(line):
            continue
        if _SECTION_TAG.match(line):
            # A section tag starts a new stanza even when the page put no blank line before it.
            lines.append("")
            continue
        line = _INLINE_TAG.sub("", line).strip()
        lines.append(line)
    text = "\n".join(lines).strip()
    text = _EMBED_TAIL.sub("", text).rstrip()
    text = _MULTI_BLANK.sub("\n\n", text)
    return text.strip()


def split_stanzas(lyrics: str, max_lines: int = 8, max_stanzas: int = MAX_STANZAS) -> list[str]:
    """Split clean lyrics on blank lines; stanzas longer than `max_lines` are cut into chunks.

    Chunking keeps each piece within the embedder's 256-token window and gives the emotion
    extractor units of similar size. Only the first `max_stanzas` are kept.
    """
    stanzas: list[str] = []
    for block in re.split(r"\n\s*\n", lyrics.strip()):
        block_lines = [ln for ln in block.split("\n") if ln.strip()]
        for start in range(0, len(block_lines), max_lines):
            chunk = block_lines[start : start + max_lines]
            if chunk:
                stanzas.append("\n".join(chunk))
            if len(stanzas) == max_stanzas:
                return stanzas
    return stanzas


def split_lines(lyrics: str, max_lines: int = MAX_STANZAS * 8) -> list[str]:
    """Return the non-empty lines of the lyrics, in order, with duplicates removed (at most
    `max_lines`, as many as MAX_STANZAS full stanzas hold)."""
    seen: set[str] = set()
    out: list[str] = []
    for line in lyrics.split("\n"):
        line = line.strip()
        if line and line.lower() not in seen:
            seen.add(line.lower())
            out.append(line)
            if len(out) == max_lines:
                break
    return out


def counted(n: int, noun: str, plural: str = "") -> str:
    """'1 track', '3 tracks', '2 queries': a count with its noun (`plural` when not noun + s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def json_kind(value: object) -> str:
    """What a parsed JSON value is, in plain words ("an object", "a list", "text", "null" ...),
    for messages that must not show Python's type names."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    kinds = ((dict, "an object"), (list, "a list"), (str, "text"), ((int, float), "a number"))
    return next((name for types, name in kinds if isinstance(value, types)), "a value")


def one_line(text: object, limit: int) -> str:
    """Collapse whitespace to single spaces; shorten to `limit` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def validate_query(query: str | None) -> str:
    """Return the query cleaned for analysis (emoji as words); blank or too long is InputError.

    The CLI and the app refuse a long text with the same sentence rather than cutting it.
    """
    if query is None or not normalize_whitespace(query).strip():
        raise InputError("Type a feeling or a sentence first: the query is empty.")
    length = len(query.strip())
    if length > MAX_QUERY_CHARS:
        raise InputError(
            f"That text is {length:,} characters long; describe the feeling in under "
            f"{MAX_QUERY_CHARS:,} characters (a sentence or a verse works best)."
        )
    return normalize_whitespace(emoji_to_words(query)).strip()
