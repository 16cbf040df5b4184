"""N-gram hashing and winnowing, compiled (numba; extra `fast`): `tokens.ngrams` and `tokens.winnow`
in two loops instead of some ten numpy passes and their temporaries. Imported only when numba is
installed; module-level functions so that numba's on-disk cache serves them in every process.

Identical results to the numpy functions, which stay the reference (tests/detectors/test_text_kernel.py
compares them). The n-gram hash of tokens [i, e) is sum(h[t] * B**-(t - i)) mod 2**64, mixed: the
numpy path computes it with prefix sums in 64 K chunks, this one with one prefix sum over the stream
(the same value: the powers cancel exactly mod 2**64)."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from provenance.textworks.tokens import B_TOK

_njit = numba.njit(cache=True, nogil=True, boundscheck=False)
_u64 = np.uint64
_B = _u64(B_TOK)
_BI = _u64(pow(B_TOK, -1, 1 << 64))
_M1, _M2, _S33 = _u64(0xFF51AFD7ED558CCD), _u64(0xC4CEB9FE1A85EC53), _u64(33)


@_njit
def ngrams(th: Any, cjk: Any, n_word: int, n_cjk: int) -> Any:
    """(hashes, ends) as tokens.ngrams: the window starting at token i ends at the first e where the
    tokens [i, e) weigh n_word * n_cjk (a CJK character weighs n_word, a word n_cjk)."""
    m = len(th)
    pre = np.empty(m + 1, dtype=np.uint64)
    pre[0] = 0
    p = _u64(1)
    for t in range(m):
        pre[t + 1] = pre[t] + th[t] * p
        p *= _BI
    target = n_word * n_cjk
    out = np.empty(m, dtype=np.uint64)
    ends = np.empty(m, dtype=np.int64)
    e = 0
    wsum = 0
    k = 0
    bp = _u64(1)
    for i in range(m):
        while e < m and wsum < target:
            wsum += n_word if cjk[e] else n_cjk
            e += 1
        if wsum < target:
            break
        x = (pre[e] - pre[i]) * bp
        x ^= x >> _S33
        x *= _M1
        x ^= x >> _S33
        x *= _M2
        x ^= x >> _S33
        out[k] = x
        ends[k] = e
        k += 1
        bp *= _B
        wsum -= n_word if cjk[i] else n_cjk
    return out[:k], ends[:k]


@_njit
def _sliding(a: Any, w: int, take_min: bool) -> Any:
    """min (or max) over every window of w: sparse-table doubling in place, as tokens._sliding."""
    n = len(a)
    cur = a.copy()
    length = n
    p = 1
    while p * 2 <= w:
        for i in range(length - p):
            x, y = cur[i], cur[i + p]
            cur[i] = (x if x < y else y) if take_min else (x if x > y else y)
        length -= p
        p *= 2
    k = n - w + 1
    if p == w:
        return cur[:k]
    out = np.empty(k, dtype=a.dtype)
    for i in range(k):
        x, y = cur[i], cur[i + w - p]
        out[i] = (x if x < y else y) if take_min else (x if x > y else y)
    return out


@_njit
def winnow(h: Any, w: int) -> Any:
    """tokens.winnow: indices of the n-grams that are the minimum of some window of w."""
    m = len(h)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    best = np.empty(m, dtype=np.uint64)
    if m <= w:
        lo = h[0]
        for i in range(m):
            if h[i] < lo:
                lo = h[i]
        best[:] = lo
    else:
        mins = _sliding(h, w, True)  # mins[i] = min h[i:i+w], m - w + 1 of them
        nwin = m - w + 1
        if nwin >= w:
            maxs = _sliding(mins, w, False)
            for t in range(w - 1, m - w + 1):
                best[t] = maxs[t - w + 1]
        for t in range(m):
            if nwin >= w and w - 1 <= t <= m - w:
                continue
            lo_ = max(0, t - w + 1)
            hi_ = min(t, m - w)
            b = mins[lo_]
            for j in range(lo_ + 1, hi_ + 1):
                if mins[j] > b:
                    b = mins[j]
            best[t] = b
    n = 0
    for t in range(m):
        if h[t] == best[t]:
            n += 1
    out = np.empty(n, dtype=np.int64)
    n = 0
    for t in range(m):
        if h[t] == best[t]:
            out[n] = t
            n += 1
    return out
