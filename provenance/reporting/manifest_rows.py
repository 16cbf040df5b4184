"""Shared input of both SPDX manifests: ids, times and the file rows of a saved scan."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from provenance.licensing.kb import load_kb
from provenance.licensing.names import normalize_license
from provenance.reporting.interface import ReportContext, SpdxFiles

_ID_CHARS = re.compile(r"[^A-Za-z0-9.-]+")
_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]+")
FILE_COLUMNS = ["path", "source", "kind", "size", "sha256", "sha1", "license", "use_class", "findings"]


@dataclass(frozen=True)
class FileRow:
    path: str
    source: str
    kind: str
    size: int
    sha256: str
    sha1: str
    license: str | None
    use_class: str
    findings: tuple[str, ...]


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


def scan_digest(ctx: ReportContext) -> str:
    """SHA-256 of the saved result: names the documents, the same for the same scan."""
    data = json.dumps(ctx.result.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def file_rows(ctx: ReportContext) -> Iterator[FileRow]:
    """Files to list, sorted by source then path; files that could not be hashed are left out."""
    if ctx.spdx_files is SpdxFiles.NONE or not ctx.result.output_dir:
        return
    if not (Path(ctx.result.output_dir) / "assets.parquet").is_file():
        return
    rows = []
    for r in ctx.result.assets(FILE_COLUMNS):
        if not r["sha1"] or not r["sha256"]:
            continue
        if ctx.spdx_files is SpdxFiles.FLAGGED and not r["findings"]:
            continue
        rows.append(FileRow(r["path"], r["source"], r["kind"], int(r["size"] or 0), r["sha256"], r["sha1"],
                            r["license"], r["use_class"] or "unknown", tuple(r["findings"] or ())))
    rows.sort(key=lambda r: (r.source, r.path))
    yield from rows


def license_refs(expressions: list[str]) -> list[str]:
    return sorted({ref for e in expressions for ref in _REF.findall(e)})


def ref_text(ref: str) -> tuple[str, str]:
    """(name, text) for a LicenseRef- id: from the knowledge base when it knows the id."""
    facts = load_kb().facts(ref)
    if facts.basis == "none":
        return ref, (f"{ref}: named in the declarations file or in the data; its terms are not in the provenance "
                     "license knowledge base, so its use for training is unknown.")
    text = f"{ref}: an identifier of the provenance license knowledge base. {facts.notes}".strip()
    return facts.name or ref, f"{text} Use for training: {facts.use.value}."


def declared_license(source: dict[str, object] | None) -> str | None:
    """The declared license as a normalised SPDX expression (None when absent or not understood)."""
    value = (source or {}).get("license")
    return normalize_license(str(value)).expression if value else None


def concluded(by_license: dict[str, object]) -> str | None:
    """Conjunction of the licenses found in a source; None when none was found."""
    found = sorted(k for k in by_license if k != "(none)")
    if not found:
        return None
    return " AND ".join(f"({e})" if " OR " in e else e for e in found)
