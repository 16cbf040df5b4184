"""Make and extend registries: from a folder of reference images or from a shared hash list."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from provenance.errors import RegistryError
from provenance.images.decode import DEFAULT_MAX_PIXELS, ImageReadError, open_image
from provenance.images.fingerprint import fingerprint_opened, hash_gray, sym_hash, variant_grays
from provenance.registry.store import SCHEMA, RegistryMeta, current_meta, read_extra, read_table, write_table

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp"})
_WORK_FIELDS = ("title", "owner", "rights", "source")


@dataclass(frozen=True)
class BuildReport:
    """What a build or add did."""

    works_added: int
    rows_added: int
    skipped_existing: int
    #: (file, reason) for reference images that could not be fingerprinted.
    errors: tuple[tuple[str, str], ...]
    total_works: int
    total_rows: int


def iter_images(folder: str | os.PathLike[str]) -> Iterator[Path]:
    root = Path(folder)
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            yield path


def read_metadata(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """works.csv: a `file` (or `filename`) column, the file name or its path relative to the
    folder, plus any of title, owner, rights, source, work_id. Keyed by that value."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        key = next((k for k in ("file", "filename") if k in (reader.fieldnames or ())), None)
        if key is None:
            raise RegistryError(f"metadata {path} needs a 'file' column (got {reader.fieldnames})")
        return {(row[key] or "").strip(): {k: (v or "").strip() for k, v in row.items() if k}
                for row in reader}


def _fingerprint_rows(task: tuple[str, str, tuple[str, ...], int]) -> tuple[str, list[dict[str, Any]] | str]:
    """Rows for one reference image, or the reason it failed. Runs in a worker process."""
    path, rel, variants, max_pixels = task
    try:
        with open_image(path, max_pixels) as opened:
            fp = fingerprint_opened(opened)
        rows: list[dict[str, Any]] = [
            {"variant": "original", "phash": fp.phash, "dhash": fp.dhash, "shash": fp.shash,
             "width": fp.width, "height": fp.height}
        ]
        if variants:
            with open_image(path, max_pixels) as fresh:
                grays = list(variant_grays(fresh, variants))
            for name, gray in grays:
                ph, dh = hash_gray(gray)
                rows.append({"variant": name, "phash": ph, "dhash": dh, "shash": sym_hash(gray),
                             "width": None, "height": None})
    except ImageReadError as exc:
        return rel, str(exc)
    return rel, rows


def fingerprint_folder(
    folder: str | os.PathLike[str],
    variants: tuple[str, ...],
    metadata: Mapping[str, Mapping[str, str]] | None = None,
    jobs: int = 1,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    skip_ids: Iterable[str] = (),
) -> tuple[list[dict[str, Any]], list[tuple[str, str]], int]:
    """(rows, errors, skipped) for every image under `folder`; work ids are relative paths."""
    root = Path(folder)
    base = root.parent if root.is_file() else root
    skip = set(skip_ids)
    tasks, skipped = [], 0
    for path in iter_images(root):
        rel = path.relative_to(base).as_posix()
        if rel in skip:
            skipped += 1
            continue
        tasks.append((str(path), rel, variants, max_pixels))
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_fingerprint_rows, tasks, chunksize=4))
    else:
        results = [_fingerprint_rows(t) for t in tasks]
    meta = metadata or {}
    rows: list[dict[str, Any]] = []
    errors: list[tuple[str, str]] = []
    for rel, result in results:
        if isinstance(result, str):
            errors.append((rel, result))
            continue
        info = meta.get(rel) or meta.get(rel.rsplit("/", 1)[-1]) or {}
        work = {
            "work_id": info.get("work_id") or rel,
            "title": info.get("title") or Path(rel).stem,
            "owner": info.get("owner") or None,
            "rights": info.get("rights") or None,
            "source": info.get("source") or rel,
            "file": rel.rsplit("/", 1)[-1],
        }
        rows.extend({**work, **r} for r in result)
    return rows, errors, skipped


def _hex64(value: str, what: str, line: int) -> int:
    text = value.strip().lower().removeprefix("0x")
    if len(text) != 16:
        raise RegistryError(f"hash list line {line}: {what} must be 16 hex digits, got {value!r}")
    try:
        return int(text, 16)
    except ValueError as exc:
        raise RegistryError(f"hash list line {line}: {what} is not hex: {value!r}") from exc


def _size(value: str | None, what: str, line: int) -> int | None:
    if not value:
        return None
    try:
        return int(value) or None
    except ValueError as exc:
        raise RegistryError(f"hash list line {line}: {what} is not a whole number: {value!r}") from exc


