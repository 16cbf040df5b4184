"""A record's license, URL and caption for one member asset: a WebDataset sample's `.json`
sidecar, or the row of a table that holds an embedded image."""

from __future__ import annotations

from collections import Counter
from typing import Any

from provenance.analysis.context import WorkContext
from provenance.detectors.interface import DetectorOutput
from provenance.detectors.urls import UrlDomainDetector, domain_output, host_of
from provenance.licensing.names import normalize_license
from provenance.model import Evidence, EvidenceKind, Finding, Level, Location, RecordLicense

SIDECAR_LICENSE = ("license", "licence", "license_name", "license_url", "rights")
SIDECAR_CAPTION = ("caption", "text", "alt", "title")


def optout_domains(ctx: WorkContext) -> frozenset[str]:
    """The domains that opted out of mining, as the scan's URL detector holds them."""
    return frozenset().union(*(d.optout for d in ctx.detectors if isinstance(d, UrlDomainDetector)))


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return key, value.strip()
    return None


def record_output(path: str, where: str, meta: dict[str, Any], optout: frozenset[str],
                  caption_path: str | None, line: int | None = None) -> DetectorOutput:
    """A record's license (record-level evidence), URL domain and caption for one member:
    a WebDataset sample's sidecar (`where` is the sidecar) or a table row (`where` the table, `line` the row)."""
    evidence: list[Evidence] = []
    records: tuple[RecordLicense, ...] = ()
    facts: dict[str, Any] = {"record": where if line is None else f"{where}:{line}"}
    lic = _first(meta, SIDECAR_LICENSE)
    if lic:
        field, value = lic
        norm = normalize_license(value).expression
        evidence.append(Evidence(EvidenceKind.RECORD_FIELD, Level.RECORD, Location(where, line=line, field=field),
                                 norm, value[:200], 1.0 if norm else 0.0,
                                 "webdataset-sidecar" if line is None else "table-row", records=1))
        records = (RecordLicense(value[:200], norm, 1, field=field),)
    findings: tuple[Finding, ...] = ()
    url = _first(meta, ("url", "source_url", "image_url", "page_url", "link"))
    if url:
        host = host_of(url[1])
        facts["url"] = url[1][:300]
        if host:
            domains = domain_output(path, Counter({host: 1}), 1, optout, url[0])
            facts.update(domains.facts)
            findings = domains.findings
    cap = _first(meta, SIDECAR_CAPTION)
    if cap or caption_path:
        facts["caption"] = cap[1][:200] if cap else caption_path
    # No record count: the sample's record is counted once, by its sidecar or its table row.
    return DetectorOutput(evidence=tuple(evidence), findings=findings, facts=facts, record_licenses=records)
