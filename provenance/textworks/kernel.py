"""The compiled tokenise-and-hash kernel: the same tokens as `tokens.tokenize_piece_numpy`, in
three single passes over the code points instead of some twenty numpy passes and temporaries.

Optional: it needs numba (`pip install 'provenance[fast]'`); without it, or with
`PROVENANCE_NUMBA=0`, the numpy path runs. The two give identical tokens, hashes, offsets and
word starts (tests/detectors/test_text_kernel.py compares them on random and real text).

Pass 1 maps each code point through the normalisation table, expanding the compatibility
characters whose NFKC is a few plain characters (`…` -> `...`, `ﬁ` -> `fi`, `½` -> `1⁄2`) and
dropping deleted ones; a piece holding a character that needs Python's NFKC with composition
(combining marks, conjoining jamo) goes to the numpy path whole, as it would there. Pass 2
deletes punctuation inside words, cuts tokens and hashes them
(sum of (c + offset) * B**-j over a token's characters, the polynomial the numpy path computes
with prefix sums), then mixes them (murmur3 fmix64).
"""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from provenance.textworks.normalize import CHAR, CLASS_SHIFT, COMPLEX_BIT, CP_MASK, SEP, WORD, WS_BIT, table
from provenance.textworks.tokens import (
    B_CHAR,
    CHUNK,
    CP_OFFSET,
    Piece,
    Tokens,
    assemble,
    tokenize_piece_numpy,
)

_MASK64 = (1 << 64) - 1


#: With PROVENANCE_NUMBA unset ("auto"), a process turns to the kernel once it has read this many
#: characters: loading numba and the compiled functions costs ~1 CPU s per process, more than the
#: kernel saves on a small scan (identical results either way).
AUTO_AFTER = 32 << 20
_seen = 0


def available() -> bool:
    """Whether the compiled kernel can be used (numba installed and not turned off)."""
    return piece_function() is not None


def wanted(chars: int) -> bool:
    """Whether to use the kernel for `chars` more characters of text: PROVENANCE_NUMBA=1 always,
    0 never, unset after AUTO_AFTER characters in this process."""
    global _seen
    mode = os.environ.get("PROVENANCE_NUMBA", "auto")
    if mode == "0":
        return False
    _seen += chars
    return (mode == "1" or _seen > AUTO_AFTER) and available()


@lru_cache(maxsize=1)
def expansions() -> tuple[np.ndarray, np.ndarray]:
    """(offset per code point into `data`, code points) for the characters whose NFKC is several
    characters none of which composes (no mark, no jamo); offset -1: not expandable here."""
    tab = table()
    off = np.full(0x110000, -1, dtype=np.int32)
    data: list[int] = []
    for o in np.flatnonzero(tab & COMPLEX_BIT).tolist():
        k = unicodedata.normalize("NFKC", chr(o))
        if len(k) > 1 and not any(unicodedata.category(ch).startswith("M") or 0x1100 <= ord(ch) <= 0x11FF
                                  for ch in k):
            off[o] = len(data)
            data.append(len(k))
            data.extend(ord(ch) for ch in k)
    return off, np.array(data, dtype=np.uint32)


def piece_function() -> Callable[[str], Piece] | None:
    """`tokenize_piece` compiled, or None when numba is missing or PROVENANCE_NUMBA=0."""
    compiled = _compiled()
    return compiled[0] if compiled else None


def stream_function() -> Callable[[str], tuple[Tokens, np.ndarray, int]] | None:
    """tokens.tokenize_text with every chunk through the kernel."""
    compiled = _compiled()
    return compiled[1] if compiled else None


SpanFn = Callable[[np.ndarray, int, np.ndarray, np.ndarray, int, int, int, int], np.ndarray]


def span_function() -> SpanFn | None:
    """match.local_components compiled: (words, k, g, seeds, radius, wid, gap_max, min_run) ->
    int64 array of (first, last) n-gram of each span."""
    compiled = _compiled()
    return compiled[2] if compiled else None


