"""One language-neutral set of facts for every report, built from a saved scan.

Every figure here comes from scan.json, assets.parquet or the optional review.json beside them;
declared values come from the declarations recorded in scan.json. Nothing is translated here.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.results import ScanResult

REVIEW_JSON = "review.json"

# Asset kinds -> modality. Metadata kinds (license files, cards) are not training data.
MODALITY = {
    "text": "text", "code": "text", "table": "structured", "image": "image", "audio": "audio",
    "video": "video", "archive": "other", "other": "other",
}

# Blocked-content share above which a source is not used (FILING.md, source security), unless the scan
# recorded another threshold in parameters.blocked_threshold.
BLOCKED_MAX_RATE = 0.05


@dataclass(frozen=True)
class CheckSpec:
    """How to tell whether a check ran, and which findings belong to it."""

    #: Parts of detector ids that provide the check.
    detectors: tuple[str, ...]
    rules: tuple[str, ...]
    #: A scan parameter that must be set for the check to mean anything (e.g. a keyword list);
    #: ignored when the scan did not record it.
    parameter: str | None = None


# Checks other detectors provide. A check "ran" when one of its detectors is listed in
# parameters.detectors (with its parameter set, when recorded) or one of its rules was raised.
CHECKS: Mapping[str, CheckSpec] = {
    "blocklist": CheckSpec(("blocklist", "blocked", "keywords"), ("blocked-content",), "blocklist_entries"),
    "pii": CheckSpec(("pii", "personal"),
                     ("personal-info", "personal-information", "sensitive-personal-information", "pii")),
    "purpose": CheckSpec(("purpose", "relevance"), ("off-purpose", "unrelated-to-purpose"), "purpose"),
    "registry": CheckSpec(("registry", "known-work", "fingerprint", "images"), ("known-work",), "registry"),
    "images": CheckSpec(("image",), ("image-rights", "rights-metadata")),
    "tdm": CheckSpec(("tdm", "robots", "opt-out", "images"), ("tdm-opt-out",)),
}

# License findings shown in the IP section, in this order.
LICENSE_RULES = (
    "unlicensed", "use-restricted", "license-conflict", "license-denied", "license-not-allowed",
    "unknown-license", "rights-reserved", "no-derivatives", "share-alike", "attribution-required",
)
# Findings that mean a source's legality is not shown.
BLOCKING_LICENSE_RULES = ("unlicensed", "use-restricted", "license-conflict", "license-denied", "license-not-allowed")

# How many evidence rows per source the section lists (the manifests list every file).
EVIDENCE_ROWS = 10


@dataclass(frozen=True)
class EvidenceRow:
    """Assets of one source that took one license from one place."""

    license: str
    location: str
    #: SHA-256 of the file the evidence was read from, when that file is in the scan.
    sha256: str | None
    assets: int
    #: What the evidence said (card value, header text), as the scan recorded it.
    raw: str = ""


@dataclass(frozen=True)
class Check:
    """A detector family and whether this scan ran it."""

    key: str
    ran: bool
    detectors: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """One review-sample result from review.json (written by `provenance sample import`)."""

    kind: str  # "human" or "technical"
    #: Items in the sample.
    n: int
    qualified: int
    rate: float
    ci_low: float | None
    ci_high: float | None
    threshold: float | None
    passed: bool | None
    #: Items reviewed (None when the file does not say).
    reviewed: int | None = None
    #: The smallest sample the rule accepts, as the sampler computed it.
    min_items: int | None = None
    #: Items the sample was drawn from, and the seed that draws it again.
    population: int | None = None
    seed: int | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFacts:
    name: str
    root: str
    revision: str | None
    paths: str
    #: The declarations entry for this source ({} when none).
    declared: Mapping[str, Any]
    assets: int
    bytes: int
    records: int
    errors: int
    by_kind: Mapping[str, Mapping[str, int]]
    by_license: Mapping[str, Mapping[str, int]]
    by_use_class: Mapping[str, Mapping[str, int]]
    findings_by_rule: Mapping[str, int]
    #: Summed numeric facts per detector id.
    totals: Mapping[str, Mapping[str, float]]
    source_findings: tuple[Mapping[str, Any], ...]
    modalities: tuple[str, ...]
    evidence: tuple[EvidenceRow, ...]
    #: Evidence rows not listed (beyond EVIDENCE_ROWS).
    evidence_more: int
    #: SPDX package verification code of the source's hashed files ("" when none).
    digest: str = ""

    def decl(self, key: str) -> Any:
        value = self.declared.get(key)
        return None if value in (None, "", []) else value

    @property
    def licenses(self) -> tuple[str, ...]:
        return tuple(k for k in self.by_license if k != "(none)")

    @property
    def data_assets(self) -> int:
        return sum(v["assets"] for v in self.by_license.values())

    def rule_count(self, rule: str) -> int:
        return int(self.findings_by_rule.get(rule, 0))

    def sensitive_count(self) -> float:
        """Sensitive personal information seen by the PII detector: rules or counts named "sensitive"."""
        names = CHECKS["pii"].detectors
        hits: float = sum(n for rule, n in self.findings_by_rule.items() if "sensitive" in rule)
        return hits + sum(v for det, totals in self.totals.items() if any(n in det for n in names)
                          for key, v in totals.items() if "sensitive" in key)


@dataclass(frozen=True)
class Facts:
    tool_version: str
    knowledge_base: str
    license_index: str
    created: str
    root: str
    use: str
    policy: str
    detectors: tuple[str, ...]
    status: str
    reasons: tuple[str, ...]
    declarations_file: str | None
    service: Mapping[str, Any]
    ip: Mapping[str, Any]
    personal_information: Mapping[str, Any]
    content_filtering: Mapping[str, Any]
    sources: tuple[SourceFacts, ...]
    summary: Mapping[str, Any]
    findings: tuple[Mapping[str, Any], ...]
    errors: int
    skipped: int
    checks: Mapping[str, Check]
    #: Share of blocked content above which a source fails (parameters.blocked_threshold, else 5%).
    blocked_threshold: float
    #: None when no review.json was found.
    reviews: tuple[Review, ...] | None
    #: SHA-256 of the scan.json every figure comes from ("" when the result was not read from a file).
    scan_sha256: str = ""

    def ran(self, check: str) -> bool:
        return self.checks[check].ran

    def rule_total(self, rule: str) -> int:
        return int(self.summary.get("findings_by_rule", {}).get(rule, 0))

    @property
    def modalities(self) -> tuple[str, ...]:
        return tuple(sorted({m for s in self.sources for m in s.modalities}))


def _modalities(by_kind: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted({MODALITY[k] for k in by_kind if k in MODALITY}))


def _location_path(location: str) -> str:
    """`a/LICENSE:3` or `t.csv#license` -> the file's path."""
    path = location.split("#", 1)[0]
    head, sep, tail = path.rpartition(":")
    return head if sep and tail.isdigit() else path


