"""The analysis cache: what the detectors said about each asset, reused when the asset did not change.

An SQLite file keyed by (namespace, source root, path). A hit needs the same size and mtime
(no read at all) or, when those changed, the same content hash (read and hashed, not analysed).
The namespace digests everything that changes detector output: tool, knowledge base, license
index, detector versions and their configuration (purpose, blocklist, registry contents). Rows are
committed batch by batch, so the cache is also the journal that lets a killed scan resume.

Per asset only the analysis is cached, never the resolution: licenses inherited from folders and
declarations are resolved again on every scan, so a changed LICENSE file is always seen. Whole
folders are also kept (table folders_v1, see provenance/memo.py): their rows and totals, under a key
that covers the folder's listing and everything its resolution depends on.
Stored as JSON, not pickle: a cache folder may be shared, and must not be able to run code.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from provenance.detectors.interface import DetectorOutput
from provenance.model import (
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Location,
    Problem,
    ProblemKind,
    RecordLicense,
    Rule,
    Severity,
)
from provenance.textio import clean_text

CACHE_FILE = "analyses.sqlite"
_EMPTY = DetectorOutput()
_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses_v2 (
    namespace TEXT NOT NULL, root TEXT NOT NULL, path TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, sha1 TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (namespace, root, path)
);
CREATE TABLE IF NOT EXISTS folders_v1 (
    namespace TEXT NOT NULL, root TEXT NOT NULL, unit TEXT NOT NULL,
    key TEXT NOT NULL, meta TEXT NOT NULL, rows BLOB NOT NULL,
    PRIMARY KEY (namespace, root, unit)
);
CREATE TABLE IF NOT EXISTS namespaces_v1 (
    namespace TEXT NOT NULL, root TEXT NOT NULL, last_used TEXT NOT NULL,
    PRIMARY KEY (namespace, root)
)
"""
#: A namespace (tool, knowledge base, index, detector configuration) not used on a root for this
#: many days is deleted for that root when a scan of it completes: every knowledge-base release
#: starts a namespace, and without this a shared cache would keep each one's copy forever.
KEEP_DAYS = 30


@dataclass(frozen=True)
class CachedAnalysis:
    """What the cache holds for one asset: the stat it was analysed at, its hashes, the analysis."""

    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str
    sha1: str
    #: JSON from `encode_outputs`.
    data: str

    def unchanged(self, size: int, mtime_ns: int, ctime_ns: int) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns) == (size, mtime_ns, ctime_ns)


