"""One normalisation for every matcher, so lexicons, blocklists and text agree."""

from __future__ import annotations

import re
import unicodedata

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PATH_SEPARATORS = re.compile(r"[/\\_\-.]+")


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) then casefold.

    NFKC and casefold keep the length of CJK and ASCII text, so offsets stay usable
    for the common case; callers never rely on offsets for anything but line numbers.
    """
    return unicodedata.normalize("NFKC", text).casefold()


def path_words(path: str) -> str:
    """Turn a file path into words a lexicon can match.

    `scans/ChestXray_001.png` becomes `scans Chest Xray 001 png`."""
    spaced = _CAMEL.sub(" ", path)
    return _PATH_SEPARATORS.sub(" ", spaced).strip()


def is_word_char(ch: str) -> bool:
    """Latin letters and digits form words; CJK characters do not need boundaries."""
    return ch.isascii() and ch.isalnum()
