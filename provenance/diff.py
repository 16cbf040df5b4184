"""What changed between two saved scans: assets added and removed, license and use-class changes,
new and resolved findings, per source; and whether anything got worse.

The asset tables are compared with Arrow joins on (source, path), column by column, in buckets of
paths (a hash of the path picks the bucket, so a path meets itself); Python sees only counts and a
few example rows per group, so memory is bounded by the bucket size (measured in
bench/diff_million.py), not a dict per asset."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from provenance.errors import ReportError
from provenance.model import Severity
from provenance.results import ASSETS_PARQUET, ScanResult, load_result
from provenance.words import SEVERITY

#: Example paths kept per group (a source's added files, a rule's new findings, ...).
EXAMPLES = 10
KEYS = ["source", "path"]
_COLUMNS = ["source", "path", "size", "license", "use_class", "findings"]
#: Use classes from least to most restrictive; an asset without a license ranks with no-grant.
USE_ORDER = ("commercial", "unknown", "non-commercial", "research-only", "no-grant")
_STATUS_RANK = {"pass": 0, "fail": 1, "incomplete": 2}
#: Assets compared at a time: larger outputs are split into buckets by a hash of the path.
BUCKET_ROWS = 100_000


@dataclass(frozen=True)
class Change:
    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Count:
    """How many, and some examples."""

    n: int = 0
    bytes: int = 0
    examples: tuple[str, ...] = ()


#: Per source: how many assets changed, and the first few changes by path.
Changes = dict[str, tuple[int, tuple[Change, ...]]]


@dataclass(frozen=True)
class SourceDiff:
    source: str
    old_assets: int
    new_assets: int
    added: Count
    removed: Count
    license_changed: int
    license_examples: tuple[Change, ...]
    #: Assets whose use class got more (worse) or less (better) restrictive.
    use_worse: int
    use_worse_examples: tuple[Change, ...]
    use_better: int
    use_better_examples: tuple[Change, ...]
    #: Per rule: assets that gained it (new) or lost it (resolved), with examples.
    new_findings: dict[str, Count] = field(default_factory=dict)
    resolved_findings: dict[str, Count] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.added.n or self.removed.n or self.license_changed or self.use_worse or self.use_better
                    or self.new_findings or self.resolved_findings)


@dataclass(frozen=True)
class ScanDiff:
    old: str
    new: str
    old_status: str
    new_status: str
    old_errors: int
    new_errors: int
    sources: tuple[SourceDiff, ...]
    #: Why the new scan is worse; empty when nothing got worse.
    worse: tuple[str, ...]
    #: Sources compared under another name: (old name, new name), e.g. the two scanned folders'.
    renamed: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _buckets(paths: pa.Array, parts: int) -> np.ndarray:
    """A bucket in [0, parts) for every path, from its bytes (a position-weighted sum, mixed):
    the same path lands in the same bucket in both scans. Vectorised over Arrow's buffers."""
    if isinstance(paths, pa.ChunkedArray):
        paths = paths.combine_chunks()
    paths = paths.cast(pa.large_string())
    offsets = np.frombuffer(paths.buffers()[1], dtype=np.int64)[paths.offset: paths.offset + len(paths) + 1]
    if len(paths) == 0:
        return np.zeros(0, dtype=np.int64)
    data = np.frombuffer(paths.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]].astype(np.uint64)
    lengths = np.diff(offsets)
    starts = offsets[:-1] - offsets[0]
    position = np.arange(len(data), dtype=np.uint64) - np.repeat(starts, lengths).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = data * (position * np.uint64(0x9E3779B1) + np.uint64(0x85EBCA77))
        sums = np.add.reduceat(mixed, starts[lengths > 0]) if len(data) else np.zeros(0, np.uint64)
        hashes = np.zeros(len(paths), dtype=np.uint64)
        hashes[lengths > 0] = sums
        hashes *= np.uint64(0xC2B2AE3D27D4EB4F)
    return ((hashes >> np.uint64(33)) % np.uint64(parts)).astype(np.int64)


