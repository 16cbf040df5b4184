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


# Pieces of markup and of what strip_markup's guards look for, and text around them.
MARKUP = ["<p>", "</div>", "<a href='x'>", "<br/>", "<!-- c -->", "<script>x</script>", "<style>y</style>",
          "<user@host>", "< b", "<", ">", "&amp;", "&#39;", "&#x41;", "&lt;p&gt;", "&#2;", "&nbsp", "& b", "&",
          "[a](http://x \"t\")", "](", "]", ":ref:`x`", ":`", ".. note::", ".. ", "::", "exam-\nple", "ex-\r\nample",
          "a- \nb", "a\u00ad\nb", "a\u2010\nb", "--\n", "- \n", "-\n", "_-\n_", "é-\n\tx", "1-\n 2", RS,
          "word", "Wort ", "中文", " ", "\n", "\t", ".", ",", "é\u0301", "…",
          # near misses and look-alikes of tag names and entities
          "<PRE>", "<prex", "<pre_", "<h7>", "<H6 ", "<ſtrong>", "<\u212aa", "<tabl", "<Body", "</ pre>", "<!DOCTYPE",
          "<!doctypex", "<!-x", "<!-", "<\u00e9>", "<a", "&a;", "&ab;", "&a_b;", "&" + "a" * 32 + ";",
          "&" + "a" * 33 + ";", "&#;", "&#x;", "&#xFg;", "&#12", "&#１２;", "&#\u00e9;", "&amp", "&AMP;",
          "<SCRIPT>", "</script >", "<ſcript>", "<Style>", "<styl", "<scrip", "<!-", "-->", "<p><!-- x -->"]


def _record(rng: random.Random) -> str:
    return "".join(rng.choice(MARKUP) if rng.random() < 0.6 else rng.choice(ALPHABET)
                   for _ in range(rng.randint(0, 25)))


def test_markup_bits_and_known_stripping_match_strip_markup() -> None:
    from provenance.textworks import kernel_markup
    from provenance.textworks.normalize import markup_bits, strip_markup, strip_markup_known

    rng = random.Random(8)
    records = [_record(rng) for _ in range(6000)]
    for s in records:
        assert strip_markup_known(s, markup_bits(s)) == strip_markup(s), repr(s)
        if markup_bits(s) == 0:
            assert strip_markup(s) == s, repr(s)
    text = RS.join(records)
    lens = np.array([len(r) for r in records], dtype=np.int64)
    ends = np.cumsum(lens + 1) - 1
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    got = kernel_markup.flags(cps, ends - lens, ends)
    assert got.tolist() == [markup_bits(s) for s in records]


def test_record_streams_are_identical_with_and_without_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.textworks.fingerprint import StreamFP, fingerprint_stream

    rng = random.Random(9)
    r = Recipe()
    batches: list[list[str]] = [[_record(rng) for _ in range(rng.randint(1, 12))] for _ in range(400)]
    batches += [[english(1, 4000), "<p>" + english(2, 3000) + "</p>", chinese(3, 5000) + "&amp;"],
                ["ascii only", "<b>bold</b> &amp; more"], ["<b>x</b> caf&eacute;", "plain"], [""], ["", ""],
                ["&#2;x" + RS + "y"], [english(4, 30000) + "é\u0301" + english(5, 30000)],
                # markup stripped from a record, then a chunk that needs NFKC (the numpy path) after it
                [english(6, 30000) + "<p>x</p>", english(7, 30000) + "e\u0301" + english(8, 30000)]]

    def both(batch: list[str], markup: bool) -> tuple[StreamFP, StreamFP]:
        monkeypatch.setenv("PROVENANCE_NUMBA", "1")
        a = fingerprint_stream(batch, r, markup)
        monkeypatch.setenv("PROVENANCE_NUMBA", "0")
        b = fingerprint_stream(batch, r, markup)
        return a, b

    for batch in batches:
        for markup in (True, False):
            a, b = both(batch, markup)
            _same((a.tokens, np.zeros(0), 0), (b.tokens, np.zeros(0), 0))
            assert np.array_equal(a.rec_tok, b.rec_tok) and np.array_equal(a.rec_cp, b.rec_cp), batch
            assert np.array_equal(a.grams.hash, b.grams.hash) and np.array_equal(a.grams.end, b.grams.end)


def test_compiled_index_lookup_is_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from provenance.textworks.index import Segment

    rng = np.random.default_rng(4)
    for _ in range(200):
        n = int(rng.integers(1, 3000))
        bits = int(rng.integers(4, 12))
        full = np.sort(rng.integers(0, 2**63, size=n, dtype=np.int64).astype(np.uint64) * np.uint64(2)
                       | rng.integers(0, 2, size=n).astype(np.uint64))
        full = np.sort(np.concatenate([full, full[rng.integers(0, n, size=n // 10)]]))  # repeated anchors
        counts = np.bincount((full >> np.uint64(64 - bits)).astype(np.int64), minlength=1 << bits)
        dirs = np.concatenate([[0], np.cumsum(counts)]).astype(rng.choice([np.uint32, np.uint64]))
        seg = SimpleNamespace(dir=dirs, keys=(full & np.uint64(0xFFFFFFFF)).astype(np.uint32), bits=bits)
        q = np.concatenate([full[rng.integers(0, len(full), size=int(rng.integers(0, 50)))],
                            rng.integers(0, 2**63, size=int(rng.integers(0, 50)), dtype=np.int64).astype(np.uint64),
                            full[:3] ^ np.uint64(1 << 40)])  # same low 32 bits, another bucket or key
        rng.shuffle(q)
        monkeypatch.setenv("PROVENANCE_NUMBA", "0")
        want = Segment.lookup(seg, q)  # type: ignore[arg-type]
        monkeypatch.setenv("PROVENANCE_NUMBA", "1")
        got = Segment.lookup(seg, q)  # type: ignore[arg-type]
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        assert got[0].dtype == want[0].dtype and got[1].dtype == want[1].dtype
