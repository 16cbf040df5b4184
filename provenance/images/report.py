"""Turn what was read from one image into evidence, findings and facts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from provenance.images.fingerprint import Fingerprint
from provenance.images.licenses import license_from_text
from provenance.images.rights import Rights, license_candidates
from provenance.model import Evidence, EvidenceKind, Finding, Level, Location, Rule, Severity

RULE_KNOWN_WORK = Rule.KNOWN_WORK
RULE_TDM_OPT_OUT = Rule.TDM_OPT_OUT
RULE_RIGHTS_RESERVED = Rule.RIGHTS_RESERVED


def rights_evidence(
    rights: Rights, path: str, field: str | None = None, count: int = 1
) -> tuple[Evidence, ...]:
    """License evidence named by the metadata; a bare copyright notice becomes a reservation.
    Images inside a table (`field` given) give record-level evidence for `count` records."""
    loc = Location(path, field=field)
    level, records = (Level.RECORD, count) if field else (Level.FILE, 0)
    found: list[Evidence] = []
    seen: set[str] = set()
    for name, text in license_candidates(rights):
        hit = license_from_text(text)
        if hit and hit[0] not in seen:
            seen.add(hit[0])
            where = rights.copyright_source if name == "copyright" else "xmp"
            found.append(Evidence(EvidenceKind.IMAGE_METADATA, level, loc, hit[0], f"{name}: {text}",
                                  hit[1], f"image-{where}-{name.replace('_', '-')}", records=records))
    if found:
        return tuple(found)
    if rights.copyright or rights.marked:
        raw = rights.copyright or "xmpRights:Marked=True"
        source = rights.copyright_source or "xmp"
        return (Evidence(EvidenceKind.IMAGE_METADATA, level, loc, None, f"{source}: {raw}", 0.9,
                         f"image-{source}-copyright", records=records, reservation=True),)
    return ()


def rights_findings(
    rights: Rights, evidence: Sequence[Evidence], path: str, count: int = 1
) -> tuple[Finding, ...]:
    out: list[Finding] = []
    reasons = rights.opt_out_reasons
    if reasons:
        msg = "image metadata prohibits text and data mining / AI training: " + "; ".join(reasons)
        out.append(Finding(RULE_TDM_OPT_OUT, Severity.ERROR, path, msg, count=count))
    if any(e.reservation for e in evidence) and not any(e.license for e in evidence):
        notice = rights.copyright or "rights marked as managed (xmpRights:Marked)"
        out.append(Finding(RULE_RIGHTS_RESERVED, Severity.WARNING, path,
                           f"copyright notice with no license: {notice}", count=count))
    return tuple(out)


def known_work_findings(matches: Sequence[Any], path: str, count: int = 1) -> tuple[Finding, ...]:
    """One `known-work` finding per matched work (`matches`: registry Match values)."""
    out = []
    for m in matches:
        w = m.work
        title = w.title or w.work_id
        dist = f"pHash distance {m.phash_distance}"
        dist += f", dHash distance {m.dhash_distance}" if m.dhash_distance is not None else " (no dHash)"
        variant = "" if m.variant == "original" else f", via registry variant {m.variant}"
        msg = (f"copy of known work '{title}' (id {w.work_id}, owner {w.owner or 'unknown'}"
               f"{', rights ' + w.rights if w.rights else ''}): {dist}{variant}; "
               f"suspected transformation: {m.transformation}")
        out.append(Finding(RULE_KNOWN_WORK, Severity.ERROR, path, msg, count=count,
                           locations=(w.source,) if w.source else ()))
    return tuple(out)


def fingerprint_facts(fp: Fingerprint) -> dict[str, Any]:
    """All hashes, so a saved scan can be matched again against a newer registry."""
    return {"phash": fp.phash_hex, "dhash": fp.dhash_hex, "shash": f"{fp.shash:016x}",
            "phash_mirror": f"{fp.phash_mirror:016x}", "dhash_mirror": f"{fp.dhash_mirror:016x}",
            "width": fp.width, "height": fp.height}


def fingerprint_from_facts(facts: dict[str, Any]) -> Fingerprint:
    """The Fingerprint stored by `fingerprint_facts` (e.g. in a saved ScanResult)."""
    def h(key: str) -> int:
        return int(facts[key], 16)

    return Fingerprint(h("phash"), h("dhash"), h("shash"), h("phash_mirror"), h("dhash_mirror"),
                       int(facts["width"]), int(facts["height"]))


def match_facts(matches: Sequence[Any]) -> list[dict[str, Any]]:
    return [{"work_id": m.work.work_id, "variant": m.variant, "phash_distance": m.phash_distance,
             "dhash_distance": m.dhash_distance, "mirrored": m.mirrored} for m in matches]
