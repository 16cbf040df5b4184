"""Scanner: a source and detectors in, a ScanResult and its files out. Prints nothing."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from provenance import __version__, memo
from provenance.cache import AnalysisCache, decode_outputs, encode_outputs
from provenance.declarations import Declarations
from provenance.detectors import default_detectors
from provenance.detectors.interface import AssetContent, Detector, DetectorOutput
from provenance.engine.interface import Engine
from provenance.engine.local import make_engine
from provenance.licensing.identify import index_version
from provenance.licensing.kb import load_kb
from provenance.model import (
    METADATA_KINDS,
    Asset,
    AssetKind,
    AssetResult,
    Evidence,
    EvidenceKind,
    Finding,
    Level,
    Location,
    ScanErrorEntry,
    Severity,
    UseClass,
)
from provenance.policy import Gate, Policy, Tally
from provenance.resolve import UNREADABLE, ScopeIndex, resolve
from provenance.results import ASSET_SCHEMA, AssetTableWriter, ScanResult, rows_table
from provenance.sources.archives import ArchiveLimits
from provenance.sources.embedded import MEDIA_TABLES
from provenance.sources.interface import Entry, Listed, Skipped, Source, Unreadable
from provenance.sources.kinds import kind_of
from provenance.summary import Summary

CHUNK = 1 << 20
#: Kinds whose bytes must decode as text; binary data under a text name is a scan error.
TEXT_KINDS = frozenset({AssetKind.TEXT, AssetKind.CODE, AssetKind.LICENSE_FILE, AssetKind.DATASET_CARD})
EMPTY_FILE = "empty file (0 bytes): nothing to check"
#: Listed items per unit of work sent to a worker.
BATCH = 256
_SILENT = DetectorOutput()


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
    #: Member count, expanded size, ratio and nesting bounds for archives.
    archives: ArchiveLimits = field(default_factory=ArchiveLimits)


@dataclass(frozen=True)
class Analyzed:
    """What a worker learned about one entry (picklable)."""

    entry: Entry
    sha256: str | None
    sha1: str | None
    outputs: tuple[tuple[str, DetectorOutput], ...]
    errors: tuple[str, ...]
    #: How the analysis was obtained: "analysed", "cached" (unchanged stat), "rehashed" (same content).
    origin: str = "analysed"
    #: JSON of outputs and content errors, to store in the cache (None: nothing to store).
    cache_data: str | None = None
    #: Archive members and media embedded in tables, each analysed like a file.
    members: tuple[Analyzed, ...] = ()


@dataclass(frozen=True)
class WorkContext:
    """Everything the per-asset work needs; sent once to each worker process."""

    source: Source
    detectors: tuple[Detector, ...]
    limits: Limits
    scope: ScopeIndex = field(default_factory=ScopeIndex)
    declarations: Declarations = field(default_factory=Declarations)
    policy: Policy = field(default_factory=Policy)
    cache: AnalysisCache | None = None

    @functools.cached_property
    def volatile(self) -> frozenset[str]:
        """Ids of the detectors whose output is never cached (computed once, not per asset)."""
        return frozenset(d.id for d in self.detectors if d.volatile)


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
    """Read one asset once and run every detector that applies, unless the cache already knows
    the answer. Never raises for bad data."""
    if entry.asset.kind is AssetKind.ARCHIVE:  # read member by member (not cached)
        from provenance.sources.archives import analyze_archive

        return analyze_archive(ctx, entry)
    done = _analyze_file(ctx, entry)
    # Media embedded in a table become members; not for a table the read refused (size, holes).
    if entry.asset.kind is AssetKind.TABLE and done.sha256:
        from provenance.sources.embedded import table_members

        local = ctx.source.local_path(entry)
        content = AssetContent(entry.asset, b"", False, lambda: ctx.source.open(entry), Path(local) if local else None)
        members, problem, notice = table_members(ctx, entry, content)
        # A sample is not a read error (the gate does not count it), but it is listed.
        sampled = (("embedded", DetectorOutput(findings=(
            Finding("scan-error", Severity.WARNING, entry.asset.path, notice),))),) if notice else ()
        # A table the records detector could not read already says why; no second error for it.
        extra = (problem,) if problem and not (done.errors and not members) else ()
        done = replace(done, members=members, errors=done.errors + extra, outputs=done.outputs + sampled)
    return done


def _analyze_file(ctx: WorkContext, entry: Entry) -> Analyzed:
    asset = entry.asset
    name_problem = (entry.problem,) if entry.problem else ()
    cached = ctx.cache.get(ctx.source.info.root, asset.path) if ctx.cache else None
    if cached and cached[:3] == (asset.size, asset.mtime_ns, entry.ctime_ns):
        outputs, content_errors = decode_outputs(cached[5])
        return Analyzed(entry, cached[3], cached[4], outputs, name_problem + content_errors, "cached")
    read = _read(ctx, entry)
    if isinstance(read, str):
        return Analyzed(entry, None, None, (), (*name_problem, read))
    if cached and cached[3] == read[2]:
        outputs, content_errors = decode_outputs(cached[5])
        return Analyzed(entry, read[2], read[3], outputs, name_problem + content_errors, "rehashed", cached[5])
    done = _detect(ctx, entry, *read)
    # A detector crash is a bug to see again on the next scan, not a fact about the file to keep;
    # what a volatile detector said (an upstream's license) may differ next time.
    keep = not _crashed(done.errors) and not _volatile(ctx, done)
    data = encode_outputs(done.outputs, done.errors) if ctx.cache and keep else None
    return replace(done, errors=name_problem + done.errors, cache_data=data)


def _detect(ctx: WorkContext, entry: Entry, head: bytes, complete: bool, sha256: str, sha1: str) -> Analyzed:
    errors: list[str] = []
    local = ctx.source.local_path(entry)
    content = AssetContent(
        entry.asset, head, complete, lambda: ctx.source.open(entry), Path(local) if local else None
    )
    if head and entry.asset.kind in TEXT_KINDS:
        text, problem = content.text()  # decoded once here; detectors reuse it
        if text is None:
            errors.append(problem or "not text")
    outputs, detector_errors = run_detectors(ctx.detectors, content)
    return Analyzed(entry, sha256, sha1, tuple(outputs), (*errors, *detector_errors))


def run_detectors(detectors: Sequence[Detector], content: AssetContent) -> tuple[list[tuple[str, DetectorOutput]],
                                                                                 list[str]]:
    """Every detector that applies, on one asset (or archive member); a detector bug becomes a
    reason, never the end of the scan or a hidden asset."""
    outputs: list[tuple[str, DetectorOutput]] = []
    errors: list[str] = []
    for detector in detectors:
        if not detector.applies(content.asset):
            continue
        try:
            out = detector.detect(content)
        except Exception as exc:
            out = DetectorOutput(errors=(f"detector {detector.id} failed: {type(exc).__name__}: {exc}"[:300],))
        outputs.append((detector.id, out))
        errors += out.errors
    return outputs, errors


def conclude(ctx: WorkContext, done: Analyzed) -> AssetResult:
    """One effective license and every finding for an analyzed asset."""
    asset = done.entry.asset
    outputs = [out for _, out in done.outputs]
    own = [ev for out in outputs for ev in out.evidence if ev.level in (Level.FILE, Level.RECORD)]
    records = next((out.records for out in outputs if out.records is not None), None)
    record_licenses = next((out.record_licenses for out in outputs if out.record_licenses), ())
    resolution = resolve(
        asset.path, asset.kind, own, ctx.scope.nearest(asset.folder),
        ctx.declarations.evidence_for(asset.path), record_licenses, records, ctx.policy.use,
    )
    # An archive whose members were listed is a container: its members carry the license findings.
    own_findings = () if done.members and asset.kind is AssetKind.ARCHIVE else resolution.findings
    findings = [f for out in outputs for f in out.findings] + list(own_findings)
    findings += [Finding("scan-error", Severity.ERROR, asset.path, reason) for reason in done.errors]
    if asset.size == 0 and done.sha256:
        # Listed with its reason, but not a failure to read: an empty file holds nothing to check.
        findings.append(Finding("scan-error", Severity.WARNING, asset.path, EMPTY_FILE))
    findings += ctx.policy.license_findings(asset.path, resolution.license)
    return AssetResult(
        asset=asset, sha256=done.sha256, sha1=done.sha1, license=resolution.license,
        use_class=resolution.use_class if resolution.license else UseClass.UNKNOWN,
        license_source=resolution.source, evidence=resolution.evidence, findings=tuple(findings),
        error="; ".join(done.errors) or None, records=records, record_licenses=tuple(record_licenses),
        facts={det: dict(out.facts) for det, out in done.outputs if out.facts},
    )


def unreadable_terms(done: Analyzed) -> Evidence:
    """A license file or card that could not be read still speaks for its folder: the license
    there is unknown. Without this the folder's data would inherit a license from further up
    (MIT from the root, say) whenever --max-errors lets the scan pass over the read error."""
    asset = done.entry.asset
    kind = EvidenceKind.LICENSE_FILE if asset.kind is AssetKind.LICENSE_FILE else EvidenceKind.CARD_METADATA
    return Evidence(kind, Level.DIRECTORY, Location(asset.path), None,
                    f"could not be read: {done.errors[-1]}"[:200], 0.0, UNREADABLE, scope=asset.folder)


def conclude_all(ctx: WorkContext, done: Analyzed) -> list[AssetResult]:
    """`conclude` for an asset and its members; a bug in resolving one of them becomes that
    asset's scan error, so the scan goes on and the gate cannot pass over it."""
    out = []
    for d in (done, *done.members):
        try:
            out.append(conclude(ctx, d))
        except Exception as exc:
            reason = f"internal error while resolving the license: {type(exc).__name__}: {exc}"[:300]
            asset = d.entry.asset
            finding = Finding("scan-error", Severity.ERROR, asset.path, reason)
            out.append(AssetResult(asset, d.sha256, d.sha1, None, UseClass.UNKNOWN, "", (), (finding,), error=reason))
    return out


