"""The tokeniser kernel's loops (numba; extra `fast`), at module level so that numba's on-disk cache
serves them in every process. Imported only when numba is installed; `kernel.py` wraps them.

`stream` runs a whole stream's chunks (the cuts of `tokens.split_points`) in one call and writes
the tokens straight into the stream's arrays (offsets shifted, a virtual separator after every
chunk, the first token of every chunk starting a word: what `tokens.assemble` does with the
pieces), so there is no per-chunk Python call, temporary or concatenation. It stops before a chunk
holding a character that needs Python's NFKC with composition; the caller runs that chunk through
Python's NFKC and the table (`normalize.normalize_cps`, as the numpy path does) and calls it again
with those values, and it goes on from there.

Per chunk, one pass (`tokens_plain`) maps code points through the normalisation table, deletes
punctuation inside words (looking up the next two normalised characters when a mark follows a
letter), cuts tokens and hashes them. A chunk with compatibility characters whose NFKC is a few
plain characters takes two: `normalise` (expanding them, dropping deleted characters) into a
scratch buffer, then `tokens_into` on it."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from provenance.textworks.normalize import CHAR, CLASS_SHIFT, COMPLEX_BIT, CP_MASK, SEP, WORD, WS_BIT
from provenance.textworks.tokens import B_CHAR, CP_OFFSET

assert (SEP, WORD, CHAR, CLASS_SHIFT) == (0, 1, 2, 24)  # the flags below rely on these values

_njit = numba.njit(cache=True, nogil=True, boundscheck=False)
_u64 = np.uint64
_CINV = _u64(pow(B_CHAR, -1, 1 << 64))
_OFFSET = _u64(CP_OFFSET)
_M1, _M2, _S33 = _u64(0xFF51AFD7ED558CCD), _u64(0xC4CEB9FE1A85EC53), _u64(33)
_CP_MASK = np.uint32(CP_MASK)
_COMPLEX = np.uint32(COMPLEX_BIT)
_WS = np.uint32(WS_BIT)


@_njit
def cuts(cps: Any, tab: Any, size: int) -> Any:
    """tokens.split_points on code points."""
    n = len(cps)
    out = [0]
    while n - out[-1] > size:
        p = out[-1] + size
        lo = max(out[-1] + 1, p - 256)
        while p > lo and ((tab[cps[p]] >> 24) & np.uint32(3)) == 1 and ((tab[cps[p - 1]] >> 24) & np.uint32(3)) == 1:
            p -= 1
        out.append(p)
    out.append(n)
    return np.array(out, dtype=np.int64)


@_njit
def _flag(v: Any) -> Any:
    """class (2 bits) | white space << 2 | record separator << 3, of a table value."""
    x = v & _CP_MASK
    return np.uint8(((v >> 24) & 3) | (4 if (v & _WS) or x == 2 else 0) | (8 if x == 2 else 0))


@_njit
def normalise(cps: Any, tab: Any, exp_off: Any, exp_data: Any) -> Any:
    """(code points, flags) of the normalised text, deleted characters dropped, compatibility
    characters expanded; None: the text needs Python's NFKC."""
    n = 0
    for i in range(len(cps)):
        c = cps[i]
        if tab[c] & _COMPLEX:
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
        if v & _COMPLEX:
            e = exp_off[c]
            for q in range(exp_data[e]):
                w = tab[exp_data[e + 1 + q]]
                if (w >> 24) & 3 != 3:
                    cp[j] = w & _CP_MASK
                    fl[j] = _flag(w)
                    j += 1
        elif (v >> 24) & 3 != 3:
            cp[j] = v & _CP_MASK
            fl[j] = _flag(v)
            j += 1
    return cp[:j], fl[:j]


@_njit
def _mix(h: Any) -> Any:
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


