"""Images stored inside tables: raw bytes columns and Hugging Face `Image` features."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def cell_bytes(value: Any) -> bytes | None:
    """Encoded image bytes held by one table cell, or None when the cell holds none.

    Accepts `bytes`/`bytearray`/`memoryview` (binary columns) and the struct a Hugging Face
    `Image` feature stores in Parquet/Arrow: {"bytes": ..., "path": ...}. A feature that only
    names a `path` (image kept outside the table) gives None: the caller resolves the path.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, Mapping):
        data = value.get("bytes")
        if isinstance(data, (bytes, bytearray, memoryview)) and len(data):
            return bytes(data)
    return None