def logical_source(ctx: WorkContext, path: str, listed: str) -> str:
    """Declared source name, else the top-level folder of a local corpus, else the listed source."""
    declared = ctx.declarations.source_for(path)
    if declared:
        return declared.name
    if ctx.source.info.kind != "local" or "/" not in path:
        return listed
    return path.split("/", 1)[0]


def relabel(ctx: WorkContext, entry: Entry) -> Entry:
    name = logical_source(ctx, entry.asset.path, entry.asset.source)
    if name == entry.asset.source:
        return entry
    a = entry.asset  # plain constructors: dataclasses.replace costs more on this per-asset path
    return Entry(Asset(a.path, a.kind, a.size, name, a.mtime_ns), entry.handle, entry.problem, entry.ctime_ns)


def unreadable(ctx: WorkContext, item: Unreadable) -> AssetResult:
    """A listed item that cannot be read still gets its row, with the reason."""
    source = logical_source(ctx, item.path, ctx.source.info.name)
    asset = Asset(item.path, kind_of(item.path.rsplit("/", 1)[-1]), 0, source)
    finding = Finding("scan-error", Severity.ERROR, item.path, item.reason)
    return AssetResult(asset, None, None, None, UseClass.UNKNOWN, "", (), (finding,), error=item.reason)


@dataclass(frozen=True)
class Batch:
    """What a worker sends back for a batch of listed items: compact, picklable."""

    #: Results without evidence and record licenses (those travel in `rows`).
    results: tuple[AssetResult, ...]
    #: The batch's rows of assets.parquet.
    rows: pa.Table
    skipped: tuple[Skipped, ...] = ()
    #: (path, size, mtime_ns, ctime_ns, sha256, sha1, data) rows for the analysis cache.
    cache_rows: tuple[tuple[str, int, int, int, str, str, str], ...] = ()
    #: How many analyses came from the cache: by unchanged stat, by unchanged content.
    cached: int = 0
    rehashed: int = 0
    analysed: int = 0
    #: Which run of the walk each stretch of `results` (and `skipped`) belongs to; empty for pass 1.
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Part:
    """A run's share of a batch: the next `results` results and `skipped` skipped items."""

    run: int
    results: int
    skipped: int
    #: Every item read and analysed without a problem that may go away (memo-worthy).
    stable: bool
    #: The run's last share: its totals are complete.
    last: bool


