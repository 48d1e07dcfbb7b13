"""Lyric cleaning and chunking: pure functions, no I/O.

Owns: turning what lyric pages return (section tags, "123Embed" tails, "You might also like",
contributor/translation headers, CRLF, zero-width and non-breaking spaces) into clean lyrics;
splitting clean lyrics into stanzas and lines; validating user queries.
"""

from __future__ import annotations

import re
import unicodedata

from moodtune.errors import InputError

MAX_QUERY_CHARS = 10_000

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


def normalize_whitespace(text: str) -> str:
    """Unify newlines, drop zero-width characters and turn odd spaces into plain spaces."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def clean_lyrics(raw: str) -> str:
    """Return lyrics without page artifacts, stanzas separated by exactly one blank line."""
    text = normalize_whitespace(raw)
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


def split_stanzas(lyrics: str, max_lines: int = 8) -> list[str]:
    """Split clean lyrics on blank lines; stanzas longer than `max_lines` are cut into chunks.

    Chunking keeps each piece within the embedder's 256-token window and gives the emotion
    extractor units of similar size.
    """
    stanzas: list[str] = []
    for block in re.split(r"\n\s*\n", lyrics.strip()):
        block_lines = [ln for ln in block.split("\n") if ln.strip()]
        for start in range(0, len(block_lines), max_lines):
            chunk = block_lines[start : start + max_lines]
            if chunk:
                stanzas.append("\n".join(chunk))
    return stanzas


def split_lines(lyrics: str) -> list[str]:
    """Return the non-empty lines of the lyrics, in order, with duplicates removed."""
    seen: set[str] = set()
    out: list[str] = []
    for line in lyrics.split("\n"):
        line = line.strip()
        if line and line.lower() not in seen:
            seen.add(line.lower())
            out.append(line)
    return out


def one_line(text: object, limit: int) -> str:
    """Collapse whitespace to single spaces; shorten to `limit` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def validate_query(query: str | None) -> str:
    """Return the query stripped and capped at MAX_QUERY_CHARS; blank input is an InputError."""
    if query is None or not normalize_whitespace(query).strip():
        raise InputError("Type a feeling or a sentence first: the query is empty.")
    return normalize_whitespace(query).strip()[:MAX_QUERY_CHARS]