GramsFn = Callable[[np.ndarray, np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]
WinnowFn = Callable[[np.ndarray, int], np.ndarray]


def grams_functions() -> tuple[GramsFn, WinnowFn] | None:
    """tokens.ngrams ((hashes, ends) of (token hashes, cjk, n_word, n_cjk)) and tokens.winnow,
    compiled."""
    compiled = _compiled()
    return (compiled[3], compiled[4]) if compiled else None


Compiled = tuple[Callable[[str], Piece], Callable[[str], tuple[Tokens, np.ndarray, int]], SpanFn, GramsFn, WinnowFn]


@lru_cache(maxsize=1)
def _compiled() -> Compiled | None:
    if os.environ.get("PROVENANCE_NUMBA", "1") == "0":
        return None
    try:
        import numba  # optional extra (fast)
    except ImportError:
        return None
    return _compile(numba)


def _compile(numba: Any) -> Compiled:
    njit = numba.njit(cache=True, nogil=True, boundscheck=False)
    u64 = np.uint64
    cinv = u64(pow(B_CHAR, -1, 1 << 64))
    offset = u64(CP_OFFSET)
    m1, m2, s33 = u64(0xFF51AFD7ED558CCD), u64(0xC4CEB9FE1A85EC53), u64(33)
    cp_mask, complex_bit, ws_bit = CP_MASK, COMPLEX_BIT, WS_BIT
    cls_shift, k_word = CLASS_SHIFT, WORD
    assert (SEP, WORD, CHAR, CLASS_SHIFT) == (0, 1, 2, 24)  # the flags below rely on these values

    # flags per normalised character: class (2 bits) | white space << 2 | record separator << 3
    @njit
    def normalise_plain(cps: Any, tab: Any) -> Any:
        """normalise for text without compatibility characters (one pass); None when it has some."""
        n = len(cps)
        cp = np.empty(n, dtype=np.uint32)
        fl = np.empty(n, dtype=np.uint8)
        j = 0
        for i in range(n):
            v = tab[cps[i]]
            if v & complex_bit:
                return None
            cl = (v >> 24) & 3
            if cl != 3:
                x = v & cp_mask
                cp[j] = x
                fl[j] = cl | (4 if (v & ws_bit) or x == 2 else 0) | (8 if x == 2 else 0)
                j += 1
        return cp[:j], fl[:j]

    @njit
    def normalise(cps: Any, tab: Any, exp_off: Any, exp_data: Any) -> Any:
        """(code points, flags) of the normalised text, deleted characters dropped; None: needs NFKC."""
        n = 0
        for i in range(len(cps)):
            c = cps[i]
            if tab[c] & complex_bit:
                e = exp_off[c]
                if e < 0:
                    return None
                n += exp_data[e]
            else:
                n += 1
        cp = np.empty(n, dtype=np.uint32)
        fl = np.empty(n, dtype=np.uint8)
        j = 0
        for i in range(len(cps)):
            c = cps[i]
            v = tab[c]
            if v & complex_bit:
                e = exp_off[c]
                for q in range(exp_data[e]):
                    w = tab[exp_data[e + 1 + q]]
                    cl = (w >> 24) & 3
                    if cl != 3:
                        x = w & cp_mask
                        cp[j] = x
                        fl[j] = cl | (4 if (w & ws_bit) or x == 2 else 0) | (8 if x == 2 else 0)
                        j += 1
            else:
                cl = (v >> 24) & 3
                if cl != 3:
                    x = v & cp_mask
                    cp[j] = x
                    fl[j] = cl | (4 if (v & ws_bit) or x == 2 else 0) | (8 if x == 2 else 0)
                    j += 1
        return cp[:j], fl[:j]

    @njit
    def tokens(cp: Any, fl: Any) -> Any:
        """Joiners dropped (one or two marks between letters or digits, as tokens.joiners decides on
        the text before any is dropped), tokens cut and hashed, in one pass."""
        n = len(fl)
        hashes = np.empty(n, dtype=np.uint64)
        cjk = np.zeros(n, dtype=np.bool_)
        start = np.empty(n, dtype=np.int64)
        end = np.empty(n, dtype=np.int64)
        newword = np.ones(n, dtype=np.bool_)
        rs = np.empty(n, dtype=np.int64)
        k = -1
        r = 0
        j = 0
        seen_ws = False
        in_word = False
        skip = False
        h = np.uint64(0)
        p = np.uint64(1)
        for i in range(n):
            if skip:
                skip = False
                continue
            f = fl[i]
            if f == 0 and n >= 3 and 1 <= i <= n - 2 and (fl[i - 1] & 3) == 1:
                if (fl[i + 1] & 3) == 1:
                    continue
                if n > 3 and i <= n - 3 and fl[i + 1] == 0 and (fl[i + 2] & 3) == 1:
                    skip = True
                    continue
            cl = f & 3
            if cl == 1:
                if not in_word:
                    k += 1
                    if k > 0:
                        newword[k] = seen_ws or cjk[k - 1]
                    seen_ws = False
                    start[k] = j
                    h = np.uint64(0)
                    p = np.uint64(1)
                    in_word = True
                h += (np.uint64(cp[i]) + offset) * p
                p *= cinv
            else:
                if in_word:
                    h ^= h >> s33
                    h *= m1
                    h ^= h >> s33
                    h *= m2
                    h ^= h >> s33
                    hashes[k] = h
                    end[k] = j
                    in_word = False
                if cl == 2:
                    k += 1
                    if k > 0:
                        newword[k] = seen_ws or cjk[k - 1]
                    seen_ws = False
                    x = np.uint64(cp[i]) + offset
                    x ^= x >> s33
                    x *= m1
                    x ^= x >> s33
                    x *= m2
                    x ^= x >> s33
                    hashes[k] = x
                    cjk[k] = True
                    start[k] = j
                    end[k] = j + 1
                else:
                    if f & 4:
                        seen_ws = True
                    if f & 8:
                        rs[r] = j
                        r += 1
            j += 1
        if in_word:
            h ^= h >> s33
            h *= m1
            h ^= h >> s33
            h *= m2
            h ^= h >> s33
            hashes[k] = h
            end[k] = j
        k += 1
        return hashes[:k].copy(), cjk[:k].copy(), start[:k].copy(), end[:k].copy(), newword[:k].copy(), \
            rs[:r].copy(), j

    @njit
    def cuts(cps: Any, tab: Any, size: int) -> Any:
        """tokens.split_points on code points."""
        n = len(cps)
        out = [0]
        while n - out[-1] > size:
            p = out[-1] + size
            lo = max(out[-1] + 1, p - 256)
            while p > lo and ((tab[cps[p]] >> cls_shift) & np.uint32(3)) == k_word and \
                    ((tab[cps[p - 1]] >> cls_shift) & np.uint32(3)) == k_word:
                p -= 1
            out.append(p)
        out.append(n)
        return np.array(out, dtype=np.int64)

    tab = table()
    exp_off, exp_data = expansions()

    def tokenize_piece(piece: str) -> Piece:
        if piece.isascii():
            cps: np.ndarray = np.frombuffer(piece.encode("ascii"), dtype=np.uint8)
        else:
            cps = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        got = normalise_plain(cps, tab)
        if got is None:
            got = normalise(cps, tab, exp_off, exp_data)
        if got is None:
            return tokenize_piece_numpy(piece)
        h, cjk, start, end, nw, rs, n = tokens(got[0], got[1])
        return h, cjk, start, end, nw, rs, int(n)

    def tokenize_stream(text: str) -> tuple[Tokens, np.ndarray, int]:
        """tokens.tokenize_text: the same chunks, each through the kernel (or, when it holds a
        character that needs NFKC with composition, through the numpy path)."""
        if text.isascii():
            cps: np.ndarray = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        else:
            cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        cut = cuts(cps, tab, CHUNK).tolist()
        pieces: list[Piece] = []
        for a, b in itertools.pairwise(cut):
            got = normalise_plain(cps[a:b], tab)
            if got is None:
                got = normalise(cps[a:b], tab, exp_off, exp_data)
            if got is None:
                pieces.append(tokenize_piece_numpy(text[a:b]))
            else:
                h, cjk, start, end, nw, rs, n = tokens(got[0], got[1])
                pieces.append((h, cjk, start, end, nw, rs, int(n)))
        return assemble(pieces)

    # numba at import: only reached with numba installed
    from provenance.textworks import kernel_grams, kernel_spans

    return tokenize_piece, tokenize_stream, kernel_spans.spans, kernel_grams.ngrams, kernel_grams.winnow
