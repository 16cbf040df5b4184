"""A `datasets` object (Dataset, IterableDataset, DatasetDict) as a source: one table asset per split.

Only the columns that carry licensing facts (license and URL fields) are read: a `Dataset` column-
wise through Arrow, an `IterableDataset` record by record, bounded by `sample_records` per split
unless `all_records`. Each split becomes one asset (`train.arrow`, `train.jsonl`); the dataset's
`info.license` is folder-level evidence for all of them. `datasets` is an optional extra: it is
imported inside the functions that receive its objects.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import IO, Any

import pyarrow as pa

from provenance.detectors.cards import card_evidence
from provenance.errors import ConfigError
from provenance.model import Asset, AssetKind, Evidence, SourceInfo
from provenance.sources.hub_files import DEFAULT_SAMPLE_RECORDS, MEDIA_SAMPLE
from provenance.sources.interface import Entry, Listed, Source
from provenance.sources.record_fields import records_jsonl, relevant_columns

ARROW_BATCH_ROWS = 65_536
INFO_PATH = "DatasetInfo"


def text_columns(ds: Any) -> list[str]:
    """The string columns of a Dataset or IterableDataset (what the known-works check reads)."""
    import datasets  # optional extra (hf)

    features = ds.features or {}
    return [n for n, f in features.items()
            if isinstance(f, datasets.Value) and f.dtype in ("string", "large_string")]


def arrow_stream(ds: Any, media_limit: int = MEDIA_SAMPLE, text: bool = False) -> bytes:
    """Arrow IPC stream of a Dataset's licensing columns, plus the raw bytes of the images/audio of
    its first `media_limit` rows (null after) under Hugging Face feature metadata, so the scan reads
    them as embedded media. A null column keeps the row count when nothing else is there."""
    import datasets  # optional extra (hf)

    columns = relevant_columns(ds.column_names)
    if text:  # the text itself too, for the known-works check
        columns = list(dict.fromkeys([*columns, *text_columns(ds)]))
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
        for table in ds.select_columns([*columns, *media]).with_format("arrow").iter(batch_size=ARROW_BATCH_ROWS):
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


def splits_of(ds: Any) -> dict[str, Any]:
    import datasets  # optional extra (hf)

    if isinstance(ds, (datasets.DatasetDict, datasets.IterableDatasetDict)):
        return {str(k): v for k, v in ds.items()}
    if isinstance(ds, (datasets.Dataset, datasets.IterableDataset)):
        return {str(ds.split) if ds.split else "data": ds}
    raise ConfigError(f"not a datasets object: {type(ds).__name__} (expected Dataset, IterableDataset, "
                      "DatasetDict, a save_to_disk folder or an hf:// id)")


class DatasetObjectSource(Source):
    """The splits of an in-memory `datasets` object, one table asset each."""

    def __init__(self, ds: Any, name: str, *, sample_records: int = DEFAULT_SAMPLE_RECORDS,
                 all_records: bool = False, text: bool = False) -> None:
        import datasets  # optional extra (hf)

        self.splits = splits_of(ds)
        self.sample_records = sample_records
        self.all_records = all_records
        #: Read the string columns too (a scan with a known-works registry), not only licensing fields.
        self.text = text
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
        import datasets  # optional extra (hf)

        return f"{split}.jsonl" if isinstance(self.splits[split], datasets.IterableDataset) else f"{split}.arrow"

    def _content(self, split: str) -> bytes:
        import datasets  # optional extra (hf)

        if split not in self._bytes:
            part = self.splits[split]
            if isinstance(part, datasets.IterableDataset):
                columns = relevant_columns(part.column_names or [])
                if self.text:
                    columns = list(dict.fromkeys([*columns, *text_columns(part)]))
                view = part.select_columns(columns) if columns and part.column_names else part
                rows: Iterable[Mapping[str, Any]] = iter(view)
                if not self.all_records:
                    rows = islice(rows, self.sample_records)
                self._bytes[split] = records_jsonl(rows, keep=text_columns(part) if self.text else ())
            else:
                self._bytes[split] = arrow_stream(part, text=self.text)
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
