"""What a Hub dataset repository's files are: data files per config and split, and a bounded
sample of their records read through `datasets` streaming when the files are not local."""

from __future__ import annotations

import fnmatch
import io
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.hub import require
from provenance.model import METADATA_KINDS
from provenance.sources.kinds import kind_of
from provenance.sources.record_fields import flat_licensing_fields, relevant_columns

_SPLIT_WORDS = (("train", "train"), ("test", "test"), ("validation", "validation"), ("valid", "validation"),
                ("dev", "validation"), ("eval", "validation"))
_DATA_EXT = (".parquet", ".arrow", ".jsonl", ".json", ".csv", ".tsv", ".txt", ".tar", ".zip", ".gz", ".zst")


@dataclass(frozen=True)
class RepoFile:
    """A file of a dataset repository: its path in the repo, its size and where to read it."""

    path: str
    size: int
    #: An absolute local path (cache), or REMOTE_PREFIX + the HfFileSystem path.
    handle: str
    mtime_ns: int = 0


def split_of(path: str) -> str:
    """The split a data file belongs to, from the words in its path (the Hub's own convention)."""
    words = re.split(r"[^a-z0-9]+", path.lower())
    for word, split in _SPLIT_WORDS:
        if word in words or any(w.startswith(word + "-") for w in words):
            return split
    return "train"


def data_files_by_split(files: Iterable[RepoFile], metadata: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Data files per config and split: the card's `configs` when it has them, else split names in paths."""
    data = [f for f in files if f.path.lower().endswith(_DATA_EXT)
            and kind_of(f.path.rsplit("/", 1)[-1]) not in METADATA_KINDS]
    configs: dict[str, dict[str, list[str]]] = {}
    declared = metadata.get("configs")
    if isinstance(declared, list) and declared:
        for cfg in declared:
            if not isinstance(cfg, dict):
                continue
            splits: dict[str, list[str]] = {}
            spec = cfg.get("data_files")
            items = spec if isinstance(spec, list) else [spec] if spec else []
            for item in items:
                if isinstance(item, str):
                    item = {"split": "train", "path": item}
                if not isinstance(item, dict):
                    continue
                patterns = item.get("path")
                patterns = patterns if isinstance(patterns, list) else [patterns]
                splits[str(item.get("split", "train"))] = [
                    f.path for f in data if any(isinstance(p, str) and fnmatch.fnmatch(f.path, p) for p in patterns)]
            configs[str(cfg.get("config_name", "default"))] = splits
        return configs
    by_split: dict[str, list[str]] = {}
    for f in data:
        by_split.setdefault(split_of(f.path), []).append(f.path)
    return {"default": by_split} if by_split else {}


def describe_files(files: Iterable[RepoFile], metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Files, bytes, and data files per config and split, for the record of what was scanned."""
    files = list(files)
    configs = data_files_by_split(files, metadata)
    return {
        "files": len(files),
        "bytes": sum(f.size for f in files),
        "configs": {c: {s: {"files": len(p), "examples": p[:5]} for s, p in sp.items()} for c, sp in configs.items()},
    }


DEFAULT_SAMPLE_RECORDS = 10_000
SAMPLE_FOLDER = ".provenance-sample"
_BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv", ".tsv": "csv",
             ".arrow": "arrow", ".txt": "text", ".tar": "webdataset"}


@dataclass(frozen=True)
class Sampling:
    """How many records per split are read through `datasets` streaming when data files are remote."""

    records: int = DEFAULT_SAMPLE_RECORDS
    #: Read every data file in full instead (downloaded as a stream, never to disk).
    all_records: bool = False


#: Records whose images/audio are kept for the scan (raw bytes in memory): a sample.
MEDIA_SAMPLE = 1_000
_NESTED = ("meta", "metadata", "json")  # `json`: a WebDataset sample's sidecar, as datasets reads it


def sample_records(data_files: list[str], limit: int | None, media_limit: int = MEDIA_SAMPLE) -> bytes:
    """The first `limit` records of some data files (local paths or hf:// URLs), read through
    `datasets` streaming, as Parquet bytes: their license, URL and source fields as text, and the
    raw bytes of their images and audio (never decoded) for the first `media_limit` records,
    under Hugging Face feature metadata so the scan treats them as embedded media."""
    require("datasets")
    import datasets  # optional extra (hf)

    # `datasets` counts a streamed load as a download with a request to S3: a scan reading a
    # sample is not a download, and makes no request beyond the Hub's files.
    counting = datasets.config.HF_UPDATE_DOWNLOAD_COUNTS
    datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = False
    try:
        return _sample(datasets, data_files, limit, media_limit)
    finally:
        datasets.config.HF_UPDATE_DOWNLOAD_COUNTS = counting


def _sample(datasets: Any, data_files: list[str], limit: int | None, media_limit: int) -> bytes:
    ext = max({os.path.splitext(f)[1].lower() for f in data_files},
              key=lambda e: sum(f.lower().endswith(e) for f in data_files))
    builder = _BUILDERS.get(ext)
    if builder is None:
        raise ValueError(f"no datasets reader for {ext or 'these'} files")
    kwargs: dict[str, Any] = {"delimiter": "\t"} if ext == ".tsv" else {}
    files = [f for f in data_files if f.lower().endswith(ext)]
    ds = datasets.load_dataset(builder, data_files={"sample": files}, split="sample", streaming=True, **kwargs)
    features = dict(ds.features or {})
    media = {n: ("Audio" if isinstance(f, datasets.Audio) else "Image") for n, f in features.items()
             if isinstance(f, (datasets.Image, datasets.Audio))}
    for name, kind in media.items():  # raw bytes, never decoded
        ds = ds.cast_column(name, datasets.Audio(decode=False) if kind == "Audio" else datasets.Image(decode=False))
    # Files written without feature metadata: a `{bytes, path}` struct under a media name is media too.
    media.update({n: "Audio" if n.lower() == "audio" else "Image" for n, f in features.items()
                  if isinstance(f, dict) and set(f) == {"bytes", "path"}
                  and n.lower() in ("image", "img", "picture", "photo", "audio")})
    names = list(ds.column_names or features)
    wanted = [*relevant_columns(names), *(n for n in names if n in _NESTED), *media]
    if not wanted:
        wanted = [n for n, f in features.items() if isinstance(f, datasets.Value)][:1]
    view = ds.select_columns(wanted) if wanted and names else ds
    rows: list[dict[str, Any]] = []
    blobs: dict[str, list[Any]] = {m: [] for m in media}
    for i, record in enumerate(iter(view) if limit is None else islice(iter(view), limit)):
        rows.append(flat_licensing_fields(record, _NESTED))
        for m in media:
            cell = record.get(m)
            keep = i < media_limit and isinstance(cell, Mapping) and cell.get("bytes")
            blobs[m].append({"bytes": cell.get("bytes"), "path": cell.get("path")} if keep else None)
    keys = list(dict.fromkeys(k for row in rows for k in row))
    columns: dict[str, Any] = {k: pa.array([row.get(k) for row in rows], pa.string()) for k in keys}
    media_type = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    columns.update({m: pa.array(values, media_type) for m, values in blobs.items()})
    if not columns:
        columns["_row"] = pa.nulls(len(rows))
    table = pa.table(columns)
    meta = {"info": {"features": {m: {"_type": kind} for m, kind in media.items()}}}
    table = table.replace_schema_metadata({b"huggingface": json.dumps(meta).encode()})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