#: (run number, items, last piece of the run): what a batch is made of.
Piece = tuple[int, tuple[Listed, ...], bool]


def make_batch(ctx: WorkContext, analyzed: Sequence[Analyzed], unread: Sequence[AssetResult] = (),
               skipped: Sequence[Skipped] = ()) -> Batch:
    """Resolve analyzed assets and pack them, with their rows and cache rows, for the main process."""
    # Archive members and media embedded in tables get rows of their own.
    results = [r for done in analyzed for r in conclude_all(ctx, done)] + list(unread)
    return _pack(analyzed, results, skipped)


def _pack(analyzed: Sequence[Analyzed], results: Sequence[AssetResult], skipped: Sequence[Skipped] = (),
          parts: Sequence[Part] = ()) -> Batch:
    cache_rows = tuple(
        (d.entry.asset.path, d.entry.asset.size, d.entry.asset.mtime_ns, d.entry.ctime_ns, d.sha256, d.sha1,
         d.cache_data)
        for d in analyzed if d.cache_data is not None and d.sha256 and d.sha1
    )
    origins = Counter(d.origin for d in analyzed if d.sha256)
    return Batch(
        tuple(replace(r, evidence=(), record_licenses=()) for r in results), rows_table(results), tuple(skipped),
        cache_rows, origins["cached"], origins["rehashed"], origins["analysed"], tuple(parts),
    )