def verification_code(sha1s: list[str]) -> str:
    """The SPDX 2.3 package verification code: SHA-1 of the sorted SHA-1s of the files, concatenated."""
    return hashlib.sha1("".join(sorted(sha1s)).encode("ascii"), usedforsecurity=False).hexdigest()


def _raw(evidence_json: str | None, location: str) -> str:
    """What the evidence at `location` said, as the scan recorded it (shortened by the scanner)."""
    try:
        items = json.loads(evidence_json or "[]")
    except ValueError:
        return ""
    return next((str(e.get("raw", "")) for e in items if e.get("location") == location), "")


@dataclass(frozen=True)
class _AssetFacts:
    evidence: dict[str, list[EvidenceRow]]
    more: dict[str, int]
    #: Per source: the SPDX package verification code over every hashed file.
    digests: dict[str, str]


def _asset_facts(result: ScanResult) -> _AssetFacts:
    """One pass over assets.parquet: evidence per source (license, where read, what it said), digests."""
    counts: Counter[tuple[str, str, str]] = Counter()
    raws: dict[tuple[str, str, str], str] = {}
    hashes: dict[str, str] = {}
    sha1s: dict[str, list[str]] = {}
    if result.output_dir and (Path(result.output_dir) / "assets.parquet").is_file():
        columns = ["path", "source", "kind", "sha256", "sha1", "license", "license_source", "evidence_json"]
        for row in result.assets(columns):
            if row["sha1"]:
                sha1s.setdefault(row["source"], []).append(row["sha1"])
            location = row["license_source"] or ""
            own = _location_path(location) == row["path"]
            if row["sha256"] and (row["kind"] in ("license-file", "dataset-card") or own):
                hashes[row["path"]] = row["sha256"]
            if row["kind"] in ("license-file", "dataset-card") or not row["license"]:
                continue
            key = (row["source"], row["license"], location)
            if key not in counts:
                raws[key] = _raw(row["evidence_json"], location)
            counts[key] += 1
    rows: dict[str, list[EvidenceRow]] = {}
    for (source, lic, loc), n in counts.items():
        rows.setdefault(source, []).append(
            EvidenceRow(lic, loc, hashes.get(_location_path(loc)), n, raws.get((source, lic, loc), "")))
    more: dict[str, int] = {}
    for source, items in rows.items():
        items.sort(key=lambda r: (-r.assets, r.license, r.location))
        more[source] = max(0, len(items) - EVIDENCE_ROWS)
        del items[EVIDENCE_ROWS:]
    return _AssetFacts(rows, more, {k: verification_code(v) for k, v in sha1s.items()})


