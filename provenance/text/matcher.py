"""Multi-pattern term matching (Aho-Corasick) with word boundaries for Latin terms.

Terms are normalised like the text. A term ending in `*` is a stem: it matches any word that
starts with it (`diagnos*` matches "diagnosis", "diagnosed"). CJK terms match anywhere, Latin
terms only at word boundaries, so "bank" does not fire inside "embankment".
The automaton is built on first use in each process and is not pickled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ahocorasick

from provenance.text.normalize import normalize

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class TermMatcher:
    """Find every occurrence of a fixed set of terms in normalised text."""

    def __init__(self, terms: tuple[str, ...], stems: bool = True) -> None:
        self.terms = terms
        #: Whether a trailing `*` marks a stem (lexicons) or is a literal character (user lists).
        self.stems = stems
        self._automaton: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"terms": self.terms, "stems": self.stems}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.terms = state["terms"]
        self.stems = state["stems"]
        self._automaton = None

    def _build(self) -> Any:
        automaton = ahocorasick.Automaton()
        keys: dict[str, list[tuple[int, bool]]] = {}
        for index, raw in enumerate(self.terms):
            stem = self.stems and raw.endswith("*")
            key = normalize(raw[:-1] if stem else raw).strip()
            if key:
                keys.setdefault(key, []).append((index, stem))
        for key, entries in keys.items():
            # Only keys that begin or end with a Latin letter or digit need boundary checks.
            automaton.add_word(
                key, (len(key), tuple(entries), key[0] in _WORD_CHARS, key[-1] in _WORD_CHARS)
            )
        automaton.make_automaton()
        return automaton

    @property
    def automaton(self) -> Any:
        if self._automaton is None:
            self._automaton = self._build()
        return self._automaton

    def find(self, text: str) -> Iterator[tuple[int, int, int]]:
        """Yield (term index, start, end) for each match in text already passed through `normalize`."""
        if not self.terms:
            return
        n = len(text)
        word = _WORD_CHARS  # inlined: this loop runs once per match
        for last, (length, entries, check_left, check_right) in self.automaton.iter(text):
            start = last + 1 - length
            if check_left and start and text[start - 1] in word:
                continue  # starts inside a Latin word
            right_open = not check_right or last + 1 == n or text[last + 1] not in word
            for index, stem in entries:
                if stem or right_open:
                    yield index, start, last + 1

    def count(self, text: str) -> dict[int, int]:
        """Occurrences per term index (the same matches as `find`, without positions)."""
        counts: dict[int, int] = {}
        if not self.terms:
            return counts
        n = len(text)
        word = _WORD_CHARS
        for last, (length, entries, check_left, check_right) in self.automaton.iter(text):
            if check_left and last >= length and text[last - length] in word:
                continue
            right_open = not check_right or last + 1 == n or text[last + 1] not in word
            for index, stem in entries:
                if stem or right_open:
                    counts[index] = counts.get(index, 0) + 1
        return counts
