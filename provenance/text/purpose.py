"""The declared purpose of a service, and whether an item's domain is relevant to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from provenance.errors import ConfigError
from provenance.text.domains import DomainScores, classify_domains
from provenance.text.lexicon import (
    DOMAIN_ALIASES,
    DOMAIN_BY_ID,
    DOMAIN_IDS,
    GENERAL_PURPOSE_TERMS,
    RELATED_DOMAINS,
    SENSITIVE_DOMAINS,
)
from provenance.text.matcher import TermMatcher
from provenance.text.normalize import normalize

#: A purpose sentence is short, so one normal term is enough to name a domain in it.
PURPOSE_MIN_SCORE = 1.0
#: An item whose relevant domains score at least this share of its top domain is not off-purpose:
#: a finance article about a hospital group is still finance.
RELEVANT_SHARE = 0.5


@dataclass(frozen=True)
class Purpose:
    """What the service is for, as domains."""

    text: str
    #: Domains named by the purpose or the declared list, before related domains are added.
    named: frozenset[str]
    #: Domains whose data the purpose justifies (named plus related).
    relevant: frozenset[str]
    #: A general-purpose service: only adult content is unrelated.
    general: bool

    @property
    def known(self) -> bool:
        """Whether anything was declared at all; without a purpose nothing is off-purpose.
        A purpose that names no domain is still known: it then covers no sensitive domain."""
        return bool(self.text) or bool(self.named) or self.general


@dataclass(frozen=True)
class Relevance:
    """The judgement on one item."""

    domain: str | None
    off_purpose: bool
    #: Why, in words a reviewer can check: the domain, its score and the terms behind it
    #: (left empty for items in a non-sensitive or covered domain, the common case).
    reason: str


def parse_purpose(purpose: str | None, domains: tuple[str, ...] = ()) -> Purpose:
    """Read a purpose sentence (zh or en) and an optional declared domain list."""
    text = (purpose or "").strip()
    named: set[str] = set()
    for name in domains:
        key = normalize(name).strip()
        domain = DOMAIN_ALIASES.get(key) or (key if key in DOMAIN_IDS else None)
        if domain is None:
            raise ConfigError(f"unknown domain {name!r}; known: {', '.join(DOMAIN_IDS)}")
        named.add(domain)
    general = False
    if text:
        scores = classify_domains(text)
        named.update(d for d, s in scores.scores if s >= PURPOSE_MIN_SCORE)
        general_matcher = TermMatcher(tuple(GENERAL_PURPOSE_TERMS.split("|")))
        general = any(True for _ in general_matcher.find(normalize(text)))
    relevant = set(named)
    for domain in named:
        relevant |= RELATED_DOMAINS.get(domain, frozenset())
    if general:
        relevant |= set(DOMAIN_IDS) - {"adult"}
    return Purpose(text=text, named=frozenset(named), relevant=frozenset(relevant), general=general)


def explain(scores: DomainScores, domain: str) -> str:
    terms = ", ".join(scores.terms_for(domain)[:8])
    score = f"score {scores.score(domain):.1f} >= {scores.threshold:.1f}"
    return f"{DOMAIN_BY_ID[domain].en} ({score}; terms: {terms})"


def judge(scores: DomainScores, purpose: Purpose) -> Relevance:
    """Off-purpose when the item's domain is sensitive, outside the purpose, and the purpose's
    own domains are much weaker in it."""
    top = scores.top
    if top is None:
        return Relevance(None, False, "no domain reached the threshold")
    if not purpose.known:
        return Relevance(top, False, f"{explain(scores, top)}; no purpose declared")
    if top not in SENSITIVE_DOMAINS or top in purpose.relevant:
        return Relevance(top, False, "")
    evidence = explain(scores, top)
    best_relevant = max((scores.score(d) for d in purpose.relevant), default=0.0)
    if best_relevant >= RELEVANT_SHARE * scores.score(top):
        return Relevance(top, False, f"{evidence}; purpose domains also strong ({best_relevant:.1f})")
    covered = ", ".join(sorted(purpose.named)) or "none"
    return Relevance(top, True, f"{evidence}; sensitive domain not covered by the purpose ({covered})")


@dataclass(frozen=True)
class RelevanceRow:
    """One line of a source's relevance table (report section 数据相关性)."""

    domain: str
    zh: str
    en: str
    items: int
    #: Share of the source's items.
    share: float
    sensitive: bool
    #: Whether the declared purpose covers the domain.
    relevant: bool


def relevance_table(totals: Mapping[str, float], purpose: Purpose) -> tuple[RelevanceRow, ...]:
    """Rows from the per-source sums of the purpose detector's facts (`domain:<id>` counts),
    largest first; items no domain claimed appear as `unassigned`."""
    items = int(totals.get("items", 0))
    rows = []
    for key, value in totals.items():
        if not key.startswith("domain:") or not value:
            continue
        domain = key.split(":", 1)[1]
        info = DOMAIN_BY_ID.get(domain)
        rows.append(
            RelevanceRow(
                domain=domain,
                zh=info.zh if info else "未归类",
                en=info.en if info else "unassigned",
                items=int(value),
                share=round(value / items, 6) if items else 0.0,
                sensitive=domain in SENSITIVE_DOMAINS,
                relevant=(domain in purpose.relevant) or not purpose.known,
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.items, r.domain)))
