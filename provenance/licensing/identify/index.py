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
from functools import cached_property, lru_cache
from itertools import repeat
from pathlib import Path

import numpy as np

from provenance.licensing.identify.normalize import EQUIVALENT, Tokens, tokenize
from provenance.licensing.identify.reference import (
    Bundle,
    bundle_digest,
    catalog_from_json,
    catalog_to_json,
    load_bundle,
    without_texts,
)

#: Bump when tokenizing, hashing or the cache layout changes: it keys the cache and the results.
ENGINE_VERSION = "11"
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


def _with_aliases(vocab: dict[str, int]) -> dict[str, int]:
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


_COPYRIGHT_LINE = re.compile(r"^\W*(?:copyright|\(c\)|©|portions\s+copyright)\b", re.IGNORECASE)
# Where a license's own terms end and its advice on applying them begins; files often drop the advice.
_APPENDIX = re.compile(
    r"^\W*(?:end\s+of\s+terms\s+and\s+conditions|appendix\b.{0,20}how\s+to\s+apply|how\s+to\s+apply\s+these\s+terms)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Ref:
    """A reference text before hashing."""

    words: tuple[str, ...]
    members: tuple[str, ...]
    core: np.ndarray  # per word: part of the license terms proper
    note: str = ""


def _core_words(text: str, tokens: Tokens) -> np.ndarray:
    """Per word: False on a copyright line (real files put their own) or in an appendix on how to
    apply the license (often left out): neither is needed to identify the terms."""
    lines = text.splitlines()
    optional = {n for n, line in enumerate(lines, start=1) if _COPYRIGHT_LINE.match(line) and len(line) < 200}
    appendix = next((n for n, line in enumerate(lines, start=1) if _APPENDIX.match(line)), None)
    if appendix is not None and appendix > len(lines) // 3:
        optional.update(range(appendix, len(lines) + 1))
    return np.fromiter((n not in optional for n in tokens.lines), dtype=bool, count=len(tokens.lines))


def _references() -> list[_Ref]:
    """One reference per distinct SPDX text; ids with identical texts share it."""
    groups: dict[tuple[str, ...], list[str]] = {}
    cores: dict[tuple[str, ...], np.ndarray] = {}
    for lic in load_bundle().licenses:
        if not lic.text or lic.deprecated:
            continue
        tokens = tokenize(lic.text, reference=True)
        groups.setdefault(tokens.words, []).append(lic.id)
        cores.setdefault(tokens.words, _core_words(lic.text, tokens))
    return [_Ref(words, tuple(members), cores[words]) for words, members in groups.items()]


def _without_included(refs: list[_Ref], index: Index) -> list[_Ref]:
    """Extra references for texts that include another whole license (the SPDX LGPL-3.0 text
    carries the GPL-3.0 text after its own): the text without the included one, same ids, since
    real files often hold only their own part."""
    sizes = index.sizes
    known = {r.words for r in refs}
    out: list[_Ref] = []
    for a, ref in enumerate(refs):
        shared = _shared_counts(index, index.shingles_of(a))
        for b in np.flatnonzero(
            (shared >= 0.95 * sizes) & (sizes >= 150) & (sizes <= 0.9 * sizes[a])
        ).tolist():
            inner = refs[b].words
            text = " ".join(ref.words)
            head, tail = " ".join(inner[:25]), " ".join(inner[-25:])
            start, end = text.find(head), text.rfind(tail)
            if start < 0 or end < start:
                continue
            first = text[:start].count(" ") if start else 0
            last = first + text[start : end + len(tail)].count(" ") + 1
            if len(ref.words) - last > 0.05 * len(ref.words):
                continue  # only a whole license appended at the end, as LGPL-3.0 appends GPL-3.0
            words = ref.words[:first]
            if len(words) < 150 or words in known or _near_existing(index, words, a):
                continue
            core = ref.core[:first]
            note = f"without the {refs[b].members[0]} text it includes"
            out.append(_Ref(words, ref.members, core, note))
            known.add(words)
    return out


def _near_existing(index: Index, words: tuple[str, ...], source: int) -> bool:
    """True when a reference other than `source` already holds 90% of these words' shingles."""
    hashes = np.unique(shingle_hashes(word_ids(words, index.vocab)))
    hashes = hashes[hashes != 0]
    shared = _shared_counts(index, hashes)
    shared[source] = 0
    return bool(hashes.size) and int(shared.max()) >= 0.9 * hashes.size


def _shared_counts(index: Index, hashes: np.ndarray) -> np.ndarray:
    """Per entry: how many of `hashes` (distinct) it holds."""
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


def _assemble(refs: list[_Ref]) -> Index:
    vocab: dict[str, int] = {}
    entries: list[Entry] = []
    sets: list[np.ndarray] = []
    places: list[np.ndarray] = []
    flags: list[np.ndarray] = []
    repeats: list[np.ndarray] = []
    for ref in refs:
        for w in ref.words:
            vocab.setdefault(w, len(vocab) + 1)
        all_hashes = shingle_hashes(word_ids(ref.words, vocab))
        hashes, first, counts = np.unique(all_hashes, return_index=True, return_counts=True)
        keep = hashes != 0
        # A shingle is core when all its words are.
        core_shingle = np.ones(all_hashes.size, dtype=bool)
        for k in range(SHINGLE):
            core_shingle &= ref.core[k : k + all_hashes.size]
        core = core_shingle[first[keep]]
        entries.append(Entry(ref.members, int(keep.sum()), int(core.sum()), ref.note))
        sets.append(hashes[keep])
        places.append(first[keep].astype(np.int32))
        flags.append(core)
        repeats.append(counts[keep] > 1)
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([s.size for s in sets])
    ref_hashes = np.concatenate(sets)
    owner = np.repeat(np.arange(len(sets), dtype=np.int32), [s.size for s in sets])
    order = np.argsort(ref_hashes, kind="stable")
    keys, first_key = np.unique(ref_hashes[order], return_index=True)
    return Index(
        version=version_string(),
        entries=tuple(entries),
        vocab=_with_aliases(vocab),
        ref_hashes=ref_hashes,
        ref_offsets=offsets,
        ref_positions=np.concatenate(places),
        ref_core=np.concatenate(flags),
        ref_repeat=np.concatenate(repeats),
        ref_order=np.concatenate([np.argsort(p, kind="stable").astype(np.int32) for p in places]),
        bases=_bases(entries),
        catalog=without_texts(load_bundle()),
        post_keys=keys,
        post_starts=np.append(first_key, ref_hashes.size).astype(np.int64),
        post_entries=owner[order],
    )


def _bases(entries: tuple[Entry, ...] | list[Entry]) -> dict[int, int]:
    """Variant -> base by SPDX id: drop trailing "-part"s until a single-license entry's id remains."""
    by_id = {e.members[0]: i for i, e in enumerate(entries) if len(e.members) == 1 and not e.note}
    out = {}
    for i, e in enumerate(entries):
        if len(e.members) != 1 or e.note:
            continue
        parts = e.members[0].split("-")
        for cut in range(len(parts) - 1, 0, -1):
            base = by_id.get("-".join(parts[:cut]))
            if base is not None:
                out[i] = base
                break
    return out


def build_index() -> Index:
    refs = _references()
    first = _assemble(refs)
    extra = _without_included(refs, first)
    return _assemble(refs + extra) if extra else first


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "provenance"


def cache_path() -> Path:
    return cache_dir() / f"identify-{bundle_digest()}-e{ENGINE_VERSION}-s{SHINGLE}.npz"


def _save(index: Index, path: Path) -> None:
    meta = {
        "version": index.version,
        "catalog": catalog_to_json(index.catalog),
        "entries": [[list(e.members), e.size, e.core, e.note] for e in index.entries],
        "vocab": [w for w, _ in sorted(index.vocab.items(), key=lambda kv: kv[1]) if w not in EQUIVALENT],
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
            ref_order=index.ref_order,
            post_keys=index.post_keys,
            post_starts=index.post_starts,
            post_entries=index.post_entries,
        )
    os.replace(tmp, path)


def _load(path: Path) -> Index:
    with np.load(path) as data:
        meta = json.loads(data["meta"].tobytes())
        entries = tuple(Entry(tuple(m), int(s), int(c), n) for m, s, c, n in meta["entries"])
        return Index(
            version=meta["version"],
            entries=entries,
            vocab=_with_aliases({w: i for i, w in enumerate(meta["vocab"], start=1)}),
            ref_hashes=data["ref_hashes"],
            ref_offsets=data["ref_offsets"],
            ref_positions=data["ref_positions"],
            ref_core=data["ref_core"],
            ref_repeat=data["ref_repeat"],
            ref_order=data["ref_order"],
            bases=_bases(entries),
            catalog=catalog_from_json(meta["catalog"]),
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
