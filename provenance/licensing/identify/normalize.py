"""Text to word tokens with their line numbers.

Only words count: punctuation, comment markers (`#`, `//`, `/* */`, ` * `, `;`, `--`), Markdown
syntax, line endings and wrapping all vanish, so they cannot change a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
# Spelling variants that change nothing legally; applied word by word.
EQUIVALENT = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "https": "http",
    "organisation": "organization",
    "authorised": "authorized",
    "copyrighted": "copyright",
}
# Template fields in reference texts (`<year>`, `<copyright holders>`): real files fill them in, so
# they are dropped from the reference rather than counted as missing.
_PLACEHOLDER = re.compile(r"<(?![^<>\n]*(?:@|://|#))[^<>\n]{1,60}>")
# HTML markup in LICENSE.html files and README bodies: tags and entities are not words of the text.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,300})?/?>|&(?:[a-zA-Z]{2,8}|#\d{1,5});")
# Word-like comment leaders that the word filter would otherwise keep.
_WORD_LEADER = re.compile(r"^[ \t]*(?:rem\b|dnl\b|::)", re.IGNORECASE | re.MULTILINE)


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
    if reference:
        text = _PLACEHOLDER.sub(" ", text)
    elif "<" in text or "&" in text:
        text = _TAG.sub(" ", text)
    text = _WORD_LEADER.sub(" ", _fold(text))
    words: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _WORD.findall(line)
        if found:
            words.extend(found)
            lines.extend([number] * len(found))
    if reference:  # queries get the same effect from vocabulary aliases (see index.word_ids)
        words = [EQUIVALENT.get(w, w) for w in words]
    return Tokens(tuple(words), tuple(lines))
