"""Prose prepared for the notice matchers: comment leaders gone, offsets mapped to lines."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from provenance.licensing.identify.families import Reading

_COMMENT = re.compile(r"^[ \t]*(?:#+|//+|/\*+|\*+/?|;+|--+|>+|<!--|%+|rem\s)?[ \t]?", re.IGNORECASE)
_TRAILER = re.compile(r"(?:\*/|-->)[ \t]*$")


@dataclass(frozen=True)
class Hit:
    """One mention found at characters [start, end) of the cleaned text."""

    start: int
    end: int
    reading: Reading
    matcher: str


@dataclass(frozen=True)
class Text:
    """The input with comment leaders removed, and where each line starts (to map offsets to lines)."""

    body: str
    starts: tuple[int, ...]

    @classmethod
    def of(cls, raw: str) -> Text:
        lines = [_TRAILER.sub("", _COMMENT.sub("", line, count=1)) for line in raw.splitlines()]
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        return cls("\n".join(lines), tuple(starts))

    def blanked(self, spans: list[tuple[int, int]]) -> Text:
        """The same text with the given character spans turned into spaces (offsets unchanged)."""
        chars = list(self.body)
        for a, b in spans:
            chars[a:b] = " " * (b - a)
        return Text("".join(chars), self.starts)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)
