"""Registered works found in one stream: anchors looked up, spans measured through the Bloom filter.

An anchor hit names a work and a position. Around each hit the stream's n-grams (all of them, not
only anchors) are tested against the segment's Bloom filter with the work mixed into the key, so a
span grows only through text of that work. Runs of members are joined across gaps of up to 2n
non-members (one substituted, inserted or deleted word kills n n-grams) when the run on the far
side has at least MIN_RUN members; shorter runs after a gap are taken for false positives. The
window grows while a run reaches its edge, so a copied chapter is measured whole. Spans are
measured, not estimated from the sampling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from provenance.textworks import kernel
from provenance.textworks.fingerprint import Recipe, StreamFP, anchors, policy_units
from provenance.textworks.index import Bloom, Segment, anchor_keys, work_keys

#: A run of Bloom members across a gap must be this long (false-positive rate ** 3 ~ 1e-7).
MIN_RUN = 3


@dataclass(frozen=True)
class Span:
    """One measured passage of a work inside the stream."""

    #: First token (stream index) and end token (exclusive).
    start: int
    end: int
    #: White-space words and CJK characters in it.
    words: int
    cjk: int
    #: The same without the first and last token: a Bloom false positive beside a real run adds
    #: one token (~0.5%); the short-quote exemption is decided on this lower bound.
    lo_units: float

    @property
    def units(self) -> float:
        """Length in word units: a CJK character counts half a word (50 words ~ 100 characters)."""
        return self.words + self.cjk / 2


@dataclass(frozen=True)
class WorkMatch:
    """One registered work found in one stream."""

    #: Global work index in the registry (row of its works table).
    work: int
    longest: Span
    #: Tokens of the stream inside any span of this work.
    covered_tokens: int
    #: Anchor hits of this work.
    hits: int
    spans: tuple[Span, ...]
    #: Estimated n-gram position of the longest span in the work.
    work_pos: int


def match_segment(segment: Segment, recipe: Recipe, fp: StreamFP, sel: np.ndarray, qkeys: np.ndarray,
                  min_lo_units: float = 0.0) -> list[WorkMatch]:
    """Works of one segment in the stream (`sel`: winnowed n-gram indices, `qkeys`: their keys)."""
    qi, rows = segment.lookup(qkeys)
    if len(qi) == 0:
        return []
    g = fp.grams.hash
    ipos = sel[qi]
    works = np.asarray(segment.work[rows]).astype(np.int64)
    wpos = np.asarray(segment.pos[rows]).astype(np.int64)
    gap_max = 2 * max(recipe.n_word, recipe.n_cjk)
    radius = 2 * (recipe.winnow + max(recipe.n_word, recipe.n_cjk))
    walk = kernel.span_function() if kernel.wanted(0) else None  # the same spans, compiled
    out = []
    for wk in np.unique(works).tolist():
        of_work = works == wk
        seeds = np.unique(ipos[of_work])
        comps = (local_components(segment.bloom, g, seeds, radius, wk, gap_max) if walk is None else
                 walk(segment.bloom_words, segment.bloom.k, g, seeds, radius, wk, gap_max, MIN_RUN).tolist())
        spans = [_span(fp, int(a), int(fp.grams.end[b])) for a, b in comps]
        if not spans:
            continue
        longest = max(spans, key=lambda s: (s.units, -s.start))
        if max(s.lo_units for s in spans) < min_lo_units:
            continue
        inside = of_work & (ipos >= longest.start) & (ipos < longest.end)
        off = float(np.median((wpos - ipos)[inside])) if inside.any() else 0.0
        out.append(WorkMatch(segment.info.work_start + wk, longest, sum(s.end - s.start for s in spans),
                             int(of_work.sum()), tuple(spans), int(max(0, longest.start + off))))
    return out


def match_stream(segments: Sequence[Segment], recipe: Recipe, fp: StreamFP,
                 min_lo_units: float = 0.0) -> list[WorkMatch]:
    """Registered works in one stream, longest span first."""
    g = fp.grams.hash
    if len(g) == 0 or not segments:
        return []
    sel = anchors(g, recipe.winnow)
    qkeys = anchor_keys(g[sel])
    out: list[WorkMatch] = []
    for seg in segments:
        out.extend(match_segment(seg, recipe, fp, sel, qkeys, min_lo_units))
    out.sort(key=lambda m: (-m.longest.units, m.work))
    return out


def _span(fp: StreamFP, t0: int, t1: int) -> Span:
    words, cjk = policy_units(fp.tokens, t0, t1)
    lo = 0.0
    if t1 - t0 > 2:
        w2, c2 = policy_units(fp.tokens, t0 + 1, t1 - 1)
        lo = w2 + c2 / 2
    return Span(t0, t1, words, cjk, lo)


def local_components(bloom: Bloom, g: np.ndarray, seeds: np.ndarray, radius: int, wid: int,
                     gap_max: int) -> list[tuple[int, int]]:
    """Spans (first and last n-gram) around clusters of seeds, each worked out on a local slice of
    the stream: cost in proportion to the span, not to the stream (a 1 MB batch with chance hits
    on many works must not cost a pass over the batch per work)."""
    m = len(g)
    brk = np.flatnonzero(np.diff(seeds) > 4 * radius)
    out: list[tuple[int, int]] = []
    firsts = np.concatenate([[0], brk + 1]).tolist()
    lasts = np.concatenate([brk, [len(seeds) - 1]]).tolist()
    for a_i, b_i in zip(firsts, lasts, strict=True):
        cl = seeds[a_i:b_i + 1]
        margin = 2 * radius
        while True:
            lo, hi = max(0, int(cl[0]) - margin), min(m, int(cl[-1]) + margin + 1)
            member = extend_membership(bloom, g[lo:hi], cl - lo, radius, wid)
            comps = components(member, cl - lo, gap_max)
            touch = any((a == 0 and lo > 0) or (b == hi - lo - 1 and hi < m) for a, b in comps)
            if not touch or (lo == 0 and hi == m):
                break
            margin *= 4
        out.extend((a + lo, b + lo) for a, b in comps)
    return out


def extend_membership(bloom: Bloom, g: np.ndarray, seeds: np.ndarray, radius: int, wid: int) -> np.ndarray:
    """Bloom membership of the n-grams around the seeds (int8: 1 member, 0 not, -1 untested);
    windows grow while a run of members reaches their edge."""
    m = len(g)
    member = np.full(m, -1, dtype=np.int8)
    lo = np.maximum(seeds - radius, 0)
    hi = np.minimum(seeds + radius + 1, m)
    for _ in range(64):
        mark = np.bincount(lo, minlength=m + 1) - np.bincount(hi, minlength=m + 1)
        idx = np.flatnonzero((np.cumsum(mark[:-1]) > 0) & (member < 0))
        if idx.size == 0:
            break
        member[idx] = bloom.contains(work_keys(g[idx], wid)).astype(np.int8)
        tested = member >= 0
        left_edge = np.flatnonzero(tested[1:] & ~tested[:-1] & (member[1:] == 1)) + 1
        right_edge = np.flatnonzero(tested[:-1] & ~tested[1:] & (member[:-1] == 1))
        if left_edge.size == 0 and right_edge.size == 0:
            break
        lo = np.concatenate([np.maximum(left_edge - 4 * radius, 0), right_edge + 1])
        hi = np.concatenate([left_edge, np.minimum(right_edge + 1 + 4 * radius, m)])
    return member


def components(member: np.ndarray, seeds: np.ndarray, gap_max: int) -> list[tuple[int, int]]:
    """Runs of members that hold a seed, joined across gaps of <= gap_max non-members when the
    run on the far side has >= MIN_RUN members."""
    is_m = member == 1
    is_m[seeds] = True
    d = np.diff(np.concatenate([[0], is_m.astype(np.int8), [0]]))
    rs = np.flatnonzero(d == 1)
    re_ = np.flatnonzero(d == -1) - 1
    if rs.size == 0:
        return []
    seedset = np.zeros(len(is_m), dtype=bool)
    seedset[seeds] = True
    sc = np.concatenate([[0], np.cumsum(seedset)])
    has_seed = (sc[re_ + 1] - sc[rs]) > 0
    solid = ((re_ - rs + 1) >= MIN_RUN) | has_seed
    rs, re_, has_seed = rs[solid], re_[solid], has_seed[solid]
    if rs.size == 0:
        return []
    join = (rs[1:] - re_[:-1] - 1) <= gap_max
    grp = np.concatenate([[0], np.cumsum(~join)])
    out = []
    for gi in np.unique(grp).tolist():
        k = grp == gi
        if has_seed[k].any():
            out.append((int(rs[k][0]), int(re_[k][-1])))
    return out
