"""Rights reservations ("All rights reserved", "版权所有，保留所有权利") that come without a grant."""

from __future__ import annotations

import re
from dataclasses import replace

from provenance.licensing.identify.prose import Text
from provenance.licensing.identify.types import Identification

_RESERVATION = re.compile(
    r"all\s+rights\s+reserved|proprietary\s+and\s+confidential"
    r"|no\s+part\s+of\s+this[^.\n]{0,60}?may\s+be\s+(?:reproduced|copied|distributed|transmitted)"
    r"|unauthori[sz]ed\s+(?:copying|reproduction|use|distribution)[^.\n]{0,80}?prohibited"
    r"|may\s+not\s+be\s+(?:reproduced|copied|redistributed|distributed|used)[^.\n]{0,60}?without\s+"
    r"(?:the\s+)?(?:prior\s+)?(?:express\s+)?(?:written\s+)?(?:permission|consent)"
    r"|版权所有|保留所有权利|保留一切权利|保留全部权利|未经[^，。,\n]{0,12}(?:许可|授权|同意)[^。\n]{0,12}?不得"
    r"(?:转载|复制|使用|传播|商用|用于)|禁止转载|严禁转载|不得转载",
    re.IGNORECASE,
)
_GRANT_WORDS = re.compile(
    r"permission\s+is\s+hereby\s+granted|redistribution\s+and\s+use\s+in\s+source|permission\s+to\s+use,"
    r"\s+copy|is\s+free\s+software|hereby\s+grants?\b|licensed\s+under|特此授予",
    re.IGNORECASE,
)


_OPEN_QUOTES = "\"'`“‘「『《"
_CLOSE_QUOTES = "\"'`”’」』》"


def _quoted(body: str, start: int, end: int) -> bool:
    """The match stands inside quotation marks or backticks."""
    before = body[start - 1] if start > 0 else ""
    after = body[end] if end < len(body) else ""
    return bool(before) and before in _OPEN_QUOTES and bool(after) and after in _CLOSE_QUOTES


def _paragraphs(lines: list[str]) -> list[int]:
    """Paragraph number of each line (1-based lines: index 0 is unused); blank lines separate."""
    out, number, blank = [0], 0, True
    for line in lines:
        if line.strip():
            number += blank
            blank = False
        else:
            blank = True
        out.append(number)
    return out


def reservations(text: Text, grants: list[Identification]) -> list[Identification]:
    """Reservations not in the same paragraph as a grant, and not the copyright line of a license
    text that follows (grant wording in the same or the next paragraph)."""
    out: list[Identification] = []
    lines = text.body.split("\n")
    paragraph = _paragraphs(lines)
    granted = {paragraph[n] for g in grants if g.expression for n in range(g.start_line, g.end_line + 1)}
    for m in _RESERVATION.finditer(text.body):
        if _quoted(text.body, m.start(), m.end()):
            continue  # the phrase is being talked about ('"all rights reserved" is read as ...'), not said
        first, last = text.line_of(m.start()), text.line_of(m.end() - 1)
        if paragraph[first] in granted or paragraph[last] in granted:
            continue
        nearby = [
            line
            for n, line in enumerate(lines, start=1)
            if paragraph[first] <= paragraph[n] <= paragraph[last] + 1
        ]
        if _GRANT_WORDS.search("\n".join(nearby)):
            continue
        if out and first - out[-1].end_line <= 1:
            out[-1] = replace(out[-1], end_line=last, note=out[-1].note + f" + {m.group()!r}")
            continue
        out.append(
            Identification(
                expression=None,
                score=1.0,
                coverage=1.0,
                start_line=first,
                end_line=last,
                matcher="reservation",
                note=f"rights reserved without a license grant: {m.group()!r}",
                reservation=True,
            )
        )
    return out