def _file(result: ScanResult) -> Path:
    return Path(result.output_dir or ".") / ASSETS_PARQUET


def _batches(file: Path) -> Iterator[pa.RecordBatch]:
    """assets.parquet's columns batch by batch, on one thread (a threaded read keeps several row
    groups' decode buffers alive at once)."""
    try:
        yield from pq.ParquetFile(file).iter_batches(columns=_COLUMNS, batch_size=65536, use_threads=False)
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ReportError(f"cannot read {file}: {exc}") from None


def _schema(file: Path) -> pa.Schema:
    try:
        arrow = pq.ParquetFile(file).schema_arrow
        return pa.schema([arrow.field(c) for c in _COLUMNS])
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise ReportError(f"cannot read {file}: {exc}") from None


def _partition(file: Path, parts: int, folder: Path, side: str) -> list[Path]:
    """Split the columns the diff needs into `parts` files by a hash of the path, in one read."""
    schema = _schema(file)
    targets = [folder / f"{side}-{i}.parquet" for i in range(parts)]
    writers = [pq.ParquetWriter(t, schema, compression="lz4") for t in targets]
    try:
        for batch in _batches(file):
            ids = _buckets(batch.column("path"), parts)
            order = np.argsort(ids, kind="stable")
            ordered = batch.take(pa.array(order))
            offset = 0
            for i, n in enumerate(np.bincount(ids, minlength=parts)):
                if n:
                    writers[i].write_batch(ordered.slice(offset, int(n)))
                offset += int(n)
    finally:
        for w in writers:
            w.close()
    return targets


def _root_source(result: ScanResult) -> str | None:
    """The name of the source that holds what no declared source or sub-folder source does: the
    scanned folder's own name (paths `**`)."""
    return next((str(s["name"]) for s in result.sources if s.get("paths") == "**" and not s.get("declared")), None)


def _load(file: Path, rename: dict[str, str] | None = None) -> pa.Table:
    """A table of the diff's columns, with each asset's use-class rank (an asset without a license
    ranks with no-grant); sources named in `rename` take their new name."""
    table = pa.Table.from_batches(list(_batches(file)), schema=_schema(file))
    for old, new in (rename or {}).items():
        source = table.column("source")
        renamed = pc.if_else(pc.equal(source, old), pa.scalar(new, source.type), source)
        table = table.set_column(table.schema.get_field_index("source"), "source", renamed)
    rank = pc.index_in(table.column("use_class"), value_set=pa.array(USE_ORDER))
    rank = pc.if_else(pc.is_null(table.column("license")), len(USE_ORDER) - 1, pc.fill_null(rank, 1))
    return table.append_column("rank", pc.cast(rank, pa.int8()))


def _rows(result: ScanResult) -> int:
    try:
        return int(pq.ParquetFile(_file(result)).metadata.num_rows)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ReportError(f"cannot read {result.output_dir}/{ASSETS_PARQUET}: {exc}") from None


def _per_source(table: pa.Table) -> dict[str, int]:
    counts = table.group_by(["source"], use_threads=False).aggregate([("path", "count")])
    return dict(zip(counts.column("source").to_pylist(), counts.column("path_count").to_pylist(), strict=True))


def _grouped(table: pa.Table, keys: list[str], value: str, size: str | None = None) -> dict[tuple[str, ...], Count]:
    """Counts (and bytes) per group of `keys`, with the first EXAMPLES values of `value` in each."""
    if table.num_rows == 0:
        return {}
    table = table.sort_by([(k, "ascending") for k in [*keys, value]])
    aggs: list[tuple[str, str]] = [(value, "count")]
    if size:
        aggs.append((size, "sum"))
    counts = table.group_by(keys, use_threads=False).aggregate(aggs).to_pylist()
    out: dict[tuple[str, ...], Count] = {}
    offset = 0
    for row in counts:
        n = row[f"{value}_count"]
        examples = table.column(value).slice(offset, min(n, EXAMPLES)).to_pylist()
        out[tuple(row[k] for k in keys)] = Count(n, int(row.get(f"{size}_sum") or 0) if size else 0,
                                                  tuple(str(x) for x in examples))
        offset += n
    return out


