"""Full-text matcher: finds SPDX license texts, possibly several, inside any text.

Steps: hash the query's word shingles; count, per reference, how many distinct query shingles it
holds (one pass over sorted posting arrays); score the best few exactly on the densest region of
their matches; accept the best when it covers enough of the reference; blank that region; repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from provenance.licensing.identify.index import SHINGLE, Index, shared_counts, shingle_hashes, word_ids
from provenance.licensing.identify.normalize import Tokens

#: Share of the reference's shingles that must be present to call it identified.
MIN_COVERAGE = 0.75
#: Share of the matched region's shingles that must come from the reference.
MIN_PRECISION = 0.5
#: Shingle positions between two matches beyond which they belong to different regions.
MAX_GAP = 24
#: References scored exactly in each round, and rounds (licenses found) per file.
TOP_K = 8
MAX_ROUNDS = 8


@dataclass(frozen=True)
class TextMatch:
    """A reference text found in the query, on shingle positions [start, end]."""

    entry: int
    coverage: float
    precision: float
    start: int  # first shingle position
    end: int  # last shingle position
    rank: float
    #: Runs of shingle positions inside [start, end] that are not in the reference (added terms?).
    inserted: tuple[tuple[int, int], ...] = ()

    @property
    def score(self) -> float:
        total = self.coverage + self.precision
        return 0.0 if total == 0 else 2 * self.coverage * self.precision / total


@dataclass(frozen=True)
class TextResult:
    """Accepted matches in file order, and the closest references when nothing (more) was accepted."""

    matches: tuple[TextMatch, ...]
    near: tuple[TextMatch, ...]
    shingles: int  # query positions holding a shingle


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort-based: faster than np.unique on these small arrays)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _candidate_counts(index: Index, hashes: np.ndarray) -> np.ndarray:
    return shared_counts(index, _unique(hashes))


def _densest_region(positions: np.ndarray) -> tuple[int, int, int]:
    """The run of matches with no gap above MAX_GAP holding the most matches: (start, end, count)."""
    breaks = np.flatnonzero(np.diff(positions) > MAX_GAP)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [positions.size - 1]))
    best = int(np.argmax(ends - starts))
    return int(positions[starts[best]]), int(positions[ends[best]]), int(ends[best] - starts[best] + 1)


def _trim_out_of_order(
    positions: np.ndarray, ref_at: np.ndarray, repeated: np.ndarray, start: int, end: int
) -> tuple[int, int]:
    """Drop edge blocks that match the reference out of order.

    A GPL notice above the GPL text repeats the text's own "how to apply" appendix; its shingles
    match the end of the reference while the text after them matches its start, so it is cut off
    and left for the notice matcher. Shingles the reference itself repeats have no sure position
    and never cut.
    """
    inside = (positions >= start) & (positions <= end)
    pos, ref, rep = positions[inside], ref_at[inside], repeated[inside]
    cuts = np.flatnonzero(np.diff(pos) > 1) + 1
    begins = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [pos.size])) - 1
    # Cheap stand-ins for medians: the middle of a block, and a few shingles in from its ends.
    mid_i, head_i, tail_i = (begins + ends) // 2, np.minimum(begins + 4, ends), np.maximum(ends - 4, begins)
    middle, head, tail = ref[mid_i].tolist(), ref[head_i].tolist(), ref[tail_i].tolist()
    sure_mid, sure_head, sure_tail = (~rep[mid_i]).tolist(), (~rep[head_i]).tolist(), (~rep[tail_i]).tolist()
    anchor = int(np.argmax(ends - begins))
    first = last = anchor
    edge = tail[anchor]
    for j in range(anchor + 1, len(middle)):
        if not sure_mid[j] or middle[j] + SHINGLE >= edge:
            last = j
            if sure_tail[j]:
                edge = tail[j]
    edge = head[anchor]
    for j in range(anchor - 1, -1, -1):
        if not sure_mid[j] or middle[j] <= edge + SHINGLE:
            first = j
            if sure_head[j]:
                edge = head[j]
    # A header may repeat the license's opening words (its title) and a footer its closing ones: the
    # text proper starts at the last full run holding the reference's opening before the anchor,
    # and ends at the first run holding its closing after the anchor.
    sizes = (ends - begins + 1).tolist()
    runs = [j for j in range(first, last + 1) if sizes[j] >= 3]
    openers = [j for j in runs if sure_head[j]]
    closers = [j for j in runs if sure_tail[j]]
    if openers:
        opening = min(head[j] for j in openers)
        first = max((j for j in openers if j <= anchor and head[j] <= opening + SHINGLE), default=first)
    if closers:
        closing = max(tail[j] for j in closers)
        last = min((j for j in closers if j >= anchor and tail[j] >= closing - SHINGLE), default=last)
    return int(pos[begins[first]]), int(pos[ends[last]])


#: Consecutive reference shingles that must all be missing to count as a missing clause.
CLAUSE = 12


def _missing_clauses(index: Index, entry: int, matched_slots: np.ndarray) -> int:
    """Shingles of the reference's terms lost in runs of CLAUSE or more, in reference order.

    Reworded phrases lose a few shingles here and there; a license that is not there at all, or
    a variant whose extra clause the text lacks, loses them in long runs.
    """
    present = ~index.core_of(entry)  # copyright lines and appendices are never "missing"
    present[matched_slots] = True
    in_order = present[index.order_of(entry)]
    edges = np.diff(np.concatenate(([1], in_order.astype(np.int8), [1])))
    starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    runs = ends - starts
    return int(runs[runs >= CLAUSE].sum())


def _score(index: Index, entry: int, hashes: np.ndarray, alive: np.ndarray) -> TextMatch | None:
    ref = index.shingles_of(entry)
    slot = np.searchsorted(ref, hashes)
    slot[slot >= ref.size] = 0
    inref = alive & (ref[slot] == hashes)
    positions = np.flatnonzero(inref)
    if positions.size == 0:
        return None
    start, end, _ = _densest_region(positions)
    hit = slot[positions]
    start, end = _trim_out_of_order(
        positions, index.positions_of(entry)[hit], index.repeat_of(entry)[hit], start, end
    )
    region = slice(start, end + 1)
    matched_slots = _unique(slot[region][inref[region]])
    found = matched_slots.size
    found_core = int(index.core_of(entry)[matched_slots].sum())
    size, core = index.entries[entry].size, index.entries[entry].core
    # Coverage is of the license terms: the reference's copyright lines and appendix are not expected.
    coverage = found_core / core if core else found / size
    live = int(alive[region].sum())
    explained = int(inref[region].sum())
    precision = explained / live if live else 0.0
    # More reference found wins; missing license terms and unexplained words in the region cost,
    # and a whole clause missing costs most: near-identical licenses differ by a clause.
    gaps = _missing_clauses(index, entry, matched_slots)
    rank = found - 0.5 * (core - found_core) - 0.25 * (live - explained) - gaps
    return TextMatch(entry, coverage, precision, start, end, rank)


#: A variant must rank this close to its base license for the base to be considered instead.
BASE_MARGIN = 0.15


def _distinct(index: Index, variant: int, base: int) -> np.ndarray:
    """What sets a variant apart from its base: its extra clauses (runs of CLAUSE or more shingles
    the base lacks), or, for a variant that only rewords, every shingle the base lacks."""
    ref = index.shingles_of(variant)
    own = ~np.isin(ref, index.shingles_of(base), assume_unique=True)
    order = index.order_of(variant)
    in_order = own[order].astype(np.int8)
    edges = np.diff(np.concatenate(([0], in_order, [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_runs = [order[a:b] for a, b in zip(starts, ends, strict=True) if b - a >= CLAUSE]
    return ref[np.concatenate(long_runs)] if long_runs else ref[own]


def _prefer_base(index: Index, best: TextMatch, hashes: np.ndarray, alive: np.ndarray) -> TextMatch:
    """Between a named variant (BSD-3-Clause-HP) and a base license (BSD-3-Clause) that ranks
    alike, keep the variant only when the text has most of what sets the variant apart. Bases
    are walked up (BSD-3-Clause-No-Nuclear-License-2014 -> ...-No-Nuclear-License -> BSD-3-Clause)."""
    base = index.base_of(best.entry)
    while base >= 0:
        other = _score(index, base, hashes, alive)
        if other is not None and other.rank >= best.rank - BASE_MARGIN * abs(best.rank):
            own = _distinct(index, best.entry, base)
            region = hashes[best.start : best.end + 1]
            if not own.size or np.isin(own, region).mean() < 0.5:
                best = other
        base = index.base_of(base)
    return best


def _inserted(
    index: Index, match: TextMatch, hashes: np.ndarray, alive: np.ndarray
) -> tuple[tuple[int, int], ...]:
    """Runs of CLAUSE or more query shingles inside the match that the reference does not have:
    a sentence or clause added to the license, which a reader should look at."""
    ref = index.shingles_of(match.entry)
    segment = hashes[match.start : match.end + 1]
    slot = np.searchsorted(ref, segment)
    slot[slot >= ref.size] = 0
    # Shingles taken by another license do not count; shingles with a word no license has (hash 0) do.
    taken = (segment != 0) & ~alive[match.start : match.end + 1]
    explained = (ref[slot] == segment) | taken
    edges = np.diff(np.concatenate(([1], explained.astype(np.int8), [1])))
    starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    return tuple(
        (match.start + int(a), match.start + int(b) - 1)
        for a, b in zip(starts, ends, strict=True)
        if b - a >= CLAUSE
    )


def match_tokens(index: Index, tokens: Tokens) -> TextResult:
    hashes = shingle_hashes(word_ids(tokens.words, index.vocab))
    alive = hashes != 0
    accepted: list[TextMatch] = []
    near: list[TextMatch] = []
    for _ in range(MAX_ROUNDS):
        live_hashes = hashes[alive]
        if live_hashes.size == 0:
            break
        counts = _candidate_counts(index, live_hashes)
        # No reference can rank above shared - 0.5 * (core - shared) (found <= shared): score the
        # best bounds first and stop once no remaining bound can beat the best rank seen.
        bound = np.where(counts > 0, counts - 0.5 * np.maximum(index.cores - counts, 0), -np.inf)
        scored: list[TextMatch] = []
        for e in np.argsort(-bound, kind="stable")[:TOP_K].tolist():
            if bound[e] == -np.inf or (scored and bound[e] < max(m.rank for m in scored)):
                break
            m = _score(index, e, hashes, alive)
            if m is not None:
                scored.append(m)
        if not scored:
            break
        scored.sort(key=lambda m: -m.rank)
        best = _prefer_base(index, scored[0], hashes, alive)
        if best.coverage < MIN_COVERAGE or best.precision < MIN_PRECISION:
            # Nothing (more) identified: the closest references are those sharing the most text.
            seen = {m.entry for m in scored}
            for e in np.argsort(-counts, kind="stable")[:TOP_K].tolist():
                if counts[e] > 0 and e not in seen and (m := _score(index, e, hashes, alive)) is not None:
                    scored.append(m)
            near = sorted(scored, key=lambda m: -m.score)
            break
        accepted.append(replace(best, inserted=_inserted(index, best, hashes, alive)))
        alive[best.start : best.end + 1] = False
    accepted.sort(key=lambda m: m.start)
    return TextResult(tuple(accepted), tuple(near), int((hashes != 0).sum()))


def token_span(match: TextMatch) -> tuple[int, int]:
    """First and last word index covered by a match."""
    return match.start, match.end + SHINGLE - 1
