"""The span walk of `match.local_components`, compiled (numba; extra `fast`). Imported only when
numba is installed. Module-level functions, not closures: numba's on-disk cache keys a closure by
the objects it captures, so a jitted function calling another closure was compiled again in every
process (~8 CPU s); these load from the cache.

Identical results to the numpy walk (tests/detectors/test_text_kernel.py compares them)."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from provenance.textworks.tokens import WORK_KEY

_njit = numba.njit(cache=True, nogil=True, boundscheck=False)
_u64 = np.uint64
_WK = _u64(WORK_KEY)
# mix64's constants (tokens.mix64), as in the tokeniser kernel
_M1, _M2, _S33 = _u64(0xFF51AFD7ED558CCD), _u64(0xC4CEB9FE1A85EC53), _u64(33)


@_njit
def probe(words: Any, k: int, h: Any) -> bool:
    """Bloom.contains for one key (word from the high 32 bits, k bits from 6-bit slices)."""
    idx = ((h >> _u64(32)) * _u64(len(words))) >> _u64(32)
    bits = _u64(0)
    for j in range(k):
        bits |= _u64(1) << ((h >> _u64(6 * j)) & _u64(63))
    return (words[idx] & bits) == bits


@_njit
def membership(words: Any, k: int, g: Any, seeds: Any, radius: int, wid: int) -> Any:
    """match.extend_membership on a slice: the same rounds, one probe per tested n-gram."""
    m = len(g)
    member = np.full(m, -1, dtype=np.int8)
    key = _u64(wid + 1) * _WK
    lo = np.maximum(seeds - radius, 0)
    hi = np.minimum(seeds + radius + 1, m)
    for _ in range(64):
        mark = np.zeros(m + 1, dtype=np.int64)
        for q in range(len(lo)):
            mark[lo[q]] += 1
            mark[hi[q]] -= 1
        run = 0
        tested_any = False
        for i in range(m):
            run += mark[i]
            if run > 0 and member[i] < 0:
                x = g[i] ^ key
                x ^= x >> _S33
                x *= _M1
                x ^= x >> _S33
                x *= _M2
                x ^= x >> _S33
                member[i] = 1 if probe(words, k, x) else 0
                tested_any = True
        if not tested_any:
            break
        n_left = 0
        n_right = 0
        for i in range(1, m):
            if member[i] >= 0 and member[i - 1] < 0 and member[i] == 1:
                n_left += 1
        for i in range(m - 1):
            if member[i] >= 0 and member[i + 1] < 0 and member[i] == 1:
                n_right += 1
        if n_left == 0 and n_right == 0:
            break
        lo = np.empty(n_left + n_right, dtype=np.int64)
        hi = np.empty(n_left + n_right, dtype=np.int64)
        q = 0
        for i in range(1, m):
            if member[i] >= 0 and member[i - 1] < 0 and member[i] == 1:
                lo[q] = max(i - 4 * radius, 0)
                hi[q] = i
                q += 1
        for i in range(m - 1):
            if member[i] >= 0 and member[i + 1] < 0 and member[i] == 1:
                lo[q] = i + 1
                hi[q] = min(i + 1 + 4 * radius, m)
                q += 1
    return member


@_njit
def comps(member: Any, seeds: Any, gap_max: int, min_run: int) -> Any:
    """match.components: runs of members holding a seed, joined across short gaps."""
    m = len(member)
    is_m = member == 1
    seed = np.zeros(m, dtype=np.bool_)
    for s in seeds:
        is_m[s] = True
        seed[s] = True
    out = np.empty((m, 2), dtype=np.int64)
    n_out = 0
    g_start = -1
    g_end = -1
    g_seed = False
    i = 0
    while i < m:
        if not is_m[i]:
            i += 1
            continue
        a = i
        has = False
        while i < m and is_m[i]:
            has = has or seed[i]
            i += 1
        b = i - 1
        if b - a + 1 < min_run and not has:
            continue
        if g_start >= 0 and a - g_end - 1 <= gap_max:
            g_end = b
            g_seed = g_seed or has
        else:
            if g_start >= 0 and g_seed:
                out[n_out, 0] = g_start
                out[n_out, 1] = g_end
                n_out += 1
            g_start, g_end, g_seed = a, b, has
    if g_start >= 0 and g_seed:
        out[n_out, 0] = g_start
        out[n_out, 1] = g_end
        n_out += 1
    return out[:n_out]


@_njit
def spans(words: Any, k: int, g: Any, seeds: Any, radius: int, wid: int, gap_max: int, min_run: int) -> Any:
    """match.local_components: clusters of seeds, each measured on a slice that grows while a
    span reaches its edge."""
    m = len(g)
    out = np.empty((0, 2), dtype=np.int64)
    parts = []
    start = 0
    n = len(seeds)
    while start < n:
        stop = start
        while stop + 1 < n and seeds[stop + 1] - seeds[stop] <= 4 * radius:
            stop += 1
        cl = seeds[start:stop + 1]
        margin = 2 * radius
        while True:
            lo = max(0, cl[0] - margin)
            hi = min(m, cl[-1] + margin + 1)
            member = membership(words, k, g[lo:hi], cl - lo, radius, wid)
            found = comps(member, cl - lo, gap_max, min_run)
            touch = False
            for r in range(len(found)):
                if (found[r, 0] == 0 and lo > 0) or (found[r, 1] == hi - lo - 1 and hi < m):
                    touch = True
            if not touch or (lo == 0 and hi == m):
                break
            margin *= 4
        parts.append(found + lo)
        start = stop + 1
    total = 0
    for p in parts:
        total += len(p)
    out = np.empty((total, 2), dtype=np.int64)
    r = 0
    for p in parts:
        out[r:r + len(p)] = p
        r += len(p)
    return out


@_njit
def lookup(dirs: Any, keys: Any, q: Any, bits: int) -> Any:
    """index.Segment.lookup: (query index, anchor row) of every anchor equal to a query key, in
    the order the numpy walk finds them (by rank inside the bucket, then query). One pass: the
    directory and key reads are cache misses, and most queries find nothing."""
    shift = _u64(64 - bits)
    cap = len(q) // 8 + 16
    qi = np.empty(cap, dtype=np.int64)
    rows = np.empty(cap, dtype=np.int64)
    rank = np.empty(cap, dtype=np.int64)
    n = 0
    for i in range(len(q)):
        b = np.int64(q[i] >> shift)
        q32 = np.uint32(q[i] & _u64(0xFFFFFFFF))
        lo = np.int64(dirs[b])
        for r in range(lo, np.int64(dirs[b + 1])):
            if keys[r] == q32:
                if n == len(qi):
                    qi = np.concatenate((qi, np.empty(len(qi), dtype=np.int64)))
                    rows = np.concatenate((rows, np.empty(len(rows), dtype=np.int64)))
                    rank = np.concatenate((rank, np.empty(len(rank), dtype=np.int64)))
                qi[n] = i
                rows[n] = r
                rank[n] = r - lo
                n += 1
    order = np.argsort(rank[:n], kind="mergesort")
    return qi[:n][order], rows[:n][order]
