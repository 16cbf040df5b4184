"""Brute-force Hamming search over 64-bit codes, vectorised with numpy.

A scan over a million codes is one XOR, one popcount and one compare in C; it is exact,
needs no index to build or keep in sync, and beats tree indexes at the radius perceptual
hashes need (a BK-tree visits most of its nodes at radius 10).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

_HAS_BITWISE_COUNT = hasattr(np, "bitwise_count")
_POP8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def popcount64(x: np.ndarray) -> np.ndarray:
    """Set bits per uint64, as uint8."""
    if _HAS_BITWISE_COUNT:
        return np.bitwise_count(x).astype(np.uint8, copy=False)
    # numpy < 2.0: table lookup on the bytes
    return _POP8[x.view(np.uint8)].reshape(-1, 8).sum(axis=1, dtype=np.uint8)


def distances(codes: np.ndarray, query: int) -> np.ndarray:
    """Hamming distance from `query` to every code (uint8 array)."""
    return popcount64(np.bitwise_xor(codes, np.uint64(query)))


def within_idx(codes: np.ndarray, query: int, radius: int) -> np.ndarray:
    """Indices of the codes within `radius` bits of `query`."""
    return np.flatnonzero(distances(codes, query) <= radius)


def within(codes: np.ndarray, query: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances) of the codes within `radius` bits of `query`."""
    d = distances(codes, query)
    idx = np.flatnonzero(d <= radius)
    return idx, d[idx]


class CodeIndex:
    """Codes to scan for one query at a time: faiss's IndexBinaryFlat when the `faiss` extra
    is installed, numpy otherwise (or always with PROVENANCE_FAISS=0). Both are exact
    brute-force scans and return the same rows; on 1M codes faiss saves about 0.05 ms of
    the ~0.85 ms a numpy scan takes (bench/image_speed.py).

    faiss runs with one OpenMP thread, set process-wide when the first index is built: work
    is spread over processes already, and a libgomp thread pool does not survive fork() (a
    worker forked from a process that had searched with threads hung on its first search).
    """

    def __init__(self, codes: np.ndarray, use_faiss: bool | None = None) -> None:
        self.codes = np.ascontiguousarray(codes, dtype=np.uint64)
        self._faiss: object | None = None
        if use_faiss is None:
            use_faiss = os.environ.get("PROVENANCE_FAISS", "") != "0"
        if use_faiss and len(self.codes):
            faiss = _faiss_module()
            if faiss is None:
                return
            index = faiss.IndexBinaryFlat(64)
            index.add(self.codes.view(np.uint8).reshape(-1, 8))
            self._faiss = index

    @property
    def backend(self) -> str:
        return "faiss" if self._faiss is not None else "numpy"

    def within(self, query: int, radius: int) -> np.ndarray:
        """Sorted indices of the codes within `radius` bits of `query`."""
        if self._faiss is None:
            return within_idx(self.codes, query, radius)
        q = np.array([query], dtype=np.uint64).view(np.uint8).reshape(1, 8)
        _, _, ids = self._faiss.range_search(q, radius + 1)  # type: ignore[attr-defined]
        return np.sort(ids)


def _faiss_module() -> Any:
    """faiss with a single OpenMP thread, or None when the extra is not installed."""
    try:
        import faiss  # optional extra (faiss)
    except ImportError:
        return None
    if faiss.omp_get_max_threads() != 1:
        faiss.omp_set_num_threads(1)
    return faiss