def _changes(table: pa.Table, old: str, new: str) -> Changes:
    """Per source: how many rows, and the first EXAMPLES as (path, old, new)."""
    if table.num_rows == 0:
        return {}
    table = table.select(["source", "path", old, new]).sort_by([("source", "ascending"), ("path", "ascending")])
    counts = table.group_by(["source"], use_threads=False).aggregate([("path", "count")]).to_pylist()
    out = {}
    offset = 0
    for row in counts:
        n = row["path_count"]
        part = table.slice(offset, min(n, EXAMPLES)).to_pylist()
        out[row["source"]] = (n, tuple(Change(r["path"], r[old], r[new]) for r in part))
        offset += n
    return out


def _pairs(table: pa.Table) -> pa.Table:
    """(source, path, rule) for every finding rule of every asset."""
    findings = table.column("findings").combine_chunks()
    parents = pc.list_parent_indices(findings)
    return pa.table({"source": table.column("source").take(parents), "path": table.column("path").take(parents),
                     "rule": pc.list_flatten(findings)})


def _differs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.ChunkedArray:
    """a != b, where null equals null and differs from any value."""
    one_null = pc.xor(pc.is_null(a), pc.is_null(b))
    return pc.or_(one_null, pc.fill_null(pc.not_equal(a, b), False))


class _Totals:
    """What the buckets found, merged: counts add up, examples keep the first EXAMPLES by path."""

    def __init__(self) -> None:
        self.old_sizes: dict[str, int] = {}
        self.new_sizes: dict[str, int] = {}
        self.added: dict[str, Count] = {}
        self.removed: dict[str, Count] = {}
        self.licenses: Changes = {}
        self.worse: Changes = {}
        self.better: Changes = {}
        self.gained: dict[tuple[str, str], Count] = {}
        self.lost: dict[tuple[str, str], Count] = {}

    @staticmethod
    def _counts(into: dict[Any, Count], part: dict[Any, Count]) -> None:
        for key, c in part.items():
            have = into.get(key, Count())
            examples = tuple(sorted({*have.examples, *c.examples})[:EXAMPLES])
            into[key] = Count(have.n + c.n, have.bytes + c.bytes, examples)

    @staticmethod
    def _changes(into: Changes, part: Changes) -> None:
        for key, (n, examples) in part.items():
            have_n, have = into.get(key, (0, ()))
            into[key] = (have_n + n, tuple(sorted((*have, *examples), key=lambda c: c.path)[:EXAMPLES]))

    def add(self, before: pa.Table, after: pa.Table) -> None:
        for sizes, table in ((self.old_sizes, before), (self.new_sizes, after)):
            for name, n in _per_source(table).items():
                sizes[name] = sizes.get(name, 0) + n
        scalar = ["source", "path", "size", "license", "use_class", "rank"]
        left = before.select(scalar).append_column("in_old", pc.is_valid(before.column("path")))
        right = after.select(scalar).append_column("in_new", pc.is_valid(after.column("path")))
        joined = left.join(right, keys=KEYS, join_type="full outer", left_suffix="_old", right_suffix="_new",
                           coalesce_keys=True)
        del left, right
        in_old = pc.fill_null(joined.column("in_old"), False)
        in_new = pc.fill_null(joined.column("in_new"), False)
        self._counts(self.added, {k[0]: c for k, c in _grouped(
            joined.filter(pc.invert(in_old)).select(["source", "path", "size_new"]), ["source"], "path",
            "size_new").items()})
        self._counts(self.removed, {k[0]: c for k, c in _grouped(
            joined.filter(pc.invert(in_new)).select(["source", "path", "size_old"]), ["source"], "path",
            "size_old").items()})
        kept = joined.filter(pc.and_(in_old, in_new))
        del joined
        self._changes(self.licenses, _changes(
            kept.filter(_differs(kept.column("license_old"), kept.column("license_new"))), "license_old",
            "license_new"))
        self._changes(self.worse, _changes(kept.filter(pc.greater(kept.column("rank_new"), kept.column("rank_old"))),
                                           "use_class_old", "use_class_new"))
        self._changes(self.better, _changes(kept.filter(pc.less(kept.column("rank_new"), kept.column("rank_old"))),
                                            "use_class_old", "use_class_new"))
        del kept
        keys = ["source", "path", "rule"]
        old_pairs, new_pairs = _pairs(before), _pairs(after)
        self._counts(self.gained, _grouped(new_pairs.join(old_pairs, keys=keys, join_type="left anti"),
                                           ["source", "rule"], "path"))
        self._counts(self.lost, _grouped(old_pairs.join(new_pairs, keys=keys, join_type="left anti"),
                                         ["source", "rule"], "path"))


