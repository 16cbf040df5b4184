"""Text works into a registry: read .txt, .md, .rst, .html, JSON Lines, EPUB and PDF files, fingerprint
them (in worker processes), and write segments beside the registry file.

One file is one work unless the metadata says otherwise: rows of works.csv that give several
files the same `work_id` make one work of them (in file order), and `unit=record` makes every
record of a JSON Lines file its own work (id from the record's `work_id`/`id`, else the line).
Metadata columns (any may be missing): file, work_id, title, rights_holder (or owner), license
(or rights), source_url (or source), text_field, unit.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from defusedxml import ElementTree

from provenance.errors import MissingExtraError, RegistryError
from provenance.registry.store import read_extra, read_table
from provenance.registry.text_store import (
    TEXT_KEY,
    TextPart,
    TextRegistry,
    new_revision,
    read_text_part,
    sidecar,
    works_rows,
    write_registry,
)
from provenance.textio import decode_text
from provenance.textworks.fingerprint import Recipe, fingerprint
from provenance.textworks.index import SegmentInfo, SegmentWriter
from provenance.textworks.normalize import html_to_text

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".rst", ".html", ".htm", ".xhtml",
                           ".jsonl", ".ndjson", ".epub", ".pdf"})
_HTML = (".html", ".htm", ".xhtml")
TEXT_FIELDS = ("text", "content", "body", "article", "story", "lyrics", "chapter")
#: A segment is closed when it holds this many n-grams (bounds a build's memory: ~20 bytes each).
SEGMENT_NGRAMS = 200_000_000


@dataclass(frozen=True)
class WorkSpec:
    """What one work is made of, before it is read."""

    work_id: str
    title: str | None
    rights_holder: str | None
    license: str | None
    source_url: str | None
    #: (absolute path, relative name) of its files, in order.
    files: tuple[tuple[str, str], ...]
    text_field: str | None = None
    #: For a work that is one record of a JSON Lines file: its 1-based line.
    record: int | None = None


@dataclass(frozen=True)
class TextBuildReport:
    """What a text build or add did."""

    works_added: int
    skipped_existing: int
    #: (file, reason) for works that could not be read.
    errors: tuple[tuple[str, str], ...]
    total_works: int
    text_bytes: int
    ngrams: int
    array_bytes: int


def iter_text_files(folder: str | os.PathLike[str]) -> Iterator[Path]:
    root = Path(folder)
    if root.is_file():
        if root.suffix.lower() in TEXT_SUFFIXES:
            yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES and not path.name.startswith("."):
            yield path


# ---------------------------------------------------------------- reading works


def read_records(path: str, text_field: str | None = None) -> list[str] | str:
    """The text of a work file as records (one for plain files), or why it cannot be read."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".epub":
            return _epub(path)
        if suffix == ".pdf":
            return _pdf(path)
        raw = Path(path).read_bytes()
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return f"cannot read: {exc}"
    text, reason = decode_text(raw, complete=True)
    if text is None:
        return f"not text: {reason}"
    if suffix in (".jsonl", ".ndjson"):
        return [t for _, t in json_lines(text, text_field)]
    if suffix in _HTML:
        return [html_to_text(text)]
    return [text]


