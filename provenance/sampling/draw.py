"""Draw a reproducible random sample, stratified by source (proportional allocation)."""

from __future__ import annotations

import bisect
import hashlib
import math
from dataclasses import dataclass
from itertools import accumulate

from provenance.errors import ConfigError
from provenance.sampling.population import Population, Stratum

#: The filing's human spot check: at least 4,000 items, at least 96% qualified.
HUMAN_MIN_ITEMS = 4000
HUMAN_THRESHOLD = 0.96
#: The technical check: at least 10% of the items, at least 98% qualified.
TECHNICAL_FRACTION = 0.10
TECHNICAL_THRESHOLD = 0.98


@dataclass(frozen=True)
class SampleItem:
    """One sampled item: which asset, and which record inside it (None for a text asset)."""

    source: str
    path: str
    kind: str
    #: 0-based record index inside a table asset; None for a text asset.
    record: int | None


def sample_size(population: int, n: int | None, fraction: float | None) -> int:
    if (n is None) == (fraction is None):
        raise ConfigError("give exactly one of -n and --fraction")
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise ConfigError("--fraction must be in (0, 1]")
        return min(population, math.ceil(fraction * population))
    assert n is not None
    if n <= 0:
        raise ConfigError("-n must be positive")
    return min(population, n)


def allocate(sizes: list[int], total: int) -> list[int]:
    """Proportional allocation by largest remainder; every non-empty stratum gets at least one
    item when the total allows, so each source is seen by a reviewer."""
    population = sum(sizes)
    if total >= population:
        return list(sizes)
    shares = [total * s / population for s in sizes]
    counts = [math.floor(x) for x in shares]
    if total >= sum(1 for s in sizes if s):
        counts = [max(c, 1) if s else 0 for c, s in zip(counts, sizes, strict=True)]
    # Hand out what is left by largest remainder (ties by order); take back from the largest if over.
    order = sorted(range(len(sizes)), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    while sum(counts) < total:
        for i in order:
            if sum(counts) < total and counts[i] < sizes[i]:
                counts[i] += 1
    while sum(counts) > total:
        i = max(range(len(sizes)), key=lambda j: (counts[j] - shares[j], -j))
        counts[i] -= 1
    return counts


class HashRandom:
    """Random integers from SHA-256 of (seed, stream, counter).

    Unlike `random.Random`, whose algorithms may change between Python versions, this gives
    the same numbers everywhere, so an auditor can redraw a filed sample years later.
    """

    def __init__(self, seed: int, stream: str) -> None:
        self._prefix = f"{seed}:{stream}:".encode()
        self._counter = 0
        self._pool: list[int] = []

    def _next64(self) -> int:
        if not self._pool:
            digest = hashlib.sha256(self._prefix + str(self._counter).encode()).digest()
            self._counter += 1
            self._pool = [int.from_bytes(digest[i : i + 8], "big") for i in range(24, -8, -8)]
        return self._pool.pop()

    def below(self, n: int) -> int:
        """Uniform in [0, n): values from the biased top of the 64-bit range are redrawn."""
        limit = (1 << 64) - (1 << 64) % n
        while True:
            value = self._next64()
            if value < limit:
                return value % n


def choose(rng: HashRandom, n: int, k: int) -> list[int]:
    """A uniform random k-subset of range(n), sorted (Floyd's algorithm: k draws, any n)."""
    chosen: set[int] = set()
    for j in range(n - k, n):
        t = rng.below(j + 1)
        chosen.add(j if t in chosen else t)
    return sorted(chosen)


def draw(population: Population, size: int, seed: int) -> tuple[SampleItem, ...]:
    """The same population, size and seed always give the same items, in source/path/record order."""
    counts = allocate([s.size for s in population.strata], size)
    items: list[SampleItem] = []
    for stratum, k in zip(population.strata, counts, strict=True):
        picks = choose(HashRandom(seed, stratum.source), stratum.size, k)
        items.extend(_locate(stratum, picks))
    return tuple(items)


def _locate(stratum: Stratum, picks: list[int]) -> list[SampleItem]:
    ends = list(accumulate(u.count for u in stratum.units))
    out = []
    for index in picks:
        u = bisect.bisect_right(ends, index)
        unit = stratum.units[u]
        offset = index - (ends[u] - unit.count)
        out.append(SampleItem(stratum.source, unit.path, unit.kind, offset if unit.kind == "table" else None))
    return out