def diff_scans(old: str | Path, new: str | Path, bucket_rows: int = BUCKET_ROWS) -> ScanDiff:
    """Compare two saved scans (output folders or their scan.json files). Large outputs are
    compared in buckets of about `bucket_rows` assets (by a hash of the path): one read of each
    output splits it into scratch files, then each bucket is compared alone, so memory stays
    bounded whatever the number of assets and time grows linearly."""
    old_result, new_result = load_result(old), load_result(new)
    old_file, new_file = _file(old_result), _file(new_result)
    # Two checkouts in folders of different names (data-v1/, data-v2/): the files at their roots
    # are the same files, under the name of the newer folder.
    old_root, new_root = _root_source(old_result), _root_source(new_result)
    taken = {str(s["name"]) for s in new_result.sources}
    rename = {old_root: new_root} if old_root and new_root and old_root != new_root and old_root not in taken else {}
    parts = max(1, math.ceil(max(_rows(old_result), _rows(new_result)) / bucket_rows))
    totals = _Totals()
    if parts == 1:
        totals.add(_load(old_file, rename), _load(new_file))
    else:
        # Scratch files for the buckets (removed at the end); the outputs compared are only read.
        with tempfile.TemporaryDirectory(prefix="provenance-diff-") as scratch:
            olds = _partition(old_file, parts, Path(scratch), "old")
            news = _partition(new_file, parts, Path(scratch), "new")
            for a, b in zip(olds, news, strict=True):
                totals.add(_load(a, rename), _load(b))
    t = totals
    sources = []
    for name in sorted({*t.old_sizes, *t.new_sizes}):
        lic, up, down = (x.get(name, (0, ())) for x in (t.licenses, t.worse, t.better))
        sources.append(SourceDiff(
            source=name, old_assets=t.old_sizes.get(name, 0), new_assets=t.new_sizes.get(name, 0),
            added=t.added.get(name, Count()), removed=t.removed.get(name, Count()),
            license_changed=lic[0], license_examples=lic[1], use_worse=up[0], use_worse_examples=up[1],
            use_better=down[0], use_better_examples=down[1],
            new_findings={rule: c for (src, rule), c in sorted(t.gained.items()) if src == name},
            resolved_findings={rule: c for (src, rule), c in sorted(t.lost.items()) if src == name},
        ))
    return ScanDiff(
        old=str(old_result.output_dir), new=str(new_result.output_dir),
        old_status=old_result.verdict.status.value, new_status=new_result.verdict.status.value,
        old_errors=int(old_result.summary.get("errors", 0)), new_errors=int(new_result.summary.get("errors", 0)),
        sources=tuple(sources), worse=_worse(old_result, new_result, sources), renamed=tuple(rename.items()),
    )


