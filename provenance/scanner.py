"""Scanner: a source and detectors in, a ScanResult and its files out. Prints nothing.

The per-asset work lives in `provenance.analysis`; here the scan is orchestrated: pass 1 reads
license files and cards (folder evidence), pass 2 cuts every other listed item into runs of a
folder, reuses unchanged runs from the folder memo, sends the rest to an engine in batches and
applies what comes back to the outputs and the totals, in walk order."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.analysis import READING_VERSION
from provenance.analysis.analyze import analyze
from provenance.analysis.batches import Batch, Piece, make_batch, may_have_members, process_batch
from provenance.analysis.conclude import relabel, unreadable_terms
from provenance.analysis.context import Analyzed, Limits, Origin, WorkContext
from provenance.analysis.packages import cover_installed_files, declared_evidence, package_evidence
from provenance.cache import AnalysisCache
from provenance.declarations import Declarations
from provenance.detectors import default_detectors
from provenance.detectors.interface import Detector
from provenance.engine.interface import Engine
from provenance.engine.local import alive, make_engine
from provenance.licensing.identify import index_version
from provenance.licensing.kb import load_kb
from provenance.memo import CUT_EVERY, MAX_RESULTS, FolderMemo, Run, Stored, context_digest, folder_of
from provenance.model import METADATA_KINDS, Evidence, Level
from provenance.policy import Gate, Policy
from provenance.resolve import ScopeIndex
from provenance.results import ASSET_SCHEMA, AssetTableWriter, ScanResult
from provenance.sources.interface import Entry, Listed, Source, Unreadable
from provenance.summary import Summary
from provenance.totals import Totals
from provenance.version import __version__

#: Listed items per unit of work sent to a worker.
BATCH_ITEMS = 256
#: Rows of memo hits that may wait behind batches still in flight before the engine is made to
#: hand results back (see _Collector.pieces).
MAX_WAITING_ROWS = 50_000

#: Called as assets are done: (assets, bytes, records) since the last call.
Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class ScanOptions:
    """How the scanner runs, fully resolved (the API builds it from a validated ScanRequest)."""

    use: str = "commercial"
    jobs: int = 0
    exclude: tuple[str, ...] = ()
    follow_symlinks: bool = False
    limits: Limits = field(default_factory=Limits)
    declarations: Declarations = field(default_factory=Declarations)
    policy: Policy = field(default_factory=Policy)
    detectors: tuple[Detector, ...] | None = None
    #: Extra parameters recorded in scan.json (purpose, registry, ...).
    recorded: Mapping[str, Any] = field(default_factory=dict)
    #: "local" (this machine) or "ray" (a Ray cluster at `ray_address`, or a local Ray).
    engine: str = "local"
    ray_address: str | None = None
    #: The analysis cache file; None turns caching off.
    cache: Path | None = None
    #: Digest of detector configuration that is not in the detectors' versions (purpose,
    #: blocklist contents, registry contents): part of the cache namespace.
    config_key: str = ""


def runs(items: Iterable[Listed], most: int = MAX_RESULTS,
         cut: int | None = None) -> Iterator[tuple[str, list[Listed]]]:
    """Consecutive listed items of one folder, with the folder. A large folder is cut where an
    item's name hashes to 0 mod `cut` (and at `most` items at the latest): the cuts depend on the
    names alone, so a file added or changed in a folder of 100,000 files invalidates the ~`cut`
    items around it in the folder memo, not the whole folder."""
    cut = cut or CUT_EVERY
    run: list[Listed] = []
    folder = ""
    for item in items:
        path = _path_of(item)
        here = folder_of(path)
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
    prefixes = tuple(f"{i.asset.path}!" for i in items if isinstance(i, Entry) and may_have_members(i.asset))
    if not prefixes:
        return []
    return [ev for folder, found in sorted(scope.folders().items()) if folder.startswith(prefixes) for ev in found]


def _path_of(item: Listed) -> str:
    return item.asset.path if isinstance(item, Entry) else item.path


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Scanner:
    def __init__(self, source: Source, options: ScanOptions | None = None) -> None:
        self.source = source
        self.options = options or ScanOptions()
        detectors = self.options.detectors
        self.detectors = tuple(detectors if detectors is not None else default_detectors())
        #: How each asset's analysis was obtained in the last run (Origin values), and reused folders.
        self.stats: Counter[str] = Counter()

    def cache_namespace(self) -> str:
        parts = [__version__, READING_VERSION, load_kb().version, index_version(), self.options.config_key,
                 repr(self.options.limits), *(f"{d.id}@{d.version}" for d in self.detectors)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def _open_cache(self) -> AnalysisCache | None:
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
        cache = self._open_cache()
        ctx = WorkContext(self.source, self.detectors, opts.limits, scope, opts.declarations, opts.policy, cache)
        root = self.source.info.root
        gate = Gate(opts.policy)
        totals = Totals(gate, Summary(self.detectors))

        # Pass 1: license files and cards first, so every other asset can inherit from them.
        metadata: list[Analyzed] = []
        for item in self.source.scope_entries():
            done = analyze(ctx, relabel(ctx, item))
            metadata.append(done)
            found = [ev for _, out in done.outputs for ev in out.evidence if ev.level is Level.DIRECTORY]
            if not found and done.problems:
                found = [unreadable_terms(done)]
            for ev in found:
                scope.add(ev)

        for ev in declared_evidence(metadata, scope):
            scope.add(ev)
        for ev in package_evidence(metadata, scope):  # an installed package's dist-info covers its folders
            scope.add(ev)
        cover_installed_files(metadata, scope)  # and the modules it put at the top of site-packages
        for ev in self.source.scope_evidence():  # evidence the source holds outside any file
            scope.add(ev)

        folder_memo = None
        if cache is not None and self.source.info.kind == "local":
            context = context_digest(self.source.info, opts.declarations, opts.policy, opts.follow_symlinks,
                                          gate.today)
            folder_memo = FolderMemo(cache, root, context)
        writer = AssetTableWriter(out_dir)
        collect = _Collector(writer, totals, cache, root, folder_memo, progress)
        engine: Engine | None = None
        try:
            engine = make_engine(opts.jobs, opts.engine, opts.ray_address)
            collect.metadata(make_batch(ctx, metadata))
            for batch in engine.map(ctx, process_batch, collect.pieces(self._data_items(), scope)):
                collect.batch(batch)
            collect.drain()
            for finding in totals.summary.source_findings():
                totals.add_source_finding(finding)
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
        self.stats = Counter(totals.stats)
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
            sources=tuple(totals.summary.sources_table(self.source.info, opts.declarations)),
            summary=totals.summary.totals(),
            findings=tuple(totals.summary.groups()),
            errors=tuple(totals.errors),
            skipped=tuple(totals.skipped),
            verdict=gate.verdict(totals.tally, skipped=len(totals.skipped)),
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


class _Collector:
    """Pass 2's main-process side: cuts runs into batches for the engine, reuses unchanged runs
    from the folder memo, and applies everything to the outputs and totals in walk order."""

    def __init__(self, writer: AssetTableWriter, totals: Totals, cache: AnalysisCache | None, root: str,
                 folder_memo: FolderMemo | None, progress: Progress | None) -> None:
        self.writer, self.totals, self.cache, self.root = writer, totals, cache, root
        self.memo, self.progress = folder_memo, progress
        self.open_runs: dict[int, Run] = {}
        # Memo hits waiting behind batches in flight, and (None) one mark per batch, in walk order.
        self.queue: deque[Stored | None] = deque()
        self.in_flight = 0
        self.waiting_rows = 0

    def pieces(self, items: Iterable[Listed], scope: ScopeIndex) -> Iterator[tuple[Piece, ...]]:
        buf: list[Piece] = []
        room = BATCH_ITEMS
        for number, (folder, run_items) in enumerate(runs(items)):
            stored = self._lookup(folder, run_items, scope)
            if isinstance(stored, Stored):
                if buf:  # runs listed before this one go first
                    yield self._send(buf)
                    buf, room = [], BATCH_ITEMS
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
            self.open_runs[number] = Run(unit, key, self.totals.part())
            start = 0
            while start < len(run_items):
                take = run_items[start : start + room]
                start += len(take)
                room -= len(take)
                buf.append(Piece(number, tuple(take), start >= len(run_items)))
                if room == 0:
                    yield self._send(buf)
                    buf, room = [], BATCH_ITEMS
        if buf:
            yield self._send(buf)

    def _lookup(self, folder: str, items: list[Listed], scope: ScopeIndex) -> Stored | tuple[str, str | None]:
        """The stored run, or (unit, key) to scan it under."""
        unit = json.dumps([folder, _path_of(items[0])])
        if self.memo is None or any(isinstance(i, Unreadable) for i in items):
            return unit, None
        key = self.memo.key(items, [*scope.chain(folder), *_inner_scope(items, scope),
                                    *(ev for i in items for ev in scope.for_file(_path_of(i)))])
        return self.memo.get(unit, key, self.totals.part()) or (unit, key)

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
                self._record(result, run.totals)
            for s in batch.skipped[j : j + part.skipped]:
                run.totals.skip(s.path, s.reason)
            if run.keep:
                run.add_rows(batch.rows.slice(i, part.results), part.stable)
            i, j = i + part.results, j + part.skipped
            if part.last:
                self._finish(self.open_runs.pop(part.run))

    def metadata(self, batch: Batch) -> None:
        """Pass 1's batch (license files and cards): counted straight into the totals."""
        self._write(batch)
        for s in batch.skipped:
            self.totals.skip(s.path, s.reason)
        for result in batch.results:
            self._record(result, self.totals)

    def drain(self) -> None:
        while self.queue:
            self._reuse_waiting()

    def _write(self, batch: Batch) -> None:
        self.writer.add_table(batch.rows)
        if self.cache:
            # Committed per batch: a scan killed now resumes from here.
            self.cache.put_many(self.root, list(batch.cache_rows))
        self.totals.stats.update(dict(batch.origins))

    def _finish(self, run: Run) -> None:
        self.totals.merge(run.totals)
        if self.memo is not None and run.keep:
            self.memo.put(run, ASSET_SCHEMA)

    def _reuse_waiting(self) -> None:
        stored = self.queue.popleft()
        assert stored is not None
        self.waiting_rows -= stored.rows.num_rows
        self._reuse(stored)

    def _reuse(self, stored: Stored) -> None:
        self.writer.add_table(stored.rows)
        self.totals.merge(stored.totals)
        self.totals.stats.update({Origin.REUSED: stored.totals.results, "reused_folders": 1})
        if self.progress:
            self.progress(stored.totals.results, stored.totals.bytes, stored.totals.summary.all.total.records)

    def _record(self, result: Any, totals: Totals) -> None:
        totals.add(result)
        if self.progress:
            self.progress(1, result.asset.size, result.records or 0)


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files of a scan that was killed (its process is gone) are removed."""
    for tmp in out_dir.glob(".assets.parquet.*.tmp"):
        pid = tmp.name.split(".")[-2]
        if pid.isdigit() and not alive(int(pid)):
            tmp.unlink(missing_ok=True)


def temporary_output() -> Path:
    """A fresh folder for an API scan that did not name one (api.run_scan removes it with the result)."""
    return Path(tempfile.mkdtemp(prefix="provenance-"))
