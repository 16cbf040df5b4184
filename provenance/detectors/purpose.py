"""`purpose`: assign each item to a domain and flag items in sensitive domains the declared
purpose does not cover (`off-purpose`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.text_items import TEXT_DETECTOR_KINDS, read_items
from provenance.model import Asset, AssetKind, Finding, Rule, Severity
from provenance.text.domains import classify_domains
from provenance.text.items import MAX_LOCATIONS, TextItem, location
from provenance.text.lexicon import DOMAIN_BY_ID
from provenance.text.normalize import path_words
from provenance.text.purpose import Purpose, Relevance, judge, parse_purpose


class PurposeDetector(Detector):
    id: ClassVar[str] = "purpose"
    version: ClassVar[str] = "2"  # 2: CSV in GB18030 and with bad bytes, JSONC and objects keyed by name read

    def __init__(self, purpose: str | None, domains: tuple[str, ...] = ()) -> None:
        self.purpose: Purpose = parse_purpose(purpose, domains)

    def applies(self, asset: Asset) -> bool:
        return asset.kind in TEXT_DETECTOR_KINDS or asset.kind is AssetKind.IMAGE

    def detect(self, content: AssetContent) -> DetectorOutput:
        asset = content.asset
        if asset.kind is AssetKind.IMAGE:
            # Images count by their path (and captions, which the record reader passes as items).
            return self.detect_items(asset, (TextItem(path_words(asset.path)),))
        items, read_facts = read_items(content)
        return self.detect_items(asset, items, read_facts)

    def detect_items(
        self, asset: Asset, items: Iterable[TextItem], extra_facts: dict[str, int] | None = None
    ) -> DetectorOutput:
        """Judge each item (a text asset's text, a record's text, an image caption)."""
        domains: Counter[str] = Counter()
        flagged: list[tuple[TextItem, Relevance]] = []
        n = 0
        for item in items:
            n += 1
            relevance = judge(classify_domains(item.text), self.purpose)
            domains[relevance.domain or "unassigned"] += 1
            if relevance.off_purpose:
                flagged.append((item, relevance))
        facts: dict[str, Any] = {"items": n, "off_purpose_items": len(flagged)}
        facts["relevant_items"] = sum(c for d, c in domains.items() if d in self.purpose.relevant)
        facts.update({f"domain:{d}": c for d, c in sorted(domains.items())})
        facts.update(extra_facts or {})
        if flagged:
            facts["off_purpose_examples"] = [r.reason for _, r in flagged[:3]]
        return DetectorOutput(findings=self._findings(asset, n, flagged), facts=facts)

    def _findings(
        self, asset: Asset, n: int, flagged: list[tuple[TextItem, Relevance]]
    ) -> tuple[Finding, ...]:
        if not flagged:
            return ()
        by_domain = Counter(r.domain for _, r in flagged)
        parts = ", ".join(f"{DOMAIN_BY_ID[d].en} {c}" for d, c in by_domain.most_common() if d)
        covered = ", ".join(sorted(self.purpose.named)) or ("general" if self.purpose.general else "none")
        whole = n == 1 and flagged[0][0].locator is None
        what = "the asset is" if whole else f"{len(flagged)} of {n} items are"
        message = (
            f"{what} in a sensitive domain the declared purpose ({covered}) does not cover: {parts}. "
            f"First: {flagged[0][1].reason}"
        )
        locations = tuple(
            location(asset.path, item, 1) if item.locator else asset.path
            for item, _ in flagged[:MAX_LOCATIONS]
        )
        return (
            Finding(
                rule=Rule.OFF_PURPOSE,
                severity=Severity.WARNING,
                path=asset.path,
                message=message,
                count=len(flagged),
                locations=locations,
            ),
        )