def _checks(result: ScanResult) -> dict[str, Check]:
    params = result.parameters
    ids = [str(d).split("@", 1)[0] for d in params.get("detectors", [])]
    raised = set(result.summary.get("findings_by_rule", {}))
    out = {}
    for key, spec in CHECKS.items():
        matched = tuple(d for d in ids if any(n in d for n in spec.detectors))
        configured = spec.parameter is None or spec.parameter not in params or bool(params[spec.parameter])
        out[key] = Check(key, (bool(matched) and configured) or bool(raised & set(spec.rules)), matched)
    return out


def _num(value: Any, default: float | None = None) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def load_reviews(out_dir: str | None) -> tuple[Review, ...] | None:
    """review.json beside scan.json: {"reviews": {"human": {...}, "technical": {...}}} as the sampler
    writes it; a list of results, {"reviews": [...]} or a single result are read too."""
    if not out_dir:
        return None
    path = Path(out_dir) / REVIEW_JSON
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(data, dict) and "reviews" in data:
        data = data["reviews"]
    if isinstance(data, dict) and "kind" in data:
        data = [data]
    elif isinstance(data, dict):  # keyed by kind
        data = [{"kind": k, **v} for k, v in data.items() if isinstance(v, dict)]
    reviews = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        n = _int(item.get("n")) or 0
        qualified = _int(item.get("qualified")) or 0
        reviewed = _int(item.get("reviewed"))
        rate = _num(item.get("rate"))
        passed = item.get("pass", item.get("passed"))
        reasons = item.get("reasons") or ()
        reviews.append(Review(
            kind=str(item.get("kind", "")), n=n, qualified=qualified,
            rate=rate if rate is not None else (qualified / (reviewed or n) if (reviewed or n) else 0.0),
            ci_low=_num(item.get("ci_low")), ci_high=_num(item.get("ci_high")),
            threshold=_num(item.get("threshold")), passed=passed if isinstance(passed, bool) else None,
            reviewed=reviewed, min_items=_int(item.get("min_items")), population=_int(item.get("population")),
            seed=_int(item.get("seed")),
            reasons=tuple(str(r) for r in reasons) if isinstance(reasons, (list, tuple)) else (str(reasons),),
        ))
    return tuple(sorted(reviews, key=lambda r: r.kind))


def build_facts(result: ScanResult) -> Facts:
    assets = _asset_facts(result)
    declared = result.declarations or {}
    sources = tuple(
        SourceFacts(
            name=str(s["name"]), root=str(s.get("root", "")), revision=s.get("revision"),
            paths=str(s.get("paths", "")), declared=dict(s.get("declared") or {}),
            assets=int(s.get("assets", 0)), bytes=int(s.get("bytes", 0)), records=int(s.get("records", 0)),
            errors=int(s.get("errors", 0)), by_kind=s.get("by_kind", {}), by_license=s.get("by_license", {}),
            by_use_class=s.get("by_use_class", {}), findings_by_rule=s.get("findings_by_rule", {}),
            totals=s.get("totals", {}), source_findings=tuple(s.get("source_findings", [])),
            modalities=_modalities(s.get("by_kind", {})),
            evidence=tuple(assets.evidence.get(str(s["name"]), [])), evidence_more=assets.more.get(str(s["name"]), 0),
            digest=assets.digests.get(str(s["name"]), ""),
        )
        for s in sorted(result.sources, key=lambda s: str(s["name"]))
    )
    findings = tuple(
        {"rule": g.rule, "severity": g.severity.value, "folder": g.folder, "assets": g.assets,
         "records": g.records, "bytes": g.bytes, "examples": list(g.examples)}
        for g in result.findings
    )
    v = result.verdict
    return Facts(
        tool_version=result.tool_version, knowledge_base=result.knowledge_base,
        license_index=result.license_index, created=result.created,
        root=str(result.parameters.get("root", "")), use=v.use, policy=v.policy,
        detectors=tuple(str(d) for d in result.parameters.get("detectors", [])),
        status=v.status.value, reasons=tuple(v.reasons),
        declarations_file=declared.get("file"), service=declared.get("service") or {},
        ip=declared.get("ip") or {}, personal_information=declared.get("personal_information") or {},
        content_filtering=declared.get("content_filtering") or {},
        sources=sources, summary=result.summary, findings=findings,
        errors=len(result.errors), skipped=len(result.skipped), checks=_checks(result),
        blocked_threshold=_num(result.parameters.get("blocked_threshold"), BLOCKED_MAX_RATE) or BLOCKED_MAX_RATE,
        reviews=load_reviews(result.output_dir),
        scan_sha256=_file_sha256(Path(result.output_dir) / "scan.json") if result.output_dir else "",
    )


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
