"""The compiled kernel: a lookup's steps up to the span walk, with the same results as the numpy
path (`tokens.py`, `normalize.strip_markup`, `match.py`, `index.py`), which stays the reference.

Optional: it needs numba (`pip install 'provenance[fast]'`); without it, or with
`PROVENANCE_NUMBA=0`, the numpy path runs. The two give identical tokens, hashes, offsets, word
starts, n-grams, anchors and spans (tests/detectors/test_text_kernel.py compares them on random and
real text). The loops are module-level numba functions (numba's on-disk cache serves them in every
process): `kernel_markup` (which records can hold markup), `kernel_tokens` (table, joiners, tokens
and hashes of a whole stream), `kernel_grams` (n-grams, winnowing), `kernel_spans` (index lookup,
span walk). This module wraps them: code points of the joined records, markup stripped from the
flagged records only and spliced in, chunks that need NFKC with composition through Python's NFKC.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from provenance.textworks.normalize import COMPLEX_BIT, MK_RS, RS, normalize_cps, strip_markup_known, table
from provenance.textworks.tokens import (
    CHUNK,
    Piece,
    Tokens,
)

_MASK64 = (1 << 64) - 1
_NO_VALUES = np.zeros(0, dtype=np.uint32)


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


RecordsFn = Callable[[Sequence[str], bool], tuple[Tokens, np.ndarray]]
#: Code points of a stream's records, and its text (or how to read a slice of it).
Prepared = tuple[np.ndarray, str | Callable[[int, int], str]]
PrepareFn = Callable[[Sequence[str], bool], Prepared]
TokenizePreparedFn = Callable[[Prepared], tuple[Tokens, np.ndarray]]
Compiled = tuple[Callable[[str], Piece], Callable[[str], tuple[Tokens, np.ndarray, int]], SpanFn, GramsFn, WinnowFn,
                 RecordsFn, PrepareFn, TokenizePreparedFn, "LookupFn"]


def records_function() -> RecordsFn | None:
    """(records, markup) -> (tokens, RS offsets) of fingerprint_stream, compiled."""
    compiled = _compiled()
    return compiled[5] if compiled else None


LookupFn = Callable[[np.ndarray, np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


def lookup_function() -> LookupFn | None:
    """index.Segment.lookup compiled: (dir, keys, query keys, dir bits) -> (query index, row)."""
    compiled = _compiled()
    return compiled[8] if compiled else None


def records_stages() -> tuple[PrepareFn, TokenizePreparedFn] | None:
    """records_function in its two steps (markup and code points; tokens), for the bench."""
    compiled = _compiled()
    return (compiled[6], compiled[7]) if compiled else None


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
    # numba at import: only reached with numba installed; the jitted loops live at module level
    # (numba's on-disk cache keys a closure by what it captures: closures compiled again per process)
    from provenance.textworks import kernel_grams, kernel_markup, kernel_spans, kernel_tokens

    tab = table()
    exp_off, exp_data = expansions()

    def code_points(text: str) -> np.ndarray:
        if text.isascii():
            return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    def run(text: str | Callable[[int, int], str], cps: np.ndarray, cut: np.ndarray) -> Piece:
        """Every chunk through the kernel; those that need NFKC with composition through Python's
        NFKC and the table first (normalize.normalize_cps, as on the numpy path)."""
        h, cjk, start, end, nw, rs = kernel_tokens.buffers(len(cps) + 64)
        k = r = off = c = 0
        vals, use_vals = _NO_VALUES, False
        nchunks = len(cut) - 1
        while True:
            h, cjk, start, end, nw, rs, k, r, off, c = kernel_tokens.stream(
                cps, tab, exp_off, exp_data, cut, c, vals, use_vals, h, cjk, start, end, nw, rs, k, r, off)
            if c >= nchunks:
                break
            a, b = int(cut[c]), int(cut[c + 1])
            vals, use_vals = normalize_cps(text[a:b] if isinstance(text, str) else text(a, b)), True
        return h[:k], cjk[:k], start[:k], end[:k], nw[:k], rs[:r], int(off) - 1

    def whole(piece: Piece) -> tuple[Tokens, np.ndarray, int]:
        """tokens.assemble of one piece (the kernel's offsets are the stream's already)."""
        h, cjk, start, end, nw, rs, n = piece
        return Tokens(h, cjk, start, end, nw), rs, n + 1

    def tokenize_piece(piece: str) -> Piece:
        """tokens.tokenize_piece_numpy: one chunk."""
        cps = code_points(piece)
        return run(piece, cps, np.array([0, len(cps)], dtype=np.int64))

    def tokenize_stream(text: str) -> tuple[Tokens, np.ndarray, int]:
        """tokens.tokenize_text: the same chunks, each through the kernel (or, when it holds a
        character that needs NFKC with composition, through the numpy path)."""
        cps = code_points(text)
        return whole(run(text, cps, kernel_tokens.cuts(cps, tab, CHUNK)))

    def prepare(records: Sequence[str], markup: bool) -> Prepared:
        """The code points of the records stripped of markup (when `markup`) and joined by RS (a
        record's own RS made a space; one record is not joined), and how to read a slice of them
        as text. Which records can hold markup (or an RS) is found in one compiled pass over the
        joined code points; only those go through strip_markup (in Python), and the code points
        of the records it changes are spliced in."""
        join = len(records) > 1
        text = RS.join(records) if join else records[0]
        cps = code_points(text)
        lens = np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records))
        ends = np.cumsum(lens + 1) - 1
        starts = ends - lens
        bits = kernel_markup.flags(cps, starts, ends)
        if not markup:
            bits &= MK_RS
        if not join:
            bits &= ~np.uint8(MK_RS)
        changed: list[tuple[int, str]] = []
        for i in np.flatnonzero(bits).tolist():
            r = records[i]
            x = strip_markup_known(r, int(bits[i])) if markup else r
            if join and RS in x:
                x = x.replace(RS, " ")
            if x != r:
                changed.append((i, x))
        if not changed:
            return cps, text
        parts, prev = [], 0
        for i, x in changed:
            parts += [cps[prev:starts[i]], code_points(x)]
            prev = int(ends[i])
        parts.append(cps[prev:])
        spliced = np.concatenate(parts)

        def piece_text(a: int, b: int) -> str:
            if spliced.dtype == np.uint8:
                return spliced[a:b].tobytes().decode("latin-1")
            return spliced[a:b].tobytes().decode("utf-32-le", "surrogatepass")

        return spliced, piece_text

    def tokenize_prepared(prepared: Prepared) -> tuple[Tokens, np.ndarray]:
        cps, text = prepared
        tok, rs, _ = whole(run(text, cps, kernel_tokens.cuts(cps, tab, CHUNK)))
        return tok, rs

    def tokenize_records(records: Sequence[str], markup: bool) -> tuple[Tokens, np.ndarray]:
        """fingerprint.fingerprint_stream's tokens and RS offsets."""
        return tokenize_prepared(prepare(records, markup))

    return (tokenize_piece, tokenize_stream, kernel_spans.spans, kernel_grams.ngrams, kernel_grams.winnow,
            tokenize_records, prepare, tokenize_prepared, kernel_spans.lookup)
