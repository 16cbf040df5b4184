"""The registry file: one Parquet table of fingerprints plus the recipe that made them.

One row per fingerprint. A work has one `original` row and, when the registry was built
with variants, one row per crop/rotation variant. The recipe (hash algorithm, decode
path, variants, tool versions) lives in the schema metadata and is checked on load.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import imagehash
import pyarrow as pa
import pyarrow.parquet as pq

from provenance.atomic import follow_umask
from provenance.errors import RegistryError
from provenance.images.fingerprint import RECIPE
from provenance.version import __version__

FORMAT_VERSION = 1
META_KEY = b"provenance.registry"

SCHEMA = pa.schema(
    [
        pa.field("work_id", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("owner", pa.string()),
        pa.field("rights", pa.string()),
        pa.field("source", pa.string()),
        pa.field("file", pa.string()),
        pa.field("variant", pa.string(), nullable=False),
        pa.field("phash", pa.uint64(), nullable=False),
        pa.field("dhash", pa.uint64()),  # null for hash lists that only share a pHash
        pa.field("shash", pa.uint64()),  # mirror-invariant retrieval hash; null in such lists too
        pa.field("width", pa.int32()),
        pa.field("height", pa.int32()),
    ]
)


@dataclass(frozen=True)
class RegistryMeta:
    """How the fingerprints in a registry were made."""

    format: int
    algorithm: str
    decode: str
    #: Variant names added per work at build time (e.g. crop-c, rot+5).
    variants: tuple[str, ...]
    tool_version: str
    imagehash_version: str
    created: str

    def to_json(self) -> bytes:
        data = asdict(self)
        data["variants"] = list(self.variants)
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> RegistryMeta:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            format=int(data["format"]),
            algorithm=str(data["algorithm"]),
            decode=str(data["decode"]),
            variants=tuple(data.get("variants") or ()),
            tool_version=str(data.get("tool_version", "")),
            imagehash_version=str(data.get("imagehash_version", "")),
            created=str(data.get("created", "")),
        )


def current_meta(variants: tuple[str, ...]) -> RegistryMeta:
    return RegistryMeta(
        format=FORMAT_VERSION,
        algorithm=RECIPE["algorithm"],
        decode=RECIPE["decode"],
        variants=variants,
        tool_version=__version__,
        imagehash_version=str(getattr(imagehash, "__version__", "")),
        created=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    )


def check_meta(meta: RegistryMeta, path: str | os.PathLike[str]) -> None:
    """Refuse a registry whose fingerprints were made another way: they would not match."""
    if meta.format != FORMAT_VERSION:
        raise RegistryError(
            f"registry {path} has format version {meta.format}; this tool reads version {FORMAT_VERSION}"
        )
    for name in ("algorithm", "decode"):
        have, want = getattr(meta, name), RECIPE[name]
        if have != want:
            raise RegistryError(
                f"registry {path} was built with {name} '{have}' (provenance {meta.tool_version}); "
                f"this version uses '{want}'. Rebuild it with `provenance registry build`."
            )


def read_meta(path: str | os.PathLike[str]) -> RegistryMeta:
    """Read and check the recipe without loading the rows."""
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError as exc:
        raise RegistryError(f"registry {path} not found") from exc
    except (OSError, pa.ArrowInvalid) as exc:
        raise RegistryError(f"registry {path} is not a readable Parquet file: {exc}") from exc
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise RegistryError(f"{path} is a Parquet file but not a provenance registry (no recipe metadata)")
    try:
        meta = RegistryMeta.from_json(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(f"registry {path} has unreadable recipe metadata: {exc}") from exc
    missing = [f.name for f in SCHEMA if f.name not in schema.names]
    if missing:
        raise RegistryError(f"registry {path} lacks columns: {', '.join(missing)}")
    check_meta(meta, path)
    return meta


def read_table(path: str | os.PathLike[str]) -> tuple[pa.Table, RegistryMeta]:
    meta = read_meta(path)
    try:
        table = pq.read_table(path, columns=SCHEMA.names)
    except (OSError, pa.ArrowInvalid) as exc:
        raise RegistryError(f"registry {path} cannot be read: {exc}") from exc
    return table.cast(SCHEMA), meta


def read_extra(path: str | os.PathLike[str]) -> dict[bytes, bytes]:
    """The schema metadata beside the image recipe (the text part's record), kept on rewrites."""
    try:
        raw = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowInvalid) as exc:
        raise RegistryError(f"registry {path} is not a readable Parquet file: {exc}") from exc
    return {k: v for k, v in raw.items() if k.startswith(META_KEY + b".")}


def write_table(path: str | os.PathLike[str], table: pa.Table, meta: RegistryMeta,
                extra: dict[bytes, bytes] | None = None) -> None:
    """Write atomically: a temp file in the same folder, then os.replace. `extra`: more schema
    metadata under keys `provenance.registry.*` (the text part's record)."""
    target = Path(path)
    table = table.cast(SCHEMA).replace_schema_metadata({META_KEY: meta.to_json(), **(extra or {})})
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    follow_umask(fd)  # a registry is an output like any other: not 0600
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def empty_table() -> pa.Table:
    return SCHEMA.empty_table()
