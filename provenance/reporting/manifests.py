"""Both SPDX manifests in one pass over assets.parquet; a failure costs only the manifest it hits."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Protocol

from provenance.licensing.portable import PortableLicenses, RefInfo
from provenance.reporting.document import ManifestFile
from provenance.reporting.interface import ReportContext
from provenance.reporting.manifest_rows import FileBatch, file_batches
from provenance.reporting.stream import StreamFile


@dataclass(frozen=True)
class ReportFailure:
    """An output that could not be written, and why (shown on one line, recorded in scan.json)."""

    name: str
    reason: str


def failure(name: str, exc: BaseException) -> ReportFailure:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return ReportFailure(name, text[:300])


class ManifestWriter(Protocol):
    file_name: str

    def begin(self) -> None: ...

    def add_batch(self, batch: FileBatch) -> None: ...

    def finish(self, refs: list[RefInfo]) -> StreamFile: ...

    def abort(self) -> None: ...


def manifest_writers(ctx: ReportContext, licenses: PortableLicenses) -> list[ManifestWriter]:
    from provenance.reporting.spdx2 import Spdx2Writer
    from provenance.reporting.spdx3 import Spdx3Writer

    return [Spdx2Writer(ctx, licenses), Spdx3Writer(ctx, licenses)]


def write_manifests(ctx: ReportContext,
                    writers: list[ManifestWriter] | None = None) -> tuple[list[ManifestFile], list[ReportFailure]]:
    """Stream every listed file into each manifest. Both share one `PortableLicenses`, so a license
    gets the same manifest id in both. Returns what was written and what failed."""
    licenses = PortableLicenses()
    if writers is None:
        writers = manifest_writers(ctx, licenses)
    failed: list[ReportFailure] = []

    def drop(writer: ManifestWriter, exc: BaseException) -> None:
        failed.append(failure(writer.file_name, exc))
        with contextlib.suppress(Exception):  # abort only removes temporary files; nothing more to say
            writer.abort()

    alive: list[ManifestWriter] = []
    for writer in writers:
        try:
            writer.begin()
            alive.append(writer)
        except Exception as exc:
            drop(writer, exc)
    try:
        for batch in file_batches(ctx):
            broken = False
            for writer in alive:
                try:
                    writer.add_batch(batch)
                except Exception as exc:
                    drop(writer, exc)
                    broken = True
            if broken:
                done = {f.name for f in failed}
                alive = [w for w in alive if w.file_name not in done]
    except Exception as exc:  # assets.parquet could not be read: no manifest is complete
        for writer in alive:
            drop(writer, exc)
        alive = []
    written: list[ManifestFile] = []
    refs: list[RefInfo] = []
    if alive:
        try:
            refs = licenses.refs(ctx.facts.places)
        except Exception as exc:
            for writer in alive:
                drop(writer, exc)
            alive = []
    for writer in alive:
        try:
            out = writer.finish(refs)
            written.append(ManifestFile(out.path.name, out.sha256, out.size))
        except Exception as exc:
            drop(writer, exc)
    return written, failed
