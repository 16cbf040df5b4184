"""Reuse of a previous rendering when what the outputs are made from has not changed.

An unchanged rescan writes the same rows (assets.parquet is byte-identical: fixed row groups) and
the same scan.json but for its time. The outputs name that time (and the digests that follow from
it), so they are written again, but from what the previous rendering kept: the asset pass (no read
of assets.parquet) and the manifests' bodies (copied from the previous files, with a new header and
tail). The result is byte for byte what a full rendering writes; the tests check that.

The record lives in OUT/.cache/reports-v1.json. It is used only when its key matches (content
digest, options, tool and list versions, the report templates) and the previous manifests are still
as they were written (size and mtime).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provenance.atomic import write_text
from provenance.licensing.portable import validator_list
from provenance.resources import data_dir
from provenance.results import ASSETS_PARQUET, ScanResult
from provenance.version import __version__

RECORD = Path(".cache") / "reports-v1.json"
#: Bump when anything rendered changes in a way the key below does not see.
RENDER_VERSION = "1"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _scan_content(result: ScanResult) -> str:
    """scan.json's content without its time and the report failures recorded in it."""
    data = result.to_dict()
    data.pop("created", None)
    data.pop("reports", None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def identity(result: ScanResult, rows: str) -> str:
    """What the manifests describe, without the scan time or files' modification times: scan.json's
    content and the listed rows (`AssetFacts.rows`). SPDX 3 element ids derive from it."""
    return hashlib.sha256((_scan_content(result) + "\n" + rows).encode("utf-8")).hexdigest()


def content_digest(result: ScanResult) -> str:
    """Digest of what every output is made from, without the scan time: scan.json's content,
    assets.parquet's bytes and review.json's bytes ("" without an output folder)."""
    if not result.output_dir:
        return ""
    folder = Path(result.output_dir)
    digest = hashlib.sha256(_scan_content(result).encode("utf-8"))
    for name in (ASSETS_PARQUET, "review.json"):
        path = folder / name
        with contextlib.suppress(OSError):
            digest.update(f"\n{name}:{file_sha256(path)}".encode())
    return digest.hexdigest()


def _templates() -> str:

    digest = hashlib.sha256()
    folder = data_dir("reports")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_key(content: str, result: ScanResult, options: Iterable[object]) -> str:

    validator = validator_list()
    parts = [RENDER_VERSION, __version__, result.tool_version, content, validator.library, validator.version,
             _templates(), *map(str, options)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class RenderRecord:
    """What one rendering kept for the next: its key, the asset pass, each manifest's state."""

    key: str
    assets: dict[str, Any]
    #: manifest file name -> the writer's state plus the file's size and mtime when written
    manifests: dict[str, dict[str, Any]]

    def intact(self, out_dir: Path) -> dict[str, dict[str, Any]]:
        """The manifests still as this rendering wrote them (others cannot be reused)."""
        usable = {}
        for name, state in self.manifests.items():
            try:
                st = (out_dir / name).stat()
            except OSError:
                continue
            if st.st_size == state.get("size") and st.st_mtime_ns == state.get("mtime_ns"):
                usable[name] = state
        return usable


def load_record(out_dir: Path) -> RenderRecord | None:
    try:
        data = json.loads((out_dir / RECORD).read_text(encoding="utf-8"))
        return RenderRecord(str(data["key"]), dict(data["assets"]), dict(data["manifests"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_record(out_dir: Path, record: RenderRecord) -> None:
    """Written after the outputs; a failure to write it only costs the next rendering's reuse."""
    with contextlib.suppress(OSError):
        write_text(out_dir / RECORD, json.dumps({"key": record.key, "assets": record.assets,
                                                 "manifests": record.manifests}, ensure_ascii=False))


def forget(out_dir: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(out_dir / RECORD)
