"""Media embedded in tables: the images (and audio) of a Hugging Face Parquet or Arrow file, each
an asset of its own (`data/train.parquet!00000012.png`), analysed by the same detectors as files.

At most `ArchiveLimits.max_embedded` media per table are read (a sample: decoding and fingerprinting
every image of a large dataset is the images team's bulk job; a table with more is listed with a
warning that says how much was checked). The record's own license value and URL are record-level
evidence for its media.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from provenance.analysis.context import Analyzed, WorkContext
from provenance.analysis.detect import run_detectors
from provenance.analysis.sidecars import optout_domains, record_output
from provenance.detectors.interface import AssetContent
from provenance.detectors.records import license_columns
from provenance.detectors.urls import url_columns
from provenance.model import Asset, Problem, ProblemKind
from provenance.sources.interface import Entry
from provenance.sources.table_media import (
    MEDIA_TABLES,
    media_columns,
    media_extension,
    table_batches,
    table_schema,
)


@dataclass(frozen=True)
class TableMedia:
    """The media of one table as member analyses."""

    members: tuple[Analyzed, ...] = ()
    #: Why not all media could be read; None when fine.
    problem: Problem | None = None
    #: Set when only a sample was checked: says how much.
    notice: str | None = None


def _opener(data: bytes) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(data)


def table_members(ctx: WorkContext, entry: Entry, content: AssetContent) -> TableMedia:
    """The media of a table as member results, why not all could be read, and a notice when only a
    sample was checked."""
    path = entry.asset.path
    if not path.lower().endswith(MEDIA_TABLES):
        return TableMedia()
    local = str(content.local_path) if content.local_path else None
    try:
        schema = table_schema(path, local, content.open)
    except Exception as exc:  # the records detector reports a damaged table too; this says what was not checked
        return TableMedia(problem=Problem(ProblemKind.CONTENT, "embedded media not checked: cannot read the table's"
                                                              f" schema: {type(exc).__name__}"))
    media = media_columns(schema)
    if not media:
        return TableMedia()
    lic = next(iter(license_columns(schema.names)), None)
    url = next(iter(url_columns(schema.names)), None)
    columns = list(dict.fromkeys([*media, *(c for c in (lic, url) if c)]))
    limit = ctx.archive_limits.max_embedded
    optout = optout_domains(ctx)
    out: list[Analyzed] = []
    row = 0
    try:
        for batch in table_batches(path, local, content.open, columns):
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                if len(out) >= limit:
                    return TableMedia(tuple(out), None, (
                        f"only the first {limit} embedded media (rows 0-{row + i - 1}) were checked for known works"
                        " and rights metadata; the rest of the table was not (ArchiveLimits.max_embedded)"))
                for column, kind in media.items():
                    cell = data[column][i]
                    raw = cell.get("bytes") if isinstance(cell, dict) else cell if isinstance(cell, bytes) else None
                    if not raw:
                        continue
                    path_hint = cell.get("path") if isinstance(cell, dict) else None
                    suffix = f"-{column}" if len(media) > 1 else ""
                    member_path = f"{path}!{row + i:08d}{suffix}.{media_extension(raw, path_hint, kind)}"
                    asset = Asset(path=member_path, kind=kind, size=len(raw), source=entry.asset.source,
                                  mtime_ns=entry.asset.mtime_ns)
                    member = Entry(asset=asset, handle=f"{entry.handle}!{row + i}")
                    outputs, problems = run_detectors(ctx.detectors, AssetContent(asset, raw, True, _opener(raw)))
                    meta = {k: data[c][i] for k, c in (("license", lic), ("url", url)) if c}
                    record = record_output(member_path, f"{path}#row{row + i}", meta, optout, None)
                    if record.evidence or record.facts.get("url"):
                        outputs.append(("record", record))
                    out.append(Analyzed(member, hashlib.sha256(raw).hexdigest(),
                                        hashlib.sha1(raw, usedforsecurity=False).hexdigest(), tuple(outputs),
                                        tuple(problems)))
            row += batch.num_rows
    except Exception as exc:  # damaged table: keep what was read, say why the rest was not
        return TableMedia(tuple(out), Problem(ProblemKind.CONTENT, f"embedded media after row {row} could not be"
                                                                  f" read: {type(exc).__name__}: {str(exc)[:200]}"))
    return TableMedia(tuple(out))