def _crashed(errors: Iterable[str]) -> bool:
    return any(e.startswith("detector ") and " failed: " in e for e in errors)


def _may_have_members(asset: Asset) -> bool:
    """Archives and tables that can hold media: read member by member, never from the per-file cache."""
    return asset.kind is AssetKind.ARCHIVE or asset.path.lower().endswith(MEDIA_TABLES)


def _volatile(ctx: WorkContext, done: Analyzed) -> bool:
    """A volatile detector (lineage) said something about the asset."""
    volatile = ctx.volatile
    return bool(volatile) and any(det in volatile and out != _SILENT for det, out in done.outputs)


def _stable(ctx: WorkContext, done: Analyzed) -> bool:
    """Read and analysed, with nothing a rescan should try again (a failed read, a detector bug,
    an answer that depends on more than the bytes)."""
    parts = (done, *done.members)
    if done.sha256 is None or any(_crashed(d.errors) or _volatile(ctx, d) for d in parts):
        return False
    asset = done.entry.asset
    if done.members or _may_have_members(asset):
        # Archives and media in tables are read afresh on every scan (not in the per-file cache),
        # so any problem there may be an I/O error that is gone next time: never remembered.
        return not any(d.errors or d.sha256 is None for d in parts)
    return True


def process_batch(ctx: WorkContext, pieces: Sequence[Piece]) -> Batch:
    """What workers run: every listed item of a batch through the per-asset pipeline
    (read, detect, resolve), results in listing order, with each run's share marked."""
    analyzed: list[Analyzed] = []
    results: list[AssetResult] = []
    skipped: list[Skipped] = []
    parts: list[Part] = []
    for run, items, last in pieces:
        n, k, stable = len(results), len(skipped), True
        for item in items:
            if isinstance(item, Entry):
                done = analyze(ctx, relabel(ctx, item))
                analyzed.append(done)
                results += conclude_all(ctx, done)
                stable = stable and _stable(ctx, done)
            elif isinstance(item, Unreadable):
                results.append(unreadable(ctx, item))
                stable = False
            else:
                skipped.append(item)
        parts.append(Part(run, len(results) - n, len(skipped) - k, stable, last))
    return _pack(analyzed, results, skipped, parts)


