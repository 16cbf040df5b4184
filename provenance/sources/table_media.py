"""Media embedded in tables: finding and reading the images (and audio) of a Hugging Face Parquet
or Arrow file. What they are is decided by the analysis (`provenance.analysis.embedded`).

Hugging Face stores an `Image` or `Audio` feature as `struct<bytes: binary, path: string>` and
names the feature in the schema's `huggingface` metadata. Only the media columns and the record's
license and URL columns are read, in batches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.model import AssetKind
from provenance.tables import arrow_batches

MEDIA_TYPES = {"Image": AssetKind.IMAGE, "Audio": AssetKind.AUDIO}
_MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"), (b"RIFF", "webp"), (b"BM", "bmp"),
          (b"II*\x00", "tif"), (b"MM\x00*", "tif"), (b"fLaC", "flac"), (b"OggS", "ogg"), (b"ID3", "mp3"))
MEDIA_BATCH_ROWS = 256


def media_columns(schema: Any) -> dict[str, AssetKind]:
    """Columns holding embedded media, from the `huggingface` schema metadata (else by shape and name)."""
    found: dict[str, AssetKind] = {}
    meta = (schema.metadata or {}).get(b"huggingface")
    if meta:
        try:
            features = json.loads(meta).get("info", {}).get("features", {})
        except (ValueError, AttributeError):
            features = {}
        if isinstance(features, dict):
            for name, feature in features.items():
                kind = MEDIA_TYPES.get(feature.get("_type", "")) if isinstance(feature, dict) else None
                if kind and name in schema.names:
                    found[name] = kind
    if found:
        return found
    for f in schema:
        if pa.types.is_struct(f.type) and {"bytes", "path"} <= {c.name for c in f.type} and \
                f.name.lower() in ("image", "img", "picture", "photo", "audio"):
            found[f.name] = AssetKind.AUDIO if f.name.lower() == "audio" else AssetKind.IMAGE
    return found


def media_extension(data: bytes, path: str | None, kind: AssetKind) -> str:
    """The extension a media cell's member path gets: from its stored path, else its magic bytes."""
    if path and "." in path.rsplit("/", 1)[-1]:
        return path.rsplit(".", 1)[-1].lower()[:8]
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return "img" if kind is AssetKind.IMAGE else "audio"


def table_batches(path: str, local: str | None, opener: Callable[[], IO[bytes]], columns: list[str]) -> Iterator[Any]:
    """Record batches of some columns of a Parquet or Arrow table."""
    if path.lower().endswith(".parquet"):
        yield from pq.ParquetFile(local or opener()).iter_batches(columns=columns, batch_size=MEDIA_BATCH_ROWS)
        return
    for batch in arrow_batches(local, opener)[1]:
        yield batch.select(columns)


def table_schema(path: str, local: str | None, opener: Callable[[], IO[bytes]]) -> Any:
    """The Arrow schema of a Parquet or Arrow table."""
    if path.lower().endswith(".parquet"):
        return pq.ParquetFile(local or opener()).schema_arrow
    return arrow_batches(local, opener)[0]


#: Table formats whose columns may hold media (Hugging Face Image and Audio features).
MEDIA_TABLES = (".parquet", ".arrow", ".feather", ".ipc")
