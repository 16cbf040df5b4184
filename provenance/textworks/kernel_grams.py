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
    tokens [i, e) weigh n_word * n_cjk (a CJK character weighs n_word, a word n_cjk). The prefix
    sums live in a ring of the last few (a window holds at most max(n_word, n_cjk) tokens): only
    the outputs are written to memory."""
    m = len(th)
    span = max(n_word, n_cjk)
    size = 1
    while size < span + 2:
        size *= 2
    mask = size - 1
    ring = np.zeros(size, dtype=np.uint64)  # ring[t & mask] = sum(th[u] * B**-u for u < t)
    target = n_word * n_cjk
    out = np.empty(m, dtype=np.uint64)
    ends = np.empty(m, dtype=np.int64)
    e = 0
    pe = _u64(1)
    wsum = 0
    k = 0
    bp = _u64(1)
    for i in range(m):
        while e < m and wsum < target:
            ring[(e + 1) & mask] = ring[e & mask] + th[e] * pe
            pe *= _BI
            wsum += n_word if cjk[e] else n_cjk
            e += 1
        if wsum < target:
            break
        x = (ring[e & mask] - ring[i & mask]) * bp
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
def _scan(h: Any, a: int, b: int, out: Any, n: int) -> Any:
    """The minimum of h[a:b], every position holding it appended to out[n:]: (minimum, its last
    position, new n)."""
    lo = h[a]
    for i in range(a + 1, b):
        if h[i] < lo:
            lo = h[i]
    pos = a
    for i in range(a, b):
        if h[i] == lo:
            out[n] = i
            n += 1
            pos = i
    return lo, pos, n


@_njit
def winnow(h: Any, w: int) -> Any:
    """tokens.winnow: indices of the n-grams that are the minimum of some window of w (all of them
    when several tie). Keeps the window's minimum and its last position; the window is scanned
    again only when that position leaves it (robust winnowing's loop, ties kept): a few compares
    per n-gram, no temporary arrays."""
    m = len(h)
    out = np.empty(m, dtype=np.int64)
    if m == 0:
        return out[:0]
    lo, pos, n = _scan(h, 0, min(w, m), out, 0)
    for t in range(w, m):
        j = t - w + 1  # the window [j, t]
        if pos < j:
            lo, pos, n = _scan(h, j, t + 1, out, n)
            continue
        x = h[t]
        if x <= lo:
            lo = x
            pos = t
            out[n] = t
            n += 1
    return out[:n].copy()
