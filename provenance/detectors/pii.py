"""`pii`: personal information by type, validated and masked (`personal-info`).

Only masked values leave `provenance.text.pii`; this module never sees a raw identifier.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.detectors.text_items import TEXT_DETECTOR_KINDS, read_items
from provenance.model import Asset, Finding, Rule, Severity
from provenance.text.items import MAX_LOCATIONS, TextItem, location
from provenance.text.pii import PII_TYPES, find_pii


class PiiDetector(Detector):
    id: ClassVar[str] = "pii"
    # 2: CSV in GB18030 and with bad bytes, JSONC and objects keyed by name read; placeholder and
    # reserved e-mail domains, SSH remotes, private and toy addresses, version pins, coordinates and
    # numbers inside file names are not personal information; 3: digits running on into Latin letters
    # (UUIDs) are no bank card; 4: dotted numbers glued into a package file name are no address;
    # 5: role mailboxes (support@, letters@, actions@github.com) are no person's, nor the servers a
    # download log says it resolved or connected to
    version: ClassVar[str] = "5"

    def applies(self, asset: Asset) -> bool:
        return asset.kind in TEXT_DETECTOR_KINDS

    def detect(self, content: AssetContent) -> DetectorOutput:
        items, read_facts = read_items(content)
        return self.detect_items(content.asset, items, read_facts)

    def detect_items(
        self, asset: Asset, items: Iterable[TextItem], extra_facts: dict[str, int] | None = None
    ) -> DetectorOutput:
        counts: Counter[str] = Counter()
        locations: list[str] = []
        n = with_pii = 0
        for item in items:
            n += 1
            hits = find_pii(item.text)
            if not hits:
                continue
            with_pii += 1
            counts.update(h.type for h in hits)
            for hit in hits:
                if len(locations) < MAX_LOCATIONS and not hit.type.startswith("sensitive:"):
                    locations.append(f"{location(asset.path, item, hit.line)} {hit.type} {hit.masked}")
        facts: dict[str, Any] = {"items": n, "items_with_pii": with_pii, **dict(sorted(counts.items()))}
        facts.update(extra_facts or {})
        if not counts:
            return DetectorOutput(facts=facts)
        found = ", ".join(f"{counts[t]} {t}" for t in PII_TYPES if counts[t])
        sensitive = ", ".join(
            f"{c} {t.split(':', 1)[1]}" for t, c in sorted(counts.items()) if t.startswith("sensitive:")
        )
        message = f"personal information: {found}"
        if sensitive:
            message += f"; sensitive categories: {sensitive}"
        finding = Finding(
            rule=Rule.PERSONAL_INFO,
            severity=Severity.WARNING,
            path=asset.path,
            message=message,
            count=with_pii,
            locations=tuple(locations),
        )
        return DetectorOutput(findings=(finding,), facts=facts)
