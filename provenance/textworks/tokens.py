"""Tokens, n-grams and anchors of a normalised text, vectorised with numpy (no Python loop per word).

A token is a run of word characters, or one CJK-like character. Token hashes are polynomial
prefix sums mod 2**64: code points `c_t` (plus an offset) are multiplied by `B**-t` (an odd base
has an inverse mod 2**64) and summed, so the hash of the run `[s, e)` is `(S[e] - S[s]) * B**s`,
independent of where the run sits; the same trick over token hashes with a second base gives the
n-gram hashes; both pass through the murmur3 finaliser. Work is done in 64 K code-point chunks so
the arrays stay in L2 (that alone doubled throughput).

`provenance.textworks.kernel` computes the same token hashes with a compiled loop when numba is
installed; the two are tested to be identical.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from provenance.textworks.normalize import (
    ASCII_DELETE,
    ASCII_MAP,
    CHAR,
    CLASS_SHIFT,
    CP_MASK,
    RS,
    SEP,
    WORD,
    WS_BIT,
    normalize_cps,
    table,
)

U64 = np.uint64
B_CHAR = 0x9E3779B97F4A7C15 | 1
B_TOK = 0xD6E8FEB86659FD93 | 1
CP_OFFSET = 0x5851F42D4C957F2D
#: Mixed into Bloom keys with the work index: a span grows only through text of the same work.
WORK_KEY = 0xA24BAED4963EE407
#: Code points per numpy pass: keeps the arrays in L2.
CHUNK = 1 << 16
_M1, _M2, _S33 = U64(0xFF51AFD7ED558CCD), U64(0xC4CEB9FE1A85EC53), U64(33)


def mix64(x: np.ndarray) -> np.ndarray:
    """murmur3 fmix64, in place (give it a fresh array)."""
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    x ^= x >> _S33
    return x


def _pow_table(base: int, n: int) -> np.ndarray:
    a = np.full(n, base, dtype=U64)
    a[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(a, dtype=U64)


class _Powers:
    """B**t and B**-t mod 2**64 for both bases, grown on demand (per process)."""

    def __init__(self) -> None:
        self.n = 0
        self.grow(CHUNK + 1024)

    def grow(self, n: int) -> None:
        if n <= self.n:
            return
        n = 1 << max(16, (n - 1).bit_length())
        self.c = _pow_table(B_CHAR, n)
        self.ci = _pow_table(pow(B_CHAR, -1, 1 << 64), n)
        self.t = _pow_table(B_TOK, n)
        self.ti = _pow_table(pow(B_TOK, -1, 1 << 64), n)
        self.n = n


POW = _Powers()


@dataclass(frozen=True)
class Tokens:
    """The tokens of a stream, in order."""

    #: uint64 token hashes.
    hash: np.ndarray
    #: bool: the token is one CJK-like character.
    cjk: np.ndarray
    #: int64 offset of the token in the normalised text of the stream.
    start: np.ndarray
    #: int64 end offset (exclusive).
    end: np.ndarray
    #: bool: white space (or a CJK character, or the stream's start) precedes the token: it starts
    #: a policy word (`well-known`, `1,000` and `U.S.` are one word each).
    newword: np.ndarray


def empty_tokens() -> Tokens:
    z = np.zeros(0, np.int64)
    return Tokens(np.zeros(0, U64), np.zeros(0, bool), z, z, np.zeros(0, bool))


def hash_runs(w: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Polynomial hash of each run w[start:end] (w: code point values), mixed."""
    n = len(w)
    POW.grow(n + 1)
    with np.errstate(over="ignore"):
        x = (w.astype(U64) + U64(CP_OFFSET)) * POW.ci[:n]
        s = np.empty(n + 1, dtype=U64)
        s[0] = 0
        np.cumsum(x, out=s[1:])
        h = (s[end] - s[start]) * POW.c[start]
    return mix64(h)


