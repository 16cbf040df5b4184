"""The compiled kernel (numba, extra `fast`) gives exactly the numpy path's tokens and fingerprints."""

from __future__ import annotations

import random

import numpy as np
import pytest

from provenance.textworks import kernel
from provenance.textworks.fingerprint import Recipe
from provenance.textworks.normalize import RS
from provenance.textworks.tokens import CHUNK, Tokens, ngrams, tokenize_piece_numpy, tokenize_text
from tests.registry.textcorpus import chinese, english

pytestmark = pytest.mark.skipif(not kernel.available(), reason="numba not installed (extra: fast)")

# Letters, digits, white space, record separators, joiners, apostrophes and dashes (deleted), the
# compatibility characters the kernel expands (… ﬁ ½ ™), full-width forms, CJK, a combining accent
# and jamo (the numpy path through NFKC), soft hyphen and zero-width space (deleted).
ALPHABET = ("abcXYZ019 ,.-'\n\t" + RS + "…ﬁ½™Ａ１，。、“”‘’—–\u00ad\u200b中文日本語かなカナ한국"
            "é\u0301ᄀ/:;!?()[]<>&_")


def _same(a: tuple[Tokens, np.ndarray, int], b: tuple[Tokens, np.ndarray, int]) -> None:
    for name in ("hash", "cjk", "start", "end", "newword"):
        assert np.array_equal(getattr(a[0], name), getattr(b[0], name)), name
    assert np.array_equal(a[1], b[1]) and a[2] == b[2]


def test_pieces_are_identical_on_random_text() -> None:
    piece = kernel.piece_function()
    assert piece is not None
    rng = random.Random(5)
    for _ in range(4000):
        s = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        got, want = piece(s), tokenize_piece_numpy(s)
        for x, y in zip(got[:6], want[:6], strict=True):
            assert np.array_equal(x, y), repr(s)
        assert got[6] == want[6]


def test_streams_are_identical_across_chunk_cuts() -> None:
    stream = kernel.stream_function()
    assert stream is not None
    rng = random.Random(6)
    texts = [
        RS.join(english(i, 3000) for i in range(12)),  # several 64K chunks, ASCII
        RS.join(chinese(i, 9000) for i in range(10)),
        "".join(rng.choice(ALPHABET + "aaaaeeee    ") for _ in range(3 * CHUNK)),
        # joiners and numbers exactly where chunks are cut
        ("1,000.5 U.S. e.g. a/b " * (CHUNK // 8)),
    ]
    for text in texts:
        assert len(text) > CHUNK
        _same(stream(text), tokenize_text(text))


def test_fingerprints_are_identical_with_and_without_the_kernel() -> None:
    text = english(9, 5000) + "\n" + chinese(9, 3000) + " mixed 中文 text, naïve café … ﬁne"
    fast = kernel.stream_function()
    assert fast is not None
    a, b = fast(text)[0], tokenize_text(text)[0]
    r = Recipe()
    assert np.array_equal(ngrams(a.hash, a.cjk, r.n_word, r.n_cjk).hash, ngrams(b.hash, b.cjk, r.n_word, r.n_cjk).hash)


def test_compiled_span_walk_is_identical() -> None:
    from provenance.textworks.index import Bloom, work_keys
    from provenance.textworks.match import MIN_RUN, local_components

    walk = kernel.span_function()
    assert walk is not None
    rng = np.random.default_rng(1)
    for _ in range(1500):
        m = int(rng.integers(1, 1500))
        g = rng.integers(0, 2**63, size=m, dtype=np.int64).astype(np.uint64)
        wid = int(rng.integers(0, 5))
        bloom = Bloom.empty(max(1, m // 2), 16.0, 4)
        for _ in range(int(rng.integers(0, 6))):  # runs of the stream's n-grams, with holes (edits)
            a = int(rng.integers(0, m))
            b = min(m, a + int(rng.integers(1, 300)))
            bloom.add(work_keys(g[a:b][rng.random(b - a) > rng.random() * 0.2], wid))
        seeds = np.unique(rng.integers(0, m, size=int(rng.integers(1, 8))))
        radius, gap = int(rng.choice([16, 56])), int(rng.choice([4, 24]))
        want = local_components(bloom, g, seeds, radius, wid, gap)
        got = [tuple(x) for x in walk(bloom.words, 4, g, seeds, radius, wid, gap, MIN_RUN).tolist()]
        assert got == want, (m, seeds)


def test_compiled_ngrams_and_winnowing_are_identical() -> None:
    from provenance.textworks.tokens import winnow

    fast = kernel.grams_functions()
    assert fast is not None
    grams, win = fast
    rng = np.random.default_rng(3)
    r = Recipe()
    for _ in range(600):
        m = int(rng.integers(0, 400))
        # pure words, pure CJK, mixed in runs and at random; hashes over the whole range, and small
        # ones so that window minima tie
        kind = int(rng.integers(0, 4))
        if kind == 0:
            cjk = np.zeros(m, bool)
        elif kind == 1:
            cjk = np.ones(m, bool)
        elif kind == 2:
            cjk = rng.random(m) < rng.random()
        else:
            cjk = np.repeat(rng.random(m // 20 + 1) < 0.5, 20)[:m]
        th = (rng.integers(0, 2**63, size=m, dtype=np.int64).astype(np.uint64) if rng.random() < 0.7 else
              rng.integers(0, 4, size=m).astype(np.uint64))
        want = ngrams(th, cjk, r.n_word, r.n_cjk)
        h, ends = grams(th, cjk, r.n_word, r.n_cjk)
        assert np.array_equal(h, want.hash) and np.array_equal(ends, want.end), (m, kind)
        assert h.dtype == want.hash.dtype and ends.dtype == want.end.dtype
        for w in (1, 2, 5, 16, 17):
            got, ref = win(h, w), winnow(want.hash, w)
            assert np.array_equal(got, ref) and got.dtype == ref.dtype, (m, w)
            small = th % np.uint64(3)  # ties everywhere
            assert np.array_equal(win(small, w), winnow(small, w)), (m, w)


def test_compiled_ngrams_on_a_long_mixed_stream() -> None:
    from provenance.textworks.tokens import winnow

    fast = kernel.grams_functions()
    assert fast is not None
    text = RS.join([english(2, 90000), chinese(2, 60000), english(3, 2000) + chinese(3, 500) + english(4, 900)])
    tok = tokenize_text(text)[0]
    assert len(tok.hash) > 2 * CHUNK  # more than one of the numpy path's chunks
    r = Recipe()
    want = ngrams(tok.hash, tok.cjk, r.n_word, r.n_cjk)
    h, ends = fast[0](tok.hash, tok.cjk, r.n_word, r.n_cjk)
    assert np.array_equal(h, want.hash) and np.array_equal(ends, want.end)
    assert np.array_equal(fast[1](h, r.winnow), winnow(want.hash, r.winnow))
