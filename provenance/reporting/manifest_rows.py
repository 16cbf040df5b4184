"""Shared input of both SPDX manifests: ids, times and the file rows of a saved scan, streamed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.licensing.expression import canonical
from provenance.licensing.names import normalize_license
from provenance.licensing.portable import PortableLicenses
from provenance.reporting.interface import ReportContext, SpdxFiles

_ID_CHARS = re.compile(r"[^A-Za-z0-9.-]+")
_OPERATORS = re.compile(r"\s+(?:AND|OR)\s+")
FILE_COLUMNS = ["path", "source", "kind", "sha256", "sha1", "license", "use_class", "findings"]
BATCH_ROWS = 8192


@dataclass(frozen=True)
class FileBatch:
    """Files to list, column by column (one batch of assets.parquet, filtered)."""

    path: list[str]
    source: list[str]
    kind: list[str]
    sha256: list[str]
    sha1: list[str]
    license: list[str | None]
    use_class: list[str | None]
    findings: list[list[str] | None]

    def __len__(self) -> int:
        return len(self.path)


def spdx_id(prefix: str, n: int, name: str) -> str:
    """`SPDXRef-<prefix>-<n>-<name with only letters, digits, '.', '-'>` (the number keeps it unique)."""
    clean = _ID_CHARS.sub("-", name).strip("-")[:48]
    return f"SPDXRef-{prefix}-{n}" + (f"-{clean}" if clean else "")


def created(ctx: ReportContext) -> dt.datetime:
    text = ctx.result.created.replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc).replace(microsecond=0)
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def created_text(ctx: ReportContext) -> str:
    return created(ctx).strftime("%Y-%m-%dT%H:%M:%SZ")


def scan_digest(ctx: ReportContext) -> str:
    """SHA-256 of the saved result: names the documents, the same for the same scan."""
    data = json.dumps(ctx.result.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def file_batches(ctx: ReportContext) -> Iterator[FileBatch]:
    """Files to list, in the order of assets.parquet (the walk's), a batch at a time: files that
    could not be hashed are left out, and with `flagged` those without findings."""
    if ctx.spdx_files is SpdxFiles.NONE or not ctx.result.output_dir:
        return
    path = Path(ctx.result.output_dir) / "assets.parquet"
    if not path.is_file():
        return
    for batch in pq.ParquetFile(path).iter_batches(columns=FILE_COLUMNS, batch_size=BATCH_ROWS):
        mask = pc.and_(pc.match_substring_regex(batch.column("sha1"), "^[0-9a-f]{40}$"),
                       pc.match_substring_regex(batch.column("sha256"), "^[0-9a-f]{64}$"))
        if ctx.spdx_files is SpdxFiles.FLAGGED:
            # list length cast to bool: no Python scalar (one would make pyarrow import pandas)
            mask = pc.and_(mask, pc.cast(pc.list_value_length(batch.column("findings")), pa.bool_()))
        kept = batch.filter(mask)  # a null (no hash, no findings list) drops the row
        if kept.num_rows:
            yield FileBatch(*(kept.column(name).to_pylist() for name in FILE_COLUMNS))


def declared_license(source: dict[str, object] | None) -> str | None:
    """The declared license as a normalised SPDX expression (None when absent or not understood)."""
    value = (source or {}).get("license")
    return normalize_license(str(value)).expression if value else None


def concluded(by_license: dict[str, object], licenses: PortableLicenses) -> str | None:
    """Conjunction of the licenses found in a source, each written as the manifests write it
    (so one unreadable value does not take the others with it); None when none was found."""
    # one choice written in two orders ("A OR B", "B OR A") is one term, not two (the first
    # spelling in sort order is kept, so the result does not depend on the order of the scan)
    spellings: dict[str, str] = {}
    for m in sorted(m for m in (licenses.map(k) for k in by_license if k != "(none)") if m):
        spellings.setdefault(canonical(m), m)
    found = sorted(spellings.values())
    if len(found) < 2:
        return found[0] if found else None
    return " AND ".join(f"({e})" if " OR " in e or " AND " in e else e for e in found)


def simple_ids(expression: str | None) -> list[str]:
    """The license terms of a manifest expression (for SPDX 2.3 licenseInfoFromFiles)."""
    if not expression:
        return []
    return [t for t in (x.strip(" ()") for x in _OPERATORS.split(expression)) if t]
