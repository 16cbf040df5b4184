"""What the text detectors (purpose, personal information, blocklist) read: a text asset as one
item, a table record by record.

Each record becomes one item: its string fields joined by newlines (license fields left out).
Tables can be huge, so at most `limit` records per table are read; the facts say when a table
was sampled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.detectors.csv_records import CsvRecords
from provenance.detectors.interface import AssetContent
from provenance.detectors.json_records import JSONL_SUFFIXES, JsonRecords, json_format
from provenance.detectors.records import LICENSE_FIELDS
from provenance.model import AssetKind
from provenance.tables import arrow_batches
from provenance.text.items import TextItem

#: Kinds the text detectors read: text files and code, and tables record by record.
TEXT_DETECTOR_KINDS = frozenset({AssetKind.TEXT, AssetKind.CODE, AssetKind.TABLE})
RECORD_LIMIT = 20_000
_SKIP = frozenset(LICENSE_FIELDS)


def read_items(content: AssetContent) -> tuple[tuple[TextItem, ...], dict[str, int]]:
    """The asset as one item (a table: one item per record), and facts about how it was read.
    Computed once per asset for all the text detectors."""
    if content.asset.kind is AssetKind.TABLE:
        return content.cached("record_items", lambda: record_items(content))
    text, _reason = content.text()
    if text is None:
        return (), {"unreadable": 1}
    return (TextItem(text),), ({} if content.complete else {"partial": 1})


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() not in _SKIP:
                yield from _strings(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value[:1000]:
            yield from _strings(inner, depth + 1)


def record_items(content: AssetContent, limit: int = RECORD_LIMIT) -> tuple[tuple[TextItem, ...], dict[str, int]]:
    """Items for a table asset, and facts about how it was read."""
    items: list[TextItem] = []
    more = False
    try:
        for item in iter_record_items(content):
            if len(items) >= limit:
                more = True
                break
            items.append(item)
    except (OSError, ValueError, MemoryError, RecursionError):
        return tuple(items), {"unreadable": 1}  # the license reader reports the reason
    return tuple(items), ({"sampled": 1} if more else {})


def iter_record_items(content: AssetContent) -> Iterator[TextItem]:
    """Every record of a table asset as an item, streamed (raises OSError/ValueError on bad data)."""
    name = content.asset.path.lower()
    if name.endswith((".json", *JSONL_SUFFIXES)):
        reader = JsonRecords(content.open(), json_format(content.asset.path, content.head), content.asset.size)
        for locator, obj in reader:
            yield TextItem("\n".join(_strings(obj)), locator=locator)
        return
    row = 0
    for batch in _batches(content, name):
        keep = [i for i, f in enumerate(batch.schema)
                if f.name.lower() not in _SKIP and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
        columns = [batch.column(i).to_pylist() for i in keep]
        for values in zip(*columns, strict=True) if columns else ([] for _ in range(batch.num_rows)):
            yield TextItem("\n".join(v for v in values if v), locator=f"row={row}")
            row += 1


def _batches(content: AssetContent, name: str) -> Iterator[Any]:
    if name.endswith(".parquet"):
        pf = pq.ParquetFile(str(content.local_path) if content.local_path else content.open())
        names = [f.name for f in pf.schema_arrow
                 if f.name.lower() not in _SKIP and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
        yield from pf.iter_batches(columns=names, batch_size=4096)
    elif name.endswith((".csv", ".tsv")):
        # CSV has no types: every column is text (guessing from the first block failed on files
        # whose numeric-looking column turns to text further down, and hid phone numbers in
        # all-digit columns from the personal-information detector). Ragged rows are skipped.
        yield from CsvRecords(content).reader()
    else:
        yield from arrow_batches(str(content.local_path) if content.local_path else None, content.open)[1]
