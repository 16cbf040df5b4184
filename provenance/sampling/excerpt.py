"""Read the sampled items back from the corpus (read-only): a locator and a short excerpt.

Excerpts have personal information masked: the review file is shared with reviewers, and raw
identifiers never leave the corpus. Reviewers open the item itself by path and locator.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from provenance.detectors.json_records import JSONL_SUFFIXES, JsonRecords, json_format
from provenance.sampling.draw import SampleItem
from provenance.text.pii import mask_pii

EXCERPT_CHARS = 200
# Enough of a text asset to make an excerpt from.
TEXT_HEAD_BYTES = 64 * 1024
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Excerpt:
    #: "line 12" (JSONL), "row 5" (CSV, Parquet: 0-based data row), "" for a whole text asset.
    locator: str
    text: str


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def excerpts(root: str, items: tuple[SampleItem, ...]) -> dict[SampleItem, Excerpt]:
    """Excerpts for items of one source, reading each file once."""
    by_path: dict[str, list[SampleItem]] = defaultdict(list)
    for item in items:
        by_path[item.path].append(item)
    out: dict[SampleItem, Excerpt] = {}
    for path, group in by_path.items():
        file = Path(root) / path
        try:
            out.update(_read(file, group))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            for item in group:
                where = f"record {item.record}" if item.record is not None else ""
                out[item] = Excerpt(where, f"[unreadable: {type(exc).__name__}]")
    return out


def _read(file: Path, group: list[SampleItem]) -> dict[SampleItem, Excerpt]:
    if "!" in group[0].path:  # an archive member: the reviewer opens it from its archive
        return {item: Excerpt("", "[inside an archive: open the member named by the path]") for item in group}
    if group[0].kind in ("image", "audio", "video"):
        return {item: Excerpt("", f"[{group[0].kind}: open the file]") for item in group}
    if group[0].record is None:
        with file.open("rb") as fh:
            head = fh.read(TEXT_HEAD_BYTES).decode("utf-8", errors="replace")
        return {item: Excerpt("", _clean(head)) for item in group}
    wanted = {item.record: item for item in group if item.record is not None}
    name = file.name.lower()
    if name.endswith((".json", *JSONL_SUFFIXES)):
        rows = _json(file, set(wanted))
    elif name.endswith((".csv", ".tsv")):
        rows = _csv(file, set(wanted), "\t" if name.endswith(".tsv") else ",")
    elif name.endswith(".parquet"):
        rows = _parquet(file, set(wanted))
    else:
        rows = iter(())
    out = {wanted[index]: Excerpt(locator, _clean(text)) for index, locator, text in rows}
    for index, item in wanted.items():
        out.setdefault(item, Excerpt(f"record {index}", "[record not found]"))
    return out


def _clean(text: str) -> str:
    # Mask the whole head before cutting, so an identifier is never cut in half and leaked.
    return shorten(mask_pii(shorten(text, EXCERPT_CHARS * 4)))


def _record_text(value: Any) -> str:
    """The text of a record: its string fields joined, so the reviewer sees content, not JSON."""
    if isinstance(value, dict):
        parts = [_record_text(v) for v in value.values()]
        return " | ".join(p for p in parts if p)
    if isinstance(value, list):
        return " | ".join(p for p in (_record_text(v) for v in value) if p)
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def _json(file: Path, wanted: set[int]) -> Iterator[tuple[int, str, str]]:
    """Records in file order (JSON Lines: the non-blank lines; JSON: the records of the document)."""
    with file.open("rb") as fh:
        head = fh.read(TEXT_HEAD_BYTES)
    reader = JsonRecords(file.open("rb"), json_format(file.name, head), file.stat().st_size)
    last = max(wanted)
    for record, (locator, value) in enumerate(reader):
        if record in wanted:
            where = f"line {locator}" if reader.format == "jsonl" else locator.replace("=", " ")
            yield record, where, _record_text(value)
        if record >= last:
            return


def _csv(file: Path, wanted: set[int], delimiter: str) -> Iterator[tuple[int, str, str]]:
    with file.open("rb") as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline=""),
                            delimiter=delimiter)
        next(reader, None)  # header
        for index, row in enumerate(reader):
            if index in wanted:
                yield index, f"row {index}", " | ".join(c for c in row if c)
                if index >= max(wanted):
                    return


def _parquet(file: Path, wanted: set[int]) -> Iterator[tuple[int, str, str]]:
    start = 0
    last = max(wanted)
    for batch in pq.ParquetFile(file).iter_batches(batch_size=4096):
        end = start + batch.num_rows
        hits = [i for i in wanted if start <= i < end]
        if hits:
            rows = batch.to_pylist()
            for index in sorted(hits):
                yield index, f"row {index}", _record_text(rows[index - start])
        if end > last:
            return
        start = end
