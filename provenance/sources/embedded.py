"""Media embedded in tables: the images (and audio) of a Hugging Face Parquet or Arrow file, each
an asset of its own (`data/train.parquet!00000012.png`), analysed by the same detectors as files.

Hugging Face stores an `Image` or `Audio` feature as `struct<bytes: binary, path: string>` and
names the feature in the schema's `huggingface` metadata. Only the media column and the record's
license and URL columns are read, in batches; at most `ArchiveLimits.max_embedded` media per table
(a sample: decoding and fingerprinting every image of a large dataset is the images team's bulk job;
a table with more is listed with a warning that says how much was checked). The record's own license
value is record-level evidence for its media.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any

from provenance.crawl import UrlDomainDetector, url_columns
from provenance.detectors.interface import AssetContent
from provenance.detectors.records import license_columns
from provenance.model import Asset, AssetKind
from provenance.sources.interface import Entry
from provenance.tables import arrow_batches

if TYPE_CHECKING:
    from provenance.sources.scanning import Analyzed, WorkContext

MEDIA_TYPES = {"Image": AssetKind.IMAGE, "Audio": AssetKind.AUDIO}
_MAGIC = ((b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"), (b"RIFF", "webp"), (b"BM", "bmp"),
          (b"II*\x00", "tif"), (b"MM\x00*", "tif"), (b"fLaC", "flac"), (b"OggS", "ogg"), (b"ID3", "mp3"))
BATCH = 256


def media_columns(schema: Any) -> dict[str, AssetKind]:
    """Columns holding embedded media, from the `huggingface` schema metadata (else by shape and name)."""
    import pyarrow as pa

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


def _extension(data: bytes, path: str | None, kind: AssetKind) -> str:
    if path and "." in path.rsplit("/", 1)[-1]:
        return path.rsplit(".", 1)[-1].lower()[:8]
    for magic, ext in _MAGIC:
        if data.startswith(magic):
            return ext
    return "img" if kind is AssetKind.IMAGE else "audio"


def _opener(data: bytes) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(data)


def _batches(ctx: WorkContext, entry: Entry, content: AssetContent, columns: list[str]) -> Iterator[Any]:
    import pyarrow.parquet as pq

    local = str(content.local_path) if content.local_path else None
    if entry.asset.path.lower().endswith(".parquet"):
        yield from pq.ParquetFile(local or content.open()).iter_batches(columns=columns, batch_size=BATCH)
        return
    for batch in arrow_batches(local, content.open)[1]:
        yield batch.select(columns)


def _schema(entry: Entry, content: AssetContent) -> Any:
    import pyarrow.parquet as pq

    local = str(content.local_path) if content.local_path else None
    if entry.asset.path.lower().endswith(".parquet"):
        return pq.ParquetFile(local or content.open()).schema_arrow
    return arrow_batches(local, content.open)[0]


#: Table formats whose columns may hold media (Hugging Face Image and Audio features).
MEDIA_TABLES = (".parquet", ".arrow", ".feather", ".ipc")


def table_members(ctx: WorkContext, entry: Entry,
                  content: AssetContent) -> tuple[tuple[Analyzed, ...], str | None, str | None]:
    """The media of a table as member results, why not all could be read (None when fine), and a
    notice when only a sample was checked."""
    from provenance.sources.archives import archive_limits, record_output
    from provenance.sources.scanning import Analyzed, run_detectors

    if not entry.asset.path.lower().endswith(MEDIA_TABLES):
        return (), None, None
    try:
        schema = _schema(entry, content)
    except Exception as exc:  # the records detector reports a damaged table too; this says what was not checked
        return (), f"embedded media not checked: cannot read the table's schema: {type(exc).__name__}", None
    media = media_columns(schema)
    if not media:
        return (), None, None
    lic = next(iter(license_columns(schema.names)), None)
    url = next(iter(url_columns(schema.names)), None)
    columns = list(dict.fromkeys([*media, *(c for c in (lic, url) if c)]))
    limit = archive_limits(ctx).max_embedded
    optout = frozenset().union(*(d.optout for d in ctx.detectors if isinstance(d, UrlDomainDetector)))
    out: list[Analyzed] = []
    row = 0
    problem = None
    try:
        for batch in _batches(ctx, entry, content, columns):
            data = batch.to_pydict()
            for i in range(batch.num_rows):
                if len(out) >= limit:
                    return tuple(out), None, (
                        f"only the first {limit} embedded media (rows 0-{row + i - 1}) were checked for known works"
                        " and rights metadata; the rest of the table was not (ArchiveLimits.max_embedded)")
                for column, kind in media.items():
                    cell = data[column][i]
                    raw = cell.get("bytes") if isinstance(cell, dict) else cell if isinstance(cell, bytes) else None
                    if not raw:
                        continue
                    path_hint = cell.get("path") if isinstance(cell, dict) else None
                    suffix = f"-{column}" if len(media) > 1 else ""
                    path = f"{entry.asset.path}!{row + i:08d}{suffix}.{_extension(raw, path_hint, kind)}"
                    asset = Asset(path=path, kind=kind, size=len(raw), source=entry.asset.source,
                                  mtime_ns=entry.asset.mtime_ns)
                    member = Entry(asset=asset, handle=f"{entry.handle}!{row + i}")
                    outputs, errors = run_detectors(ctx.detectors,
                                              AssetContent(asset, raw, True, _opener(raw)))
                    meta = {k: data[c][i] for k, c in (("license", lic), ("url", url)) if c}
                    record = record_output(path, f"{entry.asset.path}#row{row + i}", meta, optout, None)
                    if record.evidence or record.facts.get("url"):
                        outputs.append(("record", record))
                    out.append(Analyzed(member, hashlib.sha256(raw).hexdigest(),
                                        hashlib.sha1(raw, usedforsecurity=False).hexdigest(), tuple(outputs),
                                        tuple(errors)))
            row += batch.num_rows
    except Exception as exc:  # damaged table: keep what was read, say why the rest was not
        problem = f"embedded media after row {row} could not be read: {type(exc).__name__}: {str(exc)[:200]}"
    return tuple(out), problem, None
