"""`datasets` objects in pipelines: scan a Dataset, IterableDataset or DatasetDict, and filter out
the records a scan says fail the policy.

Only the columns that carry licensing facts (license and URL fields) are read: a `Dataset` column-
wise through Arrow, an `IterableDataset` record by record, bounded by `sample_records` per split
unless `all_records`. Each split becomes one asset (`train.arrow`, `train.jsonl`); the dataset's
`info.license` is folder-level evidence for all of them.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import IO, Any

from provenance.crawl import SOURCE_FIELDS, URL_FIELDS, host_of, load_optout, opted_out, url_columns
from provenance.detectors.cards import card_evidence
from provenance.detectors.records import LICENSE_FIELDS, license_columns
from provenance.errors import ConfigError
from provenance.licensing.expression import use_class
from provenance.licensing.kb import ALLOWED_FOR_USE
from provenance.licensing.names import normalize_license
from provenance.model import Asset, AssetKind, Evidence, SourceInfo
from provenance.results import ScanResult
from provenance.sources.interface import Entry, Listed, Source

DEFAULT_SAMPLE_RECORDS = 10_000
#: Records whose images/audio are kept for the scan (raw bytes in memory): a sample.
MEDIA_SAMPLE = 1_000
BATCH = 65_536
INFO_PATH = "DatasetInfo"


def relevant_columns(names: Iterable[str]) -> list[str]:
    """The license, URL and source columns: all that the record-level checks read."""
    names = list(names)
    by_lower = {n.lower(): n for n in names}
    sources = [by_lower[f] for f in SOURCE_FIELDS if f in by_lower][:1]
    return list(dict.fromkeys([*license_columns(names)[:1], *url_columns(names)[:1], *sources]))


def _projected(record: Mapping[str, Any]) -> dict[str, Any]:
    """The licensing fields of one record (top level and one level into meta/metadata)."""
    keep = (*LICENSE_FIELDS, *URL_FIELDS, *SOURCE_FIELDS)
    out = {k: v for k, v in record.items() if k.lower() in keep}
    for parent in ("meta", "metadata"):
        inner = record.get(parent)
        if isinstance(inner, Mapping):
            kept = {k: v for k, v in inner.items() if k.lower() in keep}
            if kept:
                out[parent] = kept
    return out


def flat_licensing_fields(record: Mapping[str, Any], parents: Iterable[str] = ("meta", "metadata")) -> dict[str, str]:
    """A record's license, URL and source fields as text, nested ones (one level into `parents`)
    brought up when the top level lacks them. Lists of licenses join with AND."""
    keep = (*LICENSE_FIELDS, *URL_FIELDS, *SOURCE_FIELDS)
    out: dict[str, str] = {}
    items = list(record.items())
    for parent in parents:
        inner = record.get(parent)
        if isinstance(inner, Mapping):
            items += list(inner.items())
    for key, value in items:
        if key.lower() in keep and key not in out and value is not None:
            out[key] = " AND ".join(str(v) for v in value if v) if isinstance(value, list) else str(value)
    return out


def records_jsonl(records: Iterable[Mapping[str, Any]]) -> bytes:
    """JSON Lines of the licensing fields of each record (one line per record, even when empty)."""
    buf = io.BytesIO()
    for record in records:
        buf.write(json.dumps(_projected(record), ensure_ascii=False, default=str).encode("utf-8"))
        buf.write(b"\n")
    return buf.getvalue()


def _arrow_stream(ds: Any, media_limit: int = MEDIA_SAMPLE) -> bytes:
    """Arrow IPC stream of a Dataset's licensing columns, plus the raw bytes of the images/audio of
    its first `media_limit` rows (null after) under Hugging Face feature metadata, so the scan reads
    them as embedded media. A null column keeps the row count when nothing else is there."""
    import datasets
    import pyarrow as pa

    columns = relevant_columns(ds.column_names)
    media = {n: ("Audio" if isinstance(f, datasets.Audio) else "Image") for n, f in ds.features.items()
             if isinstance(f, (datasets.Image, datasets.Audio))}
    sink = pa.BufferOutputStream()
    if not columns and not media:
        table = pa.table({"_row": pa.nulls(ds.num_rows)})
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return bytes(sink.getvalue().to_pybytes())
    arrow = ds.features.arrow_schema
    meta = {"info": {"features": {m: {"_type": kind} for m, kind in media.items()}}}
    schema = pa.schema([arrow.field(c) for c in (*columns, *media)],
                       metadata={b"huggingface": json.dumps(meta).encode()})
    offset = 0
    with pa.ipc.new_stream(sink, schema) as writer:
        for table in ds.select_columns([*columns, *media]).with_format("arrow").iter(batch_size=BATCH):
            for m in media:  # raw bytes as stored: never decoded; only a sample of them kept
                keep = max(0, min(table.num_rows, media_limit - offset))
                column = table.column(m)
                if keep < table.num_rows:
                    column = pa.concat_arrays([column.slice(0, keep).combine_chunks(),
                                               pa.nulls(table.num_rows - keep, column.type)])
                table = table.set_column(table.schema.get_field_index(m), m, column)
            offset += table.num_rows
            writer.write_table(table.cast(schema))
    return bytes(sink.getvalue().to_pybytes())


def _splits(ds: Any) -> dict[str, Any]:
    import datasets

    if isinstance(ds, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return {str(k): v for k, v in ds.items()}
    if isinstance(ds, (datasets.Dataset, datasets.IterableDataset)):
        return {str(ds.split) if ds.split else "data": ds}
    raise ConfigError(f"not a datasets object: {type(ds).__name__} (expected Dataset, IterableDataset, "
                      "DatasetDict, a save_to_disk folder or an hf:// id)")


class DatasetObjectSource(Source):
    """The splits of an in-memory `datasets` object, one table asset each."""

    def __init__(self, ds: Any, name: str, *, sample_records: int = DEFAULT_SAMPLE_RECORDS,
                 all_records: bool = False) -> None:
        import datasets

        self.splits = _splits(ds)
        self.sample_records = sample_records
        self.all_records = all_records
        self._bytes: dict[str, bytes] = {}
        first = next(iter(self.splits.values()), None)
        self.license = (first.info.license or "").strip() if first is not None and first.info else ""
        details: dict[str, Any] = {"splits": {}}
        for split, part in self.splits.items():
            streamed = isinstance(part, datasets.IterableDataset)
            details["splits"][split] = {
                "type": type(part).__name__,
                "rows": None if streamed else part.num_rows,
                "fingerprint": getattr(part, "_fingerprint", None),
                "columns": list(part.column_names or []),
                "sampled": streamed and not all_records,
            }
        if self.license:
            details["info_license"] = self.license[:300]
        if first is not None and first.info:
            # Where the object came from, when `datasets` knows (a Hub dataset loaded through the library).
            for key in ("dataset_name", "config_name", "builder_name", "homepage"):
                value = getattr(first.info, key, None)
                if value:
                    details[key] = str(value)[:300]
            if getattr(first.info, "version", None):
                details["version"] = str(first.info.version)
        self.info = SourceInfo(name=name, kind="datasets", root=f"datasets:{name}", details=details)

    def _path(self, split: str) -> str:
        import datasets

        return f"{split}.jsonl" if isinstance(self.splits[split], datasets.IterableDataset) else f"{split}.arrow"

    def _content(self, split: str) -> bytes:
        import datasets

        if split not in self._bytes:
            part = self.splits[split]
            if isinstance(part, datasets.IterableDataset):
                columns = relevant_columns(part.column_names or [])
                view = part.select_columns(columns) if columns and part.column_names else part
                rows: Iterable[Mapping[str, Any]] = iter(view)
                if not self.all_records:
                    rows = islice(rows, self.sample_records)
                self._bytes[split] = records_jsonl(rows)
            else:
                self._bytes[split] = _arrow_stream(part)
        return self._bytes[split]

    def entries(self) -> Iterator[Listed]:
        for split in self.splits:
            path = self._path(split)
            data = self._content(split)
            yield Entry(Asset(path=path, kind=AssetKind.TABLE, size=len(data), source=self.info.name), split)

    def open(self, entry: Entry) -> IO[bytes]:
        return io.BytesIO(self._content(entry.handle))

    def scope_evidence(self) -> list[Evidence]:
        return card_evidence(INFO_PATH, "", {"license": self.license}) if self.license else []


def scan_dataset(ds: Any, name: str = "dataset", output_dir: str | Path | None = None, *,
                 sample_records: int = DEFAULT_SAMPLE_RECORDS, all_records: bool = False,
                 **options: Any) -> ScanResult:
    """Scan a `datasets` object (or a save_to_disk folder, or an hf:// id) and return the result.

    Keyword options are those of `provenance.api.build_options` (use, policy, declarations, ...)."""
    from provenance.api import build_options, scan
    from provenance.sources.scanning import Scanner, temporary_output

    if isinstance(ds, (str, Path)):
        return scan(ds, output_dir, **options)
    out = Path(output_dir) if output_dir is not None else temporary_output()
    opts = build_options(Path(name), **options)
    opts.recorded.update(sample_records=None if all_records else sample_records, all_records=all_records)
    source = DatasetObjectSource(ds, name, sample_records=sample_records, all_records=all_records)
    return Scanner(source, opts).run(out)


# -- filtering -------------------------------------------------------------------------------


class _Decider:
    """Keep or drop one record from its license value and URL; the reason names the rule."""

    def __init__(self, base: str | None, use: str, optout: frozenset[str]) -> None:
        self.base = base
        self.allowed = ALLOWED_FOR_USE[use]
        self.optout = optout
        self._by_value: dict[str, str | None] = {}

    def license_reason(self, value: Any) -> str | None:
        text = " AND ".join(str(v) for v in value if v) if isinstance(value, list) else str(value or "").strip()
        if text not in self._by_value:
            if not text:
                lic = self.base
                reason = "unlicensed" if lic is None else None
            else:
                lic = normalize_license(text).expression
                reason = "unknown-license" if lic is None else None
            if reason is None and lic is not None and use_class(lic) not in self.allowed:
                reason = "use-restricted"
            self._by_value[text] = reason
        return self._by_value[text]

    def reason(self, value: Any, url: Any) -> str | None:
        if self.optout and isinstance(url, str):
            host = host_of(url)
            if host and opted_out(host, self.optout):
                return "tdm-opt-out"
        return self.license_reason(value)


def _optout_for(result: ScanResult, optout: Iterable[str] | str | Path | None) -> frozenset[str]:
    if isinstance(optout, (str, Path)):
        return load_optout(optout)
    if optout is not None:
        return frozenset(optout)
    recorded = result.parameters.get("optout_domains")
    if isinstance(recorded, dict) and recorded.get("file") and Path(recorded["file"]).is_file():
        return load_optout(recorded["file"])
    return frozenset()


def filter_dataset(ds: Any, result: ScanResult, *,
                   optout_domains: Iterable[str] | str | Path | None = None) -> tuple[Any, dict[str, int]]:
    """The dataset without the records that fail the scan's policy, and how many were dropped and why.

    A record fails when its URL's domain is on the opt-out list (`tdm-opt-out`), when it has no
    license value and the dataset declares none (`unlicensed`), when its value is not identified
    (`unknown-license`), or when its license does not allow the scan's use (`use-restricted`); the
    first of these counts. For an IterableDataset the counts fill in as the returned dataset is iterated."""
    import datasets

    optout = _optout_for(result, optout_domains)
    counts: Counter[str] = Counter()
    if isinstance(ds, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        kind = type(ds)
        return kind({k: _filter(v, result, optout, counts) for k, v in ds.items()}), counts
    _splits(ds)  # raises the clear error for anything else
    return _filter(ds, result, optout, counts), counts


def _filter(ds: Any, result: ScanResult, optout: frozenset[str], counts: Counter[str]) -> Any:
    import datasets

    decide = _Decider(_base_license(ds, result), result.verdict.use, optout)
    names = list(ds.column_names or [])
    lic_col = next(iter(license_columns(names)), None)
    url_col = next(iter(url_columns(names)), None)
    if isinstance(ds, datasets.IterableDataset):

        def keep(record: dict[str, Any]) -> bool:
            reason = decide.reason(record.get(lic_col) if lic_col else None, record.get(url_col) if url_col else None)
            if reason:
                counts[reason] += 1
            return reason is None

        return ds.filter(keep)
    columns = [c for c in (lic_col, url_col) if c]
    if not columns:
        reason = decide.reason(None, None)
        if reason:
            counts[reason] += ds.num_rows
            return ds.select([])
        return ds
    keep_rows: list[int] = []
    offset = 0
    dropped = 0
    for table in ds.select_columns(columns).with_format("arrow").iter(batch_size=BATCH):
        lic_values = table.column(lic_col).to_pylist() if lic_col else [None] * table.num_rows
        url_values = table.column(url_col).to_pylist() if url_col else [None] * table.num_rows
        for i, (value, url) in enumerate(zip(lic_values, url_values, strict=True)):
            reason = decide.reason(value, url)
            if reason:
                counts[reason] += 1
                dropped += 1
            else:
                keep_rows.append(offset + i)
        offset += table.num_rows
    return ds.select(keep_rows) if dropped else ds


def _base_license(ds: Any, result: ScanResult) -> str | None:
    """The dataset-level license: the object's `info.license`, else the one the scan saw declared
    (streaming conversions drop `info`)."""
    from provenance.lineage import card_license

    text = (ds.info.license or "").strip() if ds.info else ""
    if not text and len(result.sources) == 1:
        details = result.sources[0].get("details") or {}
        card = details.get("card") or {}
        text = str(details.get("info_license") or (card.get("license") if isinstance(card, dict) else "") or "")
    return card_license({"license": text}) if text else None
