"""Assign text to domains with the bilingual lexicon, and say which terms decided it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from provenance.text.lexicon import DOMAINS
from provenance.text.matcher import TermMatcher
from provenance.text.normalize import normalize

#: Weight of the strong, normal and weak tiers.
TIER_WEIGHTS = (2.0, 1.0, 0.5)
#: Score a domain needs before a short text is assigned to it: one strong term, or a normal
#: term with support. Chosen on the dev split of bench/data (1.0 and 1.5 tied there; the
#: stricter one was kept, since one incidental word should not flag an item).
MIN_DOMAIN_SCORE = 1.5
#: Long texts need more evidence: the bar rises by this much per 1,000 characters past the first.
MIN_SCORE_PER_KCHAR = 1.0
MAX_MIN_SCORE = 12.0
#: A repeated term counts up to this many times (log-damped) so one word cannot decide alone.
MAX_REPEATS = 8


@dataclass(frozen=True)
class DomainScores:
    """How strongly a text belongs to each domain."""

    #: (domain id, score) for every domain with a match, highest first.
    scores: tuple[tuple[str, float], ...]
    #: The domain the text is assigned to, or None when no domain reached the bar.
    top: str | None
    #: The score the top domain had to reach for this text length.
    threshold: float
    #: (domain id, contribution, term) for every matched term; `terms_for` orders them.
    matches: tuple[tuple[str, float, str], ...] = ()

    def score(self, domain: str) -> float:
        return dict(self.scores).get(domain, 0.0)

    def terms_for(self, domain: str) -> tuple[str, ...]:
        """The domain's matched terms, largest contribution to its score first."""
        mine = sorted((-c, t) for d, c, t in self.matches if d == domain)
        return tuple(t for _, t in mine)

    @property
    def terms(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(domain id, its matched terms) for each domain with a match, in score order."""
        return tuple((d, self.terms_for(d)) for d, _ in self.scores)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[TermMatcher, tuple[tuple[str, float, str], ...]]:
    """(matcher, per-term (domain, weight, display term)); built once per process."""
    entries: list[tuple[str, float, str]] = []
    terms: list[str] = []
    for domain in DOMAINS:
        for tier, weight in zip((domain.strong, domain.normal, domain.weak), TIER_WEIGHTS, strict=True):
            for term in tier.split("|"):
                term = term.strip()
                if term:
                    terms.append(term)
                    entries.append((domain.id, weight, term.rstrip("*")))
    return TermMatcher(tuple(terms)), tuple(entries)


def threshold_for(length: int) -> float:
    extra = max(0.0, (length - 1000) / 1000) * MIN_SCORE_PER_KCHAR
    return min(MIN_DOMAIN_SCORE + extra, MAX_MIN_SCORE)


def classify_domains(text: str) -> DomainScores:
    """Score `text` (a paragraph, a record, a caption or a path turned into words) per domain."""
    matcher, entries = _lexicon()
    norm = normalize(text)
    counts = matcher.count(norm)
    per_domain: dict[str, float] = {}
    matches = []
    for index, count in counts.items():
        domain, weight, term = entries[index]
        contribution = weight * _DAMPING[min(count, MAX_REPEATS)]
        per_domain[domain] = per_domain.get(domain, 0.0) + contribution
        matches.append((domain, contribution, term))
    scores = tuple(sorted(((d, round(s, 3)) for d, s in per_domain.items()), key=_by_score))
    threshold = threshold_for(len(norm))
    top = scores[0][0] if scores and scores[0][1] >= threshold else None
    return DomainScores(scores=scores, top=top, threshold=threshold, matches=tuple(matches))


def _by_score(item: tuple[str, float]) -> tuple[float, str]:
    return -item[1], item[0]


# 1 + log2(count): the second occurrence of a term adds one, the fourth two, the eighth three.
_DAMPING = [0.0] + [1.0 + math.log2(n) for n in range(1, MAX_REPEATS + 1)]
