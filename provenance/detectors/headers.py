"""`SPDX-License-Identifier:` lines near the top of code and text files."""

from __future__ import annotations

import re

from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.licensing.expression import ExpressionSyntaxError, parse
from provenance.model import Asset, AssetKind, Evidence, EvidenceKind, Level, Location

HEADER_LINES = 30
_TAG = re.compile(r"SPDX-License-Identifier:\s*(?P<expr>[^\r\n]*)")
# Comment closers that follow an expression on the same line.
_TRAILER = re.compile(r"\s*(\*/|-->|\*\)|#>|\"\"\"|''')?\s*$")


class SpdxHeaderDetector(Detector):
    id = "spdx-header"
    version = "1"

    def applies(self, asset: Asset) -> bool:
        return asset.kind in (AssetKind.TEXT, AssetKind.CODE)

    def detect(self, content: AssetContent) -> DetectorOutput:
        head = content.head[:16384]
        if b"SPDX-License-Identifier" not in head:
            return DetectorOutput()
        text = head.decode("utf-8", errors="replace")
        found = []
        for lineno, line in enumerate(text.splitlines()[:HEADER_LINES], 1):
            match = _TAG.search(line)
            if not match:
                continue
            raw = _TRAILER.sub("", match["expr"]).strip()
            try:
                expression: str | None = parse(raw).render()
                confidence = 1.0
            except ExpressionSyntaxError:
                expression, confidence = None, 0.0
            found.append(Evidence(
                kind=EvidenceKind.SPDX_HEADER, level=Level.FILE,
                location=Location(content.asset.path, line=lineno), license=expression, raw=raw[:200],
                confidence=confidence, matcher="spdx-id",
            ))
        return DetectorOutput(evidence=tuple(found))