def runs(items: Iterable[Listed], most: int = memo.MAX_RESULTS,
         cut: int | None = None) -> Iterator[tuple[str, list[Listed]]]:
    """Consecutive listed items of one folder, with the folder. A large folder is cut where an
    item's name hashes to 0 mod `cut` (and at `most` items at the latest): the cuts depend on the
    names alone, so a file added or changed in a folder of 100,000 files invalidates the ~`cut`
    items around it in the folder memo, not the whole folder."""
    cut = cut or memo.CUT_EVERY
    run: list[Listed] = []
    folder = ""
    for item in items:
        path = _path_of(item)
        here = memo.folder_of(path)
        if run and (here != folder or len(run) >= most):
            yield folder, run
            run = []
        folder = here
        run.append(item)
        if zlib.crc32(path.encode("utf-8", "surrogatepass")) % cut == 0:
            yield folder, run
            run = []
    if run:
        yield folder, run


def _inner_scope(items: list[Listed], scope: ScopeIndex) -> list[Evidence]:
    """Folder evidence that members of the run's archives and media tables may resolve against:
    a member `a/b.zip!d/x.txt` looks in `a/b.zip!d` first (which can be a real folder)."""
    prefixes = tuple(f"{i.asset.path}!" for i in items if isinstance(i, Entry) and _may_have_members(i.asset))
    if not prefixes:
        return []
    return [ev for folder, found in sorted(scope.folders().items()) if folder.startswith(prefixes) for ev in found]


