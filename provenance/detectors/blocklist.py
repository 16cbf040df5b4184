"""`blocklist`: items containing an entry of the user's keyword list; a source whose share of
such items is over the threshold (default 5%) gets a `blocked-content` error."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.text_items import TEXT_DETECTOR_KINDS, read_items
from provenance.model import Asset, Finding, Rule, Severity
from provenance.text.blocklist import Blocklist, load_blocklist
from provenance.text.items import TextItem

#: The source-security rule: a source with more than 5% illegal content is not used.
DEFAULT_THRESHOLD = 0.05
TOP_ENTRIES = 10


class BlocklistDetector(Detector):
    id: ClassVar[str] = "blocklist"
    version: ClassVar[str] = "2"  # 2: CSV in GB18030 and with bad bytes, JSONC and objects keyed by name read

    def __init__(self, entries: tuple[str, ...], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.blocklist = Blocklist(entries)
        self.threshold = threshold

    @classmethod
    def from_files(
        cls, paths: Iterable[str | Path], threshold: float = DEFAULT_THRESHOLD
    ) -> BlocklistDetector:
        """The `--blocklist FILE` option (repeatable): one entry a line, `#` comments, UTF-8."""
        return cls(load_blocklist(*paths), threshold)

    def applies(self, asset: Asset) -> bool:
        return asset.kind in TEXT_DETECTOR_KINDS and len(self.blocklist) > 0

    def detect(self, content: AssetContent) -> DetectorOutput:
        items, read_facts = read_items(content)
        return self.detect_items(content.asset, items, read_facts)

    def detect_items(
        self, asset: Asset, items: Iterable[TextItem], extra_facts: dict[str, int] | None = None
    ) -> DetectorOutput:
        entries: Counter[str] = Counter()
        n = blocked = 0
        for item in items:
            n += 1
            match = self.blocklist.match(item.text)
            if match.blocked:
                blocked += 1
                entries.update(e for e, _ in match.entries)  # items per entry
        facts: dict[str, Any] = {"items": n, "blocked_items": blocked}
        facts.update(extra_facts or {})
        if entries:
            facts["top_entries"] = dict(entries.most_common(TOP_ENTRIES))
        return DetectorOutput(facts=facts)

    def source_findings(self, source: str, totals: Mapping[str, float]) -> tuple[Finding, ...]:
        items = int(totals.get("items", 0))
        blocked = int(totals.get("blocked_items", 0))
        if items == 0:
            return ()
        rate = blocked / items
        if rate <= self.threshold:
            return ()
        message = (
            f"source {source}: {blocked} of {items} items ({rate:.1%}) contain an entry of the blocklist, "
            f"over the {self.threshold:.0%} threshold; the source should not be used"
        )
        return (Finding(Rule.BLOCKED_CONTENT, Severity.ERROR, "", message, count=blocked, locations=(source,)),)
