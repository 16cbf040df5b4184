"""One language-neutral set of facts for every report, built from a saved scan.

Every figure here comes from scan.json, assets.parquet or the optional review.json beside them;
declared values come from the declarations recorded in scan.json. Nothing is translated here.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.licensing.portable import Place
from provenance.model import Rule
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
    "registry": CheckSpec(("registry", "known-work", "fingerprint", "images", "text-works"), ("known-work",),
                          "registry"),
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
# Matched known works the IP section names (most files first); the count of the others is kept.
KNOWN_WORKS_ROWS = 50
KNOWN_RULES = ("known-work", "known-work-excerpt")


@dataclass(frozen=True)
class EvidenceRow:
    """Assets of one source that took one license from one place."""

    license: str
    location: str
    #: SHA-256 of the file the evidence was read from, when that file is in the scan (and, for
    #: evidence each file carries itself, when the row stands for one file).
    sha256: str | None
    assets: int
    #: What the evidence said (card value, header text), as the scan recorded it.
    raw: str = ""
    #: Evidence each file carries itself (a header, a record field): `location` is the first such
    #: file, and `assets` counts every file of the source that took this license that way.
    own: bool = False


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
    #: Files a manifest can list (hashed): all of them, and those with findings.
    hashed_files: int = 0
    flagged_files: int = 0
    #: Distinct licenses of those files (sorted), for the manifests' package entries.
    hashed_licenses: tuple[str, ...] = ()
    flagged_licenses: tuple[str, ...] = ()

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
    #: Items listed as warnings, not counted in `errors`: empty files (rule `empty-file`) and any
    #: error entry of warning severity.
    warnings: int
    skipped: int
    checks: Mapping[str, Check]
    #: Share of blocked content above which a source fails (parameters.blocked_threshold, else 5%).
    blocked_threshold: float
    #: None when no review.json was found.
    reviews: tuple[Review, ...] | None
    #: SHA-256 of the scan.json every figure comes from ("" when the result was not read from a file).
    scan_sha256: str = ""
    #: Per license expression: where it was read and for how many assets, most assets first.
    places: Mapping[str, tuple[Place, ...]] = field(default_factory=dict)
    #: Registered works the scan matched, with files per source (AssetFacts.known_works).
    known_works: tuple[Mapping[str, Any], ...] = ()
    known_works_more: int = 0

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


def _is_own(location: str, path: str) -> bool:
    """Evidence the asset carries itself: its own header (`path:3`) or record field (`path#license`)."""
    return location == path or (location.startswith(path) and location[len(path):len(path) + 1] in (":", "#"))


def verification_code(sha1s: list[str]) -> str:
    """The SPDX 2.3 package verification code: SHA-1 of the sorted SHA-1s of the files, concatenated."""
    return hashlib.sha1("".join(sorted(sha1s)).encode("ascii"), usedforsecurity=False).hexdigest()


def _verification_code(raw: bytearray) -> str:
    """verification_code() of SHA-1s kept as 20-byte digests: sorting the bytes sorts the hex."""
    digests = np.sort(np.frombuffer(bytes(raw), dtype="S20"))
    return hashlib.sha1(binascii.hexlify(digests.tobytes()), usedforsecurity=False).hexdigest()


def _raw(evidence_json: str | None, location: str) -> str:
    """What the evidence at `location` said, as the scan recorded it (shortened by the scanner)."""
    try:
        items = json.loads(evidence_json or "[]")
    except ValueError:
        return ""
    return next((str(e.get("raw", "")) for e in items if isinstance(e, dict) and e.get("location") == location), "")


@dataclass
class _Group:
    """Assets of one source that took one license from one place (or each from itself)."""

    location: str
    raw: str
    sha256: str | None
    assets: int = 0


@dataclass
class _SourceFiles:
    sha1: bytearray = field(default_factory=bytearray)
    #: SHA-1s (hex) of the current batch, folded into `sha1` (20 bytes each) once per batch
    hex: list[str] = field(default_factory=list)
    hashed: int = 0
    flagged: int = 0
    licenses: set[str] = field(default_factory=set)
    flagged_licenses: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class AssetFacts:
    """What the reports take from assets.parquet, in one pass: bounded by the number of sources,
    licenses and places licenses were read, not by files; kept with a render so that an unchanged
    rescan does not read assets.parquet again."""

    evidence: dict[str, list[EvidenceRow]]
    more: dict[str, int]
    #: Per source: digest, hashed_files, flagged_files, hashed_licenses, flagged_licenses.
    files: dict[str, dict[str, Any]]
    places: dict[str, tuple[Place, ...]]
    #: SHA-256 over the rows' path, source, kind, hashes, license and use class, in order: what the
    #: manifests list, without the modification times (SPDX 3 element ids derive from it).
    rows: str = ""
    #: Registered works matched in the scan: work_id, title, rights_holder, kind (text/image),
    #: level (error/warning) and files per source; most files first, at most KNOWN_WORKS_ROWS.
    known_works: tuple[dict[str, Any], ...] = ()
    known_works_more: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "evidence": {k: [[r.license, r.location, r.sha256, r.assets, r.raw, r.own] for r in v]
                         for k, v in self.evidence.items()},
            "more": self.more,
            "files": {k: {**v, "hashed_licenses": list(v["hashed_licenses"]),
                          "flagged_licenses": list(v["flagged_licenses"])} for k, v in self.files.items()},
            "places": {k: [[p.location, p.sha256, p.assets] for p in v] for k, v in self.places.items()},
            "known_works": list(self.known_works), "known_works_more": self.known_works_more,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssetFacts:
        return cls(
            evidence={k: [EvidenceRow(*row) for row in v] for k, v in data["evidence"].items()},
            more={k: int(v) for k, v in data["more"].items()},
            files={k: {**v, "hashed_licenses": tuple(v["hashed_licenses"]),
                       "flagged_licenses": tuple(v["flagged_licenses"])} for k, v in data["files"].items()},
            places={k: tuple(Place(*p) for p in v) for k, v in data["places"].items()},
            rows=str(data.get("rows", "")),
            known_works=tuple(data.get("known_works", ())), known_works_more=int(data.get("known_works_more", 0)),
        )


_COLUMNS = ["path", "source", "kind", "sha256", "sha1", "license", "license_source", "findings", "evidence_json"]
_ROW_COLUMNS = ("path", "source", "kind", "sha256", "sha1", "license", "use_class")
_OWN = "\x00own"  # group key for evidence each file carries itself


def _fold(sf: _SourceFiles) -> None:
    if sf.hex:
        try:
            sf.sha1 += bytes.fromhex("".join(sf.hex))
        except ValueError:  # not hex (a damaged file): fold the valid ones one by one
            for value in sf.hex:
                with contextlib.suppress(ValueError):
                    sf.sha1 += bytes.fromhex(value)
        sf.hex.clear()


def asset_facts(result: ScanResult) -> AssetFacts:
    """One pass over assets.parquet, in memory bounded by the number of license files, cards and
    sources (not files): evidence per source (license, where read, what it said), the files the
    manifests list (count, licenses, verification code), and where each license was read."""
    groups: dict[tuple[str, str, str], _Group] = {}
    known: dict[tuple[str, str], dict[str, Any]] = {}
    rows_digest = hashlib.sha256()
    hashes: dict[str, str] = {}
    files: dict[str, _SourceFiles] = {}
    if result.output_dir and (Path(result.output_dir) / "assets.parquet").is_file():
        pf = pq.ParquetFile(Path(result.output_dir) / "assets.parquet")
        for index, batch in enumerate(pf.iter_batches(columns=[*_COLUMNS, "use_class"], batch_size=8192)):
            cols = [batch.column(name).to_pylist() for name in _COLUMNS[:-2]]
            for name in _ROW_COLUMNS:
                values = cols[_COLUMNS.index(name)] if name in _COLUMNS else batch.column(name).to_pylist()
                rows_digest.update("\x1f".join(v or "" for v in values).encode("utf-8") + b"\x1e")
            # Only whether there are findings (a cast, not lists), and evidence only where a group starts.
            cols.append(pc.cast(pc.list_value_length(batch.column("findings")), pa.bool_()).to_pylist())
            evidence_column = batch.column("evidence_json")
            _known_works(batch, pf, index, known)
            for pending in files.values():
                _fold(pending)
            for i, (path, source, kind, sha256, sha1, lic, location, findings) in enumerate(zip(*cols, strict=True)):
                if sha1 and sha256 and len(sha1) == 40:
                    sf = files.get(source)
                    if sf is None:
                        sf = files[source] = _SourceFiles()
                    sf.hex.append(sha1)
                    sf.hashed += 1
                    if lic:
                        sf.licenses.add(lic)
                    if findings:
                        sf.flagged += 1
                        if lic:
                            sf.flagged_licenses.add(lic)
                metadata = kind in ("license-file", "dataset-card")
                if metadata and sha256:
                    hashes[path] = sha256
                if metadata or not lic:
                    continue
                location = location or ""
                own = bool(location) and _is_own(location, path)
                key = (source, lic, _OWN if own else location)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = _Group(location, _raw(evidence_column[i].as_py(), location),
                                                 sha256 if own else None)
                group.assets += 1
    for pending in files.values():
        _fold(pending)
    rows: dict[str, list[EvidenceRow]] = {}
    by_license: dict[str, dict[str, Place]] = {}
    for (source, lic, where), g in groups.items():
        own = where == _OWN
        sha = (g.sha256 if g.assets == 1 else None) if own else hashes.get(_location_path(g.location))
        rows.setdefault(source, []).append(EvidenceRow(lic, g.location, sha, g.assets, g.raw, own))
        place_key = f"{g.location} (+own)" if own and g.assets > 1 else g.location
        seen = by_license.setdefault(lic, {})
        old = seen.get(place_key)
        seen[place_key] = Place(place_key if not own or g.assets == 1 else
                                f"{g.location} and {g.assets - 1} more files, each with its own",
                                sha, g.assets + (old.assets if old else 0))
    more: dict[str, int] = {}
    for source, items in rows.items():
        items.sort(key=lambda r: (-r.assets, r.license, r.location))
        more[source] = max(0, len(items) - EVIDENCE_ROWS)
        del items[EVIDENCE_ROWS:]
    places = {lic: tuple(sorted(seen.values(), key=lambda p: (-p.assets, p.location)))
              for lic, seen in by_license.items()}
    works = sorted(known.values(), key=lambda w: (-sum(w["sources"].values()), w["kind"], w["work_id"]))
    return AssetFacts(rows, more, {k: _files_facts(v) for k, v in files.items()}, places, rows_digest.hexdigest(),
                      tuple(works[:KNOWN_WORKS_ROWS]), max(0, len(works) - KNOWN_WORKS_ROWS))


def _known_works(batch: pa.RecordBatch, pf: pq.ParquetFile, index: int,
                 known: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Add the works matched in one batch of assets.parquet rows. Its facts are read only when it
    holds a known-work finding (batches are the file's row groups of 8,192 rows)."""
    findings = batch.column("findings")
    if not pc.any(pc.is_in(pc.list_flatten(findings), value_set=pa.array(KNOWN_RULES))).as_py():
        return
    rows = [i for i, rules in enumerate(findings.to_pylist()) if rules and set(rules) & set(KNOWN_RULES)]
    group = pf.read_row_group(index, columns=["path", "facts_json"]) if index < pf.num_row_groups else None
    if group is None or group.column("path")[0].as_py() != batch.column("path")[0].as_py():
        return  # not written in groups of the batch size: nothing to name rather than a wrong name
    sources = batch.column("source").to_pylist()
    texts = group.column("facts_json").to_pylist()
    for i in rows:
        try:
            data = json.loads(texts[i] or "{}")
        except ValueError:
            continue
        seen: set[tuple[str, str]] = set()
        for detector, kind in (("text-works", "text"), ("images", "image")):
            for m in (data.get(detector) or {}).get("matches") or ():
                if not isinstance(m, dict) or not m.get("work_id"):
                    continue
                key = (kind, str(m["work_id"]))
                w = known.setdefault(key, {"work_id": str(m["work_id"]), "title": m.get("title"),
                                           "rights_holder": m.get("rights_holder"), "kind": kind,
                                           "level": "warning", "sources": {}})
                if kind == "image" or m.get("level") == "error":
                    w["level"] = "error"
                if key not in seen:  # a file counts once per work, whatever the registries
                    seen.add(key)
                    w["sources"][sources[i]] = w["sources"].get(sources[i], 0) + 1


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


