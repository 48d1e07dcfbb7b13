"""MoodTune: recommend songs whose lyrics carry a feeling.

The package is the product; app.py, app_pages/, cli.py and bench/ are thin shells over it.
Nothing here runs at import time: no model loads, no env reads, no network calls.
"""

from __future__ import annotations

__version__ = "0.1.0"
