"""The text part of a registry: fingerprints of text works beside the image rows.

`registry.parquet` stays the registry: its image rows and image recipe are unchanged, and its
schema metadata gains a `provenance.registry.text` record (the text recipe, the segments with the
size and sha256 of every array, the number of works). The fingerprint arrays are large and must be
memory-mapped, which Parquet pages cannot be, so they live in a folder beside the file,
`registry.parquet.textfp/`:

    registry.parquet.textfp/works-<revision>.parquet   one row per text work (id, title, rights
                                                       holder, license, source URL, counts)
    registry.parquet.textfp/seg-<revision>-<i>/*.npy   the segments (provenance.textworks.index)

The pair is one registry: hand out both (`registry export` writes them). Nothing in them is
text: n-gram hashes, winnowed anchors and a Bloom filter. A registry whose recipe differs
(scheme, normalisation, n, window, k) is refused with the reason; missing or resized arrays too.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from provenance.atomic import follow_umask
from provenance.errors import RegistryError
from provenance.registry.store import META_KEY, RegistryMeta, current_meta, empty_table, read_extra, write_table
from provenance.textworks.fingerprint import Recipe, StreamFP
from provenance.textworks.index import Segment, SegmentInfo, file_sha256
from provenance.textworks.match import WorkMatch, match_stream
from provenance.version import __version__

TEXT_KEY = META_KEY + b".text"
TEXT_FORMAT = 1
SIDECAR_SUFFIX = ".textfp"

WORKS_SCHEMA = pa.schema([
    pa.field("work_id", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("rights_holder", pa.string()),
    pa.field("license", pa.string()),
    pa.field("source_url", pa.string()),
    #: The file(s) the work was read from, relative to the folder given to build.
    pa.field("file", pa.string()),
    #: Tokens (words and CJK characters), white-space words, CJK characters, n-grams, anchors.
    pa.field("tokens", pa.int64()),
    pa.field("words", pa.int64()),
    pa.field("cjk", pa.int64()),
    pa.field("ngrams", pa.int64()),
    pa.field("anchors", pa.int64()),
    #: Bytes of the text as read (UTF-8).
    pa.field("bytes", pa.int64()),
])


@dataclass(frozen=True)
class TextWork:
    """A registered text work as the registry describes it."""

    work_id: str
    title: str | None
    rights_holder: str | None
    license: str | None
    source_url: str | None
    tokens: int
    words: int
    cjk: int


@dataclass(frozen=True)
class TextPart:
    """The text part's record in the registry file's metadata."""

    format: int
    recipe: Recipe
    #: Folder beside the registry file, and the works file inside it.
    folder: str
    works_file: str
    revision: str
    works: int
    ngrams: int
    #: UTF-8 bytes of the registered text.
    text_bytes: int
    segments: tuple[SegmentInfo, ...]
    tool_version: str
    created: str

    def to_json(self) -> bytes:
        data = {"format": self.format, "recipe": self.recipe.to_dict(), "folder": self.folder,
                "works_file": self.works_file, "revision": self.revision, "works": self.works,
                "ngrams": self.ngrams, "text_bytes": self.text_bytes,
                "segments": [s.to_dict() for s in self.segments], "tool_version": self.tool_version,
                "created": self.created}
        return json.dumps(data, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> TextPart:
        d: dict[str, Any] = json.loads(raw)
        return cls(int(d["format"]), Recipe.from_dict(d["recipe"]), str(d["folder"]), str(d["works_file"]),
                   str(d["revision"]), int(d["works"]), int(d["ngrams"]), int(d["text_bytes"]),
                   tuple(SegmentInfo.from_dict(s) for s in d["segments"]), str(d.get("tool_version", "")),
                   str(d.get("created", "")))

    @property
    def anchors(self) -> int:
        return sum(s.anchors for s in self.segments)

    @property
    def array_bytes(self) -> int:
        return sum(s.bytes for s in self.segments)


def sidecar(path: str | os.PathLike[str]) -> Path:
    """The folder beside a registry file that holds its text fingerprints."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def read_text_part(path: str | os.PathLike[str]) -> TextPart | None:
    """The text part's record, checked against this version's recipe; None for an image-only registry."""
    raw = read_extra(path).get(TEXT_KEY)
    if raw is None:
        return None
    try:
        part = TextPart.from_json(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise RegistryError(f"registry {path} has an unreadable text recipe: {exc}") from exc
    check_text_part(part, path)
    return part


def check_text_part(part: TextPart, path: str | os.PathLike[str], verify: bool = False) -> None:
    """Refuse fingerprints made another way (they would not match) and arrays that are missing or
    not the ones recorded; `verify` also compares every array's sha256 (reads all of them)."""
    if part.format != TEXT_FORMAT:
        raise RegistryError(f"registry {path} has text format {part.format}; this tool reads {TEXT_FORMAT}")
    why = Recipe().mismatch(part.recipe)
    if why:
        raise RegistryError(
            f"registry {path} holds text fingerprints made with {why} (provenance {part.tool_version}): "
            "they cannot match this version's. Rebuild it with `provenance registry build`.")
    folder = Path(path).parent / part.folder
    if not (folder / part.works_file).is_file():
        raise RegistryError(f"registry {path}: its text fingerprints are missing ({folder / part.works_file}); "
                            f"keep the folder {part.folder}/ beside the registry file")
    for seg in part.segments:
        for arr in seg.arrays:
            f = folder / seg.name / arr.file
            try:
                size = f.stat().st_size
            except OSError:
                raise RegistryError(f"registry {path}: text fingerprint array {f} is missing") from None
            if size != arr.bytes:
                raise RegistryError(f"registry {path}: {f} has {size} bytes, the registry recorded {arr.bytes} "
                                    "(a copy from another build?)")
            if verify and file_sha256(f) != arr.sha256:
                raise RegistryError(f"registry {path}: {f} does not have the recorded sha256 (changed or damaged)")


class TextRegistry:
    """A registry's text part, memory-mapped: what a scan matches against."""

    def __init__(self, path: str | os.PathLike[str], part: TextPart) -> None:
        self.path = Path(path)
        self.part = part
        self.recipe = part.recipe
        self.folder = self.path.parent / part.folder

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> TextRegistry | None:
        part = read_text_part(path)
        return cls(path, part) if part is not None else None

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(Segment(self.folder / s.name, s, self.recipe) for s in self.part.segments)

    @cached_property
    def works_table(self) -> pa.Table:
        try:
            table = pq.read_table(self.folder / self.part.works_file)
        except (OSError, pa.ArrowInvalid) as exc:
            raise RegistryError(f"registry {self.path}: cannot read its text works table: {exc}") from exc
        if table.num_rows != self.part.works:
            raise RegistryError(f"registry {self.path}: its works table has {table.num_rows} rows, the "
                                f"registry recorded {self.part.works}")
        return table

    @cached_property
    def _columns(self) -> dict[str, list[Any]]:
        return {name: self.works_table.column(name).to_pylist() for name in WORKS_SCHEMA.names}

    def work(self, index: int) -> TextWork:
        c = self._columns
        return TextWork(c["work_id"][index], c["title"][index], c["rights_holder"][index], c["license"][index],
                        c["source_url"][index], int(c["tokens"][index] or 0), int(c["words"][index] or 0),
                        int(c["cjk"][index] or 0))

    def match(self, fp: StreamFP, min_lo_units: float = 0.0) -> list[WorkMatch]:
        return match_stream(self.segments, self.recipe, fp, min_lo_units)


# ---------------------------------------------------------------- writing


def new_revision() -> str:
    return uuid.uuid4().hex[:12]


def write_registry(
    path: str | os.PathLike[str],
    recipe: Recipe,
    segments: Sequence[SegmentInfo],
    works: pa.Table,
    revision: str,
    text_bytes: int,
    image_table: pa.Table | None = None,
    image_meta: RegistryMeta | None = None,
) -> TextPart:
    """Record a text part whose segment folders are already in the sidecar (named by `revision`
    or kept from before): write the works table, then the registry file (atomically), then remove
    what the new record no longer names."""
    path = Path(path)
    folder = sidecar(path)
    folder.mkdir(parents=True, exist_ok=True)
    works_file = f"works-{revision}.parquet"
    fd, tmp = tempfile.mkstemp(prefix=f".{works_file}.", suffix=".tmp", dir=folder)
    os.close(fd)
    follow_umask(tmp)
    pq.write_table(works.cast(WORKS_SCHEMA), tmp, compression="zstd")
    os.replace(tmp, folder / works_file)
    part = TextPart(TEXT_FORMAT, recipe, folder.name, works_file, revision, works.num_rows,
                    sum(s.ngrams for s in segments), text_bytes, tuple(segments), __version__,
                    datetime.now(timezone.utc).replace(microsecond=0).isoformat())
    extra = {k: v for k, v in (read_extra(path) if path.exists() else {}).items() if k != TEXT_KEY}
    extra[TEXT_KEY] = part.to_json()
    write_table(path, image_table if image_table is not None else empty_table(),
                image_meta or current_meta(()), extra)
    _tidy(folder, part)
    return part


def _tidy(folder: Path, part: TextPart) -> None:
    """Remove segment folders and works files of earlier revisions."""
    keep = {part.works_file, *(s.name for s in part.segments)}
    for child in folder.iterdir():
        if child.name in keep or child.name.startswith("."):
            continue
        if child.is_dir() and child.name.startswith("seg-"):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith("works-") and child.suffix == ".parquet":
            child.unlink(missing_ok=True)


def works_rows(rows: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=WORKS_SCHEMA)