def build_facts(result: ScanResult, assets: AssetFacts | None = None) -> Facts:
    """The facts of a saved scan; `assets` when this scan's asset pass is at hand already."""
    if assets is None:
        assets = asset_facts(result)
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
            **assets.files.get(str(s["name"]), {}),
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
        errors=sum(1 for e in result.errors if e.severity != "warning"), skipped=len(result.skipped),
        warnings=sum(1 for e in result.errors if e.severity == "warning")
        + int((result.summary.get("findings_by_rule") or {}).get(Rule.EMPTY_FILE.value, 0)), checks=_checks(result),
        blocked_threshold=_num(result.parameters.get("blocked_threshold"), BLOCKED_MAX_RATE) or BLOCKED_MAX_RATE,
        reviews=load_reviews(result.output_dir),
        scan_sha256=_file_sha256(Path(result.output_dir) / "scan.json") if result.output_dir else "",
        places=assets.places, known_works=assets.known_works, known_works_more=assets.known_works_more,
    )


def _files_facts(sf: _SourceFiles) -> dict[str, Any]:
    return {"digest": _verification_code(sf.sha1) if sf.sha1 else "", "hashed_files": sf.hashed,
            "flagged_files": sf.flagged, "hashed_licenses": tuple(sorted(sf.licenses)),
            "flagged_licenses": tuple(sorted(sf.flagged_licenses))}


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""
