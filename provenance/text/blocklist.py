"""The user's keyword list: load it, and find its entries in text quickly at any size.

One Aho-Corasick automaton holds every entry, so matching cost grows with the text, not with
the number of entries (10,000+ entries are normal for these lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ConfigError
from provenance.text.matcher import TermMatcher
from provenance.text.normalize import normalize


@dataclass(frozen=True)
class BlockMatch:
    """Entries of the list found in one item."""

    #: (entry, occurrences), most frequent first.
    entries: tuple[tuple[str, int], ...]

    @property
    def blocked(self) -> bool:
        return bool(self.entries)


class Blocklist:
    """A keyword list. Chinese entries match anywhere; Latin entries as whole words, ignoring
    case and full-width forms. Picklable: the automaton is rebuilt lazily in each process."""

    def __init__(self, entries: tuple[str, ...]) -> None:
        cleaned = []
        seen = set()
        for entry in entries:
            entry = entry.strip()
            key = normalize(entry)
            if entry and key not in seen:
                seen.add(key)
                cleaned.append(entry)
        self.entries = tuple(cleaned)
        # A `*` in a user's list is a literal character, not the lexicons' stem marker.
        self._matcher = TermMatcher(self.entries, stems=False)

    def __len__(self) -> int:
        return len(self.entries)

    def match(self, text: str) -> BlockMatch:
        counts = self._matcher.count(normalize(text))
        found = sorted(((self.entries[i], n) for i, n in counts.items()), key=lambda x: (-x[1], x[0]))
        return BlockMatch(tuple(found))


def parse_blocklist(text: str) -> tuple[str, ...]:
    """One entry a line; `#` starts a comment line; blank lines are skipped."""
    entries = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            entries.append(line)
    return tuple(entries)


def load_blocklist(*paths: str | Path) -> tuple[str, ...]:
    """Read one or more `--blocklist` files (UTF-8, a BOM is accepted) into entries."""
    entries: list[str] = []
    for path in paths:
        try:
            raw = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read blocklist {path}: {exc}") from exc
        entries.extend(parse_blocklist(raw))
    return tuple(entries)
