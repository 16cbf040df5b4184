"""The unit of work the engines spread: a batch of listed items in, their results, rows of
assets.parquet and cache rows out (compact and picklable)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pyarrow as pa

from provenance.analysis.analyze import analyze
from provenance.analysis.conclude import conclude_all, relabel, unreadable
from provenance.analysis.context import Analyzed, Origin, WorkContext
from provenance.analysis.detect import said_volatile
from provenance.cache import CacheRow
from provenance.model import Asset, AssetKind, AssetResult
from provenance.results import rows_table
from provenance.sources.interface import Entry, Listed, Skipped, Unreadable
from provenance.sources.table_media import MEDIA_TABLES


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


@dataclass(frozen=True)
class Piece:
    """Items of one run sent in one batch."""

    run: int
    items: tuple[Listed, ...]
    #: The run's last items: its totals are complete once they are back.
    last: bool


@dataclass(frozen=True)
class Batch:
    """What a worker sends back for a batch of listed items."""

    #: Results without evidence and record licenses (those travel in `rows`).
    results: tuple[AssetResult, ...]
    #: The batch's rows of assets.parquet.
    rows: pa.Table
    skipped: tuple[Skipped, ...] = ()
    cache_rows: tuple[CacheRow, ...] = ()
    #: How many analyses were obtained each way (analysed, cached, rehashed).
    origins: tuple[tuple[Origin, int], ...] = ()
    #: Which run of the walk each stretch of `results` (and `skipped`) belongs to; empty for pass 1.
    parts: tuple[Part, ...] = ()


def make_batch(ctx: WorkContext, analyzed: Sequence[Analyzed]) -> Batch:
    """Resolve analyzed assets and pack them, with their rows and cache rows, for the main process."""
    # Archive members and media embedded in tables get rows of their own.
    results = [r for done in analyzed for r in conclude_all(ctx, done)]
    return pack(analyzed, results)


def pack(analyzed: Sequence[Analyzed], results: Sequence[AssetResult], skipped: Sequence[Skipped] = (),
         parts: Sequence[Part] = ()) -> Batch:
    cache_rows = tuple(
        CacheRow(d.entry.asset.path, d.entry.asset.size, d.entry.asset.mtime_ns, d.entry.ctime_ns, d.sha256, d.sha1,
                 d.cache_data)
        for d in analyzed if d.cache_data is not None and d.sha256 and d.sha1
    )
    origins = Counter(d.origin for d in analyzed if d.sha256)
    return Batch(
        tuple(replace(r, evidence=(), record_licenses=()) for r in results), rows_table(results), tuple(skipped),
        cache_rows, tuple(sorted(origins.items())), tuple(parts),
    )


def may_have_members(asset: Asset) -> bool:
    """Archives and tables that can hold media: read member by member, never from the per-file cache."""
    return asset.kind is AssetKind.ARCHIVE or asset.path.lower().endswith(MEDIA_TABLES)


def stable(ctx: WorkContext, done: Analyzed) -> bool:
    """Read and analysed, with nothing a rescan should try again (a failed read, a detector bug,
    an answer that depends on more than the bytes)."""
    parts = (done, *done.members)
    if done.sha256 is None or any(d.crashed or said_volatile(ctx, d) for d in parts):
        return False
    if done.members or may_have_members(done.entry.asset):
        # Archives and media in tables are read afresh on every scan (not in the per-file cache),
        # so any problem there may be an I/O error that is gone next time: never remembered.
        return not any(d.problems or d.sha256 is None for d in parts)
    return True


def process_batch(ctx: WorkContext, pieces: Sequence[Piece]) -> Batch:
    """What workers run: every listed item of a batch through the per-asset pipeline
    (read, detect, resolve), results in listing order, with each run's share marked."""
    analyzed: list[Analyzed] = []
    results: list[AssetResult] = []
    skipped: list[Skipped] = []
    parts: list[Part] = []
    for piece in pieces:
        n, k, steady = len(results), len(skipped), True
        for item in piece.items:
            if isinstance(item, Entry):
                done = analyze(ctx, relabel(ctx, item))
                analyzed.append(done)
                results += conclude_all(ctx, done)
                steady = steady and stable(ctx, done)
            elif isinstance(item, Unreadable):
                results.append(unreadable(ctx, item))
                steady = False
            else:
                skipped.append(item)
        parts.append(Part(piece.run, len(results) - n, len(skipped) - k, steady, piece.last))
    return pack(analyzed, results, skipped, parts)
