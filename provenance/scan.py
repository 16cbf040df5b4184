"""Scanner: a source and detectors in, a ScanResult and its files out. Prints nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from provenance import __version__
from provenance.declarations import Declarations
from provenance.detectors import default_detectors
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.engine.local import make_engine
from provenance.licensing.identify import index_version
from provenance.licensing.kb import load_kb
from provenance.model import (
    METADATA_KINDS,
    Asset,
    AssetKind,
    AssetResult,
    Finding,
    ScanErrorEntry,
    Severity,
    UseClass,
)
from provenance.policy import Gate, Policy
from provenance.resolve import ScopeIndex, resolve
from provenance.results import AssetTableWriter, ScanResult
from provenance.sources.archives import ArchiveLimits
from provenance.sources.interface import Entry, Skipped, Source, Unreadable
from provenance.sources.kinds import kind_of
from provenance.summary import Summary

CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory and time in check whatever the corpus holds."""

    #: Bytes of an asset handed to detectors in memory; larger files are streamed.
    head_bytes: int = 8 * 2**20
    #: Larger files are listed but not read.
    max_file_size: int = 16 * 2**30
    #: A file whose allocated blocks cover less than this share of its size is a sparse file.
    sparse_ratio: float = 0.1
    #: Sparse-file check applies from this size up.
    sparse_min_size: int = 64 * 2**20
    #: Member count, expanded size, ratio and nesting bounds for archives (hook: sources.archives).
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass(frozen=True)
class Analyzed:
    """What a worker learned about one entry (picklable)."""

    entry: Entry
    sha256: str | None
    sha1: str | None
    outputs: tuple[tuple[str, DetectorOutput], ...]
    errors: tuple[str, ...]
    #: Archive members, each analysed like a file (hook: sources.archives).
    members: tuple[Analyzed, ...] = ()


@dataclass(frozen=True)
class WorkContext:
    source: Source
    detectors: tuple[Detector, ...]
    limits: Limits


def _read(ctx: WorkContext, entry: Entry) -> tuple[bytes, bool, str, str] | str:
    """Hash the whole file while keeping its head: (head, complete, sha256, sha1), or a reason."""
    asset = entry.asset
    if asset.size > ctx.limits.max_file_size:
        return f"file larger than the limit ({asset.size} > {ctx.limits.max_file_size} bytes); not read"
    try:
        stream = ctx.source.open(entry)
    except FileNotFoundError:
        return "file vanished during the scan"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return f"cannot open: {exc.strerror or exc}"
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(usedforsecurity=False)
    head = bytearray()
    total = 0
    with stream:
        try:
            fileno = stream.fileno()
        except (OSError, AttributeError, ValueError):
            fileno = -1
        if fileno >= 0:
            st = os.fstat(fileno)
            blocks = getattr(st, "st_blocks", None)
            if (blocks is not None and st.st_size >= ctx.limits.sparse_min_size
                    and blocks * 512 < st.st_size * ctx.limits.sparse_ratio):
                return (f"sparse file: {st.st_size} bytes with only {blocks * 512} allocated;"
                        " not read (holes are not training data)")
        try:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                sha256.update(chunk)
                sha1.update(chunk)
                if len(head) < ctx.limits.head_bytes:
                    head += chunk[: ctx.limits.head_bytes - len(head)]
        except OSError as exc:
            return f"read error after {total} bytes: {exc.strerror or exc}"
    if total != asset.size:
        return f"file changed during the scan (listed {asset.size} bytes, read {total})"
    return bytes(head), total <= ctx.limits.head_bytes, sha256.hexdigest(), sha1.hexdigest()


