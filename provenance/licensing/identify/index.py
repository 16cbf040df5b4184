"""The full-text index: word shingles of every SPDX text (built in build.py, cached by cache.py).

A shingle is a run of SHINGLE consecutive words hashed to 64 bits. Each distinct reference text
(licenses whose texts are identical, such as GPL-2.0-only and GPL-2.0-or-later, share one entry)
keeps its sorted set of shingles; a posting array maps each shingle back to the entries that have it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import repeat

import numpy as np

from provenance.licensing.identify.normalize import EQUIVALENT
from provenance.licensing.identify.reference import Bundle, load_bundle

#: Bump when tokenizing, hashing or the cache layout changes: it keys the cache and the results.
ENGINE_VERSION = "13"
SHINGLE = 5
_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD],
    dtype=np.uint64,
)[:SHINGLE]


@dataclass(frozen=True)
class Entry:
    """One distinct reference text and the SPDX ids that share it."""

    members: tuple[str, ...]
    size: int  # number of distinct shingles
    core: int  # of which outside copyright lines and appendices: what coverage is measured against
    note: str = ""  # how this reference differs from the SPDX text, if it does


@dataclass(frozen=True)
class Index:
    """Everything the text matcher needs, as arrays."""

    version: str
    entries: tuple[Entry, ...]
    vocab: dict[str, int]
    ref_hashes: np.ndarray  # uint64, per entry sorted, concatenated
    ref_offsets: np.ndarray  # int64, len(entries) + 1
    ref_positions: np.ndarray  # int32, first word position of each ref_hashes shingle in its text
    ref_core: np.ndarray  # bool, shingle lies outside the reference's copyright lines
    ref_repeat: np.ndarray  # bool, shingle occurs more than once in its reference (position unsure)
    ref_order: np.ndarray  # int32, per entry: its shingle slots sorted by position in the text
    bases: dict[int, int]  # entry -> entry of its base license (see base_of)
    catalog: Bundle  # the SPDX list without texts: ids, names, URLs, exceptions, version
    post_keys: np.ndarray  # uint64, sorted distinct shingles of all references
    post_starts: np.ndarray  # int64, len(post_keys) + 1: where each key's entries start in post_entries
    post_entries: np.ndarray  # int32, entries holding each key, grouped by key

    @cached_property
    def sizes(self) -> np.ndarray:
        return np.diff(self.ref_offsets)

    @cached_property
    def cores(self) -> np.ndarray:
        return np.array([e.core for e in self.entries])

    def shingles_of(self, entry: int) -> np.ndarray:
        return self.ref_hashes[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def positions_of(self, entry: int) -> np.ndarray:
        return self.ref_positions[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def base_of(self, entry: int) -> int:
        """The entry of the license this one is a named variant of (BSD-3-Clause for
        BSD-3-Clause-HP, MIT for MIT-CMU), or -1."""
        return self.bases.get(entry, -1)

    def order_of(self, entry: int) -> np.ndarray:
        return self.ref_order[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def repeat_of(self, entry: int) -> np.ndarray:
        return self.ref_repeat[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def core_of(self, entry: int) -> np.ndarray:
        return self.ref_core[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]


def word_ids(words: tuple[str, ...], vocab: dict[str, int]) -> np.ndarray:
    """Words to vocabulary ids; words not in any reference become 0, which no reference shingle holds."""
    return np.array(list(map(vocab.get, words, repeat(0))), dtype=np.uint64)


def with_aliases(vocab: dict[str, int]) -> dict[str, int]:
    """Spelling variants ("licence") share the id of the word they stand for."""
    out = dict(vocab)
    for variant, word in EQUIVALENT.items():
        if word in vocab:
            out[variant] = vocab[word]
    return out


def shingle_hashes(ids: np.ndarray) -> np.ndarray:
    """Hash of each window of SHINGLE ids, one per start position; 0 when the window has an unknown word."""
    count = len(ids) - SHINGLE + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(count, dtype=np.uint64)
    known = np.ones(count, dtype=bool)
    for k in range(SHINGLE):
        window = ids[k : k + count]
        acc = (acc ^ (window * _MULTIPLIERS[k])) * np.uint64(0x100000001B3)
        known &= window != 0
    acc |= np.uint64(1)  # never 0, so 0 is free to mean "no shingle"
    acc[~known] = 0
    return acc


def version_string() -> str:
    return f"spdx-{load_bundle().version}+provenance-{ENGINE_VERSION}"


def shared_counts(index: Index, hashes: np.ndarray) -> np.ndarray:
    """Per entry: how many of `hashes` (distinct values) it holds, through the posting lists."""
    slot = np.searchsorted(index.post_keys, hashes)
    slot[slot >= index.post_keys.size] = 0
    slot = slot[index.post_keys[slot] == hashes]
    lo = index.post_starts[slot]
    lens = index.post_starts[slot + 1] - lo
    total = int(lens.sum())
    if total == 0:
        return np.zeros(len(index.entries), dtype=np.int64)
    starts = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(total)
    return np.bincount(index.post_entries[starts], minlength=len(index.entries))