@_njit
def tokens_into(cp: Any, fl: Any, n: int, hashes: Any, cjk: Any, start: Any, end: Any, newword: Any, rs: Any,
                k0: int, r0: int, off: int) -> Any:
    """Pass 2 on cp[:n], fl[:n]: joiners dropped (one or two marks between letters or digits, as
    tokens.joiners decides on the text before any is dropped), tokens cut and hashed, written at
    token k0 and separator r0 with offsets shifted by off. Returns (tokens, separators, length)
    after the chunk; the chunk's first token starts a word."""
    k = k0 - 1
    r = r0
    j = 0
    seen_ws = False
    in_word = False
    skip = False
    h = _u64(0)
    p = _u64(1)
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
                newword[k] = k == k0 or seen_ws or cjk[k - 1]
                seen_ws = False
                cjk[k] = False
                start[k] = j + off
                h = _u64(0)
                p = _u64(1)
                in_word = True
            h += (_u64(cp[i]) + _OFFSET) * p
            p *= _CINV
        else:
            if in_word:
                hashes[k] = _mix(h)
                end[k] = j + off
                in_word = False
            if cl == 2:
                k += 1
                newword[k] = k == k0 or seen_ws or cjk[k - 1]
                seen_ws = False
                hashes[k] = _mix(_u64(cp[i]) + _OFFSET)
                cjk[k] = True
                start[k] = j + off
                end[k] = j + off + 1
            else:
                if f & 4:
                    seen_ws = True
                if f & 8:
                    rs[r] = j + off
                    r += 1
        j += 1
    if in_word:
        hashes[k] = _mix(h)
        end[k] = j + off
    return k + 1, r, j


@_njit
def _next_flags(part: Any, tab: Any, ri: int) -> Any:
    """Flags of the next two normalised characters after part[ri] (-1: none; -2: a character that
    needs more than the table comes first)."""
    f1 = -1
    q = ri + 1
    while q < len(part):
        v = tab[part[q]]
        if v & _COMPLEX:
            return -2, -2
        if (v >> 24) & 3 != 3:
            if f1 < 0:
                f1 = int(_flag(v))
            else:
                return f1, int(_flag(v))
        q += 1
    return f1, -1


@_njit
def tokens_plain(part: Any, tab: Any, hashes: Any, cjk: Any, start: Any, end: Any, newword: Any, rs: Any,
                 k0: int, r0: int, off: int) -> Any:
    """Both passes in one for a chunk without compatibility characters: table, joiners, tokens
    (tokens_into on what normalise_plain gives, the two next normalised characters looked up
    when a mark follows a letter). Returns (tokens, separators, length) after the chunk, or
    tokens -1 when the chunk holds a character that needs more than the table (what was written
    is written again by the caller)."""
    k = k0 - 1
    r = r0
    j = 0
    seen_ws = False
    in_word = False
    skip = False
    h = _u64(0)
    p = _u64(1)
    prev_word = False  # the previous normalised character (joiners included) is a word character
    prev_cjk = False  # the previous token is a CJK character
    for ri in range(len(part)):
        v = tab[part[ri]]
        if v & _COMPLEX:
            return -1, 0, 0
        cl = (v >> 24) & 3
        if cl == 3:
            continue
        if skip:
            skip = False
            prev_word = cl == 1
            continue
        if cl == 1:
            prev_word = True
            if not in_word:
                k += 1
                newword[k] = k == k0 or seen_ws or prev_cjk
                seen_ws = False
                cjk[k] = False
                prev_cjk = False
                start[k] = j + off
                h = _u64(0)
                p = _u64(1)
                in_word = True
            h += (_u64(v & _CP_MASK) + _OFFSET) * p
            p *= _CINV
            j += 1
            continue
        x = v & _CP_MASK
        ws = (v & _WS) != 0 or x == 2
        if cl == 0 and not ws and prev_word:  # a mark after a letter: a joiner when a letter follows
            f1, f2 = _next_flags(part, tab, ri)
            if f1 == -2:
                return -1, 0, 0
            if f1 >= 0 and (f1 & 3) == 1:
                prev_word = False
                continue
            if f1 == 0 and f2 >= 0 and (f2 & 3) == 1:
                skip = True
                prev_word = False
                continue
        prev_word = False
        if in_word:
            hashes[k] = _mix(h)
            end[k] = j + off
            in_word = False
        if cl == 2:
            k += 1
            newword[k] = k == k0 or seen_ws or prev_cjk
            seen_ws = False
            hashes[k] = _mix(_u64(x) + _OFFSET)
            cjk[k] = True
            prev_cjk = True
            start[k] = j + off
            end[k] = j + off + 1
        else:
            if ws:
                seen_ws = True
            if x == 2:
                rs[r] = j + off
                r += 1
        j += 1
    if in_word:
        hashes[k] = _mix(h)
        end[k] = j + off
    return k + 1, r, j


