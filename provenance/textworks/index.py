"""The memory-mapped index of one segment of a text registry, and how a segment is written.

A segment covers a run of works. Its arrays (`.npy`, opened with `mmap_mode="r"`, so every worker
process on a machine shares one copy through the page cache):

| file | dtype | per | content |
| --- | --- | --- | --- |
| `dir.npy` | uint32/uint64 | 2**b + 1 | offset of each bucket of the top b key bits (b = log2(anchors / 2)) |
| `keys.npy` | uint32 | anchor | low 32 bits of the anchor key (the bucket gives the top b: 59+ bits in all) |
| `work.npy` | uint32 | anchor | work index inside the segment |
| `pos.npy` | uint32 | anchor | n-gram position of the anchor in its work |
| `bloom.npy` | uint64 | 16 bits per n-gram | blocked Bloom filter of every (n-gram, work), k bits in one word |

Anchors are the winnowed n-grams of each work, keyed by a re-mixed hash (winnowing keeps window
minima, which crowd the low values) and sorted; anchors found in more than `max_df` places
(licence texts, standard headers) are dropped. Segments keep a build's memory bounded (one is
closed when it holds `max_ngrams` n-grams) and let `registry add` append works without
rewriting what is there.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from provenance.atomic import follow_umask
from provenance.textworks import kernel
from provenance.textworks.fingerprint import Recipe, anchors
from provenance.textworks.tokens import U64, WORK_KEY, mix64

ARRAYS = ("dir", "keys", "work", "pos", "bloom")
_WK = U64(WORK_KEY)
_AK = U64(0x94D049BB133111EB)


def anchor_keys(h: np.ndarray) -> np.ndarray:
    """Winnowing keeps window minima, so anchors crowd the low hash values; the index is keyed
    by a re-mixed value so that its bucket directory stays balanced."""
    return mix64(h ^ _AK)


def work_keys(g: np.ndarray, wid: int) -> np.ndarray:
    """Bloom keys are (n-gram, work) pairs: a span grows only through text of the same work."""
    with np.errstate(over="ignore"):
        return mix64(g ^ (U64(wid + 1) * _WK))


class Bloom:
    """Blocked Bloom filter: one 64-bit word per key, k bits set in it."""

    def __init__(self, words: np.ndarray, k: int) -> None:
        self.words = words
        self.k = k
        self.nwords = len(words)

    @classmethod
    def empty(cls, n_keys: int, bits_per_key: float, k: int) -> Bloom:
        return cls(np.zeros(max(1, int(n_keys * bits_per_key / 64) + 1), dtype=U64), k)

    def _index(self, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the word from the high 32 bits (multiply-shift), the bits from 6-bit slices of the low 32
        with np.errstate(over="ignore"):
            idx = ((h >> U64(32)) * U64(self.nwords)) >> U64(32)
            bits = np.zeros(len(h), dtype=U64)
            for j in range(self.k):
                bits |= U64(1) << ((h >> U64(6 * j)) & U64(63))
        return idx.astype(np.int64), bits

    def add(self, h: np.ndarray) -> None:
        idx, bits = self._index(h)
        words = self.words
        # scatter-or without ufunc.at: duplicates in one write lose bits; redo those until none
        todo = np.arange(len(idx))
        while todo.size:
            i, b = idx[todo], bits[todo]
            words[i] = words[i] | b
            todo = todo[(words[i] & b) != b]

    def contains(self, h: np.ndarray) -> np.ndarray:
        idx, bits = self._index(h)
        return (self.words[idx] & bits) == bits


@dataclass(frozen=True)
class ArrayInfo:
    """One array file of a segment, as the registry records it."""

    file: str
    dtype: str
    length: int
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "dtype": self.dtype, "length": self.length, "bytes": self.bytes,
                "sha256": self.sha256}


@dataclass(frozen=True)
class SegmentInfo:
    """A segment as the registry records it: its folder, works and arrays."""

    name: str
    #: Global index (row of the works table) of the segment's first work, and how many.
    work_start: int
    works: int
    ngrams: int
    anchors: int
    dir_bits: int
    arrays: tuple[ArrayInfo, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "work_start": self.work_start, "works": self.works, "ngrams": self.ngrams,
                "anchors": self.anchors, "dir_bits": self.dir_bits, "arrays": [a.to_dict() for a in self.arrays]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SegmentInfo:
        return cls(str(d["name"]), int(d["work_start"]), int(d["works"]), int(d["ngrams"]), int(d["anchors"]),
                   int(d["dir_bits"]), tuple(ArrayInfo(**a) for a in d["arrays"]))

    @property
    def bytes(self) -> int:
        return sum(a.bytes for a in self.arrays)


class Segment:
    """A segment's arrays, memory-mapped."""

    def __init__(self, folder: Path, info: SegmentInfo, recipe: Recipe, willneed: bool = True) -> None:
        self.info = info
        arrays = {a.file.split(".")[0]: np.load(folder / a.file, mmap_mode="r") for a in info.arrays}
        # plain ndarray views of the mappings (np.memmap's indexing costs a Python call per lookup)
        self.dir, self.keys, self.work, self.pos = (np.asarray(arrays[n]) for n in ("dir", "keys", "work", "pos"))
        self.bloom = Bloom(arrays["bloom"], recipe.bloom_k)
        #: The Bloom words as a plain ndarray view (what the compiled span walk takes).
        self.bloom_words = np.asarray(arrays["bloom"])
        self.bits = info.dir_bits
        if willneed:
            populate = info.bytes < physical_memory() // 2
            for arr in arrays.values():
                advise(arr, populate)

    def lookup(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query index, anchor row) for every anchor equal to a query key."""
        empty = np.zeros(0, np.int64)
        if len(q) == 0 or len(self.keys) == 0:
            return empty, empty
        fast = kernel.lookup_function() if kernel.wanted(0) and 0 < self.bits < 64 else None
        if fast is not None:
            qi, rows = fast(self.dir, self.keys, q, self.bits)
            return qi, rows
        b = (q >> U64(64 - self.bits)).astype(np.int64)
        lo = self.dir[b].astype(np.int64)
        hi = self.dir[b + 1].astype(np.int64)
        q32 = (q & U64(0xFFFFFFFF)).astype(np.uint32)
        act = np.flatnonzero(lo < hi)
        cur = lo
        qi_out, row_out = [], []
        while act.size:
            eq = self.keys[cur[act]] == q32[act]
            if eq.any():
                qi_out.append(act[eq])
                row_out.append(cur[act[eq]])
            cur[act] += 1
            act = act[cur[act] < hi[act]]
        if not qi_out:
            return empty, empty
        return np.concatenate(qi_out), np.concatenate(row_out)


#: Linux >= 5.14: fault a mapping's pages in with one call (Python 3.11's mmap has no name for it).
MADV_POPULATE_READ = getattr(mmap, "MADV_POPULATE_READ", 22)


def physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 0


def advise(arr: np.ndarray, populate: bool) -> None:
    """Map a registry array in at once rather than page by page: random lookups into a large,
    just-mapped array cost a page fault each (measured: the Bloom probes of a 10 GB registry spent
    most of their time faulting). `populate` (the registry fits in half the memory) reads and maps
    every page in one call, ~0.5 CPU s per process for 6.6 GB already in the page cache; otherwise,
    or where that is not supported, the kernel is asked to read ahead (MADV_WILLNEED)."""
    mm = getattr(arr, "_mmap", None)
    if mm is None or not hasattr(mm, "madvise"):
        return
    if populate and sys.platform.startswith("linux"):
        try:
            mm.madvise(MADV_POPULATE_READ)
            return
        except (OSError, ValueError):
            pass
    if hasattr(mmap, "MADV_WILLNEED"):
        with contextlib.suppress(OSError, ValueError):
            mm.madvise(mmap.MADV_WILLNEED)


class SegmentWriter:
    """Collects the works of one segment (anchors in memory, n-gram keys until written)."""

    def __init__(self, recipe: Recipe) -> None:
        self.recipe = recipe
        self.keys: list[np.ndarray] = []
        self.wids: list[np.ndarray] = []
        self.poss: list[np.ndarray] = []
        self.grams: list[np.ndarray] = []
        self.works = 0
        self.ngrams = 0

    def add(self, grams: np.ndarray) -> int:
        """Add one work's n-gram hashes; returns its anchor count."""
        sel = anchors(grams, self.recipe.winnow)
        wid = self.works
        self.keys.append(anchor_keys(grams[sel]))
        self.wids.append(np.full(len(sel), wid, dtype=np.uint32))
        self.poss.append(sel.astype(np.uint32))
        self.grams.append(work_keys(grams, wid))
        self.works += 1
        self.ngrams += len(grams)
        return len(sel)

    def write(self, folder: Path, name: str, work_start: int) -> SegmentInfo:
        """Sort the anchors, drop boilerplate, fill the Bloom filter, write the arrays."""
        folder.mkdir(parents=True, exist_ok=True)
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, U64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        wids = (np.concatenate(self.wids) if self.wids else np.zeros(0, np.uint32))[order]
        poss = (np.concatenate(self.poss) if self.poss else np.zeros(0, np.uint32))[order]
        del order
        self.keys, self.wids, self.poss = [], [], []
        if len(keys):
            newrun = np.empty(len(keys), dtype=bool)
            newrun[0] = True
            np.not_equal(keys[1:], keys[:-1], out=newrun[1:])
            starts = np.flatnonzero(newrun)
            counts = np.diff(np.append(starts, len(keys)))
            bad = counts > self.recipe.max_df
            if bad.any():
                keep = np.repeat(~bad, counts)
                keys, wids, poss = keys[keep], wids[keep], poss[keep]
        bits = max(4, int(np.ceil(np.log2(max(2, len(keys) // 2)))))
        counts = np.bincount((keys >> U64(64 - bits)).astype(np.int64), minlength=1 << bits)
        dirs = np.zeros((1 << bits) + 1, dtype=np.uint32 if len(keys) < 2**32 else np.uint64)
        np.cumsum(counts, out=dirs[1:])
        bloom = Bloom.empty(self.ngrams, self.recipe.bloom_bits, self.recipe.bloom_k)
        for g in self.grams:
            bloom.add(g)
        self.grams = []
        arrays = [
            save_array(folder / "dir.npy", dirs),
            save_array(folder / "keys.npy", (keys & U64(0xFFFFFFFF)).astype(np.uint32)),
            save_array(folder / "work.npy", wids),
            save_array(folder / "pos.npy", poss),
            save_array(folder / "bloom.npy", bloom.words),
        ]
        return SegmentInfo(name, work_start, self.works, self.ngrams, len(keys), bits, tuple(arrays))


def save_array(path: Path, arr: np.ndarray) -> ArrayInfo:
    """Write one .npy atomically and describe it (size and sha256, checked by `registry info --verify`)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, arr)
    follow_umask(str(tmp))
    os.replace(tmp, path)
    return describe_array(path, str(arr.dtype), len(arr))


def describe_array(path: Path, dtype: str, length: int) -> ArrayInfo:
    return ArrayInfo(path.name, dtype, int(length), path.stat().st_size, file_sha256(path))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()
