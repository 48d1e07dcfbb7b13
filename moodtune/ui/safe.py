"""Showing outside text (titles, artists, lyrics, file names) without letting it act.

Owns: escaping text for Streamlit's markdown-rendering elements (st.markdown, st.caption,
labels of expanders, status boxes and progress bars), and turning a stored track URL into a link
only when it is a plain https://open.spotify.com/ page. Must not render anything itself: pages
use st.text, dataframes, or these helpers with the markdown elements.
"""

from __future__ import annotations

import re
import string
from urllib.parse import urlsplit

from moodtune.text import one_line

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it also defuses
# Streamlit's extras (:color[...], :material/icon:, $latex$) and GFM autolinks (www., https:).
_PUNCTUATION = frozenset(string.punctuation)
_SPOTIFY_PATH = re.compile(
    r"^/(?:intl-[a-z]{2}(?:-[A-Za-z]{2})?/)?(track|album|playlist|artist)/([0-9A-Za-z]{22})/?$"
)
SPOTIFY_HOST = "open.spotify.com"
DEFAULT_LIMIT = 200


def md_escape(text: object, limit: int = DEFAULT_LIMIT) -> str:
    """Return `text` as one markdown-inert line, shortened to `limit` characters."""
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in one_line(text, limit))


def spotify_url(url: object) -> str | None:
    """Return a canonical https://open.spotify.com/<kind>/<id> link, or None if `url` is not one."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.hostname != SPOTIFY_HOST or parts.netloc != SPOTIFY_HOST:
        return None
    if port is not None or parts.username or parts.password:
        return None
    match = _SPOTIFY_PATH.match(parts.path)
    if match is None:
        return None
    return f"https://{SPOTIFY_HOST}/{match.group(1)}/{match.group(2)}"