def analyze(ctx: WorkContext, entry: Entry) -> Analyzed:
    """Read one asset once and run every detector that applies. Never raises for bad data."""
    if entry.asset.kind is AssetKind.ARCHIVE:  # hook: archives are read member by member
        from provenance.sources.archives import analyze_archive

        return analyze_archive(ctx, entry)
    errors = [entry.problem] if entry.problem else []
    read = _read(ctx, entry)
    if isinstance(read, str):
        return Analyzed(entry, None, None, (), (*errors, read))
    head, complete, sha256, sha1 = read
    local = ctx.source.local_path(entry)
    content = AssetContent(
        entry.asset, head, complete, lambda: ctx.source.open(entry), Path(local) if local else None
    )
    outputs = []
    for detector in ctx.detectors:
        if not detector.applies(entry.asset):
            continue
        try:
            out = detector.detect(content)
        except Exception as exc:  # a detector bug must not end the scan or hide the asset
            out = DetectorOutput(errors=(f"detector {detector.id} failed: {type(exc).__name__}: {exc}"[:300],))
        outputs.append((detector.id, out))
        errors += out.errors
    members: tuple[Analyzed, ...] = ()
    if entry.asset.kind is AssetKind.TABLE:  # hook: media embedded in tables become members (sources.embedded)
        from provenance.sources.embedded import table_members

        members, problem = table_members(ctx, entry, content)
        errors += [problem] if problem else []
    return Analyzed(entry, sha256, sha1, tuple(outputs), tuple(errors), members)


@dataclass
class ScanOptions:
    """Everything a scan can be asked to do; the CLI and the API fill it the same way."""

    use: str = "commercial"
    jobs: int = 0
    exclude: Sequence[str] = ()
    follow_symlinks: bool = False
    limits: Limits = field(default_factory=Limits)
    declarations: Declarations = field(default_factory=Declarations)
    policy: Policy = field(default_factory=Policy)
    detectors: Sequence[Detector] | None = None
    #: Extra parameters recorded in scan.json (purpose, registry, ...).
    recorded: dict[str, Any] = field(default_factory=dict)


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


Progress = Callable[[int, int], None]


