"""The recipe, and the fingerprints of one stream of text (a work, or consecutive records of a file)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from provenance.textworks import kernel
from provenance.textworks.normalize import NORM_VERSION, RS, strip_markup_records
from provenance.textworks.tokens import Grams, Tokens, empty_tokens, ngrams, tokenize_text, winnow

#: Winnowed anchors in a sorted array, spans measured through a blocked Bloom filter of every
#: n-gram keyed by (n-gram, work). See docs/TEXT_WORKS.md.
SCHEME = "wbloom-1"


@dataclass(frozen=True)
class Recipe:
    """How a registry's text fingerprints were made; a scan must use the same one."""

    scheme: str = SCHEME
    #: Normalisation version (provenance.textworks.normalize).
    norm: str = NORM_VERSION
    #: Words per n-gram in spaced scripts.
    n_word: int = 8
    #: Characters per n-gram in CJK-like scripts.
    n_cjk: int = 12
    #: Winnowing window (n-grams): any shared run of n + winnow - 1 tokens shares an anchor.
    winnow: int = 16
    #: Bloom filter bits per n-gram and bits set per key.
    bloom_bits: float = 16.0
    bloom_k: int = 4
    #: Anchors found in more than this many places (boilerplate) are dropped.
    max_df: int = 32
    #: Unicode version of the code-point table (a difference is reported, not refused).
    unicode: str = unicodedata.unidata_version

    #: Fields that must agree for fingerprints to match.
    MATCHING = ("scheme", "norm", "n_word", "n_cjk", "winnow", "bloom_k")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipe:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def mismatch(self, other: Recipe) -> str | None:
        """Why fingerprints made with `other` cannot be matched with this recipe, or None."""
        for name in self.MATCHING:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                return f"{name} {theirs!r} (this version uses {mine!r})"
        return None


@dataclass(frozen=True)
class StreamFP:
    """Fingerprints of one stream of records: consecutive records are one token stream, so an
    excerpt split over records is still one span."""

    tokens: Tokens
    grams: Grams
    #: First token of each record.
    rec_tok: np.ndarray
    #: Offset of each record in the joined normalised text.
    rec_cp: np.ndarray

    @property
    def n_tokens(self) -> int:
        return len(self.tokens.hash)


def tokenize(text: str, use_kernel: bool | None = None) -> tuple[Tokens, np.ndarray]:
    """Tokens of text without markup and the offsets of its record separators, through the
    compiled kernel when there is one (identical output)."""
    if not text:
        return empty_tokens(), np.zeros(0, np.int64)
    if use_kernel is None:
        use_kernel = kernel.wanted(len(text))
    whole = kernel.stream_function() if use_kernel else None
    tok, rs, _ = whole(text) if whole is not None else tokenize_text(text)
    return tok, rs


def fingerprint_stream(records: Sequence[str], recipe: Recipe, markup: bool = True) -> StreamFP:
    """One token stream for consecutive records, joined by a separator so that n-grams run across
    record boundaries, with the first token and normalised offset of every record. With the
    compiled kernel, the markup of only the records that can hold some is stripped (the same
    tokens: kernel.records_function)."""
    use_kernel = kernel.wanted(sum(len(r) for r in records))
    fast = kernel.records_function() if use_kernel else None
    if fast is not None and any(records):
        tok, rs = fast(records, markup)
    else:
        if markup:
            records = strip_markup_records(list(records))
        if len(records) == 1:
            tok, rs = tokenize(records[0], use_kernel)
        else:
            tok, rs = tokenize(RS.join(r.replace(RS, " ") if RS in r else r for r in records), use_kernel)
    if len(records) == 1:
        rec_tok = np.zeros(1, np.int64)
        rec_cp = np.zeros(1, np.int64)
    else:
        rec_cp = np.concatenate([[0], rs + 1]).astype(np.int64)
        rec_tok = np.searchsorted(tok.start, rec_cp).astype(np.int64)
    return StreamFP(tok, stream_grams(tok, recipe), rec_tok, rec_cp)


def stream_grams(tok: Tokens, recipe: Recipe) -> Grams:
    """tokens.ngrams, through the compiled kernel when there is one (identical output)."""
    fast = kernel.grams_functions() if kernel.wanted(0) else None
    if fast is None:
        return ngrams(tok.hash, tok.cjk, recipe.n_word, recipe.n_cjk)
    h, ends = fast[0](tok.hash, tok.cjk, recipe.n_word, recipe.n_cjk)
    return Grams(h, ends)


def anchors(g: np.ndarray, w: int) -> np.ndarray:
    """tokens.winnow, through the compiled kernel when there is one (identical output)."""
    fast = kernel.grams_functions() if kernel.wanted(0) else None
    return winnow(g, w) if fast is None else fast[1](g, w)


def fingerprint(text: str, recipe: Recipe, markup: bool = True) -> StreamFP:
    return fingerprint_stream([text], recipe, markup)


def policy_units(tokens: Tokens, t0: int, t1: int) -> tuple[int, int]:
    """(white-space words, CJK characters) of tokens [t0, t1): `well-known`, `1,000` and `U.S.`
    are one word each; a span that starts inside a word counts that word."""
    if t1 <= t0:
        return 0, 0
    cjk = tokens.cjk[t0:t1]
    c = int(cjk.sum())
    words = int((tokens.newword[t0:t1] & ~cjk).sum())
    if not tokens.cjk[t0] and not tokens.newword[t0]:
        words += 1
    return words, c
