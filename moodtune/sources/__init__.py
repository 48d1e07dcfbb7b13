"""Where tracks and lyrics come from: Spotify playlists, user files, the demo catalogue, LRCLIB
and Genius.

Owns: one module per source, each wrapping its foreign client and exceptions at the boundary.
Must not clean lyrics, embed, extract emotions or store anything. Nothing is imported here so
that `import moodtune.sources.files` does not pull in spotipy or lyricsgenius.
"""
