"""The fields of a record that carry licensing facts (license, URL, source) and nothing else: what
the Hub and `datasets` sources read of records that are not on disk, so a sample stays small."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from provenance.detectors.records import LICENSE_FIELDS, license_columns
from provenance.detectors.urls import SOURCE_FIELDS, URL_FIELDS, url_columns


def relevant_columns(names: Iterable[str]) -> list[str]:
    """The license, URL and source columns: all that the record-level checks read."""
    names = list(names)
    by_lower = {n.lower(): n for n in names}
    sources = [by_lower[f] for f in SOURCE_FIELDS if f in by_lower][:1]
    return list(dict.fromkeys([*license_columns(names)[:1], *url_columns(names)[:1], *sources]))


def _projected(record: Mapping[str, Any], extra: Iterable[str] = ()) -> dict[str, Any]:
    """The licensing fields of one record (top level and one level into meta/metadata), and the
    `extra` fields named."""
    keep = (*LICENSE_FIELDS, *URL_FIELDS, *SOURCE_FIELDS)
    named = set(extra)
    out = {k: v for k, v in record.items() if k.lower() in keep or k in named}
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


def records_jsonl(records: Iterable[Mapping[str, Any]], keep: Iterable[str] = ()) -> bytes:
    """JSON Lines of the licensing fields (and the `keep` fields) of each record (one line per
    record, even when empty)."""
    buf = io.BytesIO()
    keep = tuple(keep)
    for record in records:
        buf.write(json.dumps(_projected(record, keep), ensure_ascii=False, default=str).encode("utf-8"))
        buf.write(b"\n")
    return buf.getvalue()