def _edges(isw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of the runs of True."""
    p = np.zeros(len(isw) + 2, dtype=bool)
    p[1:-1] = isw
    return (p[1:-1] & ~p[:-2]).nonzero()[0], (p[1:-1] & ~p[2:]).nonzero()[0] + 1


def _newword(ws: np.ndarray, start: np.ndarray, end: np.ndarray, cjk: np.ndarray | None) -> np.ndarray:
    """A token starts a new word when white space lies between it and the previous token."""
    c = np.zeros(len(ws) + 1, dtype=np.int32)
    np.cumsum(ws, out=c[1:])
    nw = np.ones(len(start), dtype=bool)
    if len(start) > 1:
        nw[1:] = c[start[1:]] > c[end[:-1]]
        if cjk is not None:
            nw[1:] |= cjk[:-1]
    return nw


def joiners(isw: np.ndarray, punct: np.ndarray) -> np.ndarray | None:
    """Punctuation inside a word (1,000  U.S.  e.g.  a/b  a..b): one or two marks between letters
    or digits. Deleted, not separators, so stripping punctuation keeps the words."""
    n = len(isw)
    if n < 3:
        return None
    j = np.zeros(n, dtype=bool)
    j[1:-1] = punct[1:-1] & isw[:-2] & isw[2:]
    if n > 3:
        two = np.zeros(n, dtype=bool)
        two[1:-2] = punct[1:-2] & punct[2:-1] & isw[:-3] & isw[3:]
        j |= two
        j[2:] |= two[1:-1]
    return j if j.any() else None


# One piece of a stream: (token hashes, cjk, start, end, newword, RS offsets, normalised length)
Piece = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]


def tokenize_ascii(b: bytes) -> Piece:
    """Tokens of ASCII text already mapped by ASCII_MAP with ASCII_DELETE removed."""
    v = np.frombuffer(b, dtype=np.uint8)
    isw = v > 32
    j = joiners(isw, v == 1)
    if j is not None:
        v = v[~j]
        isw = v > 32
    start, end = _edges(isw)
    rs = v == 2
    ws = (v == 32) | rs
    h = hash_runs(v, start, end)
    return h, np.zeros(len(h), bool), start, end, _newword(ws, start, end, None), rs.nonzero()[0], len(v)


def tokenize_cps(v: np.ndarray) -> Piece:
    """Tokens of table values (normalize_cps)."""
    cls = ((v >> CLASS_SHIFT) & np.uint32(3)).astype(np.int8)
    j = joiners(cls == WORD, (cls == SEP) & ((v & np.uint32(WS_BIT)) == 0))
    if j is not None:
        v = v[~j]
        cls = cls[~j]
    isc = cls == CHAR
    if not isc.any():
        start, end = _edges(cls == WORD)
        cjk = np.zeros(len(start), bool)
    else:
        p = np.zeros(len(v) + 2, dtype=bool)
        p[1:-1] = cls == WORD
        start = ((p[1:-1] & ~p[:-2]) | isc).nonzero()[0]
        end = ((p[1:-1] & ~p[2:]) | isc).nonzero()[0] + 1
        cjk = isc[start]
    cp = v & np.uint32(CP_MASK)
    rs = cp == 2
    ws = ((v & np.uint32(WS_BIT)) != 0) | rs
    nw = _newword(ws, start, end, cjk)
    return hash_runs(cp, start, end), cjk, start, end, nw, rs.nonzero()[0], len(v)


def tokenize_piece_numpy(piece: str) -> Piece:
    """One chunk of text (no markup) -> its tokens: ASCII through bytes.translate, the rest
    through the code-point table."""
    if piece.isascii():
        return tokenize_ascii(piece.encode("ascii").translate(ASCII_MAP, ASCII_DELETE))
    return tokenize_cps(normalize_cps(piece))


def split_points(s: str, size: int = CHUNK) -> list[int]:
    """Chunk boundaries near every `size` characters that never fall inside a word."""
    cuts = [0]
    n = len(s)
    if n <= size:
        return [0, n]
    tab = table()
    while n - cuts[-1] > size:
        p = cuts[-1] + size
        lo = max(cuts[-1] + 1, p - 256)
        while p > lo and (int(tab[ord(s[p])]) >> CLASS_SHIFT) & 3 == WORD and \
                (int(tab[ord(s[p - 1])]) >> CLASS_SHIFT) & 3 == WORD:
            p -= 1
        cuts.append(p)
    cuts.append(n)
    return cuts


def tokenize_text(s: str, piece_fn: Callable[[str], Piece] | None = None) -> tuple[Tokens, np.ndarray, int]:
    """Tokens of a text without markup (records joined by RS), the normalised offsets of the RS
    separators, and the length of the normalised text."""
    tok = piece_fn or tokenize_piece_numpy
    cuts = split_points(s)
    return assemble([tok(s[a:b]) for a, b in itertools.pairwise(cuts)])


def assemble(pieces: list[Piece]) -> tuple[Tokens, np.ndarray, int]:
    """One stream from its chunks: offsets shifted (a chunk ends with a virtual separator), the
    first token of every chunk starts a word."""
    hs: list[np.ndarray] = []
    cj: list[np.ndarray] = []
    st: list[np.ndarray] = []
    en: list[np.ndarray] = []
    nws: list[np.ndarray] = []
    rsp: list[np.ndarray] = []
    off = 0
    for h, c, t0, t1, nw, rs, n in pieces:
        hs.append(h)
        cj.append(c)
        st.append(t0 + off)
        en.append(t1 + off)
        if len(rs):
            rsp.append(rs + off)
        if nws and len(nw) and t0[0] > 0:
            nw = nw.copy()
            nw[0] = True  # chunks are cut at separators
        nws.append(nw)
        off += n + 1
    rs_all = np.concatenate(rsp) if rsp else np.zeros(0, np.int64)
    if len(hs) == 1:
        return Tokens(hs[0], cj[0], st[0], en[0], nws[0]), rs_all, off
    return Tokens(np.concatenate(hs), np.concatenate(cj), np.concatenate(st), np.concatenate(en),
                  np.concatenate(nws)), rs_all, off


@dataclass(frozen=True)
class Grams:
    """One n-gram per start token."""

    #: uint64 n-gram hashes.
    hash: np.ndarray
    #: int64 end token (exclusive) of each n-gram; its start is its index.
    end: np.ndarray


def ngrams(tok_hash: np.ndarray, cjk: np.ndarray, n_word: int, n_cjk: int) -> Grams:
    """Hash of every window of n_word words / n_cjk CJK characters (a mixed window weighs a word
    as n_cjk / n_word characters), one per start token; computed in L2-sized chunks."""
    m = len(tok_hash)
    nc = int(cjk.sum()) if m else 0
    span = max(n_word, n_cjk)
    empty = Grams(np.zeros(0, U64), np.zeros(0, np.int64))
    if nc == 0 or nc == m:
        n = n_cjk if nc else n_word
        k = m - n + 1
        if k <= 0:
            return empty
        ends = np.arange(n, m + 1, dtype=np.int64)
    else:
        wgt = np.where(cjk, n_word, n_cjk).astype(np.int64)
        cum = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(wgt, out=cum[1:])
        major_cjk = nc * 2 > m
        n0 = n_cjk if major_cjk else n_word
        ends = np.arange(n0, m + n0, dtype=np.int64)
        # only windows that hold a token of the minority kind need a search
        minority = np.flatnonzero(~cjk if major_cjk else cjk)
        mark = (np.bincount(np.maximum(minority - span + 1, 0), minlength=m + 1)
                - np.bincount(minority + 1, minlength=m + 1))
        redo = np.flatnonzero(np.cumsum(mark[:-1]) > 0)
        ends[redo] = np.searchsorted(cum, cum[redo] + n_word * n_cjk, side="left")
        ends = np.minimum(ends, m + 1)
        k = int(np.searchsorted(ends, m, side="right"))
        ends = ends[:k]
        if k <= 0:
            return empty
    POW.grow(CHUNK + span + 1)
    out = np.empty(k, dtype=U64)
    with np.errstate(over="ignore"):
        for c0 in range(0, k, CHUNK):
            c1 = min(k, c0 + CHUNK)
            e = ends[c0:c1] - c0
            top = int(e[-1])
            t = np.empty(top + 1, dtype=U64)
            t[0] = 0
            np.cumsum(tok_hash[c0:c0 + top] * POW.ti[:top], out=t[1:])
            out[c0:c1] = (t[e] - t[:c1 - c0]) * POW.t[:c1 - c0]
    return Grams(mix64(out), ends)


def winnow(h: np.ndarray, w: int) -> np.ndarray:
    """Indices of the winnowed n-grams: those that are the minimum of some window of w. Any
    shared run of w n-grams shares an anchor on both sides."""
    m = len(h)
    if m == 0:
        return np.zeros(0, np.int64)
    if m <= w:
        return np.flatnonzero(h == h.min())
    mins = _sliding(h, w, np.minimum)  # mins[i] = min h[i:i+w]
    # t is selected iff h[t] == the max, over the windows holding t, of the window minimum
    t_best = np.empty(m, dtype=U64)
    if len(mins) >= w:
        t_best[w - 1:m - w + 1] = _sliding(mins, w, np.maximum)
    for t in list(range(0, min(w - 1, m))) + list(range(max(m - w + 1, w - 1), m)):
        lo, hi = max(0, t - w + 1), min(t, m - w)
        t_best[t] = mins[lo:hi + 1].max()
    return np.flatnonzero(h == t_best)


def _sliding(a: np.ndarray, w: int, op: np.ufunc) -> np.ndarray:
    """op over every window of w (sparse-table doubling: log2(w) + 1 passes)."""
    p = 1
    cur = a
    while p * 2 <= w:
        cur = op(cur[:-p], cur[p:])
        p *= 2
    if p == w:
        return cur
    return op(cur[:len(a) - w + 1], cur[w - p:w - p + len(a) - w + 1])


__all__ = ["RS", "Grams", "Tokens", "mix64", "ngrams", "tokenize_text", "winnow"]
