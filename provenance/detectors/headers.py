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


def spdx_tags(text: str, max_lines: int = HEADER_LINES) -> list[tuple[int, str, str | None]]:
    """(line, raw expression, normalised expression or None) for each tag in the first lines."""
    found = []
    for lineno, line in enumerate(text.splitlines()[:max_lines], 1):
        match = _TAG.search(line)
        if not match:
            continue
        raw = _TRAILER.sub("", match["expr"]).strip()
        try:
            expression: str | None = parse(raw).render()
        except ExpressionSyntaxError:
            expression = None
        found.append((lineno, raw, expression))
    return found


class SpdxHeaderDetector(Detector):
    id = "spdx-header"
    version = "1"

    def applies(self, asset: Asset) -> bool:
        return asset.kind in (AssetKind.TEXT, AssetKind.CODE)

    def detect(self, content: AssetContent) -> DetectorOutput:
        head = content.head[:16384]
        if b"SPDX-License-Identifier" in head:
            text = head.decode("utf-8", errors="replace")
        elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: the tag is not in the raw bytes
            text = (content.text()[0] or "")[:16384]
            if "SPDX-License-Identifier" not in text:
                return DetectorOutput()
        else:
            return DetectorOutput()
        return DetectorOutput(evidence=tuple(
            Evidence(
                kind=EvidenceKind.SPDX_HEADER, level=Level.FILE, location=Location(content.asset.path, line=lineno),
                license=expression, raw=raw[:200], confidence=1.0 if expression else 0.0, matcher="spdx-id",
            )
            for lineno, raw, expression in spdx_tags(text)
        ))