class Scanner:
    def __init__(self, source: Source, options: ScanOptions | None = None) -> None:
        self.source = source
        self.options = options or ScanOptions()
        detectors = self.options.detectors
        self.detectors = tuple(detectors if detectors is not None else default_detectors())

    def logical_source(self, path: str, listed: str) -> str:
        """Declared source name, else the top-level folder of a local corpus, else the listed source."""
        declared = self.options.declarations.source_for(path)
        if declared:
            return declared.name
        if self.source.info.kind != "local" or "/" not in path:
            return listed
        return path.split("/", 1)[0]

    def run(self, out_dir: Path, progress: Progress | None = None) -> ScanResult:
        out_dir.mkdir(parents=True, exist_ok=True)
        opts = self.options
        ctx = WorkContext(self.source, self.detectors, opts.limits)
        scope = ScopeIndex()
        gate = Gate(opts.policy)
        summary = Summary(self.detectors)
        errors: list[ScanErrorEntry] = []
        skipped: list[dict[str, str]] = []

        # Pass 1: license files and cards first, so every other asset can inherit from them.
        metadata: list[Analyzed] = []
        count = 0
        for item in self.source.entries():
            if isinstance(item, Entry):
                count += 1
                if item.asset.kind in METADATA_KINDS:
                    done = analyze(ctx, self._relabel(item))
                    metadata.append(done)
                    for _, out in done.outputs:
                        for ev in out.evidence:
                            if ev.level.value == "directory":
                                scope.add(ev)

        for ev in self.source.scope_evidence():  # hook: evidence the source holds outside any file
            scope.add(ev)

        writer = AssetTableWriter(out_dir)
        try:
            for done in metadata:
                self._finish(done, scope, gate, summary, writer, errors)
                if progress:
                    progress(1, done.entry.asset.size)
            engine = make_engine(opts.jobs, count)
            try:
                for done in engine.map(ctx, analyze, self._data_entries(errors, skipped, gate, summary, writer)):
                    self._finish(done, scope, gate, summary, writer, errors)
                    for member in done.members:  # hook: archive members get rows of their own
                        self._finish(member, scope, gate, summary, writer, errors)
                    if progress:
                        progress(1, done.entry.asset.size)
            finally:
                engine.close()
            for finding in summary.source_findings():
                gate.add_source_finding(finding)
            writer.close()
        except BaseException:
            writer.abort()
            raise

        verdict = gate.verdict(skipped=len(skipped))
        result = ScanResult(
            tool_version=__version__,
            knowledge_base=load_kb().version,
            license_index=index_version(),
            created=_now(),
            parameters={
                "root": self.source.info.root, "use": opts.use, "exclude": list(opts.exclude),
                "follow_symlinks": opts.follow_symlinks, "policy": opts.policy.name,
                "max_errors": opts.policy.max_errors, "detectors": [f"{d.id}@{d.version}" for d in self.detectors],
                **opts.recorded,
            },
            sources=tuple(summary.sources_table(self.source.info, opts.declarations)),
            summary=summary.totals(),
            findings=tuple(summary.groups()),
            errors=tuple(errors),
            skipped=tuple(skipped),
            verdict=verdict,
            declarations=opts.declarations.as_dict() if opts.declarations.file else {},
            output_dir=str(out_dir),
        )
        result.save(out_dir)
        return result

    def _relabel(self, entry: Entry) -> Entry:
        name = self.logical_source(entry.asset.path, entry.asset.source)
        return replace(entry, asset=replace(entry.asset, source=name))

    def _data_entries(self, errors: list[ScanErrorEntry], skipped: list[dict[str, str]], gate: Gate,
                      summary: Summary, writer: AssetTableWriter) -> Iterator[Entry]:
        """Pass 2: everything but metadata; unreadable items are recorded as they are met."""
        for item in self.source.entries():
            if isinstance(item, Entry):
                if item.asset.kind not in METADATA_KINDS:
                    yield self._relabel(item)
            elif isinstance(item, Unreadable):
                src = self.logical_source(item.path, self.source.info.name)
                errors.append(ScanErrorEntry(item.path, item.reason, src))
                finding = Finding("scan-error", Severity.ERROR, item.path, item.reason)
                asset = Asset(item.path, kind_of(item.path.rsplit("/", 1)[-1]), 0, src)
                result = AssetResult(asset, None, None, None, UseClass.UNKNOWN, "", (), (finding,), error=item.reason)
                gate.add(item.path, 0, [finding], error=True)
                summary.add(result)
                writer.add(result)
            elif isinstance(item, Skipped):
                skipped.append({"path": item.path, "reason": item.reason})

    def _finish(self, done: Analyzed, scope: ScopeIndex, gate: Gate, summary: Summary,
                writer: AssetTableWriter, errors: list[ScanErrorEntry]) -> None:
        asset = done.entry.asset
        own = [ev for _, out in done.outputs for ev in out.evidence if ev.level.value in ("file", "record")]
        records = next((out.records for _, out in done.outputs if out.records is not None), None)
        record_licenses = next((out.record_licenses for _, out in done.outputs if out.record_licenses), ())
        resolution = resolve(
            asset.path, asset.kind, own, scope.nearest(asset.folder),
            self.options.declarations.evidence_for(asset.path), record_licenses, records, self.options.use,
        )
        # hook: an archive whose members were listed is a container; its members carry the license findings.
        own_findings = () if done.members and asset.kind is AssetKind.ARCHIVE else resolution.findings
        findings = [f for _, out in done.outputs for f in out.findings] + list(own_findings)
        for reason in done.errors:
            errors.append(ScanErrorEntry(asset.path, reason, asset.source))
            findings.append(Finding("scan-error", Severity.ERROR, asset.path, reason))
        result = AssetResult(
            asset=asset, sha256=done.sha256, sha1=done.sha1,
            license=resolution.license, use_class=resolution.use_class if resolution.license else UseClass.UNKNOWN,
            license_source=resolution.source, evidence=resolution.evidence, findings=(),
            error="; ".join(done.errors) or None, records=records, record_licenses=tuple(record_licenses),
            facts={det: dict(out.facts) for det, out in done.outputs if out.facts},
        )
        findings += gate.policy_findings(result)
        result = replace(result, findings=tuple(findings))
        gate.add(asset.path, asset.size, result.findings, error=bool(done.errors))
        summary.add(result)
        writer.add(result)


def temporary_output() -> Path:
    """A fresh folder for an API scan that did not name one (kept: results are read from it)."""
    return Path(tempfile.mkdtemp(prefix="provenance-"))
