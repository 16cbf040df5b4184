"""One normalisation for every matcher, so lexicons, blocklists and text agree."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PATH_SEPARATORS = re.compile(r"[/\\_\-.]+")


# The three text detectors look at the same item one after another; a tiny cache means its
# NFKC form (the costliest step on Chinese text) is computed once, not three times.
_CACHE = 2  # texts can be large; the detectors only need the current item


@lru_cache(maxsize=_CACHE)
def nfkc(text: str) -> str:
    """NFKC: full-width letters, digits and punctuation become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=_CACHE)
def normalize(text: str) -> str:
    """NFKC then casefold: the form every lexicon and blocklist is matched against.

    Both keep the length of CJK and ASCII text, so offsets stay usable in the common case.
    """
    return nfkc(text).casefold()


def path_words(path: str) -> str:
    """Turn a file path into words a lexicon can match.

    `scans/ChestXray_001.png` becomes `scans Chest Xray 001 png`."""
    spaced = _CAMEL.sub(" ", path)
    return _PATH_SEPARATORS.sub(" ", spaced).strip()


def is_word_char(ch: str) -> bool:
    """Latin letters and digits form words; CJK characters do not need boundaries."""
    return ch.isascii() and ch.isalnum()
