"""The full-text index: word shingles of every SPDX text, built once and cached on disk.

A shingle is a run of SHINGLE consecutive words hashed to 64 bits. Each distinct reference text
(licenses whose texts are identical, such as GPL-2.0-only and GPL-2.0-or-later, share one entry)
keeps its sorted set of shingles; a posting array maps each shingle back to the entries that have it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from provenance.licensing.identify.normalize import Tokens, tokenize
from provenance.licensing.identify.reference import bundle_digest, load_bundle

#: Bump when tokenizing, hashing or the cache layout changes: it keys the cache and the results.
ENGINE_VERSION = "5"
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
    core: int  # of which outside copyright lines: what coverage is measured against


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
    post_keys: np.ndarray  # uint64, sorted distinct shingles of all references
    post_starts: np.ndarray  # int64, len(post_keys) + 1: where each key's entries start in post_entries
    post_entries: np.ndarray  # int32, entries holding each key, grouped by key

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.ref_offsets)

    def shingles_of(self, entry: int) -> np.ndarray:
        return self.ref_hashes[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def positions_of(self, entry: int) -> np.ndarray:
        return self.ref_positions[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def repeat_of(self, entry: int) -> np.ndarray:
        return self.ref_repeat[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]

    def core_of(self, entry: int) -> np.ndarray:
        return self.ref_core[self.ref_offsets[entry] : self.ref_offsets[entry + 1]]


def word_ids(words: tuple[str, ...], vocab: dict[str, int]) -> np.ndarray:
    """Words to vocabulary ids; words not in any reference become 0, which no reference shingle holds."""
    return np.fromiter((vocab.get(w, 0) for w in words), dtype=np.uint64, count=len(words))


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


_COPYRIGHT_LINE = re.compile(r"^\W*(?:copyright|\(c\)|©|portions\s+copyright)\b", re.IGNORECASE)


def _core_words(text: str, tokens: Tokens) -> np.ndarray:
    """Per word: False when it sits on a copyright line, which real files replace with their own."""
    lines = text.splitlines()
    holder = {n for n, line in enumerate(lines, start=1) if _COPYRIGHT_LINE.match(line) and len(line) < 200}
    return np.fromiter((n not in holder for n in tokens.lines), dtype=bool, count=len(tokens.lines))


def build_index() -> Index:
    bundle = load_bundle()
    vocab: dict[str, int] = {}
    groups: dict[tuple[str, ...], list[str]] = {}
    cores: dict[tuple[str, ...], np.ndarray] = {}
    for lic in bundle.licenses:
        if not lic.text or lic.deprecated:
            continue
        tokens = tokenize(lic.text, reference=True)
        groups.setdefault(tokens.words, []).append(lic.id)
        cores.setdefault(tokens.words, _core_words(lic.text, tokens))
    entries: list[Entry] = []
    sets: list[np.ndarray] = []
    places: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    repeats: list[np.ndarray] = []
    for words, members in groups.items():
        for w in words:
            vocab.setdefault(w, len(vocab) + 1)
        all_hashes = shingle_hashes(word_ids(words, vocab))
        hashes, first, counts = np.unique(all_hashes, return_index=True, return_counts=True)
        keep = hashes != 0
        core_word = cores[words]
        # A shingle is core when none of its words is on a copyright line.
        core_shingle = np.ones(all_hashes.size, dtype=bool)
        for k in range(SHINGLE):
            core_shingle &= core_word[k : k + all_hashes.size]
        core = core_shingle[first[keep]]
        entries.append(Entry(tuple(members), int(keep.sum()), int(core.sum())))
        sets.append(hashes[keep])
        places.append(first[keep].astype(np.int32))
        flags.append(core)
        repeats.append(counts[keep] > 1)
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([s.size for s in sets])
    ref_hashes = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets), dtype=np.int32), [s.size for s in sets])
    order = np.argsort(ref_hashes, kind="stable")
    keys, first = np.unique(ref_hashes[order], return_index=True)
    return Index(
        version=version_string(),
        entries=tuple(entries),
        vocab=vocab,
        ref_hashes=ref_hashes,
        ref_offsets=offsets,
        ref_positions=np.concatenate(places),
        ref_core=np.concatenate(flags),
        ref_repeat=np.concatenate(repeats),
        post_keys=keys,
        post_starts=np.append(first, ref_hashes.size).astype(np.int64),
        post_entries=owner[order],
    )


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


def cache_path() -> Path:
    return cache_dir() / f"identify-{bundle_digest()}-e{ENGINE_VERSION}-s{SHINGLE}.npz"


def _save(index: Index, path: Path) -> None:
    meta = {
        "version": index.version,
        "entries": [[list(e.members), e.size, e.core] for e in index.entries],
        "vocab": list(index.vocab),  # ids are positions + 1
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        np.savez(
            out,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            ref_hashes=index.ref_hashes,
            ref_offsets=index.ref_offsets,
            ref_positions=index.ref_positions,
            ref_core=index.ref_core,
            ref_repeat=index.ref_repeat,
            post_keys=index.post_keys,
            post_starts=index.post_starts,
            post_entries=index.post_entries,
        )
    os.replace(tmp, path)


def _load(path: Path) -> Index:
    with np.load(path) as data:
        meta = json.loads(data["meta"].tobytes())
        return Index(
            version=meta["version"],
            entries=tuple(Entry(tuple(m), int(s), int(c)) for m, s, c in meta["entries"]),
            vocab={w: i for i, w in enumerate(meta["vocab"], start=1)},
            ref_hashes=data["ref_hashes"],
            ref_offsets=data["ref_offsets"],
            ref_positions=data["ref_positions"],
            ref_core=data["ref_core"],
            ref_repeat=data["ref_repeat"],
            post_keys=data["post_keys"],
            post_starts=data["post_starts"],
            post_entries=data["post_entries"],
        )


@lru_cache(maxsize=1)
def get_index() -> Index:
    """The index, from the disk cache when present; built (and cached when writable) otherwise."""
    path = cache_path()
    try:
        return _load(path)
    except (OSError, ValueError, KeyError):
        pass
    index = build_index()
    with contextlib.suppress(OSError):  # read-only home: keep it in memory only
        _save(index, path)
    return index
