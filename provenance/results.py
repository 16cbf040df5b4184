"""The saved result of a scan: `scan.json` (summary, findings, errors, verdict) and
`assets.parquet` (one row per asset). Everything after the scan reads these."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.atomic import atomic_file, write_text
from provenance.errors import ReportError
from provenance.model import (
    AssetResult,
    Evidence,
    FindingGroup,
    ScanErrorEntry,
    Severity,
    Status,
    Verdict,
    Waived,
)
from provenance.textio import clean_text

SCHEMA_VERSION = "1.1"
SCAN_JSON = "scan.json"
ASSETS_PARQUET = "assets.parquet"

ASSET_SCHEMA = pa.schema([
    ("path", pa.string()),
    ("source", pa.string()),
    ("kind", pa.string()),
    ("size", pa.int64()),
    ("mtime_ns", pa.int64()),
    ("sha256", pa.string()),
    ("sha1", pa.string()),
    ("license", pa.string()),
    ("use_class", pa.string()),
    ("license_source", pa.string()),
    ("findings", pa.list_(pa.string())),
    ("findings_json", pa.string()),
    ("evidence_json", pa.string()),
    ("error", pa.string()),
    ("records", pa.int64()),
    ("record_licenses_json", pa.string()),
    ("facts_json", pa.string()),
])


def _json(value: Any) -> str:
    return clean_text(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str))


@lru_cache(maxsize=4096)
def _evidence_json(e: Evidence) -> str:
    # Folder and declared evidence repeats on every asset below it: encode each piece once.
    return _json({"kind": e.kind.value, "level": e.level.value, "location": str(e.location), "license": e.license,
                  "raw": e.raw, "confidence": e.confidence, "matcher": e.matcher, "records": e.records,
                  "reservation": e.reservation})


def asset_row(r: AssetResult) -> dict[str, Any]:
    a = r.asset
    return {
        "path": a.path, "source": clean_text(a.source), "kind": a.kind.value, "size": a.size, "mtime_ns": a.mtime_ns,
        "sha256": r.sha256, "sha1": r.sha1, "license": r.license and clean_text(r.license),
        "use_class": r.use_class.value, "license_source": clean_text(r.license_source),
        "findings": sorted({f.rule for f in r.findings}),
        "findings_json": _json([
            {"rule": f.rule, "severity": f.severity.value, "message": f.message, "count": f.count,
             "locations": list(f.locations)} for f in r.findings
        ]),
        "evidence_json": "[" + ",".join(map(_evidence_json, r.evidence)) + "]",
        "error": r.error and clean_text(r.error), "records": r.records,
        "record_licenses_json": _json([asdict(x) for x in r.record_licenses]),
        "facts_json": _json(dict(r.facts)),
    }


def rows_table(results: Sequence[AssetResult]) -> pa.Table:
    rows = [asset_row(r) for r in results]
    columns = {name: [row[name] for row in rows] for name in ASSET_SCHEMA.names}
    return pa.Table.from_pydict(columns, schema=ASSET_SCHEMA)


class AssetTableWriter:
    """Streams rows into assets.parquet (via a temporary file renamed at the end), in row groups of
    exactly GROUP_ROWS rows (the last one shorter), whatever the sizes of the tables added (a batch,
    a folder reused from the memo): the same rows give the same bytes, so an unchanged rescan
    writes an identical file and the reports can tell by its digest that nothing changed."""

    GROUP_ROWS = 8192

    def __init__(self, out_dir: Path) -> None:
        self.target = out_dir / ASSETS_PARQUET
        self.tmp = out_dir / f".{ASSETS_PARQUET}.{os.getpid()}.tmp"
        self._writer = pq.ParquetWriter(self.tmp, ASSET_SCHEMA, compression="zstd")
        self._pending: list[pa.Table] = []
        self._rows = 0

    def add_table(self, table: pa.Table) -> None:
        if table.num_rows:
            self._pending.append(table)
            self._rows += table.num_rows
            while self._rows >= self.GROUP_ROWS:
                self._write(self.GROUP_ROWS)

    def _write(self, rows: int) -> None:
        table = pa.concat_tables(self._pending)
        self._writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self._pending, self._rows = ([rest] if rest.num_rows else []), rest.num_rows

    def _flush(self) -> None:
        if self._rows:
            self._write(self._rows)

    def close(self) -> None:
        self._flush()
        self._writer.close()
        with open(self.tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        self._pending = []
        try:
            self._writer.close()
        finally:
            if self.tmp.exists():
                self.tmp.unlink()


@dataclass(frozen=True)
class ScanResult:
    """What one scan found; mirrors scan.json. Per-asset rows stay in assets.parquet."""

    tool_version: str
    knowledge_base: str
    license_index: str
    created: str
    parameters: dict[str, Any]
    sources: tuple[dict[str, Any], ...]
    summary: dict[str, Any]
    findings: tuple[FindingGroup, ...]
    errors: tuple[ScanErrorEntry, ...]
    skipped: tuple[dict[str, str], ...]
    verdict: Verdict
    declarations: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION
    #: Outputs that could not be written after the scan ({"report": file name, "reason": ...});
    #: saved as `reports.failed` in scan.json only when there are any.
    reports_failed: tuple[dict[str, str], ...] = ()
    #: Folder holding scan.json and assets.parquet (not saved in scan.json).
    output_dir: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict.passed

    @property
    def exit_code(self) -> int:
        """The verdict's exit code, or 3 (incomplete) when a report could not be written."""
        return 3 if self.reports_failed else self.verdict.exit_code

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "schema_version": self.schema_version,
            "tool": {"name": "provenance", "version": self.tool_version},
            "knowledge_base": {"version": self.knowledge_base, "license_index": self.license_index},
            "created": self.created,
            "parameters": self.parameters,
            "sources": list(self.sources),
            "summary": self.summary,
            "findings": [
                {"rule": g.rule, "severity": g.severity.value, "folder": g.folder, "assets": g.assets,
                 "records": g.records, "bytes": g.bytes, "examples": list(g.examples)} for g in self.findings
            ],
            "errors": [{"path": e.path, "reason": e.reason, "source": e.source, "severity": e.severity}
                       for e in self.errors],
            "skipped": list(self.skipped),
            "verdict": {
                "status": v.status.value, "exit_code": v.exit_code, "reasons": list(v.reasons),
                "failed": [{"rule": r, "assets": n} for r, n in v.failed],
                "waived": [asdict(w) for w in v.waived], "skipped": v.skipped, "policy": v.policy, "use": v.use,
            },
            "declarations": self.declarations,
            **({"reports": {"failed": [dict(f) for f in self.reports_failed]}} if self.reports_failed else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], output_dir: str | None = None) -> ScanResult:
        v = data["verdict"]
        return cls(
            tool_version=data["tool"]["version"],
            knowledge_base=data["knowledge_base"]["version"],
            license_index=data["knowledge_base"].get("license_index", ""),
            created=data["created"],
            parameters=data["parameters"],
            sources=tuple(data["sources"]),
            summary=data["summary"],
            findings=tuple(
                FindingGroup(g["rule"], Severity(g["severity"]), g["folder"], g["assets"], g["records"],
                             g["bytes"], tuple(g["examples"])) for g in data["findings"]
            ),
            errors=tuple(ScanErrorEntry(e["path"], e["reason"], e.get("source", ""), e.get("severity", "error"))
                         for e in data["errors"]),
            skipped=tuple(data.get("skipped", [])),
            verdict=Verdict(
                status=Status(v["status"]), reasons=tuple(v["reasons"]),
                failed=tuple((f["rule"], f["assets"]) for f in v["failed"]),
                waived=tuple(Waived(**w) for w in v["waived"]), skipped=v["skipped"], policy=v["policy"],
                use=v["use"],
            ),
            declarations=data.get("declarations", {}),
            schema_version=data["schema_version"],
            output_dir=output_dir,
            reports_failed=tuple({"report": str(f.get("report", "")), "reason": str(f.get("reason", ""))}
                                 for f in (data.get("reports") or {}).get("failed", [])),
        )

    def save(self, out_dir: Path) -> Path:
        path = out_dir / SCAN_JSON
        write_text(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n")
        return path

    def assets(self, columns: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Rows of assets.parquet, streamed in batches."""
        if not self.output_dir:
            raise ReportError("this result has no output folder with assets.parquet")
        pf = pq.ParquetFile(Path(self.output_dir) / ASSETS_PARQUET)
        for batch in pf.iter_batches(columns=columns, batch_size=8192):
            yield from batch.to_pylist()


def load_result(path: str | Path) -> ScanResult:
    """Read a saved scan: the scan.json file, or the folder holding it."""
    p = Path(path)
    if p.is_dir():
        p = p / SCAN_JSON
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read scan result {p}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema_version", "").split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ReportError(f"{p} is not a provenance scan result of schema {SCHEMA_VERSION}")
    return ScanResult.from_dict(data, str(p.parent))


__all__ = ["ASSETS_PARQUET", "SCAN_JSON", "AssetTableWriter", "ScanResult", "atomic_file", "load_result"]


def result_schema() -> dict[str, Any]:
    """The JSON Schema of scan.json (shipped in the package)."""
    return json.loads(resources.files("provenance").joinpath("schema/scan.schema.json").read_text(encoding="utf-8"))
