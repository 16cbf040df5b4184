"""Both SPDX manifests in one pass over assets.parquet; a failure costs only the manifest it hits."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from provenance.licensing.portable import PortableLicenses, RefInfo
from provenance.reporting.document import ManifestFile
from provenance.reporting.interface import ReportContext
from provenance.reporting.manifest_rows import FileBatch, file_batches
from provenance.reporting.spdx2 import Spdx2Writer
from provenance.reporting.spdx3 import Spdx3Writer
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

    def state(self) -> Mapping[str, object]: ...

    def splice(self, previous: Path, state: dict[str, Any]) -> StreamFile: ...

    def add_batch(self, batch: FileBatch) -> None: ...

    def finish(self, refs: list[RefInfo]) -> StreamFile: ...

    def abort(self) -> None: ...


def manifest_writers(ctx: ReportContext, licenses: PortableLicenses) -> list[ManifestWriter]:

    return [Spdx2Writer(ctx, licenses), Spdx3Writer(ctx, licenses)]


@dataclass(frozen=True)
class ManifestRun:
    written: list[ManifestFile]
    failed: list[ReportFailure]
    #: manifest name -> what a later rendering needs to reuse it (writer state, size, mtime)
    states: dict[str, dict[str, Any]]
    #: manifests made from a previous rendering's body
    reused: tuple[str, ...] = ()


def write_manifests(ctx: ReportContext, previous: Mapping[str, dict[str, Any]] | None = None,
                    writers: list[ManifestWriter] | None = None) -> ManifestRun:
    """Stream every listed file into each manifest. Both share one `PortableLicenses`, so a license
    gets the same manifest id in both. A manifest with a usable state in `previous` (same content,
    file unchanged since) is spliced from its previous file instead; if that fails it is rendered."""
    licenses = PortableLicenses()
    if writers is None:
        writers = manifest_writers(ctx, licenses)
    failed: list[ReportFailure] = []
    written: list[ManifestFile] = []
    states: dict[str, dict[str, Any]] = {}
    reused: list[str] = []

    def done(writer: ManifestWriter, out: StreamFile) -> None:
        written.append(ManifestFile(out.path.name, out.sha256, out.size))
        st = out.path.stat()
        states[writer.file_name] = {**writer.state(), "size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def drop(writer: ManifestWriter, exc: BaseException) -> None:
        failed.append(failure(writer.file_name, exc))
        with contextlib.suppress(Exception):  # abort only removes temporary files; nothing more to say
            writer.abort()

    # Stopped part-way (Ctrl-C, a kill signal turned into an exception): the previous manifests
    # stand untouched, and no temporary file is left beside them.
    started: list[ManifestWriter] = list(writers)
    try:
        fresh: list[ManifestWriter] = []
        for writer in writers:
            state = (previous or {}).get(writer.file_name)
            if state is not None:
                try:
                    done(writer, writer.splice(ctx.out_dir / writer.file_name, state))
                    reused.append(writer.file_name)
                    continue
                except Exception:  # the previous file is not what its record says: render it in full
                    with contextlib.suppress(Exception):
                        writer.abort()
                    writer = type(writer)(ctx, licenses)  # type: ignore[call-arg]
                    started.append(writer)
            fresh.append(writer)

        alive: list[ManifestWriter] = []
        for writer in fresh:
            try:
                writer.begin()
                alive.append(writer)
            except Exception as exc:
                drop(writer, exc)
        if alive:
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
                        lost = {f.name for f in failed}
                        alive = [w for w in alive if w.file_name not in lost]
            except Exception as exc:  # assets.parquet could not be read: no manifest is complete
                for writer in alive:
                    drop(writer, exc)
                alive = []
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
                done(writer, writer.finish(refs))
            except Exception as exc:
                drop(writer, exc)
        order = {w.file_name: i for i, w in enumerate(writers)}
        written.sort(key=lambda m: order.get(m.name, 0))
    except BaseException:
        for writer in started:
            with contextlib.suppress(Exception):
                writer.abort()
        raise
    return ManifestRun(written, failed, states, tuple(reused))