def read_hash_list(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Rows from a shared hash list: CSV with `phash` (16 hex digits, as our registries and
    `str(imagehash.phash(img))` print them) and optional dhash, shash, title, owner, rights,
    source, work_id, variant, width, height."""
    name = Path(path).name
    rows: list[dict[str, Any]] = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "phash" not in reader.fieldnames:
            raise RegistryError(f"hash list {path} needs a 'phash' column (got {reader.fieldnames})")
        for line, rec in enumerate(reader, start=2):
            get = {k: (v or "").strip() for k, v in rec.items() if k}.get
            dh = get("dhash") or ""
            sh = get("shash") or ""
            rows.append({
                "work_id": get("work_id") or get("id") or f"{name}:{line}",
                "title": get("title") or None,
                "owner": get("owner") or None,
                "rights": get("rights") or None,
                "source": get("source") or f"hash list {name}",
                "file": get("file") or None,
                "variant": get("variant") or "original",
                "phash": _hex64(get("phash") or "", "phash", line),
                "dhash": _hex64(dh, "dhash", line) if dh else None,
                "shash": _hex64(sh, "shash", line) if sh else None,
                "width": _size(get("width"), "width", line),
                "height": _size(get("height"), "height", line),
            })
    return rows


def write_hash_list(registry_path: str | os.PathLike[str], out: str | os.PathLike[str]) -> int:
    """Export a registry as a hash list that can be shared without the images."""
    table, _ = read_table(registry_path)
    cols = ["work_id", "title", "owner", "rights", "source", "file", "variant", "phash", "dhash",
            "shash", "width", "height"]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for rec in table.to_pylist():
            writer.writerow([
                f"{rec[c]:016x}" if c in ("phash", "dhash", "shash") and rec[c] is not None
                else ("" if rec[c] is None else rec[c])
                for c in cols
            ])
    return table.num_rows


def _rows_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def build_registry(
    out: str | os.PathLike[str],
    folder: str | os.PathLike[str] | None = None,
    hash_lists: Iterable[str | os.PathLike[str]] = (),
    metadata: str | os.PathLike[str] | None = None,
    variants: tuple[str, ...] = (),
    jobs: int = 1,
) -> BuildReport:
    meta_rows = read_metadata(metadata) if metadata else None
    rows: list[dict[str, Any]] = []
    errors: list[tuple[str, str]] = []
    if folder is not None:
        rows, errors, _ = fingerprint_folder(folder, variants, meta_rows, jobs)
    for hl in hash_lists:
        rows.extend(read_hash_list(hl))
    table = _rows_table(rows)
    write_table(out, table, current_meta(variants))
    works = len(set(table.column("work_id").to_pylist()))
    return BuildReport(works, table.num_rows, 0, tuple(errors), works, table.num_rows)


def add_to_registry(
    path: str | os.PathLike[str],
    source: str | os.PathLike[str],
    metadata: str | os.PathLike[str] | None = None,
    jobs: int = 1,
) -> BuildReport:
    """Add a folder of images, one image, or a hash list (.csv) to an existing registry.
    Works whose id is already registered are skipped. Uses the registry's own variants."""
    table, meta = read_table(path)
    existing = set(table.column("work_id").to_pylist())
    errors: list[tuple[str, str]] = []
    skipped = 0
    if str(source).lower().endswith(".csv"):
        listed = read_hash_list(source)
        new = [r for r in listed if r["work_id"] not in existing]
        skipped = len({r["work_id"] for r in listed} & existing)
    else:
        meta_rows = read_metadata(metadata) if metadata else None
        new, errors, skipped = fingerprint_folder(source, meta.variants, meta_rows, jobs, skip_ids=existing)
    added = _rows_table(new)
    merged = pa.concat_tables([table, added])
    write_table(path, merged, _keep_meta(meta), read_extra(path))
    new_works = len(set(added.column("work_id").to_pylist()))
    total_works = len(set(merged.column("work_id").to_pylist()))
    return BuildReport(new_works, added.num_rows, skipped, tuple(errors), total_works, merged.num_rows)


def _keep_meta(meta: RegistryMeta) -> RegistryMeta:
    # The recipe is unchanged (check_meta passed); record the tool that last wrote it.
    fresh = current_meta(meta.variants)
    return RegistryMeta(meta.format, meta.algorithm, meta.decode, meta.variants, fresh.tool_version,
                        fresh.imagehash_version, meta.created)
