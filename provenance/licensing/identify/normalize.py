"""Text to word tokens with their line numbers.

Only words count: punctuation, comment markers (`#`, `//`, `/* */`, ` * `, `;`, `--`), Markdown
syntax, line endings and wrapping all vanish, so they cannot change a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
# Spelling variants that change nothing legally; applied word by word.
_EQUIVALENT = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "licensor": "licensor",
    "https": "http",
    "organisation": "organization",
    "authorised": "authorized",
    "copyrighted": "copyright",
}
# Template fields in reference texts (`<year>`, `<copyright holders>`): real files fill them in, so
# they are dropped from the reference rather than counted as missing.
_PLACEHOLDER = re.compile(r"<(?![^<>\n]*(?:@|://|#))[^<>\n]{1,60}>")
# Word-like comment leaders that the word filter would otherwise keep.
_WORD_LEADER = re.compile(r"^\s*(?:rem\b|dnl\b|::)", re.IGNORECASE)


@dataclass(frozen=True)
class Tokens:
    """Words of a text, lowercased and normalised, with the 1-based line each came from."""

    words: tuple[str, ...]
    lines: tuple[int, ...]


def _fold(text: str) -> str:
    # "©" and "(c)" must read the same; both become the word "c".
    return text.replace("©", " c ").replace("\u00a0", " ").lower()


def tokenize(text: str, *, reference: bool = False) -> Tokens:
    """Split `text` into normalised words; `reference=True` also drops template fields."""
    words: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if reference:
            line = _PLACEHOLDER.sub(" ", line)
        line = _WORD_LEADER.sub(" ", line)
        for word in _WORD.findall(_fold(line)):
            words.append(_EQUIVALENT.get(word, word))
            lines.append(number)
    return Tokens(tuple(words), tuple(lines))