def _worse(old: ScanResult, new: ScanResult, sources: list[SourceDiff]) -> tuple[str, ...]:
    reasons = []
    a, b = old.verdict.status.value, new.verdict.status.value
    if _STATUS_RANK[b] > _STATUS_RANK[a]:
        reasons.append(f"the verdict went from {a} to {b}")
    gained: dict[str, int] = {}
    for s in sources:
        for rule, c in s.new_findings.items():
            if SEVERITY.get(rule) is Severity.ERROR:
                gained[rule] = gained.get(rule, 0) + c.n
    for rule, n in sorted(gained.items()):
        reasons.append(f"{n} asset(s) gained {rule}")
    stricter = sum(s.use_worse for s in sources)
    if stricter:
        reasons.append(f"{stricter} asset(s) moved to a more restrictive use class")
    errors_a, errors_b = int(old.summary.get("errors", 0)), int(new.summary.get("errors", 0))
    if errors_b > errors_a:
        reasons.append(f"unreadable assets went from {errors_a} to {errors_b}")
    return tuple(reasons)


# -- Markdown ---------------------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _examples(c: Count) -> str:
    shown = ", ".join(f"`{_cell(x)}`" for x in c.examples)
    return shown + (", ..." if c.n > len(c.examples) else "")


def _change_rows(changes: tuple[Change, ...], n: int) -> list[str]:
    rows = [f"| `{_cell(c.path)}` | {_cell(c.old or '(none)')} | {_cell(c.new or '(none)')} |" for c in changes]
    if n > len(changes):
        rows.append(f"| ... {n - len(changes)} more | | |")
    return rows


def to_markdown(d: ScanDiff) -> str:
    out = ["# Scan diff", "", f"- old: `{_cell(d.old)}` (verdict {d.old_status}, {d.old_errors} unreadable)",
           f"- new: `{_cell(d.new)}` (verdict {d.new_status}, {d.new_errors} unreadable)"]
    out += [f"- source `{_cell(a)}` of the old scan is compared as `{_cell(b)}`" for a, b in d.renamed]
    out.append("")
    if d.worse:
        out += ["**Worse:**", "", *[f"- {r}" for r in d.worse], ""]
    else:
        out += ["Nothing got worse.", ""]
    out += ["| source | assets (old → new) | added | removed | license changed | use class stricter |"
            " use class looser | new findings | resolved findings |",
            "|---|---|---|---|---|---|---|---|---|"]
    for s in d.sources:
        out.append(f"| {_cell(s.source)} | {s.old_assets} → {s.new_assets} | {s.added.n} | {s.removed.n} |"
                   f" {s.license_changed} | {s.use_worse} | {s.use_better} |"
                   f" {sum(c.n for c in s.new_findings.values())} | {sum(c.n for c in s.resolved_findings.values())} |")
    for s in d.sources:
        if not s.changed:
            continue
        out += ["", f"## {_cell(s.source)}"]
        if s.added.n:
            out += ["", f"Added: {s.added.n} asset(s), {s.added.bytes:,} bytes: {_examples(s.added)}"]
        if s.removed.n:
            out += ["", f"Removed: {s.removed.n} asset(s), {s.removed.bytes:,} bytes: {_examples(s.removed)}"]
        for title, changes, n in (("License changes", s.license_examples, s.license_changed),
                                  ("Use class more restrictive", s.use_worse_examples, s.use_worse),
                                  ("Use class less restrictive", s.use_better_examples, s.use_better)):
            if n:
                out += ["", f"### {title} ({n})", "", "| path | old | new |", "|---|---|---|",
                        *_change_rows(changes, n)]
        for title, found in (("New findings", s.new_findings), ("Resolved findings", s.resolved_findings)):
            if found:
                out += ["", f"### {title}", "", "| rule | assets | examples |", "|---|---|---|"]
                out += [f"| {rule} | {c.n} | {_examples(c)} |" for rule, c in sorted(found.items())]
    return "\n".join(out) + "\n"