def json_lines(text: str, text_field: str | None = None) -> Iterator[tuple[int, str]]:
    """(line, text) of each JSON Lines record: the named field, else the first usual text field."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, str):
            yield line_no, obj
        elif isinstance(obj, dict):
            keys = (text_field,) if text_field else TEXT_FIELDS
            value = next((obj[k] for k in keys if isinstance(obj.get(k), str)), None)
            if value:
                yield line_no, value


def _epub(path: str) -> list[str]:
    """EPUB chapters in reading order (the OPF spine), as visible text. Standard library only."""
    with zipfile.ZipFile(path) as zf:
        container = ElementTree.fromstring(zf.read("META-INF/container.xml"))
        rootfile = next(e.get("full-path") for e in container.iter() if e.tag.endswith("rootfile"))
        opf = ElementTree.fromstring(zf.read(rootfile))
        base = posixpath.dirname(rootfile)
        items = {e.get("id"): e.get("href") for e in opf.iter() if e.tag.endswith("}item") or e.tag == "item"}
        spine = [e.get("idref") for e in opf.iter() if e.tag.endswith("itemref")]
        out = []
        for idref in spine:
            href = items.get(idref)
            if not href:
                continue
            name = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
            text, _ = decode_text(zf.read(name), complete=True)
            if text:
                out.append(html_to_text(text))
        return out


def _pdf(path: str) -> list[str]:
    try:
        import pypdf  # optional extra (pdf)
    except ImportError:
        raise MissingExtraError("PDF works", "pdf", "pypdf") from None
    try:
        reader = pypdf.PdfReader(path)
        return ["\n".join(page.extract_text() or "" for page in reader.pages)]
    except (pypdf.errors.PyPdfError, OSError, ValueError) as exc:
        raise ValueError(f"PDF: {exc}") from exc


# ---------------------------------------------------------------- planning


def _get(info: Mapping[str, str], *names: str) -> str | None:
    return next((info[n] for n in names if info.get(n)), None)


def plan_works(folder: str | os.PathLike[str], metadata: Mapping[str, Mapping[str, str]] | None = None,
               ) -> tuple[list[WorkSpec], list[tuple[str, str]]]:
    """The works under `folder` (ids are relative paths unless the metadata names them)."""
    root = Path(folder)
    base = root.parent if root.is_file() else root
    meta = metadata or {}
    grouped: dict[str, list[tuple[str, str, Mapping[str, str]]]] = {}
    specs: list[WorkSpec] = []
    errors: list[tuple[str, str]] = []
    for path in iter_text_files(root):
        rel = path.relative_to(base).as_posix()
        info = meta.get(rel) or meta.get(path.name) or {}
        if (info.get("unit") or "").lower() == "record":
            got = _record_works(str(path), rel, info)
            if isinstance(got, str):
                errors.append((rel, got))
            else:
                specs.extend(got)
            continue
        grouped.setdefault(info.get("work_id") or rel, []).append((str(path), rel, info))
    for work_id, files in grouped.items():
        info = files[0][2]
        specs.append(WorkSpec(
            work_id=work_id, title=_get(info, "title") or Path(files[0][1]).stem,
            rights_holder=_get(info, "rights_holder", "owner"), license=_get(info, "license", "rights"),
            source_url=_get(info, "source_url", "source"), files=tuple((p, r) for p, r, _ in files),
            text_field=info.get("text_field") or None))
    return specs, errors


def _record_works(path: str, rel: str, info: Mapping[str, str]) -> list[WorkSpec] | str:
    raw = Path(path).read_bytes()
    text, reason = decode_text(raw, complete=True)
    if text is None:
        return f"not text: {reason}"
    out = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        try:
            obj = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if not isinstance(obj, dict):
            continue
        wid = obj.get("work_id") or obj.get("id")
        out.append(WorkSpec(
            work_id=str(wid) if wid not in (None, "") else f"{info.get('work_id') or rel}#{line_no}",
            title=str(obj.get("title") or f"{_get(info, 'title') or Path(rel).stem} #{line_no}"),
            rights_holder=str(obj.get("rights_holder") or _get(info, "rights_holder", "owner") or "") or None,
            license=str(obj.get("license") or _get(info, "license", "rights") or "") or None,
            source_url=str(obj.get("source_url") or obj.get("url") or _get(info, "source_url", "source") or "") or None,
            files=((path, rel),), text_field=info.get("text_field") or None, record=line_no))
    return out


# ---------------------------------------------------------------- fingerprinting (workers)


Fingerprinted = tuple[np.ndarray, int, int, int, int]


def fingerprint_work(task: tuple[WorkSpec, Recipe]) -> Fingerprinted | str:
    """(n-gram hashes, tokens, words, CJK characters, bytes) of one work, or why it failed."""
    spec, recipe = task
    parts: list[str] = []
    for path, rel in spec.files:
        if spec.record is not None:
            raw = Path(path).read_bytes().decode("utf-8", "replace").splitlines()[spec.record - 1]
            got: list[str] | str = [t for _, t in json_lines(raw, spec.text_field)]
        else:
            try:
                got = read_records(path, spec.text_field)
            except MissingExtraError as exc:
                return f"{rel}: {exc}"
        if isinstance(got, str):
            return f"{rel}: {got}"
        parts.extend(got)
    text = "\n".join(parts)
    fp = fingerprint(text, recipe)
    if len(fp.grams.hash) == 0:
        return f"{spec.files[0][1]}: shorter than one n-gram ({recipe.n_word} words / {recipe.n_cjk} CJK characters)"
    t = fp.tokens
    cjk = int(t.cjk.sum())
    words = int((t.newword & ~t.cjk).sum())
    return fp.grams.hash, len(t.hash), words, cjk, len(text.encode("utf-8", "surrogatepass"))


def _fingerprints(specs: list[WorkSpec], recipe: Recipe, jobs: int) -> Iterator[Fingerprinted | str]:
    tasks = [(s, recipe) for s in specs]
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield from pool.map(fingerprint_work, tasks, chunksize=1)
    else:
        yield from map(fingerprint_work, tasks)


# ---------------------------------------------------------------- build and add


def build_text_part(
    registry: str | os.PathLike[str],
    specs: list[WorkSpec],
    recipe: Recipe | None = None,
    jobs: int = 1,
    previous: TextPart | None = None,
    previous_works: pa.Table | None = None,
    errors: Iterable[tuple[str, str]] = (),
    skipped: int = 0,
    segment_ngrams: int = SEGMENT_NGRAMS,
) -> TextBuildReport:
    """Fingerprint `specs` into new segments and record them (after `previous`'s) in `registry`.
    The image rows and recipe of an existing registry file are kept."""
    recipe = previous.recipe if previous is not None else (recipe or Recipe())
    path = Path(registry)
    folder = sidecar(path)
    revision = new_revision()
    segments: list[SegmentInfo] = list(previous.segments) if previous else []
    rows: list[dict[str, Any]] = previous_works.to_pylist() if previous_works is not None else []
    errs = list(errors)
    text_bytes = previous.text_bytes if previous else 0
    added = 0
    writer = SegmentWriter(recipe)
    seg_start = len(rows)

    def close() -> None:
        nonlocal writer, seg_start
        if writer.works:
            segments.append(writer.write(folder / f"seg-{revision}-{len(segments)}", f"seg-{revision}-{len(segments)}",
                                         seg_start))
        writer = SegmentWriter(recipe)
        seg_start = len(rows)

    for spec, got in zip(specs, _fingerprints(specs, recipe, jobs), strict=False):
        if isinstance(got, str):
            errs.append((spec.files[0][1], got))
            continue
        grams, tokens, words, cjk, nbytes = got
        if writer.ngrams and writer.ngrams + len(grams) > segment_ngrams:
            close()
        anchors = writer.add(grams)
        rows.append({"work_id": spec.work_id, "title": spec.title, "rights_holder": spec.rights_holder,
                     "license": spec.license, "source_url": spec.source_url,
                     "file": ";".join(r for _, r in spec.files) + (f"#{spec.record}" if spec.record else ""),
                     "tokens": tokens, "words": words, "cjk": cjk, "ngrams": len(grams), "anchors": anchors,
                     "bytes": nbytes})
        text_bytes += nbytes
        added += 1
    close()
    image_table, image_meta = _images(path)
    part = write_registry(path, recipe, segments, works_rows(rows), revision, text_bytes, image_table, image_meta)
    return TextBuildReport(added, skipped, tuple(errs), part.works, part.text_bytes, part.ngrams, part.array_bytes)


def _images(path: Path) -> tuple[pa.Table | None, Any]:
    if not path.exists():
        return None, None
    table, meta = read_table(path)
    return table, meta


def add_text(
    registry: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    metadata: Mapping[str, Mapping[str, str]] | None = None,
    jobs: int = 1,
    recipe: Recipe | None = None,
) -> TextBuildReport:
    """Add the text works under `folder` to a registry file (made when missing); works whose id is
    registered already are skipped. Existing segments are kept as they are."""
    path = Path(registry)
    previous = read_text_part(path) if path.exists() else None
    previous_works = None
    existing: set[str] = set()
    if previous is not None:
        previous_works = TextRegistry(path, previous).works_table
        existing = set(previous_works.column("work_id").to_pylist())
    specs, errors = plan_works(folder, metadata)
    fresh = [s for s in specs if s.work_id not in existing]
    return build_text_part(path, fresh, recipe, jobs, previous, previous_works, errors, len(specs) - len(fresh))


def import_text(registry: str | os.PathLike[str], other: str | os.PathLike[str]) -> TextBuildReport:
    """Add another registry's text works (its segments copied as they are) to `registry`. Works
    whose id is registered already make the import fail: a segment cannot be split."""
    path, other = Path(registry), Path(other)
    theirs = read_text_part(other)
    if theirs is None:
        raise RegistryError(f"{other} holds no text works")
    mine = read_text_part(path) if path.exists() else None
    if mine is not None and mine.recipe.mismatch(theirs.recipe):
        raise RegistryError(f"{other} was made with {mine.recipe.mismatch(theirs.recipe)}")
    their_works = TextRegistry(other, theirs).works_table
    rows = TextRegistry(path, mine).works_table.to_pylist() if mine is not None else []
    clash = set(their_works.column("work_id").to_pylist()) & {r["work_id"] for r in rows}
    if clash:
        raise RegistryError(f"{other} registers works already in {path}: {', '.join(sorted(clash)[:5])}")
    revision = new_revision()
    folder = sidecar(path)
    folder.mkdir(parents=True, exist_ok=True)
    segments = list(mine.segments) if mine else []
    offset = len(rows)
    for seg in theirs.segments:
        name = f"seg-{revision}-{len(segments)}"
        shutil.copytree(sidecar(other) / seg.name, folder / name)
        segments.append(SegmentInfo(name, seg.work_start + offset, seg.works, seg.ngrams, seg.anchors, seg.dir_bits,
                                    seg.arrays))
    rows.extend(their_works.to_pylist())
    image_table, image_meta = _images(path)
    part = write_registry(path, theirs.recipe, segments, works_rows(rows), revision,
                          (mine.text_bytes if mine else 0) + theirs.text_bytes, image_table, image_meta)
    return TextBuildReport(their_works.num_rows, 0, (), part.works, part.text_bytes, part.ngrams, part.array_bytes)


def export_text(registry: str | os.PathLike[str], out: str | os.PathLike[str]) -> TextBuildReport:
    """A text-only copy of a registry's fingerprints (no image rows) at `out`, to hand out."""
    if Path(out).exists() and read_extra(out).get(TEXT_KEY):
        raise RegistryError(f"{out} already holds text works; export to a new file")
    return import_text(out, registry)