@dataclass(frozen=True)
class CacheRow:
    """An analysis to store for one asset."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str
    sha1: str
    data: str


def encode_outputs(outputs: tuple[tuple[str, DetectorOutput], ...], problems: tuple[Problem, ...]) -> str:
    """JSON of an analysis. Only content problems are ever stored (a read or a detector that failed
    is tried again next time), so only their messages are kept."""
    def evidence(e: Evidence) -> dict[str, Any]:
        loc = e.location
        return {**asdict(e), "kind": e.kind.value, "level": e.level.value,
                "location": [loc.path, loc.line, loc.field]}

    def finding(f: Finding) -> dict[str, Any]:
        return {**asdict(f), "rule": f.rule.value, "severity": f.severity.value}

    return clean_text(json.dumps({
        "errors": [p.message for p in problems],
        "outputs": [
            [det, {
                "evidence": [evidence(e) for e in out.evidence],
                "findings": [finding(f) for f in out.findings],
                "facts": dict(out.facts), "records": out.records,
                "record_licenses": [asdict(r) for r in out.record_licenses], "errors": list(out.errors),
            }] for det, out in outputs
            if out != _EMPTY  # most detectors have nothing to say about most assets
        ],
    }, ensure_ascii=False, separators=(",", ":")))


def decode_outputs(data: str) -> tuple[tuple[tuple[str, DetectorOutput], ...], tuple[Problem, ...]]:
    doc = json.loads(data)

    def evidence(d: dict[str, Any]) -> Evidence:
        path, line, field = d["location"]
        return Evidence(**{**d, "kind": EvidenceKind(d["kind"]), "level": Level(d["level"]),
                           "location": Location(path, line, field)})

    def finding(d: dict[str, Any]) -> Finding:
        return Finding(**{**d, "rule": Rule(d["rule"]), "severity": Severity(d["severity"]),
                          "locations": tuple(d["locations"])})

    outputs = tuple(
        (det, DetectorOutput(
            evidence=tuple(evidence(e) for e in out["evidence"]),
            findings=tuple(finding(f) for f in out["findings"]),
            facts=out["facts"], records=out["records"],
            record_licenses=tuple(RecordLicense(**r) for r in out["record_licenses"]),
            errors=tuple(out["errors"]),
        ))
        for det, out in doc["outputs"]
    )
    return outputs, tuple(Problem(ProblemKind.CONTENT, m) for m in doc["errors"])


def _root_key(root: str) -> str:
    """The root as SQLite text: a root whose name is not valid UTF-8 is escaped (backslashes
    doubled first, so no two roots share a key)."""
    escaped = root.replace("\\", "\\\\")
    return escaped.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class AnalysisCache:
    """Read side (any process) and write side (the scanner's main process) of the cache."""

    def __init__(self, path: Path, namespace: str) -> None:
        self.path = path
        self.namespace = namespace
        self._reader: sqlite3.Connection | None = None
        self._writer: sqlite3.Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Connections do not cross processes: each worker opens its own.
        return {"path": self.path, "namespace": self.namespace, "_reader": None, "_writer": None}

    def create(self) -> None:
        """Open or make the cache file; one that is not a readable cache is started afresh
        (it only ever holds what a rescan can recompute)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._init_schema()
        except sqlite3.DatabaseError:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._init_schema()

    def _init_schema(self) -> None:
        conn = sqlite3.connect(self.path, timeout=60)
        try:
            with conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                conn.execute("SELECT count(*) FROM analyses_v2 LIMIT 1").fetchone()
        finally:
            conn.close()

    def _read(self) -> sqlite3.Connection:
        if self._reader is None:
            self._reader = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=60)
        return self._reader

    def _write(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = sqlite3.connect(self.path, timeout=60)  # scans sharing a cache wait their turn
            self._writer.execute("PRAGMA synchronous=NORMAL")
        return self._writer

    def get_folder(self, root: str, unit: str, key: str) -> tuple[str, bytes] | None:
        """(meta JSON, Arrow rows) stored for a folder under this key, if any."""
        row = self._read().execute(
            "SELECT meta, rows FROM folders_v1 WHERE namespace=? AND root=? AND unit=? AND key=?",
            (self.namespace, _root_key(root), unit, key),
        ).fetchone()
        return None if row is None else (str(row[0]), bytes(row[1]))

    def put_folder(self, root: str, unit: str, key: str, meta: str, rows: bytes) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO folders_v1 VALUES (?, ?, ?, ?, ?, ?)",
                         (self.namespace, _root_key(root), unit, key, meta, rows))

    def prune(self, root: str, today: dt.date, keep_days: int = KEEP_DAYS) -> int:
        """Mark this namespace used today on `root`; delete what namespaces unused for `keep_days`
        left for it. Returns the number of rows deleted."""
        root = _root_key(root)
        conn = self._write()
        with conn:
            if not conn.execute("SELECT 1 FROM namespaces_v1 WHERE root=? LIMIT 1", (root,)).fetchone():
                # First prune for this root (a cache made before namespaces were tracked): every
                # namespace found starts its clock today.
                for table in ("analyses_v2", "folders_v1"):
                    conn.execute(f"INSERT OR IGNORE INTO namespaces_v1 SELECT DISTINCT namespace, root, ? FROM {table}"
                                 " WHERE root=?", (today.isoformat(), root))
            conn.execute("INSERT OR REPLACE INTO namespaces_v1 VALUES (?, ?, ?)", (self.namespace, root,
                                                                                 today.isoformat()))
            cutoff = (today - dt.timedelta(days=keep_days)).isoformat()
            stale = [r[0] for r in conn.execute(
                "SELECT namespace FROM namespaces_v1 WHERE root=? AND last_used < ? AND namespace != ?",
                (root, cutoff, self.namespace))]
            deleted = 0
            for namespace in stale:
                for table in ("analyses_v2", "folders_v1"):
                    deleted += conn.execute(f"DELETE FROM {table} WHERE namespace=? AND root=?",
                                            (namespace, root)).rowcount
                conn.execute("DELETE FROM namespaces_v1 WHERE namespace=? AND root=?", (namespace, root))
        return deleted

    def get(self, root: str, path: str) -> CachedAnalysis | None:
        """What is stored for the asset, if anything."""
        row = self._read().execute(
            "SELECT size, mtime_ns, ctime_ns, sha256, sha1, data FROM analyses_v2"
            " WHERE namespace=? AND root=? AND path=?",
            (self.namespace, _root_key(root), path),
        ).fetchone()
        if row is None:
            return None
        return CachedAnalysis(int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), str(row[5]))

    def put_many(self, root: str, rows: list[CacheRow]) -> None:
        """Store analyses; committed at once."""
        if not rows:
            return
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO analyses_v2 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(self.namespace, _root_key(root), r.path, r.size, r.mtime_ns, r.ctime_ns, r.sha256, r.sha1, r.data)
                 for r in rows],
            )

    def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.close()
        self._reader = self._writer = None