def _path_of(item: Listed) -> str:
    return item.asset.path if isinstance(item, Entry) else item.path


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
    #: "local" (this machine) or "ray" (a Ray cluster at `ray_address`, or a local Ray).
    engine: str = "local"
    ray_address: str | None = None
    #: The analysis cache file; None turns caching off.
    cache: Path | None = None
    #: Digest of detector configuration that is not in the detectors' versions (purpose,
    #: blocklist contents, registry contents): part of the cache namespace.
    config_key: str = ""


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
        #: How each asset's analysis was obtained in the last run: analysed, cached, rehashed.
        self.stats: Counter[str] = Counter()

    def cache_namespace(self) -> str:
        parts = [__version__, load_kb().version, index_version(), self.options.config_key,
                 repr(self.options.limits), *(f"{d.id}@{d.version}" for d in self.detectors)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def _open_cache(self, out_dir: Path) -> AnalysisCache | None:
        if self.options.cache is None:
            return None
        cache = AnalysisCache(self.options.cache, self.cache_namespace())
        cache.create()
        return cache

    def run(self, out_dir: Path, progress: Progress | None = None) -> ScanResult:
        out_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(out_dir)
        # The previous verdict goes first: a scan that dies half-way leaves no result rather than
        # an old one (perhaps a pass) beside new rows.
        (out_dir / "scan.json").unlink(missing_ok=True)
        opts = self.options
        scope = ScopeIndex()
        cache = self._open_cache(out_dir)
        ctx = WorkContext(self.source, self.detectors, opts.limits, scope, opts.declarations, opts.policy, cache)
        self.stats = Counter()
        root = self.source.info.root
        gate = Gate(opts.policy)
        summary = Summary(self.detectors)
        errors: list[ScanErrorEntry] = []
        skipped: list[dict[str, str]] = []

        # Pass 1: license files and cards first, so every other asset can inherit from them.
        metadata: list[Analyzed] = []
        for item in self.source.scope_entries():
            done = analyze(ctx, relabel(ctx, item))
            metadata.append(done)
            found = [ev for _, out in done.outputs for ev in out.evidence if ev.level is Level.DIRECTORY]
            if not found and done.errors:
                found = [unreadable_terms(done)]
            for ev in found:
                scope.add(ev)

        for ev in self.source.scope_evidence():  # evidence the source holds outside any file
            scope.add(ev)

        folder_memo = None
        if cache is not None and self.source.info.kind == "local":
            context = memo.context_digest(self.source.info, opts.declarations, opts.policy, opts.follow_symlinks,
                                          gate.today)
            folder_memo = memo.FolderMemo(cache, root, context)
        writer = AssetTableWriter(out_dir)
        collect = _Collector(writer, gate, summary, errors, skipped, self.stats, cache, root, folder_memo, progress)
        engine: Engine | None = None
        try:
            engine = make_engine(opts.jobs, opts.engine, opts.ray_address)
            collect.metadata(make_batch(ctx, metadata))
            for batch in engine.map(ctx, process_batch, collect.pieces(self._data_items(), scope)):
                collect.batch(batch)
            collect.drain()
            for finding in summary.source_findings():
                gate.add_source_finding(finding)
            writer.close()
            if cache:
                cache.prune(root, gate.today)
        except BaseException:
            writer.abort()
            raise
        finally:
            if engine is not None:
                engine.close()
            if cache:
                cache.close()

        verdict = gate.verdict(skipped=len(skipped))
        result = ScanResult(
            tool_version=__version__,
            knowledge_base=load_kb().version,
            license_index=index_version(),
            created=_now(),
            parameters={
                "root": self.source.info.root, "use": opts.use, "exclude": list(opts.exclude),
                # What the walk left out on purpose, said rather than silent.
                "ignore_patterns": list(getattr(self.source, "patterns", ())),
                "ignored": int(getattr(self.source, "ignored", 0)),
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

    def _data_items(self) -> Iterator[Listed]:
        """Pass 2: everything but license files and cards (done in pass 1)."""
        for item in self.source.entries():
            if not (isinstance(item, Entry) and item.asset.kind in METADATA_KINDS):
                yield item



#: Rows of memo hits that may wait behind batches still in flight before the engine is made to
#: hand results back (see _Collector.pieces).
MAX_WAITING_ROWS = 50_000


class _Collector:
    """Pass 2's main-process side: cuts runs into batches for the engine, reuses unchanged runs
    from the folder memo, and applies everything to the outputs and totals in walk order."""

    def __init__(self, writer: AssetTableWriter, gate: Gate, summary: Summary, errors: list[ScanErrorEntry],
                 skipped: list[dict[str, str]], stats: Counter[str], cache: AnalysisCache | None, root: str,
                 folder_memo: memo.FolderMemo | None, progress: Progress | None) -> None:
        self.writer, self.gate, self.summary, self.errors, self.skipped = writer, gate, summary, errors, skipped
        self.stats, self.cache, self.root, self.memo, self.progress = stats, cache, root, folder_memo, progress
        self.open_runs: dict[int, memo.Run] = {}
        # Memo hits waiting behind batches in flight, and (None) one mark per batch, in walk order.
        self.queue: deque[memo.Stored | None] = deque()
        self.in_flight = 0
        self.waiting_rows = 0

    def pieces(self, items: Iterable[Listed], scope: ScopeIndex) -> Iterator[tuple[Piece, ...]]:
        buf: list[Piece] = []
        room = BATCH
        for number, (folder, run_items) in enumerate(runs(items)):
            stored = self._lookup(folder, run_items, scope)
            if isinstance(stored, memo.Stored):
                if buf:  # runs listed before this one go first
                    yield self._send(buf)
                    buf, room = [], BATCH
                if not self.in_flight:
                    self._reuse(stored)
                    continue
                self.queue.append(stored)
                self.waiting_rows += stored.rows.num_rows
                if self.waiting_rows > MAX_WAITING_ROWS:
                    # An empty batch: once the engine's window is full it must hand results
                    # back, and the hits waiting before them are applied: memory stays bounded.
                    yield self._send([])
                continue
            unit, key = stored
            self.open_runs[number] = memo.Run(unit, key, self.summary.part())
            start = 0
            while start < len(run_items):
                take = run_items[start : start + room]
                start += len(take)
                room -= len(take)
                buf.append((number, tuple(take), start >= len(run_items)))
                if room == 0:
                    yield self._send(buf)
                    buf, room = [], BATCH
        if buf:
            yield self._send(buf)

    def _lookup(self, folder: str, items: list[Listed], scope: ScopeIndex) -> memo.Stored | tuple[str, str | None]:
        """The stored run, or (unit, key) to scan it under."""
        unit = json.dumps([folder, _path_of(items[0])])
        if self.memo is None or any(isinstance(i, Unreadable) for i in items):
            return unit, None
        key = self.memo.key(items, [*scope.nearest(folder), *_inner_scope(items, scope)])
        return self.memo.get(unit, key) or (unit, key)

    def _send(self, buf: list[Piece]) -> tuple[Piece, ...]:
        self.queue.append(None)
        self.in_flight += 1
        return tuple(buf)

    def batch(self, batch: Batch) -> None:
        """A batch back from the engine: first the hits listed before it."""
        while self.queue[0] is not None:
            self._reuse_waiting()
        self.queue.popleft()
        self.in_flight -= 1
        self._write(batch)
        i = j = 0
        for part in batch.parts:
            run = self.open_runs[part.run]
            for result in batch.results[i : i + part.results]:
                self._record(result, run.summary, run.errors, run.tally)
                run.bytes += result.asset.size
            run.skipped += [{"path": s.path, "reason": s.reason} for s in batch.skipped[j : j + part.skipped]]
            if run.keep:
                run.add_rows(batch.rows.slice(i, part.results), part.stable)
            i, j = i + part.results, j + part.skipped
            if part.last:
                self._finish(self.open_runs.pop(part.run))

    def metadata(self, batch: Batch) -> None:
        """Pass 1's batch (license files and cards): counted straight into the totals."""
        self._write(batch)
        self.skipped.extend({"path": s.path, "reason": s.reason} for s in batch.skipped)
        for result in batch.results:
            self._record(result, self.summary, self.errors, None)

    def drain(self) -> None:
        while self.queue:
            self._reuse_waiting()

    def _write(self, batch: Batch) -> None:
        self.writer.add_table(batch.rows)
        if self.cache:
            # Committed per batch: a scan killed now resumes from here.
            self.cache.put_many(self.root, list(batch.cache_rows))
        self.stats.update(cached=batch.cached, rehashed=batch.rehashed, analysed=batch.analysed)

    def _finish(self, run: memo.Run) -> None:
        self.summary.merge(run.summary)
        self.gate.merge(run.tally)
        self.errors.extend(run.errors)
        self.skipped.extend(run.skipped)
        if self.memo is not None and run.keep:
            self.memo.put(run, ASSET_SCHEMA)

    def _reuse_waiting(self) -> None:
        stored = self.queue.popleft()
        assert stored is not None
        self.waiting_rows -= stored.rows.num_rows
        self._reuse(stored)

    def _reuse(self, stored: memo.Stored) -> None:
        self.writer.add_table(stored.rows)
        self.summary.merge(stored.summary)
        self.gate.merge(stored.tally)
        self.errors.extend(stored.errors)
        self.skipped.extend(stored.skipped)
        self.stats.update(reused=stored.results, reused_folders=1)
        if self.progress:
            self.progress(stored.results, stored.bytes)

    def _record(self, result: AssetResult, summary: Summary, errors: list[ScanErrorEntry],
                tally: Tally | None) -> None:
        asset = result.asset
        for f in result.findings:
            if f.rule == "scan-error":
                errors.append(ScanErrorEntry(asset.path, f.message, asset.source, f.severity.value))
        self.gate.add(asset.path, asset.size, result.findings, error=result.error is not None, tally=tally)
        summary.add(result)
        if self.progress:
            self.progress(1, asset.size)


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of a scan that was killed (its process is gone) are removed."""
    for tmp in out_dir.glob(".assets.parquet.*.tmp"):
        pid = tmp.name.split(".")[-2]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temporary_output() -> Path:
    """A fresh folder for an API scan that did not name one (kept: results are read from it)."""
    return Path(tempfile.mkdtemp(prefix="provenance-"))