@_njit
def _grow(a: Any, need: int) -> Any:
    if need <= len(a):
        return a
    b = np.empty(max(need, 2 * len(a)), dtype=a.dtype)
    b[:len(a)] = a
    return b


@_njit
def _grow5(hashes: Any, cjk: Any, start: Any, end: Any, newword: Any, need: int) -> Any:
    return _grow(hashes, need), _grow(cjk, need), _grow(start, need), _grow(end, need), _grow(newword, need)


@_njit
def buffers(cap: int) -> Any:
    """Arrays for a stream of up to cap tokens (they grow when needed): hashes, cjk, start, end,
    newword, separators. Room for one token per character: only the pages written are ever
    touched, while growing copies and faults in fresh pages."""
    return (np.empty(cap, dtype=np.uint64), np.empty(cap, dtype=np.bool_), np.empty(cap, dtype=np.int64),
            np.empty(cap, dtype=np.int64), np.empty(cap, dtype=np.bool_), np.empty(1024, dtype=np.int64))


@_njit
def stream(cps: Any, tab: Any, exp_off: Any, exp_data: Any, cut: Any, c0: int, vals: Any, use_vals: bool,
           hashes: Any, cjk: Any, start: Any, end: Any, newword: Any, rs: Any, k: int, r: int, off: int) -> Any:
    """Chunks c0, c0 + 1, ... of cps (chunk i is cps[cut[i]:cut[i + 1]]) into the stream's arrays,
    after k tokens, r separators and off normalised characters (a virtual separator after every
    chunk): (hashes, cjk, start, end, newword, separators, k, r, off, next chunk). Stops before a
    chunk that needs Python's NFKC (next chunk < len(cut) - 1); called again with that chunk's
    table values (`normalize.normalize_cps`) in vals and use_vals set, it goes on from there."""
    nchunks = len(cut) - 1
    c = c0
    while c < nchunks:
        if use_vals and c == c0:
            cp = np.empty(len(vals), dtype=np.uint32)
            fl = np.empty(len(vals), dtype=np.uint8)
            n = 0
            for i in range(len(vals)):
                v = vals[i]
                if (v >> 24) & 3 != 3:
                    cp[n] = v & _CP_MASK
                    fl[n] = _flag(v)
                    n += 1
            ccp, cfl = cp, fl
        else:
            part = cps[cut[c]:cut[c + 1]]
            n = len(part)
            if k + n > len(hashes):
                hashes, cjk, start, end, newword = _grow5(hashes, cjk, start, end, newword, k + n)
            rs = _grow(rs, r + n)
            k2, r2, j = tokens_plain(part, tab, hashes, cjk, start, end, newword, rs, k, r, off)
            if k2 >= 0:
                k, r = k2, r2
                off += j + 1
                c += 1
                continue
            got = normalise(part, tab, exp_off, exp_data)
            if got is None:
                break
            ccp, cfl = got
            n = len(ccp)
        if k + n > len(hashes):
            hashes, cjk, start, end, newword = _grow5(hashes, cjk, start, end, newword, k + n)
        rs = _grow(rs, r + n)
        k, r, j = tokens_into(ccp, cfl, n, hashes, cjk, start, end, newword, rs, k, r, off)
        off += j + 1
        c += 1
    return hashes, cjk, start, end, newword, rs, k, r, off, c
